/** Typed helpers for keys and their time to live (DEL, EXISTS, EXPIRE, TTL, SCAN, ...). */
import type { Arg } from "../encode_command.ts";
import type { ExpireCondition, ScanOptions } from "../options.ts";
import { expectArray, integer, ok, text } from "../reply_values.ts";
import type { Value } from "./base.ts";
import { StringCommands } from "./strings.ts";

/**
 * Options of SORT and SORT_RO: sort by the elements (numbers, or text with `alpha`) or by
 * other keys (`by`), a `limit`, and `get` patterns that fetch other keys' values instead of the
 * elements (`#` is the element itself, `hash->field` a hash field).
 *
 * @example
 * ```ts
 * import { open, type SortOptions } from "../../../mod.ts";
 * await using db = await open({ persistence: "none" });
 * const byWeight: SortOptions = { by: "weight:*", get: ["#", "name:*"], order: "DESC" };
 * await db.sort("ids", byWeight); // ["3", "Eve", "1", "Ada", ...]
 * ```
 */
export interface SortOptions {
  /** Sort by the values of the keys this pattern names (`*` is the element), or `nosort`. */
  by?: Arg;
  /** Skip `offset` elements and return at most `count` (`LIMIT`). */
  limit?: { offset: number; count: number };
  /** Return the values of these patterns for each element instead of the element (`GET`). */
  get?: Arg[];
  /** Ascending (the default) or descending. */
  order?: "ASC" | "DESC";
  /** Compare as text rather than as numbers (`ALPHA`). */
  alpha?: boolean;
}

/** Typed helpers for keys, expiry and the database as a whole. */
export abstract class KeyCommands<V extends Value = string> extends StringCommands<V> {
  /**
   * DEL: how many of the keys existed and were removed.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.del("a", "b"); // 0, 1 or 2
   * ```
   */
  async del(...keys: Arg[]): Promise<number> {
    return integer(await this.send("DEL", ...keys), "DEL");
  }

  /** UNLINK: like {@linkcode KeyCommands.del}. */
  async unlink(...keys: Arg[]): Promise<number> {
    return integer(await this.send("UNLINK", ...keys), "UNLINK");
  }

  /** EXISTS: how many of the keys exist (a key named twice counts twice). */
  async exists(...keys: Arg[]): Promise<number> {
    return integer(await this.send("EXISTS", ...keys), "EXISTS");
  }

  /** TOUCH: how many of the keys exist (their last access time is updated). */
  async touch(...keys: Arg[]): Promise<number> {
    return integer(await this.send("TOUCH", ...keys), "TOUCH");
  }

  /** TYPE: `string`, `list`, `hash`, `set`, ... or `none` when the key does not exist. */
  async type(key: Arg): Promise<string> {
    return text(await this.send("TYPE", key));
  }

  /** RENAME: moves the value to `newKey` (replacing it); throws when `key` does not exist. */
  async rename(key: Arg, newKey: Arg): Promise<"OK"> {
    return ok(await this.send("RENAME", key, newKey));
  }

  /** RENAMENX: renames only when `newKey` does not exist; true when renamed. */
  async renameNx(key: Arg, newKey: Arg): Promise<boolean> {
    return integer(await this.send("RENAMENX", key, newKey), "RENAMENX") === 1;
  }

  /** COPY: copies the value to `destination`; false when it exists (unless `replace`). */
  async copy(source: Arg, destination: Arg, options: { replace?: boolean } = {}): Promise<boolean> {
    const args: Arg[] = ["COPY", source, destination];
    if (options.replace) args.push("REPLACE");
    return integer(await this.send(...args), "COPY") === 1;
  }

  /**
   * EXPIRE: sets a time to live in seconds; false when the key does not exist or the
   * condition refused.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.set("k", "v");
   * await db.expire("k", 100); // true
   * await db.expire("k", 50, "GT"); // false: 50 is not greater than 100
   * ```
   */
  expire(key: Arg, seconds: number, condition?: ExpireCondition): Promise<boolean> {
    return this.#expiry("EXPIRE", key, seconds, condition);
  }

  /** PEXPIRE: like {@linkcode KeyCommands.expire} in milliseconds. */
  pexpire(key: Arg, milliseconds: number, condition?: ExpireCondition): Promise<boolean> {
    return this.#expiry("PEXPIRE", key, milliseconds, condition);
  }

  /** EXPIREAT: expires the key at a Unix time in seconds. */
  expireAt(key: Arg, unixSeconds: number, condition?: ExpireCondition): Promise<boolean> {
    return this.#expiry("EXPIREAT", key, unixSeconds, condition);
  }

  /** PEXPIREAT: expires the key at a Unix time in milliseconds. */
  pexpireAt(key: Arg, unixMs: number, condition?: ExpireCondition): Promise<boolean> {
    return this.#expiry("PEXPIREAT", key, unixMs, condition);
  }

  async #expiry(
    command: string,
    key: Arg,
    when: number,
    condition: ExpireCondition | undefined,
  ): Promise<boolean> {
    const args: Arg[] = [command, key, when];
    if (condition) args.push(condition);
    return integer(await this.send(...args), command) === 1;
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

  /** EXPIRETIME: the Unix time in seconds the key expires at; -1 with no expiry, -2 no key. */
  async expireTime(key: Arg): Promise<number> {
    return integer(await this.send("EXPIRETIME", key), "EXPIRETIME");
  }

  /** KEYS: every key matching a glob-style pattern (prefer {@linkcode KeyCommands.scanIterator}). */
  async keys(pattern: Arg): Promise<V[]> {
    return this.values(await this.send("KEYS", pattern));
  }

  /** RANDOMKEY: a random key, or null when the database is empty. */
  async randomKey(): Promise<V | null> {
    return this.valueOrNull(await this.send("RANDOMKEY"));
  }

  /**
   * SCAN: one step of a cursor walk; `cursor` is "0" when the walk is complete.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * const { cursor, keys } = await db.scan("0", { match: "user:*", count: 100 });
   * ```
   */
  async scan(cursor: string | number, options: ScanOptions = {}): Promise<{
    cursor: string;
    keys: V[];
  }> {
    const args: Arg[] = ["SCAN", cursor];
    if (options.match !== undefined) args.push("MATCH", options.match);
    if (options.count !== undefined) args.push("COUNT", options.count);
    if (options.type !== undefined) args.push("TYPE", options.type);
    const [next, keys] = expectArray(await this.send(...args));
    return { cursor: text(next), keys: this.values(keys) };
  }

  /**
   * Every key, walked with SCAN until the cursor returns to 0. A key may be yielded more than
   * once if the keyspace changes during the walk, as SCAN guarantees.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * for await (const key of db.scanIterator({ match: "session:*" })) console.log(key);
   * ```
   */
  async *scanIterator(options: ScanOptions = {}): AsyncGenerator<V> {
    let cursor = "0";
    do {
      const step = await this.scan(cursor, options);
      cursor = step.cursor;
      yield* step.keys;
    } while (cursor !== "0");
  }

  /**
   * SORT with `store`: stores the sorted elements (or `get` values) in `destination` as a list;
   * its length.
   */
  sort(key: Arg, options: SortOptions & { store: Arg }): Promise<number>;
  /** SORT with `get`: the patterns' values for each element, null where a key is missing. */
  sort(key: Arg, options: SortOptions & { get: Arg[] }): Promise<(V | null)[]>;
  /**
   * SORT: the elements of a list, set or sorted set, sorted as numbers (or as text with
   * `alpha`).
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.rpush("nums", "3", "1", "2");
   * await db.sort("nums"); // ["1", "2", "3"]
   * await db.sort("nums", { order: "DESC", limit: { offset: 0, count: 2 } }); // ["3", "2"]
   * await db.sort("nums", { store: "sorted" }); // 3
   * ```
   */
  sort(key: Arg, options?: SortOptions): Promise<V[]>;
  async sort(
    key: Arg,
    options: SortOptions & { store?: Arg } = {},
  ): Promise<number | (V | null)[]> {
    const args = ["SORT", key, ...sortArgs(options)];
    if (options.store === undefined) return this.valuesOrNull(await this.send(...args));
    return integer(await this.send(...args, "STORE", options.store), "SORT");
  }

  /** SORT_RO with `get`: SORT's read-only form (runs on read-only replicas). */
  sortRo(key: Arg, options: SortOptions & { get: Arg[] }): Promise<(V | null)[]>;
  /** SORT_RO: SORT's read-only form, without `store` (runs on read-only replicas). */
  sortRo(key: Arg, options?: SortOptions): Promise<V[]>;
  async sortRo(key: Arg, options: SortOptions = {}): Promise<(V | null)[]> {
    return this.valuesOrNull(await this.send("SORT_RO", key, ...sortArgs(options)));
  }

  /** DBSIZE: how many keys the selected database holds. */
  async dbsize(): Promise<number> {
    return integer(await this.send("DBSIZE"), "DBSIZE");
  }

  /** FLUSHDB: removes every key of the selected database. */
  async flushDb(): Promise<"OK"> {
    return ok(await this.send("FLUSHDB"));
  }

  /** FLUSHALL: removes every key of every database. */
  async flushAll(): Promise<"OK"> {
    return ok(await this.send("FLUSHALL"));
  }
}

/** SORT's option words (but STORE), in the order Redis documents them. */
function sortArgs(options: SortOptions): Arg[] {
  const args: Arg[] = [];
  if (options.by !== undefined) args.push("BY", options.by);
  if (options.limit !== undefined) args.push("LIMIT", options.limit.offset, options.limit.count);
  for (const pattern of options.get ?? []) args.push("GET", pattern);
  if (options.order !== undefined) args.push(options.order);
  if (options.alpha) args.push("ALPHA");
  return args;
}
