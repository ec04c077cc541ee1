/**
 * One client connection as an async pipeline: socket bytes -> bounded frame reader ->
 * batches of commands -> store actor -> replies encoded into the session's writer -> one
 * socket write per batch.
 *
 * Reading and writing run independently: the reader keeps going while a slow client drains its
 * replies, and the queued bytes are capped by the client's class in client-output-buffer-limit
 * (normal: max-output; replica: replica-output-limit; pubsub while it has subscriptions), so a
 * client that never reads is disconnected instead of holding memory.
 *
 * Replies leave when the round that produced them is released (app.ts, round_output.ts):
 * `session.flushNow(mark)` (this connection's flush) hands over the session's output up to
 * where that round ended, for every session the round wrote to; output of later rounds that
 * are not released yet stays.
 */
import { FrameReader } from "../protocol/frame_reader.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import type { BlockState, Session } from "../commands/session.ts";
import type { Config } from "../config/settings.ts";
import type { StoreActor } from "../store/actor.ts";
import type { Logger } from "../log/logger.ts";
import type { NetworkStats } from "../commands/server_control.ts";
import type { ClientSocket } from "./transport.ts";
import { limitRule, type OutputLimit, OutputLimitWatch } from "../config/output_limits.ts";
import { OutputQueue } from "./output_queue.ts";
import { type BatchClient, continueBlocked } from "../embedded/batch_runner.ts";
import { connectionBuffers } from "../protocol/buffer_pool.ts";
import { ClientFootprint, CONNECTION_OBJECT_BYTES } from "./client_memory.ts";
import type { MemoryAccount } from "../memory/memory_account.ts";

/** What {@linkcode nextTurn} resolves with. */
const NOT_YET = Symbol("not yet");

/** Resolves after the event loop has had a turn (its pending I/O included). */
function nextTurn(): Promise<typeof NOT_YET> {
  return new Promise((resolve) => setTimeout(() => resolve(NOT_YET), 0));
}

/** Most commands handed to the actor in one batch; the rest of a big read waits its turn. */
const MAX_BATCH_COMMANDS = 1024;
/** While blocked, input is buffered up to this much (then left in the socket) to see a close. */
const MAX_BLOCKED_INPUT_BYTES = 1024 * 1024;
/**
 * Output up to this size that arrives while a write is in flight is copied into the queue's
 * blocks (and the reply buffer kept); larger output is handed over as its buffer.
 */
const COPY_BELOW_BYTES = 64 * 1024;

export class Connection implements BatchClient {
  readonly session: Session;
  readonly #conn: ClientSocket;
  readonly #config: Config;
  readonly #actor: StoreActor<Session>;
  readonly #log: Logger;
  readonly #network: NetworkStats;
  readonly #reader: FrameReader;
  readonly #queue = new OutputQueue();
  /** Queued chunks that belong to someone else (pushed) and are not recycled. */
  #foreign = new WeakSet<Uint8Array>();
  /** Queued chunks of an RDB transfer, and their bytes: outside the output limits. */
  #transfer = new Set<Uint8Array>();
  #transferBytes = 0;
  #writing: Promise<void> | null = null;
  #closed = false;
  /** No more requests are read; what is in flight is answered, then the socket closes. */
  #closing = false;
  /** The output of the round being run outgrew the client's hard limit: it is cut off. */
  #overflowed = false;
  readonly #limitWatch = new OutputLimitWatch();
  /** True while a read's commands are with the actor or being flushed. */
  #busy = false;
  /**
   * A read into a buffer of its own that has not delivered yet (started while blocked, or to
   * take the rest of a batch): the next {@linkcode #read} finishes it first.
   */
  #sideRead: Promise<number | null> | null = null;
  #sideBuffer: Uint8Array | null = null;
  /** Ends a blocked wait early (the connection is being closed). */
  #abortWait: (() => void) | null = null;
  /** What this client holds, as told to the memory account. */
  readonly #footprint: ClientFootprint;

  constructor(
    conn: ClientSocket,
    session: Session,
    config: Config,
    actor: StoreActor<Session>,
    network: NetworkStats,
    log: Logger,
    memory: MemoryAccount | null = null,
  ) {
    this.#conn = conn;
    this.#footprint = new ClientFootprint(memory);
    this.session = session;
    this.#config = config;
    this.#actor = actor;
    this.#network = network;
    this.#log = log;
    this.#reader = new FrameReader(config);
    // A batch whose replies would push the queued output past the hard limit stops after the
    // command that overflowed (as Redis stops reading a client it must close), so a pipeline
    // of big replies never piles up in memory; #flush then disconnects the client. The pub/sub
    // hub calls this too when messages push a subscriber past its limit.
    session.out.onOverLimit = () => {
      this.#overflowed = true;
      session.closeRequested = true;
    };
    session.flushNow = (upTo) => this.flushOutput(upTo);
    session.push = (bytes, transfer) => this.#push(bytes, transfer === true);
    this.#account();
  }

  /** Tells the memory account what this client holds now. */
  #account(): void {
    const bytes = CONNECTION_OBJECT_BYTES + this.#reader.capacityBytes +
      this.session.out.capacity + this.#queue.bytes + (this.#sideBuffer?.length ?? 0);
    this.session.stats.memoryBytes = bytes;
    this.session.stats.inputBufferBytes = this.#reader.capacityBytes;
    this.#footprint.update(bytes, this.session.clientType === "replica");
  }

  /** The limits of this client's class (our primary's link counts as normal, as in Redis). */
  get #limit(): OutputLimit {
    const type = this.session.clientType;
    return this.#config.outputLimits[type === "master" ? "normal" : type];
  }

  /** Queues bytes produced outside a reply (see Session.push), after the replies in `out`. */
  #push(bytes: Uint8Array, transfer: boolean): void {
    if (this.#closed || bytes.length === 0) return;
    this.#flush();
    if (this.#closed) return;
    this.#foreign.add(bytes);
    if (transfer && !this.#transfer.has(bytes)) {
      this.#transfer.add(bytes);
      this.#transferBytes += bytes.length;
    }
    this.#queue.push(bytes);
    this.session.stats.queuedOutputBytes = this.#queue.bytes;
    if (this.#overLimit()) {
      this.#cutOff();
      return;
    }
    this.#writing ??= this.#writeLoop();
  }

  /**
   * Gives the reply buffer back while the client is idle (MEMORY PURGE). The reader's buffer
   * stays: a read is waiting on it.
   */
  releaseBuffers(): void {
    if (this.#busy || this.#closed || this.#writing !== null) return;
    this.session.out.release();
    this.#account();
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
          // The usual read is awaited here, not in a helper: one promise less per read.
          if (this.#sideRead !== null) n = await this.#takeSideRead();
          else {
            n = await this.#conn.read(this.#reader.writable());
            if (n !== null) {
              this.#reader.commit(n);
              if (this.#reader.filledIdleBuffer) n += await this.#readRestOfBatch();
            }
          }
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
   * Finishes a read left over (a blocked wait's, or one for the rest of a batch) into the frame
   * reader; null at the end of the stream.
   */
  async #takeSideRead(): Promise<number | null> {
    const n = await this.#sideRead;
    this.#sideRead = null;
    if (n !== null) this.#reader.push(this.#sideBuffer!.subarray(0, n));
    connectionBuffers.give(this.#sideBuffer!);
    this.#sideBuffer = null;
    return n;
  }

  /**
   * The read filled the small buffer an idle client waits with: the rest of a pipelined batch
   * is most likely in the socket already. Takes it now, waiting at most one turn of the event
   * loop, so the batch runs as one round (one fdatasync under `always`), as it would have with
   * a bigger buffer. A read that does not deliver in time is left pending for the next #read.
   */
  async #readRestOfBatch(): Promise<number> {
    const buffer = connectionBuffers.take();
    const read = this.#conn.read(buffer).catch(() => null);
    const outcome = await Promise.race([read, nextTurn()]);
    if (outcome === NOT_YET || outcome === null) {
      // Still waiting (or the client closed: the next #read reports it).
      this.#sideRead = read;
      this.#sideBuffer = buffer;
      return 0;
    }
    this.#reader.push(buffer.subarray(0, outcome));
    connectionBuffers.give(buffer);
    return outcome;
  }

  /**
   * Waits until a blocked client is answered, reading meanwhile so that a client that leaves is
   * noticed. Returns false when it left (or the server closes it).
   */
  async waitUnblocked(state: BlockState): Promise<boolean> {
    const aborted = new Promise<"aborted">((resolve) => {
      this.#abortWait = () => resolve("aborted");
    });
    try {
      while (true) {
        if (this.#closing) return false;
        if (this.#sideRead === null && this.#reader.capacityBytes < MAX_BLOCKED_INPUT_BYTES) {
          this.#sideBuffer ??= connectionBuffers.take();
          this.#sideRead = this.#conn.read(this.#sideBuffer).catch(() => null);
        }
        const read = this.#sideRead ?? new Promise<never>(() => {});
        const outcome = await Promise.race([
          state.woken.then(() => "woken" as const),
          read,
          aborted,
        ]);
        if (outcome === "woken") return true;
        if (outcome === "aborted") return false;
        this.#sideRead = null;
        if (outcome === null) return false; // the client closed its side
        this.#reader.push(this.#sideBuffer!.subarray(0, outcome));
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
        const hard = this.#limit.hardBytes;
        session.out.limitBytes = hard > 0 ? hard - this.#queue.bytes : Infinity;
        // runBatch, unrolled: a batch that blocks nobody costs one promise.
        await this.#actor.submit(session, batch);
        if (session.blockState !== null && !await continueBlocked(this.#actor, this, batch)) {
          return false;
        }
      }
      if (protocolError) {
        this.#log.debug(
          `Client id=${session.id} addr=${session.remoteAddr}: ${protocolError.message}`,
        );
        session.out.error(protocolError.reply);
        this.#flush();
        return false;
      }
      this.flush();
      this.#account();
      if (session.closeRequested || this.#closing) return false;
      if (batch.length < most) return true;
    }
  }

  /**
   * Hands over the replies after the actor resolved a batch (see batch_runner.ts): everything,
   * unless a round that is not released yet wrote to this session too (its release flushes up
   * to where it ended).
   */
  flush(): void {
    if (this.session.unreleasedRounds === 0) this.#flush();
  }

  /**
   * Queues the session's encoded output (up to the mark `upTo`, when given) for writing;
   * disconnects a client past its output limits (hard at once, soft once held too long).
   */
  #flush(upTo?: number): void {
    if (this.#closed) return;
    const out = this.session.out;
    const queue = this.#queue;
    const count = upTo === undefined ? out.length : out.before(upTo);
    if (count !== 0) {
      if (this.#writing !== null && count < COPY_BELOW_BYTES) {
        queue.copy(out.peek().subarray(0, count));
        out.consume(count);
      } else {
        queue.push(out.takeFirst(count));
      }
      this.session.stats.queuedOutputBytes = queue.bytes;
    }
    if (this.#overflowed || this.#overLimit()) {
      this.#cutOff();
      return;
    }
    if (queue.bytes !== 0) this.#writing ??= this.#writeLoop();
  }

  /**
   * Flushes output produced outside the client's own requests (MONITOR lines, pub/sub
   * messages), then lets the writer grow only up to what max-output still allows, so a client
   * that does not read is cut off once its queue passes the limit.
   */
  flushOutput(upTo?: number): void {
    this.#flush(upTo);
    const hard = this.#limit.hardBytes;
    this.session.out.limitBytes = hard > 0 ? hard - this.#queue.bytes : Infinity;
  }

  /**
   * The periodic check (server.ts): a client that stays past its soft limit is cut off even
   * when nothing new is written to it.
   */
  checkOutputLimits(): void {
    if (!this.#closed && this.#queue.bytes !== 0 && this.#overLimit()) this.#cutOff();
  }

  #overLimit(): boolean {
    return this.#limitWatch.exceeded(this.#limit, this.#queue.bytes - this.#transferBytes);
  }

  #cutOff(): void {
    const session = this.session;
    const type = session.clientType === "master" ? "normal" : session.clientType;
    const queued = this.#queue.bytes - this.#transferBytes + session.out.length;
    this.#log.warn(
      `Client id=${session.id} addr=${session.remoteAddr} closed: ${queued} bytes queued, ` +
        `over ${limitRule(type, this.#limit)}`,
    );
    this.#close();
  }

  async #writeLoop(): Promise<void> {
    try {
      const queue = this.#queue;
      let chunk: Uint8Array | null;
      while (!this.#closed && (chunk = queue.next()) !== null) {
        let offset = 0;
        while (offset < chunk.length) {
          offset += await this.#conn.write(chunk.subarray(offset));
        }
        if (this.#closed) break;
        queue.written(chunk.length);
        if (this.#transfer.delete(chunk)) this.#transferBytes -= chunk.length;
        this.session.stats.queuedOutputBytes = queue.bytes;
        this.#network.totalNetOutputBytes += chunk.length;
        // A client receiving a long reply is not idle (Redis counts writes as interaction too).
        this.session.lastInteractionMs = Date.now();
        if (!this.#foreign.has(chunk)) this.session.out.recycle(chunk);
      }
    } catch {
      this.#close(); // the peer went away mid-write
    } finally {
      this.#writing = null;
      // Everything is written: output copied in while writing left the reply buffer behind.
      if (!this.#busy && !this.#closed) this.session.out.release();
      if (!this.#closed) this.#account();
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
    this.#queue.clear();
    this.#transfer.clear();
    this.#transferBytes = 0;
    this.session.stats.queuedOutputBytes = 0;
    this.session.out.discard();
    this.session.push = null;
    this.#footprint.close();
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
