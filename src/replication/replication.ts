/**
 * Replication, Redis 7's protocol: this node's replication id and offset, its backlog, the
 * replicas connected to it (full and partial resyncs, the stream, ACKs, WAIT), and its role.
 * The replica side (the link to our primary) is in master_link.ts.
 *
 * Where the stream comes from:
 * - on a primary, from the change stream ({@linkcode PropagationSink}), released after each
 *   round is made durable;
 * - on a replica, the primary's own bytes, forwarded after they were applied and made durable
 *   here, so sub-replicas (chains) share the primary's replication id and offsets.
 * Both go through {@linkcode Replication.afterRound}: backlog first, then every replica.
 */
import type { Config } from "../config/settings.ts";
import type { Databases } from "../store/databases.ts";
import type { Logger } from "../log/logger.ts";
import type { Session } from "../commands/session.ts";
import { startRdbSnapshot, streamRdbSnapshot } from "../rdb/rdb_snapshot.ts";
import { standardAux } from "../rdb/rdb_saver.ts";
import { ReplBacklog } from "./backlog.ts";
import { PropagationSink } from "./propagation.ts";
import { encodeCommand } from "./resp_bytes.ts";
import { limitRule, OutputLimitWatch } from "../config/output_limits.ts";

/** 40 random hex digits, as Redis's replication ids and run ids. */
export function randomReplId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(20)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

export const NO_REPLID = "0".repeat(40);

const ascii = (text: string) => new TextEncoder().encode(text);

/** A replica connected to us. */
export interface ReplicaPeer {
  session: Session;
  /**
   * wait_bgsave: its RDB is being made (and, with capa eof, sent); send_bulk: the RDB was sent
   * with an EOF mark and we wait for its first ACK before the stream (as Redis does: the mark
   * must end what it reads); online: it gets the stream.
   */
  state: "wait_bgsave" | "send_bulk" | "online";
  /** The port it listens on (REPLCONF listening-port), for INFO and Sentinel. */
  listeningPort: number;
  ip: string;
  /** Offset it acknowledged (REPLCONF ACK), and when (Unix ms). */
  ackOffset: number;
  ackTimeMs: number;
  /** Stream bytes kept for it while its RDB is made, and the offset they continue from. */
  pending: Uint8Array[];
  pendingBytes: number;
  pendingFrom: number;
  /**
   * The replica class's limits over `pending` (Redis counts the stream a syncing replica is
   * owed as its output buffer); once online, its connection watches what it has queued.
   */
  pendingWatch: OutputLimitWatch;
  /** Stream bytes for an online replica, written together once per event-loop turn. */
  outbox: Uint8Array[];
  /** REPLCONF rdb-only 1 (redis-cli --rdb): closed once the RDB is sent. */
  rdbOnly: boolean;
}

/** What a connection told us in REPLCONF before PSYNC. */
interface Handshake {
  listeningPort: number;
  rdbOnly: boolean;
  /** REPLCONF capa eof: the replica takes a `$EOF:<mark>` transfer, streamed as it is made. */
  capaEof: boolean;
}

/** Past this many bytes queued on a replica's connection, the RDB walk waits for it to drain. */
const TRANSFER_HIGH_WATER = 16 * 1024 * 1024;

/** A client blocked in WAIT. */
interface Waiter {
  session: Session;
  target: number;
  replicas: number;
  done: (count: number) => void;
}

/** Where a round's stream ends: counts of sealed stream bytes and forwarded chunks. */
export interface StreamMark {
  bytes: number;
  forwards: number;
}

export interface ReplicationOptions {
  config: Config;
  store: Databases;
  log: Logger;
  runInStore: (task: () => void) => Promise<void>;
  now: () => number;
  /** Installs (or, with null, removes) the hook that runs after every command. */
  setAfterCommand?: (hook: ((session: Session) => void) | null) => void;
}

export class Replication {
  /** master_replid: the history our data set belongs to. */
  replid = randomReplId();
  /** master_replid2 and second_repl_offset: the history we came from, after a promotion. */
  replid2 = NO_REPLID;
  secondOffset = -1;
  /** master_repl_offset: stream bytes released (primary) or applied and forwarded (replica). */
  offset = 0;
  /** Replica only: stream bytes applied in memory (not yet durable and forwarded). */
  appliedOffset = 0;
  backlog: ReplBacklog | null = null;
  readonly sink = new PropagationSink();
  readonly replicas = new Set<ReplicaPeer>();
  /** "host port" of our primary, or null while we are a primary. */
  masterHost: string | null = null;
  masterPort = 0;
  readonly #options: ReplicationOptions;
  #sinkAttached = false;
  /** Raw primary bytes applied (replica), forwarded once their round is durable. */
  #forward: Uint8Array[] = [];
  /** Stream bytes sealed by rounds, released or dropped so far (see {@linkcode sealRound}). */
  #sealedBefore = 0;
  /** Forwarded chunks sealed by rounds, released or dropped so far. */
  #forwardedBefore = 0;
  #getackWanted = false;
  #sendScheduled = false;
  readonly #handshakes = new Map<Session, Handshake>();
  readonly #waiters = new Set<Waiter>();
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #lastPingMs = 0;

  /** The backlog bytes last told to the memory account. */
  #backlogBytes = 0;

  constructor(options: ReplicationOptions) {
    this.#options = options;
    this.#pingTimer = setInterval(() => this.#cron(), 1000);
  }

  get isReplica(): boolean {
    return this.masterHost !== null;
  }

  /** The offset a snapshot taken now corresponds to (everything applied so far). */
  get streamEnd(): number {
    return this.isReplica ? this.appliedOffset : this.offset + this.sink.pendingBytes;
  }

  stop(): void {
    clearInterval(this.#pingTimer);
    for (const waiter of this.#waiters) waiter.done(this.#acked(waiter.target));
  }

  // --- The stream ---

  /** Creates the backlog (the first replica, or a sync as a replica) and starts propagating. */
  ensureBacklog(): void {
    if (this.backlog === null) {
      this.backlog = new ReplBacklog(this.#options.config.replBacklogBytes, this.offset);
      this.#accountBacklog();
    }
    this.#updateSink();
  }

  /** The journal sink propagates only on a primary that keeps a backlog. */
  #updateSink(): void {
    const wanted = !this.isReplica && this.backlog !== null;
    if (wanted === this.#sinkAttached) return;
    const journal = this.#options.store.journal;
    if (wanted) {
      this.sink.streamDb = -1;
      this.sink.sealed = false;
      journal.addSink(this.sink);
    } else {
      journal.removeSink(this.sink);
    }
    this.#options.setAfterCommand?.(wanted ? this.#noteStreamEnd : null);
    this.#sinkAttached = wanted;
  }

  /** After a command: when it added to the stream, its client's WAIT waits for this end. */
  readonly #noteStreamEnd = (session: Session): void => {
    if (!this.sink.sealed) return;
    this.sink.sealed = false;
    session.replOffset = this.streamEnd;
  };

  /** Replica: raw primary bytes applied in this round (forwarded by afterRound). */
  forward(bytes: Uint8Array): void {
    this.#forward.push(bytes);
    this.appliedOffset += bytes.length;
  }

  /**
   * Runs at the end of every actor round: where its stream ends, to release exactly it once
   * it is settled (later rounds may seal theirs meanwhile, when commits overlap).
   */
  sealRound(): StreamMark | null {
    if (this.sink.pendingBytes === 0 && this.#forward.length === 0 && !this.#getackWanted) {
      return null; // nothing to release (earlier pending rounds hold their own marks)
    }
    return {
      bytes: this.#sealedBefore + this.sink.pendingBytes,
      forwards: this.#forwardedBefore + this.#forward.length,
    };
  }

  /**
   * Runs once a sealed round was made durable (`ok`) or refused, in round order: releases its
   * stream to the backlog and the replicas, or drops it. A refusal refuses every pending
   * round, so their streams all go.
   */
  releaseRound(mark: StreamMark, ok: boolean): void {
    const bytes = mark.bytes - this.#sealedBefore;
    const forwards = mark.forwards - this.#forwardedBefore;
    if (bytes <= 0 && forwards <= 0 && !this.#getackWanted) return;
    if (!ok) {
      this.#sealedBefore += this.sink.pendingBytes;
      this.#forwardedBefore += this.#forward.length;
      this.sink.drop();
      this.#forward = [];
      this.appliedOffset = this.offset;
      this.onApplyFailed?.();
      return;
    }
    for (const chunk of this.#forward.splice(0, forwards)) this.#feed(chunk);
    this.#forwardedBefore += forwards;
    const taken = this.sink.take(bytes);
    if (taken !== null) {
      this.#sealedBefore += taken.length;
      this.#feed(taken);
    }
    if (this.#getackWanted && !this.isReplica) {
      this.#getackWanted = false;
      this.#feed(encodeCommand(["REPLCONF", "GETACK", "*"]));
    }
  }

  /** A round that is settled at once (no commit in between): seal and release. */
  afterRound(ok: boolean): void {
    const mark = this.sealRound();
    if (mark !== null) this.releaseRound(mark, ok);
  }

  /** Replica: told when a round of the primary's commands could not be made durable. */
  onApplyFailed: (() => void) | null = null;

  #feed(bytes: Uint8Array): void {
    if (this.backlog === null) this.ensureBacklog();
    const backlog = this.backlog!;
    backlog.append(bytes);
    this.offset = backlog.end;
    if (!this.isReplica) this.appliedOffset = this.offset;
    const first = backlog.end - bytes.length + 1;
    for (const peer of this.replicas) {
      if (peer.state === "online") {
        peer.outbox.push(bytes);
        this.#scheduleSend();
        continue;
      }
      if (peer.pendingFrom > backlog.end) continue;
      const part = bytes.subarray(Math.max(0, peer.pendingFrom - first));
      peer.pending.push(part);
      peer.pendingBytes += part.length;
      peer.pendingFrom = backlog.end + 1;
      this.#checkPending(peer);
    }
  }

  /**
   * A syncing replica owed more stream than the replica class of client-output-buffer-limit
   * allows (past `hard`, or past `soft` for longer than its seconds) is dropped, as Redis drops
   * one whose output buffer grows during a long sync; it reconnects and syncs again.
   */
  #checkPending(peer: ReplicaPeer): void {
    const limit = this.#options.config.outputLimits.replica;
    if (!peer.pendingWatch.exceeded(limit, peer.pendingBytes)) return;
    this.#options.log.warn(
      `Replica ${peer.ip}:${peer.listeningPort} dropped: ${peer.pendingBytes} stream bytes ` +
        `queued during its sync, over ${limitRule("replica", limit)}`,
    );
    this.#drop(peer);
  }

  /**
   * Online replicas get the stream of all the rounds of one event-loop turn in one write (as
   * Redis writes to its replicas once per event loop), not one write per round.
   */
  #scheduleSend(): void {
    if (this.#sendScheduled) return;
    this.#sendScheduled = true;
    setTimeout(this.#sendOutboxes, 0);
  }

  readonly #sendOutboxes = (): void => {
    this.#sendScheduled = false;
    for (const peer of this.replicas) this.#sendOutbox(peer);
  };

  #sendOutbox(peer: ReplicaPeer): void {
    const parts = peer.outbox;
    if (parts.length === 0) return;
    peer.outbox = [];
    if (parts.length === 1) {
      peer.session.push?.(parts[0]);
      return;
    }
    let total = 0;
    for (const part of parts) total += part.length;
    const joined = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    peer.session.push?.(joined);
  }

  /**
   * Once a second: drop syncing replicas that stayed past the soft limit (with no new stream
   * to notice it), PING the replicas (so they see the link alive), drop silent ones.
   */
  #cron(): void {
    const config = this.#options.config;
    const now = Date.now();
    for (const peer of this.replicas) if (peer.pendingBytes > 0) this.#checkPending(peer);
    if (this.isReplica || this.replicas.size === 0) return;
    for (const peer of this.replicas) {
      if (peer.state === "online" && now - peer.ackTimeMs > config.replTimeoutSec * 1000) {
        this.#options.log.warn(
          `Disconnecting timedout replica ${peer.ip}:${peer.listeningPort}: no ACK for ` +
            `${config.replTimeoutSec} s`,
        );
        this.#drop(peer);
      }
    }
    if (now - this.#lastPingMs >= config.replPingPeriodSec * 1000) {
      this.#lastPingMs = now;
      this.#options.runInStore(() => {
        if (!this.isReplica && this.#sinkAttached) this.sink.control(["PING"]);
      });
    }
  }

  // --- Replicas connecting to us ---

  /** REPLCONF before PSYNC: what the replica told us about itself. */
  handshake(session: Session): Handshake {
    let info = this.#handshakes.get(session);
    if (info === undefined) {
      info = { listeningPort: 0, rdbOnly: false, capaEof: false };
      this.#handshakes.set(session, info);
      this.#watchClose(session);
    }
    return info;
  }

  #watchClose(session: Session): void {
    session.onClose(this.#closed);
  }

  /** A connection that spoke REPLCONF or PSYNC ended (runs in the actor). */
  readonly #closed = (session: Session): void => {
    this.#handshakes.delete(session);
    for (const peer of this.replicas) {
      if (peer.session === session) this.#forget(peer);
    }
  };

  /**
   * PSYNC replid offset, or SYNC (`replid` null): answers +CONTINUE with the missed bytes when
   * the backlog has them, or +FULLRESYNC and starts a full sync. Runs inside the actor.
   */
  psync(session: Session, replid: string | null, offsetText: string | null): void {
    const info = this.handshake(session);
    const ip = session.remoteAddr.slice(0, session.remoteAddr.lastIndexOf(":"));
    const peer: ReplicaPeer = {
      session,
      state: "online",
      listeningPort: info.listeningPort,
      ip,
      ackOffset: 0,
      ackTimeMs: Date.now(),
      pending: [],
      pendingBytes: 0,
      pendingFrom: 0,
      pendingWatch: new OutputLimitWatch(),
      outbox: [],
      rdbOnly: info.rdbOnly,
    };
    session.kind = "replica";
    if (replid !== null && !info.rdbOnly && this.#tryPartial(peer, replid, offsetText ?? "")) {
      return;
    }
    this.ensureBacklog();
    const offset = this.streamEnd;
    if (replid !== null) session.out.simple(`FULLRESYNC ${this.replid} ${offset}`);
    peer.state = "wait_bgsave";
    peer.pendingFrom = offset + 1;
    this.replicas.add(peer);
    // The stream after the snapshot starts with a SELECT, whatever the replica had selected.
    this.sink.streamDb = -1;
    const start = startRdbSnapshot(this.#options.store);
    this.#options.log.info(
      `Replica ${ip}:${peer.listeningPort} asks for synchronization: full resync from offset ` +
        `${offset}`,
    );
    const send = info.capaEof
      ? this.#streamRdb(peer, start, offset)
      : this.#sendRdb(peer, start, offset);
    send.catch((error) => {
      this.#options.log.error(`Full sync of replica ${ip}:${peer.listeningPort} failed`, error);
      this.#drop(peer);
    });
  }

  #tryPartial(peer: ReplicaPeer, replid: string, offsetText: string): boolean {
    const wanted = /^-?[0-9]+$/.test(offsetText) ? Number(offsetText) : NaN;
    const backlog = this.backlog;
    const known = replid === this.replid ||
      (replid === this.replid2 && wanted <= this.secondOffset);
    // Bytes sealed this round but not yet released reach it when the round ends.
    if (!known || backlog === null || !backlog.covers(wanted)) {
      if (replid !== "?") {
        this.#options.log.info(
          `Partial resynchronization not accepted for ${peer.ip}:${peer.listeningPort} ` +
            `(replid ${replid}, offset ${offsetText}): full resync`,
        );
      }
      return false;
    }
    peer.session.out.simple(`CONTINUE ${this.replid}`);
    this.replicas.add(peer);
    if (wanted <= backlog.end) peer.session.push?.(backlog.readFrom(wanted));
    this.#options.log.info(
      `Partial resynchronization accepted for ${peer.ip}:${peer.listeningPort}: ` +
        `${backlog.end - wanted + 1} bytes of backlog sent`,
    );
    return true;
  }

  #rdbAux(offset: number): [string, string][] {
    return [
      ...standardAux(this.#options.now()),
      ["repl-stream-db", "0"],
      ["repl-id", this.replid],
      ["repl-offset", String(offset)],
    ];
  }

  /**
   * A replica that announced `capa eof` gets the RDB as it is made: `$EOF:<40 random chars>`,
   * the bytes, the mark. The walk waits while the connection has much queued (backpressure);
   * the stream follows the replica's first ACK.
   */
  async #streamRdb(
    peer: ReplicaPeer,
    start: ReturnType<typeof startRdbSnapshot>,
    offset: number,
  ): Promise<void> {
    const options = this.#options;
    const mark = randomReplId();
    const session = peer.session;
    const push = (bytes: Uint8Array) => {
      if (session.push === null) throw new Error("the replica disconnected");
      session.push(bytes, true);
    };
    push(ascii(`$EOF:${mark}\r\n`));
    const { keys, bytes } = await streamRdbSnapshot(start, {
      aux: this.#rdbAux(offset),
      runInStore: options.runInStore,
      now: options.now,
      write: async (chunk) => {
        push(chunk);
        while (session.stats.queuedOutputBytes > TRANSFER_HIGH_WATER && session.push !== null) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
      cancelled: () => !this.replicas.has(peer),
    });
    await options.runInStore(() => {
      if (!this.replicas.has(peer)) return;
      push(ascii(mark));
      options.log.info(
        `Synchronization with replica ${peer.ip}:${peer.listeningPort}: streamed ${keys} keys ` +
          `(${bytes} bytes of RDB)`,
      );
      if (peer.rdbOnly) {
        options.log.info("RDB-only replica served: closing its connection");
        this.#drop(peer);
        return;
      }
      peer.state = "send_bulk";
      peer.ackTimeMs = Date.now();
    });
  }

  /** Sends the stream kept during a full sync and puts the replica online. */
  #goOnline(peer: ReplicaPeer): void {
    const push = peer.session.push;
    if (push === null) return;
    for (const part of peer.pending) push(part);
    peer.pending = [];
    peer.pendingBytes = 0;
    peer.state = "online";
    peer.ackTimeMs = Date.now();
  }

  /** A replica without `capa eof` (SYNC, older tools): `$<length>` first, so made in memory. */
  async #sendRdb(
    peer: ReplicaPeer,
    start: ReturnType<typeof startRdbSnapshot>,
    offset: number,
  ): Promise<void> {
    const chunks: Uint8Array[] = [];
    const options = this.#options;
    const { keys, bytes } = await streamRdbSnapshot(start, {
      aux: this.#rdbAux(offset),
      runInStore: options.runInStore,
      now: options.now,
      write: (chunk) => {
        chunks.push(chunk);
        return Promise.resolve();
      },
      cancelled: () => !this.replicas.has(peer),
    });
    await options.runInStore(() => {
      if (!this.replicas.has(peer) || peer.session.push === null) return;
      const push = peer.session.push;
      push(ascii(`$${bytes}\r\n`), true);
      for (const chunk of chunks) push(chunk, true);
      options.log.info(
        `Synchronization with replica ${peer.ip}:${peer.listeningPort}: sent ${keys} keys ` +
          `(${bytes} bytes of RDB)`,
      );
      if (peer.rdbOnly) {
        options.log.info("RDB-only replica served: closing its connection");
        this.#drop(peer);
        return;
      }
      this.#goOnline(peer);
    });
  }

  /** Set by the app: closes a client after its queued output (CLIENT KILL's path). */
  onCloseSession: ((session: Session) => void) | null = null;

  #drop(peer: ReplicaPeer): void {
    this.#forget(peer);
    this.onCloseSession?.(peer.session);
  }

  #forget(peer: ReplicaPeer): void {
    this.replicas.delete(peer);
    peer.outbox = [];
    peer.pending = [];
    peer.pendingBytes = 0;
  }

  /** Closes every replica's connection (our history changed: they reconnect and PSYNC). */
  disconnectReplicas(): void {
    for (const peer of [...this.replicas]) this.#drop(peer);
  }

  /** REPLCONF ACK from a replica. */
  ack(session: Session, offset: number): void {
    for (const peer of this.replicas) {
      if (peer.session !== session) continue;
      if (offset > peer.ackOffset) peer.ackOffset = offset;
      peer.ackTimeMs = Date.now();
      if (peer.state === "send_bulk") this.#goOnline(peer);
    }
    for (const waiter of this.#waiters) {
      const count = this.#acked(waiter.target);
      if (count >= waiter.replicas) waiter.done(count);
    }
  }

  /** Asks every replica for an ACK at the end of this round (REPLCONF GETACK *). */
  requestAck(): void {
    this.#getackWanted = true;
  }

  // --- WAIT ---

  /** Replicas that acknowledged `offset` or more. */
  #acked(offset: number): number {
    let count = 0;
    for (const peer of this.replicas) {
      if (peer.state === "online" && peer.ackOffset >= offset) count++;
    }
    return count;
  }

  /**
   * WAIT numreplicas timeout: how many replicas have everything written so far. Answers now
   * when enough already do; otherwise blocks the caller (the reply goes to `session.out`).
   */
  wait(session: Session, replicas: number, timeoutMs: number): number | Promise<void> {
    // The stream's end after the caller's last write (a refused round may have dropped bytes
    // past the end of the stream now).
    const target = Math.min(session.replOffset, this.streamEnd);
    const now = this.#acked(target);
    // Inside EXEC or a BEGIN transaction nothing blocks: the count now, as Redis does.
    if (now >= replicas || session.inTransaction) return now;
    this.#getackWanted = true;
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = {
        session,
        target,
        replicas,
        done: (count) => {
          if (!this.#waiters.delete(waiter)) return;
          clearTimeout(timer);
          session.blocked = false;
          session.out.integer(count);
          resolve();
        },
      };
      this.#waiters.add(waiter);
      session.blocked = true;
      if (timeoutMs > 0) timer = setTimeout(() => waiter.done(this.#acked(target)), timeoutMs);
    });
  }

  // --- Role changes ---

  /** We follow `host port` from now on (the link itself is started by the caller). */
  becomeReplica(host: string, port: number): void {
    this.masterHost = host;
    this.masterPort = port;
    this.#updateSink();
    this.appliedOffset = this.offset;
    this.disconnectReplicas();
    for (const waiter of this.#waiters) waiter.done(this.#acked(waiter.target));
  }

  /**
   * REPLICAOF NO ONE: our history continues under a new id; the old one stays valid (as
   * replid2) up to this offset, so the other replicas of our old primary can PSYNC with us.
   */
  becomePrimary(): void {
    if (this.masterHost === null) return;
    this.masterHost = null;
    this.masterPort = 0;
    this.replid2 = this.replid;
    this.secondOffset = this.offset + 1;
    this.replid = randomReplId();
    this.appliedOffset = this.offset;
    this.ensureBacklog();
    this.disconnectReplicas();
  }

  /** DEBUG CHANGE-REPL-ID: a new history id, and the old one forgotten (no partial resync). */
  changeReplId(): void {
    this.replid = randomReplId();
    this.replid2 = NO_REPLID;
    this.secondOffset = -1;
  }

  /** After a full sync as a replica: our data set is the primary's at `offset`. */
  adoptHistory(replid: string, offset: number): void {
    this.replid = replid;
    this.offset = offset;
    this.appliedOffset = offset;
    this.replid2 = NO_REPLID;
    this.secondOffset = -1;
    this.backlog = new ReplBacklog(this.#options.config.replBacklogBytes, offset);
    this.#accountBacklog();
    this.disconnectReplicas();
  }

  /** +CONTINUE with another id (our primary was promoted): keep the old one as replid2. */
  switchHistory(replid: string): void {
    if (replid === this.replid) return;
    this.replid2 = this.replid;
    this.secondOffset = this.offset + 1;
    this.replid = replid;
    this.disconnectReplicas();
  }

  /** CONFIG SET repl-backlog-size. */
  resizeBacklog(): void {
    this.backlog?.resize(this.#options.config.replBacklogBytes);
    this.#accountBacklog();
  }

  /** Tells the memory account the backlog's size (mem_replication_backlog). */
  #accountBacklog(): void {
    const size = this.backlog?.size ?? 0;
    this.#options.store.memory.addBacklog(size - this.#backlogBytes);
    this.#backlogBytes = size;
  }

  /** `slave0:ip=...` lines and ROLE's replica list. */
  onlineReplicas(): ReplicaPeer[] {
    return [...this.replicas];
  }
}
