/**
 * One client connection as an async pipeline: socket bytes -> bounded frame reader ->
 * batches of commands -> store actor -> replies encoded into the session's writer -> one
 * socket write per batch.
 *
 * Reading and writing run independently: the reader keeps going while a slow client drains its
 * replies, and the queued reply bytes are capped (max-output), so a client that never reads is
 * disconnected instead of holding memory.
 */
import { FrameReader } from "../protocol/frame_reader.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import type { BlockState, Session } from "../commands/session.ts";
import type { Config } from "../config/settings.ts";
import type { StoreActor } from "../store/actor.ts";
import type { Logger } from "../log/logger.ts";
import type { NetworkStats } from "../commands/server_control.ts";
import type { ClientSocket } from "./transport.ts";

/** Most commands handed to the actor in one batch; the rest of a big read waits its turn. */
const MAX_BATCH_COMMANDS = 1024;
/** While blocked, input is buffered up to this much (then left in the socket) to see a close. */
const MAX_BLOCKED_INPUT_BYTES = 1024 * 1024;
const BLOCKED_READ_BYTES = 16 * 1024;

export class Connection {
  readonly session: Session;
  readonly #conn: ClientSocket;
  readonly #config: Config;
  readonly #actor: StoreActor<Session>;
  readonly #log: Logger;
  readonly #network: NetworkStats;
  readonly #reader: FrameReader;
  #pending: Uint8Array[] = [];
  /** Entries of #pending that belong to someone else (pushed) and are not recycled. */
  #foreign = new WeakSet<Uint8Array>();
  #queuedBytes = 0;
  #writing: Promise<void> | null = null;
  #closed = false;
  /** No more requests are read; what is in flight is answered, then the socket closes. */
  #closing = false;
  /** The replies of the batch being run outgrew max-output: the client is cut off. */
  #overflowed = false;
  /** True while a read's commands are with the actor or being flushed. */
  #busy = false;
  /** A read started while blocked that has not delivered yet (into #blockedBuffer). */
  #blockedRead: Promise<number | null> | null = null;
  #blockedBuffer: Uint8Array | null = null;
  /** Ends a blocked wait early (the connection is being closed). */
  #abortWait: (() => void) | null = null;

  constructor(
    conn: ClientSocket,
    session: Session,
    config: Config,
    actor: StoreActor<Session>,
    network: NetworkStats,
    log: Logger,
  ) {
    this.#conn = conn;
    this.session = session;
    this.#config = config;
    this.#actor = actor;
    this.#network = network;
    this.#log = log;
    this.#reader = new FrameReader(config);
    // A batch whose replies would push the queued output past max-output stops after the
    // command that overflowed (as Redis stops reading a client it must close), so a pipeline
    // of big replies never piles up in memory; #flush then disconnects the client.
    session.out.onOverLimit = () => {
      this.#overflowed = true;
      session.closeRequested = true;
    };
    session.flushNow = () => this.#flush();
    session.push = (bytes) => this.#push(bytes);
  }

  /** The most reply bytes this client may have queued (replicas have their own limit). */
  get #outputLimit(): number {
    return this.session.kind === "replica"
      ? this.#config.replicaOutputBytes
      : this.#config.maxOutputBytes;
  }

  /** Queues bytes produced outside a reply (see Session.push), after the replies in `out`. */
  #push(bytes: Uint8Array): void {
    if (this.#closed || bytes.length === 0) return;
    this.#flush();
    if (this.#closed) return;
    this.#foreign.add(bytes);
    this.#pending.push(bytes);
    this.#queuedBytes += bytes.length;
    this.session.stats.queuedOutputBytes = this.#queuedBytes;
    if (this.#queuedBytes > this.#outputLimit) {
      this.#log.warn(
        `Client id=${this.session.id} addr=${this.session.remoteAddr} closed: ` +
          `${this.#queuedBytes} bytes queued, over its output limit ${this.#outputLimit}`,
      );
      this.#close();
      return;
    }
    this.#writing ??= this.#writeLoop();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Reads, runs and answers requests until the client leaves or is disconnected. */
  async serve(): Promise<void> {
    const session = this.session;
    try {
      while (!this.#closing) {
        let n: number | null;
        try {
          n = await this.#read();
        } catch {
          break; // reset by peer, or closed by us (timeout, kill, shutdown)
        }
        if (n === null || this.#closing) break; // bytes arriving after a shutdown began are dropped
        this.#network.totalNetInputBytes += n;
        session.lastInteractionMs = Date.now();
        session.stats.inputBufferBytes = this.#reader.capacityBytes;
        this.#busy = true;
        const keepGoing = await this.#handleBuffered();
        this.#busy = false;
        if (!keepGoing) break;
      }
      await this.#drainWrites();
    } finally {
      this.#close();
    }
  }

  /**
   * Reads more request bytes into the frame reader; null at the end of the stream. A read left
   * over from a blocked wait is finished first.
   */
  async #read(): Promise<number | null> {
    if (this.#blockedRead !== null) {
      const n = await this.#blockedRead;
      this.#blockedRead = null;
      if (n !== null) this.#reader.push(this.#blockedBuffer!.subarray(0, n));
      return n;
    }
    const n = await this.#conn.read(this.#reader.writable());
    if (n !== null) this.#reader.commit(n);
    return n;
  }

  /**
   * Runs `batch`; when a command blocks the client (BLPOP), waits for its answer, then runs
   * the rest of the batch. Returns false when the client left or was closed while blocked.
   */
  async #submit(batch: string[][]): Promise<boolean> {
    const session = this.session;
    let pending = batch;
    while (true) {
      await this.#actor.submit(session, pending);
      const state = session.blockState;
      if (state === null) return true;
      this.#flush(); // replies of the commands before the blocking one
      if (!await this.#waitUnblocked(state)) {
        await this.#actor.run(() => state.cancel());
        return false;
      }
      this.#flush();
      pending = pending.slice(pending.indexOf(state.argv) + 1);
      if (pending.length === 0 || session.closeRequested) return true;
    }
  }

  /**
   * Waits until a blocked client is answered, reading meanwhile so that a client that leaves is
   * noticed. Returns false when it left (or the server closes it).
   */
  async #waitUnblocked(state: BlockState): Promise<boolean> {
    const aborted = new Promise<"aborted">((resolve) => {
      this.#abortWait = () => resolve("aborted");
    });
    try {
      while (true) {
        if (this.#closing) return false;
        if (this.#blockedRead === null && this.#reader.capacityBytes < MAX_BLOCKED_INPUT_BYTES) {
          this.#blockedBuffer ??= new Uint8Array(BLOCKED_READ_BYTES);
          this.#blockedRead = this.#conn.read(this.#blockedBuffer).catch(() => null);
        }
        const read = this.#blockedRead ?? new Promise<never>(() => {});
        const outcome = await Promise.race([
          state.woken.then(() => "woken" as const),
          read,
          aborted,
        ]);
        if (outcome === "woken") return true;
        if (outcome === "aborted") return false;
        this.#blockedRead = null;
        if (outcome === null) return false; // the client closed its side
        this.#reader.push(this.#blockedBuffer!.subarray(0, outcome));
        this.#network.totalNetInputBytes += outcome;
      }
    } finally {
      this.#abortWait = null;
    }
  }

  /** Runs every complete command buffered; returns false when the connection must close. */
  async #handleBuffered(): Promise<boolean> {
    const session = this.session;
    while (true) {
      const batch: string[][] = [];
      let protocolError: ProtocolError | null = null;
      // Before authentication one command runs at a time, so an AUTH in a pipeline lifts the
      // pre-authentication limits for the requests after it, as in Redis.
      const reader = this.#reader;
      reader.preAuth = session.preAuth;
      const most = session.preAuth ? 1 : MAX_BATCH_COMMANDS;
      try {
        let argv: string[] | null;
        while (batch.length < most && (argv = reader.next()) !== null) {
          batch.push(argv);
        }
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        protocolError = error;
      }
      if (batch.length > 0) {
        session.out.limitBytes = this.#outputLimit - this.#queuedBytes;
        if (!await this.#submit(batch)) return false;
      }
      if (protocolError) {
        this.#log.debug(
          `Client id=${session.id} addr=${session.remoteAddr}: ${protocolError.message}`,
        );
        session.out.error(protocolError.reply);
        this.#flush();
        return false;
      }
      this.#flush();
      if (session.closeRequested || this.#closing) return false;
      if (batch.length < most) return true;
    }
  }

  /** Queues the session's encoded replies for writing; disconnects past max-output. */
  #flush(): void {
    const out = this.session.out;
    if (out.length === 0 || this.#closed) return;
    const chunk = out.take();
    this.#pending.push(chunk);
    this.#queuedBytes += chunk.length;
    this.session.stats.queuedOutputBytes = this.#queuedBytes;
    if (this.#overflowed || this.#queuedBytes > this.#outputLimit) {
      this.#log.warn(
        `Client id=${this.session.id} addr=${this.session.remoteAddr} closed: ` +
          `${this.#queuedBytes} reply bytes queued, over max-output ${this.#outputLimit}`,
      );
      this.#close();
      return;
    }
    this.#writing ??= this.#writeLoop();
  }

  /** Flushes replies produced outside a request (pub/sub messages later). */
  flushOutput(): void {
    this.#flush();
  }

  async #writeLoop(): Promise<void> {
    try {
      while (this.#pending.length > 0 && !this.#closed) {
        const chunk = this.#pending.shift()!;
        let offset = 0;
        while (offset < chunk.length) {
          offset += await this.#conn.write(chunk.subarray(offset));
        }
        this.#queuedBytes -= chunk.length;
        this.session.stats.queuedOutputBytes = this.#queuedBytes;
        this.#network.totalNetOutputBytes += chunk.length;
        // A client receiving a long reply is not idle (Redis counts writes as interaction too).
        this.session.lastInteractionMs = Date.now();
        if (!this.#foreign.has(chunk)) this.session.out.recycle(chunk);
      }
    } catch {
      this.#close(); // the peer went away mid-write
    } finally {
      this.#writing = null;
    }
  }

  async #drainWrites(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /**
   * CLIENT KILL: the command running now is the last one of its batch; its reply and those
   * queued are written, then the socket closes.
   */
  requestClose(): void {
    this.session.closeRequested = true;
    this.finishAndClose();
  }

  /**
   * Shutdown: stops reading; the batch with the actor (if any) still runs in full and is
   * answered, queued replies are written, then the socket closes.
   */
  finishAndClose(): void {
    this.#closing = true;
    this.#abortWait?.();
    if (this.#busy || this.#closed) return; // serve() closes once the batch is answered
    // Idle in read: closing the socket is the only way to end a pending read.
    if (!this.#writing) this.#close();
    else this.#drainWrites().finally(() => this.#close());
  }

  /** Closes the socket at once and lets go of every queued reply. */
  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    this.#pending = [];
    this.#queuedBytes = 0;
    this.session.stats.queuedOutputBytes = 0;
    this.session.push = null;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  /** Closes at once, dropping queued replies (idle timeout, shutdown deadline). */
  forceClose(): void {
    this.#abortWait?.();
    this.#close();
  }
}
