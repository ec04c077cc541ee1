/**
 * One RESP connection: writes commands, reads replies in order, routes RESP3 push frames.
 *
 * Commands issued in the same tick are written together (automatic pipelining): every
 * {@linkcode Connection.call} queues its encoded bytes and a waiter, one microtask later the
 * queue goes out in a single write, and one read loop hands each reply to the oldest waiter.
 */
import { type Arg, encodeCommand } from "./encode_command.ts";
import {
  type DecodedReply,
  Push,
  ReplyError,
  RespDecoder,
  type RespValue,
} from "./resp_decoder.ts";
import { DEFAULT_BUFFER_LIMIT, Subscription, type SubscriptionKind } from "./subscription.ts";
import { quickReply } from "./quick_reply.ts";
import { bytesToLatin1, latin1ToUtf8, utf8ToLatin1 } from "../protocol/latin1.ts";
import { Commands } from "./commands/commands.ts";

/**
 * What a connection needs from its byte stream: a `Deno.Conn`, a TLS connection, or a test
 * double.
 *
 * @example
 * ```ts
 * import { Client } from "./mod.ts";
 * const conn = await Deno.connectTls({ hostname: "cache.example.com", port: 6380 });
 * const client = new Client(conn); // any Transport works
 * await client.ping();
 * client.close();
 * ```
 */
export interface Transport {
  /** Reads into `buffer`; resolves to the byte count, or null at the end of the stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `data`; resolves to how many bytes were written. */
  write(data: Uint8Array): Promise<number>;
  /** Closes the stream; a pending read then fails or ends. */
  close(): void;
  /**
   * Optional: takes commands as argument lists instead of encoded bytes (an in-process store
   * runs them without a wire format). Resolves once they are handed over, like a write.
   */
  writeCommands?(commands: Arg[][]): Promise<void>;
  /**
   * Optional: runs one command at once when the transport can (an in-process store that is
   * idle, for a read). Returns the reply: a bulk string reply as its one-byte string, a nil
   * reply as `false`, any other as its bytes (read before anything else is sent); `undefined`
   * when it was taken and its reply will be read as usual, or null when it was not taken (send
   * it as usual).
   */
  runNow?(args: Arg[]): Uint8Array | string | false | undefined | null;
}

/**
 * Called with each RESP3 push frame (pub/sub message, invalidation, ...).
 *
 * @example
 * ```ts
 * import { connect, type PushHandler } from "./mod.ts";
 * const log: PushHandler = (push) => console.log("push:", push[0]);
 * const client = await connect({ port: 8080, protocol: 3, onPush: log });
 * client.close();
 * ```
 */
export type PushHandler = (push: Push) => void;

/**
 * What the read loop owes, in command order: a reply, or (for SUBSCRIBE and friends in RESP3,
 * which answer with push frames only) a number of confirmation pushes of one kind.
 */
interface Waiter {
  resolve(value: RespValue): void;
  reject(error: unknown): void;
  /** Set for a subscription command: the push kind that confirms it, and how many remain. */
  confirms?: { kind: string; remaining: number };
  /** An error reply rejects (`send`) instead of resolving (`call`). */
  throws: boolean;
}

/** Each subscription kind's commands, and the frame kind its messages come as. */
const KINDS: Record<SubscriptionKind, { on: string; off: string; message: string }> = {
  channel: { on: "SUBSCRIBE", off: "UNSUBSCRIBE", message: "message" },
  pattern: { on: "PSUBSCRIBE", off: "PUNSUBSCRIBE", message: "pmessage" },
  shard: { on: "SSUBSCRIBE", off: "SUNSUBSCRIBE", message: "smessage" },
};

/** Confirmation frames: which kind of subscription they count, and whether they add one. */
const CONFIRMATIONS = new Map<string, { kind: SubscriptionKind; added: boolean }>([
  ["subscribe", { kind: "channel", added: true }],
  ["psubscribe", { kind: "pattern", added: true }],
  ["ssubscribe", { kind: "shard", added: true }],
  ["unsubscribe", { kind: "channel", added: false }],
  ["punsubscribe", { kind: "pattern", added: false }],
  ["sunsubscribe", { kind: "shard", added: false }],
]);

/** Message frames, and the kind of subscription each belongs to. */
const MESSAGES = new Map<string, SubscriptionKind>([
  ["message", "channel"],
  ["pmessage", "pattern"],
  ["smessage", "shard"],
]);

/**
 * The protocol layer of a client: ordered replies, automatic pipelining, raw access for tests,
 * under the typed helpers of {@linkcode Commands}. {@linkcode Client} adds the connection's own
 * commands (HELLO, AUTH, subscriptions); most code uses that class.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * const client = await connect({ port: 8080 });
 * // Both commands leave in one write; the replies come back in order.
 * const [a, b] = await Promise.all([client.send("INCR", "n"), client.send("INCR", "n")]);
 * client.close();
 * ```
 */
export abstract class Connection extends Commands<string> {
  readonly #transport: Transport;
  readonly #decoder = new RespDecoder();
  readonly #readBuf = new Uint8Array(64 * 1024);
  readonly #waiters: Waiter[] = [];
  /** Commands issued this tick, sent together by #flush. */
  #outbox: Arg[][] = [];
  #flushQueued = false;
  #pumping = false;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;
  /**
   * Channels and patterns (counted together by the server), and shard channels, subscribed
   * to, from the last confirmations; the reader runs while either is above 0.
   */
  #subscribed = 0;
  #shardSubscribed = 0;
  /** Live {@linkcode Subscription}s, which receive the messages of their names. */
  readonly #listeners = new Set<Subscription>();
  /**
   * The reply protocol in use (2 until a HELLO 3 succeeds): in RESP2 pub/sub frames arrive as
   * plain arrays, told apart from replies by their first item while subscribed.
   */
  protected resp = 2;

  /**
   * Push frames received while no {@linkcode Connection.onPush} handler was set, oldest first,
   * except those a subscription or a waiting SUBSCRIBE took. Take them out
   * (`pushes.splice(0)`) when you read them; a handler keeps this list empty.
   */
  readonly pushes: Push[] = [];

  /** Receives RESP3 push frames as they arrive; when unset they collect in `pushes`. */
  onPush: PushHandler | undefined;

  /** Messages a {@linkcode Subscription} holds unread before it fails (see subscription.ts). */
  subscriptionBufferLimit: number = DEFAULT_BUFFER_LIMIT;

  /** Wraps an open byte stream (usually the `Deno.TcpConn` made by {@linkcode connect}). */
  constructor(transport: Transport) {
    super();
    this.#transport = transport;
  }

  /** Stored strings come back as UTF-8 text. */
  protected decodeValue(raw: string): string {
    return latin1ToUtf8(raw);
  }

  /**
   * Sends one command and returns its reply; an error reply is thrown as
   * {@linkcode ReplyError}. Rejects with a `Deno.errors` error when the connection fails.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.send("SET", "greeting", "hello");
   * await client.send("GET", "greeting"); // "hello"
   * client.close();
   * ```
   */
  send(...args: Arg[]): Promise<RespValue> {
    return this.#enqueue(args, true);
  }

  /**
   * Sends one command and returns its reply, an error reply included as a
   * {@linkcode ReplyError} value (not thrown).
   *
   * @example
   * ```ts
   * import { connect, ReplyError } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * const reply = await client.call("GET");
   * reply instanceof ReplyError; // true: wrong number of arguments
   * client.close();
   * ```
   */
  call(...args: Arg[]): Promise<RespValue> {
    return this.#enqueue(args, false);
  }

  /**
   * Sends a RESP3 subscription command (`SUBSCRIBE a b`, `UNSUBSCRIBE a`, ...), which is
   * answered by one confirmation push per name instead of a reply; resolves when all have
   * arrived, or rejects with the server's error. While subscriptions remain, replies and
   * pushes are read as they come, so the push handler sees messages at once.
   */
  protected subscription(command: string, names: Arg[]): Promise<void> {
    if (names.length === 0) {
      throw new TypeError(`Cannot send ${command} without a channel or pattern name`);
    }
    const kind = command.toLowerCase();
    return this.#enqueue([command, ...names], true, { kind, remaining: names.length })
      .then(() => {});
  }

  /**
   * Subscribes to `names` (channels, patterns or shard channels) and returns the
   * {@linkcode Subscription} that yields their messages, once the server confirmed all.
   */
  protected async subscribeWith(kind: SubscriptionKind, names: Arg[]): Promise<Subscription> {
    const listener = new Subscription(
      { release: (s) => this.#release(s) },
      kind,
      names.map(oneByteName),
      this.subscriptionBufferLimit,
    );
    this.#listeners.add(listener);
    try {
      await this.subscription(KINDS[kind].on, names);
    } catch (error) {
      this.#listeners.delete(listener);
      listener.end();
      throw error;
    }
    return listener;
  }

  /** Ends `subscription`, unsubscribing from the names no other live one still uses. */
  async #release(subscription: Subscription): Promise<void> {
    this.#listeners.delete(subscription);
    const shared = new Set<string>();
    for (const other of this.#listeners) {
      if (other.kind === subscription.kind) { for (const name of other.names) shared.add(name); }
    }
    const names = [...subscription.names].filter((name) => !shared.has(name));
    if (names.length === 0 || this.#closed) return;
    const bytes = names.map((name) => Uint8Array.from(name, (c) => c.charCodeAt(0)));
    await this.subscription(KINDS[subscription.kind].off, bytes);
  }

  /** Queues `args` to be sent; `throws`: its promise rejects with an error reply. */
  #enqueue(args: Arg[], throws: boolean, confirms?: Waiter["confirms"]): Promise<RespValue> {
    if (this.#closed) return Promise.reject(closedError());
    let sent = false;
    if (this.#transport.runNow !== undefined && confirms === undefined && this.#idle()) {
      const reply = this.#transport.runNow(args);
      if (typeof reply === "string") return Promise.resolve(reply);
      if (reply === false) return Promise.resolve(null);
      if (reply !== null && reply !== undefined) return this.#decodeNow(reply, throws);
      sent = reply === undefined;
    }
    const reply = new Promise<RespValue>((resolve, reject) => {
      this.#waiters.push({ resolve, reject, confirms, throws });
    });
    if (sent) {
      if (!this.#pumping) this.#pump();
      return reply;
    }
    this.#outbox.push(args);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => this.#flush());
    }
    if (!this.#pumping) this.#pump();
    return reply;
  }

  /** Nothing is owed, queued, half-read or subscribed: a command may be run at once. */
  #idle(): boolean {
    return this.#waiters.length === 0 && this.#outbox.length === 0 &&
      this.#decoder.buffered === 0 && this.#subscribed === 0 && this.#shardSubscribed === 0;
  }

  /** The reply to a command the transport ran at once, from its bytes (pushes first, if any). */
  #decodeNow(bytes: Uint8Array, throws: boolean): Promise<RespValue> {
    const quick = quickReply(bytes);
    if (quick !== undefined) return settled(quick, throws);
    const decoder = this.#decoder;
    decoder.push(bytes);
    let reply: RespValue | undefined;
    while ((reply = decoder.nextValue()) instanceof Push) this.#routePush(reply);
    if (reply === undefined || decoder.buffered !== 0) {
      const error = new Deno.errors.InvalidData("Cannot decode the reply of a command run at once");
      this.#fail(error);
      return Promise.reject(error);
    }
    return settled(reply, throws);
  }

  /**
   * Sends all commands in one write and returns their replies in order, error replies as
   * values.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.pipeline([["SET", "a", "1"], ["INCR", "a"], ["GET", "a"]]); // ["OK", 2, "2"]
   * client.close();
   * ```
   */
  pipeline(commands: Arg[][]): Promise<RespValue[]> {
    return Promise.all(commands.map((command) => this.call(...command)));
  }

  /**
   * Writes raw bytes (or ASCII text), after any commands already queued. For tests of the
   * protocol itself; read the answers with {@linkcode Connection.readReply} or
   * {@linkcode Connection.readDecoded}, and do not mix this with commands in flight.
   */
  writeRaw(bytes: Uint8Array | string): Promise<void> {
    this.#flush();
    const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
    return this.#enqueueWrite(data);
  }

  /**
   * The next reply that is not a push frame (push frames go to the handler or `pushes`).
   * Throws `Deno.errors.ConnectionReset` if the server closes first.
   */
  async readReply(): Promise<RespValue> {
    while (true) {
      const { value } = await this.readDecoded();
      if (value instanceof Push) {
        this.#routePush(value);
        continue;
      }
      return value;
    }
  }

  /** The next reply or push frame, with the exact bytes it was decoded from. */
  async readDecoded(): Promise<DecodedReply> {
    while (true) {
      const decoded = this.#decoder.next();
      if (decoded) return decoded;
      await this.#receive();
    }
  }

  /**
   * Reads until the server closes the connection (or `timeoutMs` passes, then closes it);
   * returns every byte received meanwhile as a one-byte string.
   */
  async readUntilClosed(timeoutMs = 5000): Promise<string> {
    let text = "";
    const timer = setTimeout(() => this.close(), timeoutMs);
    try {
      while (true) {
        const n = await this.#transport.read(this.#readBuf).catch(() => null);
        if (n === null) break;
        for (let i = 0; i < n; i++) text += String.fromCharCode(this.#readBuf[i]);
      }
    } finally {
      clearTimeout(timer);
    }
    return text;
  }

  /** Whether {@linkcode Connection.close} ran or the connection failed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Closes the socket at once. Commands still waiting for replies reject. Prefer
   * {@linkcode Connection.quit} for an orderly goodbye.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#listeners) listener.end(); // closed on purpose: just done
    this.#listeners.clear();
    try {
      this.#transport.close();
    } catch {
      // already closed
    }
    this.#failAll(closedError());
  }

  /**
   * Sends QUIT, waits for the server's answer, then closes. Never throws: a connection that
   * is already gone is simply closed.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.quit();
   * ```
   */
  async quit(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.call("QUIT");
    } catch {
      // the server may close before answering; either way we are done
    }
    this.close();
  }

  /** `await using client = await connect()` sends QUIT when the block ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit();
  }

  #routePush(push: Push): void {
    const kind = typeof push[0] === "string" ? push[0].toLowerCase() : "";
    let consumed = false;
    const confirmation = CONFIRMATIONS.get(kind);
    const messageKind = MESSAGES.get(kind);
    if (confirmation !== undefined && typeof push[2] === "number") {
      if (confirmation.kind === "shard") this.#shardSubscribed = push[2];
      else this.#subscribed = push[2];
      if (!confirmation.added && typeof push[1] === "string") {
        this.#forget(confirmation.kind, push[1]);
      }
      const head = this.#waiters[0];
      if (head?.confirms?.kind === kind) {
        consumed = true; // the answer to our own command, not news for `pushes`
        if (--head.confirms.remaining === 0) {
          this.#waiters.shift();
          head.resolve(null);
        }
      }
    } else if (messageKind !== undefined) {
      for (const listener of this.#listeners) {
        if (listener.kind === messageKind && listener.names.has(String(push[1]))) {
          listener.deliver(push);
          consumed = true;
        }
      }
    }
    if (this.onPush) this.onPush(push);
    else if (!consumed) this.pushes.push(push);
  }

  /** The server left `name` (UNSUBSCRIBE, RESET): subscriptions on it lose it. */
  #forget(kind: SubscriptionKind, name: string): void {
    for (const listener of this.#listeners) {
      if (listener.kind !== kind || !listener.names.delete(name)) continue;
      if (listener.names.size === 0) {
        this.#listeners.delete(listener);
        listener.end();
      }
    }
  }

  #flush(): void {
    this.#flushQueued = false;
    if (this.#outbox.length === 0) return;
    const commands = this.#outbox;
    this.#outbox = [];
    const transport = this.#transport;
    if (transport.writeCommands !== undefined) {
      this.#chain(() => transport.writeCommands!(commands)).catch((error) => this.#fail(error));
      return;
    }
    const parts = commands.map(encodeCommand);
    const bytes = parts.length === 1 ? parts[0] : concat(parts);
    this.#enqueueWrite(bytes).catch((error) => this.#fail(error));
  }

  /** Writes are chained so bytes leave in the order they were queued. */
  #enqueueWrite(data: Uint8Array): Promise<void> {
    return this.#chain(async () => {
      let rest = data;
      while (rest.length > 0) {
        const n = await this.#transport.write(rest);
        rest = rest.subarray(n);
      }
    });
  }

  #chain(write: () => Promise<void>): Promise<void> {
    const done = this.#writing.then(write);
    this.#writing = done.catch(() => {});
    return done;
  }

  /**
   * The one read loop: runs while replies are owed or subscriptions are open, and gives each
   * reply to the oldest waiter. A reply where confirmations were expected is the server
   * refusing the subscription command.
   */
  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#waiters.length > 0 || this.#subscribed > 0 || this.#shardSubscribed > 0) {
        // Every reply already received is handed out in one go, so the callers waiting on a
        // batch resume together (and their next commands share a write again).
        const reply = this.#decoder.nextValue();
        if (reply === undefined) {
          await this.#receive();
          continue;
        }
        if (reply instanceof Push) {
          this.#routePush(reply);
          continue;
        }
        if (this.resp === 2 && this.#isPubSubFrame(reply)) {
          this.#routePush(Push.from(reply as RespValue[]) as Push);
          continue;
        }
        const waiter = this.#waiters.shift();
        if (!waiter) continue; // nothing asked for it: the server spoke out of turn
        if (waiter.throws && reply instanceof ReplyError) waiter.reject(reply);
        else waiter.resolve(reply);
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#pumping = false;
    }
  }

  /** Reads more bytes into the decoder; throws when the server has closed the connection. */
  async #receive(): Promise<void> {
    const n = await this.#transport.read(this.#readBuf);
    if (n === null) throw new Deno.errors.ConnectionReset("Connection closed by server");
    this.#decoder.push(this.#readBuf.subarray(0, n));
  }

  /**
   * Whether a RESP2 reply is a pub/sub frame: an array named like one, while subscribed or
   * while a subscription command waits (a subscribed RESP2 client gets no other arrays but
   * PING's `pong`).
   */
  #isPubSubFrame(reply: RespValue): boolean {
    if (!Array.isArray(reply) || typeof reply[0] !== "string") return false;
    const subscribed = this.#subscribed > 0 || this.#shardSubscribed > 0 ||
      this.#waiters[0]?.confirms !== undefined;
    const kind = reply[0].toLowerCase();
    return subscribed && (CONFIRMATIONS.has(kind) || MESSAGES.has(kind));
  }

  /** A failed read or write leaves the stream in an unknown state: give up on it. */
  #fail(error: unknown): void {
    this.#failAll(error);
    this.close();
  }

  #failAll(error: unknown): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
    for (const listener of this.#listeners) listener.end(error);
    this.#listeners.clear();
  }
}

/** A name as the server echoes it: one char per byte (strings are sent as UTF-8). */
function oneByteName(name: Arg): string {
  if (name instanceof Uint8Array) return bytesToLatin1(name);
  return utf8ToLatin1(String(name));
}

function closedError(): Error {
  return new Deno.errors.BadResource("Cannot send: the connection is closed");
}

function concat(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** `reply` as a settled promise: rejected with an error reply when `throws` (`send`). */
function settled(reply: RespValue, throws: boolean): Promise<RespValue> {
  return throws && reply instanceof ReplyError ? Promise.reject(reply) : Promise.resolve(reply);
}
