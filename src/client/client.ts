/**
 * A typed Redis/Hermes client for Deno: connect, the typed helpers every Hermes API shares
 * (`Commands`: strings, keys and TTL, hashes, lists, sets, pub/sub, transactions), raw
 * `send` for everything else, pipelines, RESP2 or RESP3, QUIT on close.
 *
 * Text in, text out: string arguments are sent as UTF-8 and the typed helpers decode string
 * replies as UTF-8. For binary values send a `Uint8Array` and read it back through the
 * `bytes` view (`client.bytes.get(key)`); raw `send`/`call` replies are one-byte strings (one
 * char per byte, see `toBytes`).
 */
import { Connection, type Transport } from "./connection.ts";
import type { Arg } from "./encode_command.ts";
import type { ConnectOptions, HelloOptions } from "./options.ts";
import { runTransaction, type TransactionOptions } from "./transactions.ts";
import type { Subscription } from "./subscription.ts";
import type { RespValue } from "./resp_decoder.ts";
import { ok, pairs, text } from "./reply_values.ts";

/**
 * A connection with the typed helpers of `Commands`. Make one with
 * {@linkcode connect}.
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

  /**
   * Wraps an open byte stream; use {@linkcode connect} to open one. `protocol` is the reply
   * protocol the other end already speaks (2 unless it was switched before).
   */
  constructor(transport: Transport, protocol: 2 | 3 = 2) {
    super(transport);
    this.#protocol = this.resp = protocol;
  }

  /** The reply protocol in use: 2, or 3 after a successful `hello(3)`. */
  get protocol(): 2 | 3 {
    return this.#protocol;
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
