/**
 * {@linkcode Commands}: the one typed API of Hermes, implemented by the network client
 * (`connect`) and by the embedded store (`open`), so code written against it runs on either
 * unchanged. The helpers of each family live in their own module (strings, keys, hashes, lists,
 * sets, sorted sets, bits); this one adds pub/sub, transactions, pipelines and the `bytes` view.
 */
import type { Arg } from "../encode_command.ts";
import { integer, ok, text } from "../reply_values.ts";
import type { RespValue } from "../resp_decoder.ts";
import { Pipeline } from "../pipeline.ts";
import { MultiBlock, type TransactionOptions } from "../transactions.ts";
import type { Subscription } from "../subscription.ts";
import { toBytes } from "../reply_values.ts";
import type { Value } from "./base.ts";
import { BitCommands } from "./bits.ts";

/**
 * The typed command API shared by the network client and the embedded store. Values come out
 * as `V`: UTF-8 text (`string`, the default) or their exact bytes (`Uint8Array`, through the
 * {@linkcode Commands.bytes} view). Values go in as text (sent as UTF-8), bytes or numbers.
 *
 * @example
 * ```ts
 * import { type Commands, connect, open } from "../../../mod.ts";
 *
 * async function countVisit(db: Commands, page: string): Promise<number> {
 *   await db.sadd("pages", page);
 *   return await db.hincrBy("visits", page, 1);
 * }
 *
 * await using local = await open({ persistence: "none" });
 * await countVisit(local, "/home"); // in-process
 * await using remote = await connect({ port: 8080 });
 * await countVisit(remote, "/home"); // over TCP
 * ```
 */
export abstract class Commands<V extends Value = string> extends BitCommands<V> {
  #bytes: Commands<Uint8Array> | null = null;

  /**
   * The same API over the same connection or session, handing values back as their exact bytes
   * (`Uint8Array`) instead of UTF-8 text.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.set("blob", new Uint8Array([0, 255]));
   * await db.bytes.get("blob"); // Uint8Array [0, 255]
   * ```
   */
  get bytes(): Commands<Uint8Array> {
    return this.#bytes ??= new BytesView(this as Commands<Value>);
  }

  /**
   * SUBSCRIBE: resolves once every channel is confirmed, to a {@linkcode Subscription} that
   * yields their messages; leaving the `for await` loop unsubscribes.
   */
  abstract subscribe(...channels: Arg[]): Promise<Subscription>;

  /** PSUBSCRIBE: like {@linkcode Commands.subscribe} for glob-style patterns. */
  abstract psubscribe(...patterns: Arg[]): Promise<Subscription>;

  /** SSUBSCRIBE: like {@linkcode Commands.subscribe} for shard channels (SPUBLISH). */
  abstract ssubscribe(...channels: Arg[]): Promise<Subscription>;

  /**
   * Runs `body` in a serializable BEGIN ... COMMIT transaction (Hermes only) and resolves to
   * its result; retried with backoff when COMMIT meets a CONFLICT, rolled back when `body`
   * throws. Run every command of the transaction on `tx`.
   */
  abstract transaction<T>(
    body: (tx: Commands<V>, id: number) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>;

  /** PUBLISH: sends `message` to `channel`; resolves to how many subscribers received it. */
  async publish(channel: Arg, message: Arg): Promise<number> {
    return integer(await this.send("PUBLISH", channel, message), "PUBLISH");
  }

  /** SPUBLISH: PUBLISH to a shard channel. */
  async spublish(channel: Arg, message: Arg): Promise<number> {
    return integer(await this.send("SPUBLISH", channel, message), "SPUBLISH");
  }

  /**
   * A pipeline builder: queue commands, then send them together with `exec()`.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.batch().send("SET", "a", "1").send("GET", "a").exec(); // ["OK", "1"]
   * ```
   */
  batch(): Pipeline {
    return new Pipeline(this);
  }

  /**
   * A MULTI/EXEC block: queue commands, then `exec()` sends MULTI, them and EXEC together and
   * resolves to their replies, or to null when a WATCHed key changed.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.multi().send("INCR", "a").send("INCR", "b").exec(); // [1, 1]
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

  /** SELECT: makes `db` (a database number or a partition name) this connection's database. */
  async select(db: number | string): Promise<"OK"> {
    return ok(await this.send("SELECT", db));
  }

  /** PING: `"PONG"`, or `message` echoed back. */
  async ping(message?: Arg): Promise<string> {
    return text(await this.send(...(message === undefined ? ["PING"] : ["PING", message])));
  }

  /** ECHO: returns `message`. */
  async echo(message: Arg): Promise<V> {
    return this.value(await this.send("ECHO", message));
  }

  /** INFO: the server's report as text, optionally one section (`server`, `keyspace`, ...). */
  async info(section?: string): Promise<string> {
    return text(await this.send(...(section === undefined ? ["INFO"] : ["INFO", section])));
  }
}

/** {@linkcode Commands.bytes}: the owner's connection, with values handed back as bytes. */
class BytesView extends Commands<Uint8Array> {
  readonly #owner: Commands<Value>;

  constructor(owner: Commands<Value>) {
    super();
    this.#owner = owner;
  }

  override get bytes(): Commands<Uint8Array> {
    return this;
  }

  send(...args: Arg[]): Promise<RespValue> {
    return this.#owner.send(...args);
  }

  call(...args: Arg[]): Promise<RespValue> {
    return this.#owner.call(...args);
  }

  pipeline(commands: Arg[][]): Promise<RespValue[]> {
    return this.#owner.pipeline(commands);
  }

  override sendBlocking(...args: Arg[]): Promise<RespValue> {
    return this.#owner.sendBlocking(...args);
  }

  protected decodeValue(raw: string): Uint8Array {
    return toBytes(raw);
  }

  subscribe(...channels: Arg[]): Promise<Subscription> {
    return this.#owner.subscribe(...channels);
  }

  psubscribe(...patterns: Arg[]): Promise<Subscription> {
    return this.#owner.psubscribe(...patterns);
  }

  ssubscribe(...channels: Arg[]): Promise<Subscription> {
    return this.#owner.ssubscribe(...channels);
  }

  transaction<T>(
    body: (tx: Commands<Uint8Array>, id: number) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T> {
    return this.#owner.transaction((tx, id) => body(tx.bytes, id), options);
  }
}
