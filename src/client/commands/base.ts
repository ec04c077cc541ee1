/**
 * The root of the typed command API that the network client and the embedded store share: three
 * raw ways to run a command (`send`, `call`, `pipeline`), `command` for any command with its
 * strings decoded, and the reply conversions the typed helpers of each family use.
 *
 * `V` is how values come out: `string` (UTF-8 text) or `Uint8Array` (the exact bytes). Values
 * go in as {@linkcode Arg}: text is sent as UTF-8, a `Uint8Array` as its bytes.
 */
import type { Arg } from "../encode_command.ts";
import type { ReplyError, RespValue } from "../resp_decoder.ts";
import { expectArray, unexpected } from "../reply_values.ts";

/** How a typed helper hands values back: as UTF-8 text, or as their exact bytes. */
export type Value = string | Uint8Array;

/**
 * A reply of {@linkcode CommandsBase.command}: like a raw reply, with every string decoded as
 * `V` (UTF-8 text, or bytes on the `bytes` view). Maps and sets come from RESP3 replies; error
 * replies nested in an array (EXEC) stay {@linkcode ReplyError} values.
 */
export type Reply<V extends Value = string> =
  | V
  | number
  | bigint
  | boolean
  | null
  | ReplyError
  | Reply<V>[]
  | Map<Reply<V>, Reply<V>>
  | Set<Reply<V>>;

/**
 * The raw layer every command helper is written on. Subclasses say how a command is sent
 * (`send`, `call`, `pipeline`) and how a stored string is handed back (`decodeValue`).
 */
export abstract class CommandsBase<V extends Value = string> {
  /**
   * Runs one command and returns its raw reply: strings are one-byte strings (one char per
   * byte; see `toBytes` and `toText`). An error reply is thrown as {@linkcode ReplyError}.
   */
  abstract send(...args: Arg[]): Promise<RespValue>;

  /** Like {@linkcode CommandsBase.send}, with an error reply returned as a value. */
  abstract call(...args: Arg[]): Promise<RespValue>;

  /** Runs several commands together; replies in order, error replies as values. */
  abstract pipeline(commands: Arg[][]): Promise<RespValue[]>;

  /**
   * Runs a command that may wait for data (BLPOP, BZPOPMIN, BLMOVE, ...) and returns its raw
   * reply, like {@linkcode CommandsBase.send}. A network connection waits on itself, so the
   * commands sent after it wait too; the embedded store runs it on a session of its own, so
   * other calls go on meanwhile.
   */
  sendBlocking(...args: Arg[]): Promise<RespValue> {
    return this.send(...args);
  }

  /** Turns a stored string (one char per byte) into what this API hands back. */
  protected abstract decodeValue(raw: string): V;

  /**
   * Runs any command and returns its reply with strings decoded as `V` (UTF-8 text here, bytes
   * on the `bytes` view). An error reply is thrown as {@linkcode ReplyError}.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.command("SET", "greeting", "hello"); // "OK"
   * await db.command("GET", "greeting"); // "hello"
   * ```
   */
  async command(...args: Arg[]): Promise<Reply<V>> {
    return this.decodeReply(await this.send(...args));
  }

  /** A raw reply with every string decoded as `V` (see {@linkcode CommandsBase.command}). */
  protected decodeReply(reply: RespValue): Reply<V> {
    if (typeof reply === "string") return this.decodeValue(reply);
    if (Array.isArray(reply)) return reply.map((item) => this.decodeReply(item));
    if (reply instanceof Map) {
      const map = new Map<Reply<V>, Reply<V>>();
      for (const [key, value] of reply) map.set(this.decodeReply(key), this.decodeReply(value));
      return map;
    }
    if (reply instanceof Set) return new Set([...reply].map((item) => this.decodeReply(item)));
    return reply;
  }

  /** A string reply as `V`. */
  protected value(reply: RespValue): V {
    if (typeof reply === "string") return this.decodeValue(reply);
    if (typeof reply === "number") return this.decodeValue(String(reply)); // RESP3 doubles
    throw unexpected(reply, "a string");
  }

  /** A string reply as `V`, or null. */
  protected valueOrNull(reply: RespValue): V | null {
    return reply === null ? null : this.value(reply);
  }

  /** An array (or set) of strings as `V[]`. */
  protected values(reply: RespValue): V[] {
    return expectArray(reply).map((item) => this.value(item));
  }

  /** An array of strings and nulls as `(V | null)[]`. */
  protected valuesOrNull(reply: RespValue): (V | null)[] {
    return expectArray(reply).map((item) => this.valueOrNull(item));
  }
}
