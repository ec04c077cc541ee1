/**
 * {@linkcode Database}: a store opened in this process (see `open`). It has the typed API of
 * the network client (`Commands`), run through embedded sessions: the same actor, dispatcher,
 * log and replies as the server's clients, with no socket. It can also serve itself over TCP
 * (`listen`) while the program keeps using it.
 */
import { Client } from "../client/client.ts";
import { Commands } from "../client/commands/commands.ts";
import type { Arg } from "../client/encode_command.ts";
import type { RespValue } from "../client/resp_decoder.ts";
import type { Subscription } from "../client/subscription.ts";
import { runTransaction, type TransactionOptions } from "../client/transactions.ts";
import { latin1ToUtf8 } from "../protocol/latin1.ts";
import type { Store } from "./store.ts";
import { LocalTransport } from "./local_transport.ts";
import { type Listener, listenOn, type ListenOptions } from "./listener.ts";

/**
 * Wraps an opened store as a {@linkcode Database} (for `open`; the store's parts stay out of
 * the package's public API).
 */
export let wrapStore: (store: Store) => Database;

/**
 * An open store. Make one with `open`; close it with {@linkcode Database.close} (or
 * `await using`). Commands run as an embedded session of the store (trusted: no AUTH or ACL
 * checks, which apply to network clients); `db.session()` gives one of your own for
 * connection state (SELECT, WATCH/MULTI).
 *
 * @example
 * ```ts
 * import { open } from "../../mod.ts";
 * await using db = await open({ dir: "./data", fsync: "always" });
 * await db.set("greeting", "hello", { ex: 60 }); // resolves once durable
 * await db.get("greeting"); // "hello"
 * ```
 */
export class Database extends Commands<string> implements AsyncDisposable {
  readonly #store: Store;
  /** The session the typed helpers run on, made on first use (again after a CLIENT KILL). */
  #main: Client | null = null;
  #mainTransport: LocalTransport | null = null;
  /** The session every subscription of `db.subscribe` shares, made on first use. */
  #subscriber: Client | null = null;
  #listener: Listener | null = null;
  #closing: Promise<void> | null = null;
  #closed = false;

  /** Made by `open` (see {@linkcode wrapStore}). */
  private constructor(store: Store) {
    super();
    this.#store = store;
    store.stopped.then(() => this.#closed = true);
  }

  static {
    wrapStore = (store) => new Database(store);
  }

  /** The data directory (unused with `persistence: "none"`). */
  get dir(): string {
    return this.#store.config.dir;
  }

  /** Whether the store is closed (by {@linkcode Database.close} or a SHUTDOWN). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves once the store is closed, by {@linkcode Database.close} or a client's SHUTDOWN. */
  get stopped(): Promise<void> {
    return this.#store.stopped;
  }

  /** The listener serving this store over TCP, or null (see {@linkcode Database.listen}). */
  get listener(): Listener | null {
    return this.#listener;
  }

  /** Runs one command on the store's session; an error reply is thrown as `ReplyError`. */
  send(...args: Arg[]): Promise<RespValue> {
    if (this.#closed) return Promise.reject(closedError(args));
    return this.#mainSession().send(...args);
  }

  /** Runs one command on the store's session; an error reply is returned as a value. */
  call(...args: Arg[]): Promise<RespValue> {
    if (this.#closed) return Promise.reject(closedError(args));
    return this.#mainSession().call(...args);
  }

  /** Runs the commands together on the store's session; error replies as values. */
  pipeline(commands: Arg[][]): Promise<RespValue[]> {
    if (this.#closed) return Promise.reject(closedError(commands[0] ?? []));
    return this.#mainSession().pipeline(commands);
  }

  #mainSession(): Client {
    if (this.#main !== null && !this.#mainTransport!.ended) return this.#main;
    const transport = new LocalTransport(this.#store, 3);
    this.#mainTransport = transport;
    return this.#main = new Client(transport, 3);
  }

  /** Stored strings come back as UTF-8 text. */
  protected decodeValue(raw: string): string {
    return latin1ToUtf8(raw);
  }

  /**
   * A new embedded session: a `Client` of this store with its own connection state (selected
   * database, WATCH, MULTI, subscriptions), in RESP3. Close it with `quit()` or `await using`.
   *
   * @example
   * ```ts
   * import { open } from "../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await using session = db.session();
   * await session.select(1);
   * await session.watch("stock");
   * const replies = await session.multi().send("DECR", "stock").exec(); // null if it changed
   * ```
   */
  session(): Client {
    if (this.#closed) throw closedError(["session"]);
    return new Client(new LocalTransport(this.#store, 3), 3);
  }

  /**
   * SUBSCRIBE: the messages of `channels`, as an async iterator (see `Subscription`). All the
   * store's subscriptions share one session of their own, so other calls go on meanwhile.
   *
   * @example
   * ```ts
   * import { open } from "../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * const news = await db.subscribe("news");
   * await db.publish("news", "hello");
   * for await (const { message } of news) {
   *   console.log(message); // "hello"
   *   break; // unsubscribes
   * }
   * ```
   */
  subscribe(...channels: Arg[]): Promise<Subscription> {
    return this.#subscriberSession().subscribe(...channels);
  }

  /** PSUBSCRIBE: like {@linkcode Database.subscribe} for glob-style patterns. */
  psubscribe(...patterns: Arg[]): Promise<Subscription> {
    return this.#subscriberSession().psubscribe(...patterns);
  }

  /** SSUBSCRIBE: like {@linkcode Database.subscribe} for shard channels. */
  ssubscribe(...channels: Arg[]): Promise<Subscription> {
    return this.#subscriberSession().ssubscribe(...channels);
  }

  #subscriberSession(): Client {
    if (this.#subscriber === null || this.#subscriber.closed) this.#subscriber = this.session();
    return this.#subscriber;
  }

  /**
   * Runs `body` in a serializable BEGIN ... COMMIT transaction on a session of its own (so
   * transactions run side by side) and resolves to its result; retried with backoff when
   * COMMIT meets a CONFLICT, rolled back when `body` throws, as the client library's
   * `transaction` does. Run the transaction's commands on `tx`.
   *
   * @example
   * ```ts
   * import { open } from "../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.set("acct:1", "100");
   * await db.transaction(async (tx) => {
   *   const balance = Number(await tx.get("acct:1"));
   *   if (balance < 10) throw new RangeError("insufficient funds");
   *   await tx.incrBy("acct:1", -10);
   *   await tx.incrBy("acct:2", 10);
   * });
   * ```
   */
  transaction<T>(
    body: (tx: Client, id: number) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T> {
    return this.#inSession((tx) => runTransaction(tx, body, options));
  }

  /**
   * Runs a command that may wait for data (BLPOP, BZPOPMIN, ...; every blocking helper uses
   * it) on a session of its own, so other calls go on while it waits.
   */
  override sendBlocking(...args: Arg[]): Promise<RespValue> {
    return this.#inSession((session) => session.send(...args));
  }

  /** Runs `work` on a fresh session, closed afterwards. */
  async #inSession<T>(work: (session: Client) => Promise<T>): Promise<T> {
    const session = this.session();
    try {
      return await work(session);
    } finally {
      session.close();
    }
  }

  /**
   * Serves this store over TCP (RESP2/RESP3, inline; TLS with `tlsPort`) while the program
   * keeps using it: redis-cli, any Redis client and `connect` see the same data. Takes every
   * server option; network ones (`host`, `port`, TLS, `metricsPort`) apply to the listener,
   * the others as CONFIG SET would. Resolves once listening, to the {@linkcode Listener}.
   *
   * @example
   * ```ts
   * import { open } from "../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * const listener = await db.listen({ port: 0 });
   * console.log(`redis-cli -p ${listener.port}`);
   * await listener.close(); // the store stays open
   * ```
   */
  async listen(options: ListenOptions = {}): Promise<Listener> {
    if (this.#closed) throw closedError(["listen"]);
    if (this.#listener !== null) {
      throw new Deno.errors.AlreadyExists(
        `Cannot listen: the store is already served on port ${this.#listener.port}`,
      );
    }
    const listener = await listenOn(this.#store, options, () => this.#listener = null);
    this.#listener = listener;
    return listener;
  }

  /**
   * Closes the store: stops the listener (in-flight requests are answered), answers the calls
   * in flight, flushes and closes the log and releases the directory lock. Calls made after it
   * reject. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.#listener?.close();
      await this.#store.close();
    })();
    return this.#closing;
  }

  /** `await using db = await open(...)` closes the store when the block ends. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function closedError(args: Arg[]): Error {
  const name = args.length === 0 ? "the command" : String(args[0]).toUpperCase();
  return new Deno.errors.BadResource(`Cannot run ${name}: the store is closed`);
}
