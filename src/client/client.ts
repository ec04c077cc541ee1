/**
 * A typed Redis/Hermes client for Deno: connect, typed helpers for the common commands, raw
 * `send` for everything else, pipelines, RESP2 or RESP3, QUIT on close.
 *
 * Text in, text out: string arguments are sent as UTF-8 and the typed helpers decode string
 * replies as UTF-8. For binary values send a `Uint8Array` and read it back with
 * {@linkcode Client.getBytes}; raw `send`/`call` replies are one-byte strings (one char per
 * byte, see `toBytes`).
 */
import { Connection, type Transport } from "./connection.ts";
import type { Arg } from "./encode_command.ts";
import {
  type ConnectOptions,
  type ExpireCondition,
  type HelloOptions,
  type ScanOptions,
  setArgs,
  type SetOptions,
} from "./options.ts";
import { Pipeline } from "./pipeline.ts";
import { MultiBlock, runTransaction, type TransactionOptions } from "./transactions.ts";
import type { Subscription } from "./subscription.ts";
import type { RespValue } from "./resp_decoder.ts";
import {
  expectArray,
  expectString,
  integer,
  ok,
  pairs,
  text,
  textOrNull,
  toBytes,
} from "./reply_values.ts";

/**
 * A connection with typed helpers. Make one with {@linkcode connect}.
 *
 * Concurrent calls are pipelined automatically: commands issued in the same tick go out in
 * one write and their replies come back in order.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * const client = await connect({ port: 8080 });
 * await client.set("session", "abc", { ex: 60 });
 * await client.get("session"); // "abc"
 * await client.ttl("session"); // 60
 * await client.quit();
 * ```
 */
export class Client extends Connection {
  #protocol: 2 | 3 = 2;

  /** Wraps an open byte stream; use {@linkcode connect} to open one. */
  constructor(transport: Transport) {
    super(transport);
  }

  /** The reply protocol in use: 2, or 3 after a successful `hello(3)`. */
  get protocol(): 2 | 3 {
    return this.#protocol;
  }

  /**
   * A pipeline builder: queue commands, then send them in one write with `exec()`.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.batch().send("SET", "a", "1").send("GET", "a").exec(); // ["OK", "1"]
   * client.close();
   * ```
   */
  batch(): Pipeline {
    return new Pipeline(this);
  }

  /**
   * A MULTI/EXEC block: queue commands, then `exec()` sends MULTI, them and EXEC in one write
   * and resolves to their replies, or to null when a WATCHed key changed.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.multi().send("INCR", "a").send("INCR", "b").exec(); // [1, 1]
   * client.close();
   * ```
   */
  multi(): MultiBlock {
    return new MultiBlock(this);
  }

  /** WATCH: the next EXEC on this connection fails (null) if any of `keys` changes first. */
  async watch(...keys: Arg[]): Promise<"OK"> {
    return ok(await this.send("WATCH", ...keys));
  }

  /** UNWATCH: forgets every watched key. */
  async unwatch(): Promise<"OK"> {
    return ok(await this.send("UNWATCH"));
  }

  /**
   * Runs `body` in a serializable BEGIN ... COMMIT transaction (Hermes only) and resolves to its
   * result; retried with backoff when COMMIT meets a CONFLICT, rolled back when `body` throws.
   * `tx` is this client: while `body` runs, every command on it is part of the transaction.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.transaction(async (tx) => {
   *   const from = Number(await tx.get("acct:1"));
   *   if (from < 10) throw new RangeError("insufficient funds");
   *   await tx.incrBy("acct:1", -10);
   *   await tx.incrBy("acct:2", 10);
   * });
   * client.close();
   * ```
   */
  transaction<T>(
    body: (tx: this, id: number) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T> {
    return runTransaction(this, body, options);
  }

  /**
   * PING: `"PONG"`, or `message` echoed back.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.ping(); // "PONG"
   * client.close();
   * ```
   */
  async ping(message?: Arg): Promise<string> {
    return text(await this.send(...(message === undefined ? ["PING"] : ["PING", message])));
  }

  /** ECHO: returns `message`. */
  async echo(message: Arg): Promise<string> {
    return text(await this.send("ECHO", message));
  }

  /**
   * HELLO: switches the reply protocol (2 or 3) and returns the server's description
   * (`server`, `version`, `proto`, `id`, `mode`, `role`, `modules`) as a Map for either
   * protocol.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * const info = await client.hello(3);
   * info.get("proto"); // 3
   * client.close();
   * ```
   */
  async hello(protocol?: 2 | 3, options: HelloOptions = {}): Promise<Map<string, RespValue>> {
    const args: Arg[] = ["HELLO"];
    if (protocol !== undefined) args.push(protocol);
    if (options.auth) args.push("AUTH", options.auth.username, options.auth.password);
    if (options.setName !== undefined) args.push("SETNAME", options.setName);
    const reply = await this.send(...args);
    const fields = new Map<string, RespValue>();
    for (const [key, value] of pairs(reply)) fields.set(text(key), value);
    const proto = fields.get("proto");
    if (proto === 2 || proto === 3) this.#protocol = this.resp = proto;
    return fields;
  }

  /** AUTH with a password, or with a username and a password. */
  async auth(usernameOrPassword: string, password?: string): Promise<"OK"> {
    const args = password === undefined
      ? ["AUTH", usernameOrPassword]
      : ["AUTH", usernameOrPassword, password];
    return ok(await this.send(...args));
  }

  /** SELECT: makes `db` (a database number or a partition name) this connection's database. */
  async select(db: number | string): Promise<"OK"> {
    return ok(await this.send("SELECT", db));
  }

  /**
   * GET: the value as UTF-8 text, or null when the key does not exist.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.set("name", "Zoë");
   * await client.get("name"); // "Zoë"
   * await client.get("missing"); // null
   * client.close();
   * ```
   */
  async get(key: Arg): Promise<string | null> {
    return textOrNull(await this.send("GET", key));
  }

  /**
   * GET for binary values: the exact stored bytes, or null when the key does not exist.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.set("blob", new Uint8Array([0, 255, 13, 10]));
   * await client.getBytes("blob"); // Uint8Array [0, 255, 13, 10]
   * client.close();
   * ```
   */
  async getBytes(key: Arg): Promise<Uint8Array | null> {
    const reply = await this.send("GET", key);
    return reply === null ? null : toBytes(expectString(reply));
  }

  /**
   * SET with the full option grammar. Resolves to "OK", or null when NX/XX refused; with
   * `get: true` to the old value (null when there was none).
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.set("lock", "me", { nx: true, px: 30_000 }); // "OK"
   * await client.set("lock", "you", { nx: true }); // null: already held
   * await client.set("lock", "you", { get: true }); // "me"
   * client.close();
   * ```
   */
  set(key: Arg, value: Arg, options: SetOptions & { get: true }): Promise<string | null>;
  /** SET without `get`: "OK", or null when NX/XX refused. */
  set(key: Arg, value: Arg, options?: SetOptions): Promise<"OK" | null>;
  async set(key: Arg, value: Arg, options: SetOptions = {}): Promise<string | null> {
    const reply = await this.send("SET", key, value, ...setArgs(options));
    if (options.get) return textOrNull(reply);
    return reply === null ? null : ok(reply);
  }

  /**
   * MGET: each key's value as text, null where a key does not exist.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.mset({ a: "1", b: "2" });
   * await client.mget("a", "b", "c"); // ["1", "2", null]
   * client.close();
   * ```
   */
  async mget(...keys: Arg[]): Promise<(string | null)[]> {
    return expectArray(await this.send("MGET", ...keys)).map(textOrNull);
  }

  /** MSET from an object (`{ key: value }`) or from `[key, value]` pairs. */
  async mset(entries: Record<string, Arg> | Iterable<readonly [Arg, Arg]>): Promise<"OK"> {
    const list = Symbol.iterator in entries
      ? [...(entries as Iterable<readonly [Arg, Arg]>)]
      : Object.entries(entries);
    if (list.length === 0) throw new TypeError("Cannot MSET: no key-value pairs given");
    return ok(await this.send("MSET", ...list.flat()));
  }

  /** GETDEL: the value as text (then deleted), or null when the key does not exist. */
  async getDel(key: Arg): Promise<string | null> {
    return textOrNull(await this.send("GETDEL", key));
  }

  /** APPEND: the length of the value after appending. */
  async append(key: Arg, value: Arg): Promise<number> {
    return integer(await this.send("APPEND", key, value), "APPEND");
  }

  /** STRLEN: the value's length in bytes, 0 when the key does not exist. */
  async strlen(key: Arg): Promise<number> {
    return integer(await this.send("STRLEN", key), "STRLEN");
  }

  /**
   * INCR: the value after adding one. Counters are 64-bit; a result beyond
   * `Number.MAX_SAFE_INTEGER` throws a RangeError (use `send("INCR", key)` for a bigint).
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.incr("visits"); // 1
   * await client.incrBy("visits", 10); // 11
   * client.close();
   * ```
   */
  async incr(key: Arg): Promise<number> {
    return integer(await this.send("INCR", key), "INCR");
  }

  /** INCRBY: the value after adding `increment`. */
  async incrBy(key: Arg, increment: number | bigint): Promise<number> {
    return integer(await this.send("INCRBY", key, increment), "INCRBY");
  }

  /** DECR: the value after subtracting one. */
  async decr(key: Arg): Promise<number> {
    return integer(await this.send("DECR", key), "DECR");
  }

  /** DECRBY: the value after subtracting `decrement`. */
  async decrBy(key: Arg, decrement: number | bigint): Promise<number> {
    return integer(await this.send("DECRBY", key, decrement), "DECRBY");
  }

  /** INCRBYFLOAT: the value after adding `increment`, as a number. */
  async incrByFloat(key: Arg, increment: number): Promise<number> {
    return Number(text(await this.send("INCRBYFLOAT", key, increment)));
  }

  /**
   * DEL: how many of the keys existed and were removed.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.del("a", "b"); // 0, 1 or 2
   * client.close();
   * ```
   */
  async del(...keys: Arg[]): Promise<number> {
    return integer(await this.send("DEL", ...keys), "DEL");
  }

  /** EXISTS: how many of the keys exist (a key named twice counts twice). */
  async exists(...keys: Arg[]): Promise<number> {
    return integer(await this.send("EXISTS", ...keys), "EXISTS");
  }

  /** TYPE: `string`, `list`, ... or `none` when the key does not exist. */
  async type(key: Arg): Promise<string> {
    return text(await this.send("TYPE", key));
  }

  /**
   * EXPIRE: sets a time to live in seconds; false when the key does not exist or the
   * condition refused.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * await client.set("k", "v");
   * await client.expire("k", 100); // true
   * await client.expire("k", 50, "GT"); // false: 50 is not greater than 100
   * client.close();
   * ```
   */
  async expire(key: Arg, seconds: number, condition?: ExpireCondition): Promise<boolean> {
    const args: Arg[] = ["EXPIRE", key, seconds];
    if (condition) args.push(condition);
    return integer(await this.send(...args), "EXPIRE") === 1;
  }

  /** PEXPIRE: like {@linkcode Client.expire} in milliseconds. */
  async pexpire(key: Arg, milliseconds: number, condition?: ExpireCondition): Promise<boolean> {
    const args: Arg[] = ["PEXPIRE", key, milliseconds];
    if (condition) args.push(condition);
    return integer(await this.send(...args), "PEXPIRE") === 1;
  }

  /** PERSIST: removes the time to live; false when there was none or no key. */
  async persist(key: Arg): Promise<boolean> {
    return integer(await this.send("PERSIST", key), "PERSIST") === 1;
  }

  /** TTL: seconds left; -1 when the key has no expiry, -2 when it does not exist. */
  async ttl(key: Arg): Promise<number> {
    return integer(await this.send("TTL", key), "TTL");
  }

  /** PTTL: milliseconds left; -1 when the key has no expiry, -2 when it does not exist. */
  async pttl(key: Arg): Promise<number> {
    return integer(await this.send("PTTL", key), "PTTL");
  }

  /** KEYS: every key matching a glob-style pattern (prefer {@linkcode Client.scanIterator}). */
  async keys(pattern: Arg): Promise<string[]> {
    return expectArray(await this.send("KEYS", pattern)).map(text);
  }

  /**
   * SCAN: one step of a cursor walk; `cursor` is "0" when the walk is complete.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * const { cursor, keys } = await client.scan("0", { match: "user:*", count: 100 });
   * client.close();
   * ```
   */
  async scan(
    cursor: string | number,
    options: ScanOptions = {},
  ): Promise<{ cursor: string; keys: string[] }> {
    const args: Arg[] = ["SCAN", cursor];
    if (options.match !== undefined) args.push("MATCH", options.match);
    if (options.count !== undefined) args.push("COUNT", options.count);
    if (options.type !== undefined) args.push("TYPE", options.type);
    const [next, keys] = expectArray(await this.send(...args));
    return { cursor: text(next), keys: expectArray(keys).map(text) };
  }

  /**
   * Every key, walked with SCAN until the cursor returns to 0. A key may be yielded more than
   * once if the keyspace changes during the walk, as SCAN guarantees.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const client = await connect({ port: 8080 });
   * for await (const key of client.scanIterator({ match: "session:*" })) console.log(key);
   * client.close();
   * ```
   */
  async *scanIterator(options: ScanOptions = {}): AsyncGenerator<string> {
    let cursor = "0";
    do {
      const step = await this.scan(cursor, options);
      cursor = step.cursor;
      yield* step.keys;
    } while (cursor !== "0");
  }

  /** DBSIZE: how many keys the selected database holds. */
  async dbsize(): Promise<number> {
    return integer(await this.send("DBSIZE"), "DBSIZE");
  }

  /** FLUSHDB: removes every key of the selected database. */
  async flushDb(): Promise<"OK"> {
    return ok(await this.send("FLUSHDB"));
  }

  /**
   * SUBSCRIBE: resolves once every channel is confirmed, to a {@linkcode Subscription} that
   * yields their messages; leaving the `for await` loop unsubscribes. Works in RESP2 (the
   * connection then only takes pub/sub commands, PING and QUIT until it unsubscribes, as the
   * server requires) and RESP3 (any command still runs, and pushes also reach `onPush`).
   * Unread messages wait in the subscription up to `subscriptionBufferLimit` (a connect
   * option, default 10,000); past it the subscription fails and unsubscribes.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const subscriber = await connect({ port: 8080 });
   * const news = await subscriber.subscribe("news", "alerts");
   * for await (const { channel, message } of news) {
   *   console.log(channel, message);
   *   if (message === "bye") break; // unsubscribes from news and alerts
   * }
   * await subscriber.quit();
   * ```
   */
  subscribe(...channels: Arg[]): Promise<Subscription> {
    return this.subscribeWith("channel", channels);
  }

  /**
   * PSUBSCRIBE: like {@linkcode Client.subscribe} for glob-style patterns; messages carry the
   * `pattern` that matched.
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * const subscriber = await connect({ port: 8080, protocol: 3 });
   * await using events = await subscriber.psubscribe("__keyevent@0__:*");
   * for await (const { channel, message } of events) console.log(channel, "on key", message);
   * ```
   */
  psubscribe(...patterns: Arg[]): Promise<Subscription> {
    return this.subscribeWith("pattern", patterns);
  }

  /** SSUBSCRIBE: like {@linkcode Client.subscribe} for shard channels (SPUBLISH). */
  ssubscribe(...channels: Arg[]): Promise<Subscription> {
    return this.subscribeWith("shard", channels);
  }

  /**
   * UNSUBSCRIBE from the named channels, whatever subscription made them; resolves once each is
   * confirmed (subscriptions left with no channel end).
   */
  async unsubscribe(...channels: Arg[]): Promise<void> {
    await this.subscription("UNSUBSCRIBE", channels);
  }

  /** PUNSUBSCRIBE from the named patterns; resolves once each is confirmed. */
  async punsubscribe(...patterns: Arg[]): Promise<void> {
    await this.subscription("PUNSUBSCRIBE", patterns);
  }

  /** PUBLISH: sends `message` to `channel`; resolves to how many subscribers received it. */
  async publish(channel: Arg, message: Arg): Promise<number> {
    return integer(await this.send("PUBLISH", channel, message), "PUBLISH");
  }

  /** INFO: the server's report as text, optionally one section (`server`, `keyspace`, ...). */
  async info(section?: string): Promise<string> {
    return text(await this.send(...(section === undefined ? ["INFO"] : ["INFO", section])));
  }
}

/**
 * Opens a connection and sets it up as `options` say: `HELLO 3` for RESP3, AUTH, SELECT.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * const client = await connect({ host: "127.0.0.1", port: 8080, protocol: 3 });
 * await client.set("greeting", "hello");
 * await client.get("greeting"); // "hello"
 * await client.quit();
 * ```
 */
export async function connect(options: ConnectOptions = {}): Promise<Client> {
  const hostname = options.host ?? "127.0.0.1";
  const port = options.port ?? 8080;
  const tls = options.tls;
  const conn = tls === undefined ? await Deno.connect({ hostname, port }) : await Deno.connectTls({
    hostname,
    port,
    caCerts: tls.caCerts,
    ...(tls.cert !== undefined && tls.key !== undefined ? { cert: tls.cert, key: tls.key } : {}),
  });
  if (tls === undefined) (conn as Deno.TcpConn).setNoDelay(true);
  const client = new Client(conn);
  client.onPush = options.onPush;
  if (options.subscriptionBufferLimit !== undefined) {
    client.subscriptionBufferLimit = options.subscriptionBufferLimit;
  }
  try {
    const { password, username } = options;
    if (options.protocol === 3) {
      const auth = password === undefined
        ? undefined
        : { username: username ?? "default", password };
      await client.hello(3, { auth });
    } else if (password !== undefined) {
      await (username === undefined ? client.auth(password) : client.auth(username, password));
    }
    if (options.db !== undefined && options.db !== 0) await client.select(options.db);
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}
