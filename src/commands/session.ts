/**
 * What the server knows about one client connection that commands may read or change: its
 * selected database, protocol, name and so on. The server layer owns the socket; commands see
 * only this.
 */
import { ReplyWriter } from "../protocol/reply_writer.ts";
import type { MultiQueue } from "../tx/multi_queue.ts";
import type { ClientSubscriptions } from "../pubsub/client_subscriptions.ts";

/** A blocked client's wait, as its connection sees it. */
export interface BlockState {
  /** The command that blocked: the rest of its batch runs once it is answered. */
  readonly argv: string[];
  /** Resolves once the answer is written and the round that wrote it was made durable. */
  readonly woken: Promise<void>;
  /** The client left while blocked: drops the wait without a trace (run in the store actor). */
  cancel(): void;
}
export type ResetHook = (session: Session) => void;

/** Who a session runs as: an ACL user (src/security/user.ts), seen here only by its name. */
export interface SessionUser {
  readonly name: string;
  /** May run everything on every key and channel: the session skips the ACL gate. */
  readonly unrestricted: boolean;
  /** May read every key (SORT's BY and GET patterns need it); absent means yes. */
  readonly readsAllKeys?: boolean;
}

/** The user of a session no security layer admitted (in-process tests): the open default. */
const OPEN_DEFAULT: SessionUser = { name: "default", unrestricted: true };

export class Session {
  readonly id: number;
  readonly remoteAddr: string;
  readonly localAddr: string;
  readonly createdAtMs: number;
  /** Where this client's replies are encoded. */
  readonly out = new ReplyWriter();
  db = 0;
  name = "";
  libName = "";
  libVersion = "";
  /** The ACL user this client runs as (`default` until AUTH or HELLO ... AUTH). */
  user: SessionUser = OPEN_DEFAULT;
  /** Logged in: connected while the default user needed no password, or passed AUTH. */
  authenticated = true;
  /**
   * Must authenticate before anything but AUTH, HELLO, QUIT and RESET runs; the connection then
   * also applies Redis's small pre-authentication request limits.
   */
  preAuth = false;
  /** Last time a request arrived (idle timeout, CLIENT LIST `idle`). */
  lastInteractionMs: number;
  /** Name of the last command run (CLIENT LIST `cmd`). */
  lastCommand = "NULL";
  /** Set by QUIT or CLIENT KILL: replies so far are flushed, then the connection closes. */
  closeRequested = false;
  /**
   * The dispatcher runs its gates (gates.ts) for this session: set while the session is in a
   * state some gate checks (not authenticated, subscribed, in MULTI, in a transaction, ...).
   * Whoever sets a state recomputes it with {@linkcode updateGated}.
   */
  gated = false;
  /**
   * Set while this session's commands run inside EXEC or a BEGIN transaction: blocking
   * commands then act as their non-blocking forms (as Redis does inside MULTI).
   */
  inTransaction = false;
  /** Set while the client waits in a blocking command (BLPOP, ...): INFO, CLIENT LIST `b`. */
  blocked = false;
  /**
   * Set by each command of the current batch that saw or changed data the round's log write
   * makes durable (a numbered database, a WAL partition, anything beyond the selected
   * keyspace); cleared when the batch is released. A batch that never set it ran only in NONE
   * partitions: its replies go out before the round's fsync (see embedded/store.ts). Under the
   * round ledger, the store's runner clears it around each command to learn whether that one
   * command's reply waits for the log (round_ledger.ts), then puts the batch's value back.
   */
  waitsForRound = false;
  /**
   * Rounds that wrote output for this session and are not released yet (round_output.ts): its
   * batch may be released early only when none are, or it would reveal their output.
   */
  unreleasedRounds = 0;
  /**
   * Set by the connection: queues the output encoded so far (up to `upTo`, a mark from
   * `out.position`, when given) for writing at once.
   */
  flushNow: ((upTo?: number) => void) | null = null;
  /** The commands queued since MULTI, or null outside MULTI (see src/tx/multi_queue.ts). */
  multi: MultiQueue | null = null;
  /**
   * Set by a handler that must wait before its reply (WAIT): the dispatcher hands the promise
   * to the actor, which holds the rest of the client's batch until it settles. The handler's
   * waiter writes the reply into `out` before settling it.
   */
  blocking: Promise<void> | null = null;
  /** CLIENT LIST TYPE and KILL TYPE: a replica connected to us, or our primary's link. */
  kind: "normal" | "replica" | "master" = "normal";
  /**
   * Where the replication stream ended after this client's last command that added to it:
   * what its WAIT waits for (Redis's woff), so later writes of others never hold it up.
   */
  replOffset = 0;
  /**
   * Set by the connection: queues bytes for this client right away, after any replies already
   * in `out` (the replication stream and RDB transfers to a replica). Null when closed. Bytes
   * of an RDB transfer (`transfer`) are not counted against the client's output limits: Redis
   * writes an RDB to the socket outside the client's output buffer.
   */
  push: ((bytes: Uint8Array, transfer?: boolean) => void) | null = null;
  /**
   * While blocked, and until the connection has taken the answer: what it needs to wait for
   * the answer (see blocking.ts).
   */
  blockState: BlockState | null = null;
  /** Set after MONITOR: the client receives every command the server runs. */
  monitoring = false;
  /** Predicates that each say whether one feature needs the gates for this session. */
  readonly #gateReasons: ((session: Session) => boolean)[] = [];
  /** Cleanup to run when the connection ends (see {@linkcode onClose}). */
  readonly #closeHooks: ((session: Session) => void)[] = [];
  /** Pub/sub subscriptions, or null before the first one (src/pubsub/). */
  pubsub: ClientSubscriptions | null = null;
  /**
   * Pub/sub messages for this session that arrived while its own transaction ran: written
   * after the EXEC reply (dispatcher.ts), never inside it.
   */
  heldPushes: Uint8Array[] | null = null;
  /** Hook for the server: how many bytes are queued for this client and the input buffer size. */
  stats = { queuedOutputBytes: 0, inputBufferBytes: 0, memoryBytes: 0 };

  constructor(id: number, remoteAddr: string, localAddr: string, nowMs: number) {
    this.id = id;
    this.remoteAddr = remoteAddr;
    this.localAddr = localAddr;
    this.createdAtMs = nowMs;
    this.lastInteractionMs = nowMs;
  }

  /** Registers a feature's "needs gating" predicate (once per feature) and re-evaluates. */
  addGateReason(reason: (session: Session) => boolean): void {
    if (!this.#gateReasons.includes(reason)) this.#gateReasons.push(reason);
    this.updateGated();
  }

  /** Recomputes {@linkcode gated} after a state change (MULTI, SUBSCRIBE, AUTH, ...). */
  updateGated(): void {
    let gated = false;
    for (const reason of this.#gateReasons) if (reason(this)) gated = true;
    this.gated = gated;
  }

  /**
   * Registers cleanup (once per function) for when the connection ends: WATCHed keys, a MULTI
   * queue, an open transaction, subscriptions. The server runs it inside the store actor.
   */
  onClose(hook: (session: Session) => void): void {
    if (!this.#closeHooks.includes(hook)) this.#closeHooks.push(hook);
  }

  /** Whether anything waits for the connection's end (the server then queues {@linkcode closed}). */
  get hasCloseHooks(): boolean {
    return this.#closeHooks.length !== 0;
  }

  /**
   * Runs the close hooks once; the server calls it in the store actor after the connection
   * ended, and RESET calls it too (every feature's per-connection state is dropped, as on a
   * disconnect; a feature used again registers its hook again).
   */
  closed(): void {
    const hooks = this.#closeHooks.splice(0);
    for (const hook of hooks) hook(this);
  }

  /** Writes the held pub/sub messages (see {@linkcode heldPushes}) into `out`. */
  writeHeldPushes(): void {
    const held = this.heldPushes;
    this.heldPushes = null;
    if (held !== null) { for (const frame of held) this.out.raw(frame); }
  }

  /**
   * The client's class for CLIENT LIST/KILL TYPE and the output limits, as Redis's
   * getClientType: a replica or our primary's link by {@linkcode kind}, else `pubsub` while it
   * has a subscription (Redis's CLIENT_PUBSUB flag), else `normal`.
   */
  get clientType(): "normal" | "pubsub" | "replica" | "master" {
    if (this.kind !== "normal") return this.kind;
    return this.pubsub !== null && this.pubsub.total > 0 ? "pubsub" : "normal";
  }

  get protocol(): 2 | 3 {
    return this.out.protocol;
  }

  /** Switching protocol can change what the gates check (the RESP2 pub/sub context). */
  set protocol(version: 2 | 3) {
    this.out.protocol = version;
    if (this.#gateReasons.length > 0) this.updateGated();
  }
}
