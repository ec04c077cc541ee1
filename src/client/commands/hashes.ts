/** Typed helpers for hashes (HSET, HGET, HGETALL, HINCRBY, ...). */
import type { Arg } from "../encode_command.ts";
import { expectArray, integer, pairs, text } from "../reply_values.ts";
import type { Value } from "./base.ts";
import { KeyCommands } from "./keys.ts";
import { flatPairs } from "./strings.ts";

/** Fields given to HSET: an object (`{ field: value }`) or `[field, value]` pairs. */
export type FieldValues = Record<string, Arg> | Iterable<readonly [Arg, Arg]>;

/** Typed helpers for hash values. */
export abstract class HashCommands<V extends Value = string> extends KeyCommands<V> {
  /**
   * HSET: sets fields of the hash; resolves to how many fields were new.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.hset("user:1", { name: "Ada", born: 1815 }); // 2
   * await db.hget("user:1", "name"); // "Ada"
   * await db.hgetAll("user:1"); // { name: "Ada", born: "1815" }
   * ```
   */
  async hset(key: Arg, fields: FieldValues): Promise<number> {
    return integer(await this.send("HSET", key, ...flatPairs("HSET", fields)), "HSET");
  }

  /** HSETNX: sets the field only when it does not exist; true when it was set. */
  async hsetNx(key: Arg, field: Arg, value: Arg): Promise<boolean> {
    return integer(await this.send("HSETNX", key, field, value), "HSETNX") === 1;
  }

  /** HGET: the field's value, or null when the field or the key does not exist. */
  async hget(key: Arg, field: Arg): Promise<V | null> {
    return this.valueOrNull(await this.send("HGET", key, field));
  }

  /** HMGET: each field's value, null where a field does not exist. */
  async hmget(key: Arg, ...fields: Arg[]): Promise<(V | null)[]> {
    return this.valuesOrNull(await this.send("HMGET", key, ...fields));
  }

  /**
   * HGETALL: every field and value as an object; field names are UTF-8 text, values are `V`.
   * An empty object when the key does not exist.
   */
  async hgetAll(key: Arg): Promise<Record<string, V>> {
    const out: Record<string, V> = {};
    for (const [field, value] of pairs(await this.send("HGETALL", key))) {
      out[text(field)] = this.value(value);
    }
    return out;
  }

  /** HDEL: how many of the fields existed and were removed. */
  async hdel(key: Arg, ...fields: Arg[]): Promise<number> {
    return integer(await this.send("HDEL", key, ...fields), "HDEL");
  }

  /** HEXISTS: whether the field exists. */
  async hexists(key: Arg, field: Arg): Promise<boolean> {
    return integer(await this.send("HEXISTS", key, field), "HEXISTS") === 1;
  }

  /** HLEN: how many fields the hash has (0 when the key does not exist). */
  async hlen(key: Arg): Promise<number> {
    return integer(await this.send("HLEN", key), "HLEN");
  }

  /** HSTRLEN: the length in bytes of the field's value (0 when it does not exist). */
  async hstrlen(key: Arg, field: Arg): Promise<number> {
    return integer(await this.send("HSTRLEN", key, field), "HSTRLEN");
  }

  /** HKEYS: the field names. */
  async hkeys(key: Arg): Promise<V[]> {
    return this.values(await this.send("HKEYS", key));
  }

  /** HVALS: the values. */
  async hvals(key: Arg): Promise<V[]> {
    return this.values(await this.send("HVALS", key));
  }

  /** HINCRBY: the field's value after adding `increment`. */
  async hincrBy(key: Arg, field: Arg, increment: number | bigint): Promise<number> {
    return integer(await this.send("HINCRBY", key, field, increment), "HINCRBY");
  }

  /** HINCRBYFLOAT: the field's value after adding `increment`, as a number. */
  async hincrByFloat(key: Arg, field: Arg, increment: number): Promise<number> {
    return Number(text(await this.send("HINCRBYFLOAT", key, field, increment)));
  }

  /** HRANDFIELD with a count: up to `count` distinct fields (negative: may repeat). */
  async hrandField(key: Arg, count: number): Promise<V[]> {
    return this.values(await this.send("HRANDFIELD", key, count));
  }

  /**
   * HSCAN: one step of a cursor walk over the hash's fields; `cursor` is "0" when the walk is
   * complete.
   */
  async hscan(
    key: Arg,
    cursor: string | number,
    options: { match?: string; count?: number } = {},
  ): Promise<{
    cursor: string;
    entries: [V, V][];
  }> {
    const args: Arg[] = ["HSCAN", key, cursor];
    if (options.match !== undefined) args.push("MATCH", options.match);
    if (options.count !== undefined) args.push("COUNT", options.count);
    const [next, items] = expectArray(await this.send(...args));
    const flat = this.values(items);
    const entries: [V, V][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i], flat[i + 1]]);
    return { cursor: text(next), entries };
  }
}
