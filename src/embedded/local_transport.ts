/**
 * An embedded session: a client of the store with no socket. It is a client library
 * `Transport`, so the very `Client` that talks to a server over TCP runs over it: commands go
 * to the store actor as argument lists (`writeCommands`: no wire format on the way in), run
 * through the same dispatcher, log and gates as a network client's, and their RESP replies are
 * read back from the session's reply writer when the actor releases the round (so a write's
 * reply arrives only once it is durable, as over TCP).
 */
import { Session } from "../commands/session.ts";
import type { BlockState } from "../commands/session.ts";
import type { Config } from "../config/settings.ts";
import type { StoreActor } from "../store/actor.ts";
import type { ReadNow } from "./read_now.ts";
import type { Arg } from "../client/encode_command.ts";
import type { Transport } from "../client/connection.ts";
import { bytesToLatin1, utf8ToLatin1 } from "../protocol/latin1.ts";
import { FrameReader } from "../protocol/frame_reader.ts";
import { NOT_CAPTURED } from "../protocol/reply_writer.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import type { ClientHandle, StoreControl } from "./store_control.ts";
import { type BatchClient, runBatch } from "./batch_runner.ts";

/** What an embedded session needs from the open store. */
export interface LocalHost {
  readonly actor: StoreActor<Session>;
  /** Runs a read at once when the store is idle (see read_now.ts). */
  readonly readNow: ReadNow;
  readonly control: StoreControl;
  readonly config: Config;
}

/** The address embedded sessions show in CLIENT LIST (they have no socket). */
export const EMBEDDED_ADDR = "embedded:0";

export class LocalTransport implements Transport, ClientHandle, BatchClient {
  readonly session: Session;
  readonly #host: LocalHost;
  /** Reply bytes released by the store and not read yet, oldest first. */
  #chunks: Uint8Array[] = [];
  #offset = 0;
  #wakeReader: (() => void) | null = null;
  /** No more commands are taken; what was released can still be read, then the stream ends. */
  #ending = false;
  #closed = false;
  /** The batch with the store, if any (a close waits for it). */
  #inFlight: Promise<unknown> | null = null;
  #abortWait: (() => void) | null = null;
  /** Set when the store closed under the session: reads then fail saying so. */
  #storeClosed = false;
  /** Parses raw bytes given to `write` (inline or RESP), made on first use. */
  #frames: FrameReader | null = null;

  constructor(host: LocalHost, protocol: 2 | 3 = 2) {
    this.#host = host;
    const control = host.control;
    const session = new Session(control.nextClientId(), EMBEDDED_ADDR, EMBEDDED_ADDR, Date.now());
    session.protocol = protocol;
    session.flushNow = (upTo) => this.#take(upTo);
    this.session = session;
    control.attach(session, this);
  }

  /** Whether the session has ended (QUIT, CLIENT KILL, closed, or the store closed). */
  get ended(): boolean {
    return this.#ending;
  }

  /** Runs the commands in the store; resolves once their replies are released. */
  writeCommands(commands: Arg[][]): Promise<void> {
    const batch = new Array<string[]>(commands.length);
    for (let i = 0; i < commands.length; i++) batch[i] = toArgv(commands[i]);
    return this.#run(batch);
  }

  /**
   * Runs one command at once when it is a read that never blocks, this session has nothing in
   * flight or unread, and the store is idle (see read_now.ts): the same dispatcher as
   * {@linkcode writeCommands}, without waiting for a round. Returns the reply (see
   * `Transport.runNow`): a bulk string or nil as its value (the writer keeps it unencoded),
   * anything else as its bytes (valid until the session's next command); `undefined` when it
   * ran but its reply waits for a round (it is then read as a written command's), or null when
   * it did not run (send it with {@linkcode writeCommands}).
   */
  runNow(args: Arg[]): Uint8Array | string | false | undefined | null {
    if (this.#inFlight !== null || this.#chunks.length !== 0 || this.#ending) return null;
    const session = this.session;
    const out = session.out;
    out.capturing = true;
    let ran: true | Promise<void> | null;
    try {
      ran = this.#host.readNow(session, toArgv(args));
    } finally {
      out.capturing = false;
    }
    if (ran === null) return null;
    if (ran !== true) {
      out.encodeCaptured(); // the round's release hands the reply over with the rest
      const running = ran.then(() => this.#take());
      this.#inFlight = running;
      running.finally(() => this.#inFlight = null);
      return undefined;
    }
    const value = out.takeCaptured();
    if (value !== NOT_CAPTURED) return value ?? false;
    const reply = out.peek();
    out.consume(reply.length);
    return reply;
  }

  /** Raw request bytes (inline commands or RESP), parsed as a connection parses them. */
  write(data: Uint8Array): Promise<number> {
    const frames = this.#frames ??= new FrameReader(this.#host.config);
    frames.push(data);
    const batch: string[][] = [];
    let refusal: ProtocolError | null = null;
    try {
      let argv: string[] | null;
      while ((argv = frames.next()) !== null) batch.push(argv);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      refusal = error;
    }
    return this.#run(batch).then(() => {
      if (refusal !== null) {
        this.session.out.error(refusal.reply);
        this.#take();
        this.#end();
      }
      return data.length;
    });
  }

  async #run(batch: string[][]): Promise<void> {
    if (this.#ending) throw new Deno.errors.BadResource("Cannot send: the session is closed");
    if (batch.length === 0) return;
    this.session.lastInteractionMs = Date.now();
    const running = runBatch(this.#host.actor, this, batch);
    this.#inFlight = running;
    let stillHere: boolean;
    try {
      stillHere = await running;
    } finally {
      this.#inFlight = null;
    }
    if (!stillHere || this.session.closeRequested) this.#end();
  }

  /** Reads released reply bytes into `buffer`; null once the session has ended. */
  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#storeClosed) {
        throw new Deno.errors.BadResource("Cannot finish the command: the store was closed");
      }
      if (this.#ending) return null;
      await new Promise<void>((resolve) => this.#wakeReader = resolve);
    }
    const chunk = this.#chunks[0];
    const n = Math.min(buffer.length, chunk.length - this.#offset);
    buffer.set(chunk.subarray(this.#offset, this.#offset + n));
    this.#offset += n;
    if (this.#offset === chunk.length) {
      this.#chunks.shift();
      this.#offset = 0;
      this.session.out.recycle(chunk);
    }
    return n;
  }

  /**
   * Takes the replies after the store resolved a batch (see runBatch): everything, unless a
   * round that is not released yet wrote to this session too (its release takes its part).
   */
  flush(): void {
    if (this.session.unreleasedRounds === 0) this.#take();
  }

  /** Takes what the store encoded for this session (up to the mark `upTo`) for reading. */
  #take(upTo?: number): void {
    const out = this.session.out;
    const count = upTo === undefined ? out.length : out.before(upTo);
    if (count === 0 || this.#closed) return;
    this.#chunks.push(out.takeFirst(count));
    this.#wake();
  }

  waitUnblocked(state: BlockState): Promise<boolean> {
    if (this.#ending) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      this.#abortWait = () => resolve(false);
      state.woken.then(() => resolve(true));
    }).finally(() => this.#abortWait = null);
  }

  /** CLIENT KILL: the session ends once the command running now is answered. */
  requestClose(): void {
    this.session.closeRequested = true;
    this.#abortWait?.();
    if (this.#inFlight === null) this.#end();
  }

  /**
   * Ends the session for a store that closes: a blocked command is given up (its caller's
   * promise rejects), a batch in flight is answered, then the stream ends.
   */
  async end(): Promise<void> {
    this.#storeClosed = true;
    this.#ending = true;
    this.#abortWait?.();
    await this.#inFlight?.catch(() => {});
    this.#end();
  }

  close(): void {
    this.#ending = true;
    this.#abortWait?.();
    if (this.#inFlight === null) this.#end();
    else this.#inFlight.finally(() => this.#end());
  }

  /** No more commands; the store forgets the session and runs its close hooks. */
  #end(): void {
    this.#ending = true;
    this.#wake();
    if (this.#closed) return;
    this.#closed = true;
    const session = this.session;
    session.flushNow = null;
    this.#host.control.detach(session);
    if (session.hasCloseHooks) void this.#host.actor.run(() => session.closed());
  }

  #wake(): void {
    const wake = this.#wakeReader;
    if (wake === null) return;
    this.#wakeReader = null;
    wake();
  }
}

/** A command's arguments as the store takes them: one-byte strings (UTF-8 for text). */
function toArgv(args: Arg[]): string[] {
  const argv = new Array<string>(args.length);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    argv[i] = typeof arg === "string"
      ? utf8ToLatin1(arg)
      : arg instanceof Uint8Array
      ? bytesToLatin1(arg)
      : String(arg);
  }
  return argv;
}
