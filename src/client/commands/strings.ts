/** Typed helpers for strings and counters (GET, SET, MGET, INCR, APPEND, ...). */
import type { Arg } from "../encode_command.ts";
import type { RespValue } from "../resp_decoder.ts";
import { setArgs, type SetOptions } from "../options.ts";
import { expectArray, expectString, integer, ok, pairs, text, toBytes } from "../reply_values.ts";
import { CommandsBase, type Value } from "./base.ts";

/**
 * Options of `getEx`: at most one of a new expiry (`ex`, `px`, `exat`, `pxat`) or `persist`.
 *
 * @example
 * ```ts
 * import { open, type GetExOptions } from "../../../mod.ts";
 * await using db = await open({ persistence: "none" });
 * const touch: GetExOptions = { ex: 60 };
 * await db.getEx("session", touch);
 * ```
 */
export interface GetExOptions {
  /** Expire after this many seconds (`EX`). */
  ex?: number;
  /** Expire after this many milliseconds (`PX`). */
  px?: number;
  /** Expire at this Unix time in seconds (`EXAT`). */
  exat?: number;
  /** Expire at this Unix time in milliseconds (`PXAT`). */
  pxat?: number;
  /** Remove the time to live (`PERSIST`). */
  persist?: boolean;
}

/** One common run of LCS's `idx` answer: where it lies in each value (inclusive byte ranges). */
export interface LcsMatch {
  /** The run's first and last byte in the first key's value. */
  first: [number, number];
  /** The run's first and last byte in the second key's value. */
  second: [number, number];
  /** The run's length in bytes. */
  length: number;
}

/** LCS with `idx`: the common runs (last first, as Redis lists them) and the LCS's length. */
export interface LcsIndex {
  /** The runs that make up the longest common subsequence, from the end of the values. */
  matches: LcsMatch[];
  /** The length of the longest common subsequence. */
  len: number;
}

/** Typed helpers for string values. */
export abstract class StringCommands<V extends Value = string> extends CommandsBase<V> {
  /**
   * GET: the value (UTF-8 text, or bytes on the `bytes` view), or null when the key does not
   * exist.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.set("name", "Zoë");
   * await db.get("name"); // "Zoë"
   * await db.get("missing"); // null
   * ```
   */
  async get(key: Arg): Promise<V | null> {
    return this.valueOrNull(await this.send("GET", key));
  }

  /**
   * GET for binary values: the exact stored bytes, or null when the key does not exist.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.set("blob", new Uint8Array([0, 255, 13, 10]));
   * await db.getBytes("blob"); // Uint8Array [0, 255, 13, 10]
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
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.set("lock", "me", { nx: true, px: 30_000 }); // "OK"
   * await db.set("lock", "you", { nx: true }); // null: already held
   * await db.set("lock", "you", { get: true }); // "me"
   * ```
   */
  set(key: Arg, value: Arg, options: SetOptions & { get: true }): Promise<V | null>;
  /** SET without `get`: "OK", or null when NX/XX refused. */
  set(key: Arg, value: Arg, options?: SetOptions): Promise<"OK" | null>;
  async set(key: Arg, value: Arg, options: SetOptions = {}): Promise<V | "OK" | null> {
    const reply = await this.send("SET", key, value, ...setArgs(options));
    if (options.get) return this.valueOrNull(reply);
    return reply === null ? null : ok(reply);
  }

  /** SETNX: sets the value only when the key does not exist; true when it was set. */
  async setNx(key: Arg, value: Arg): Promise<boolean> {
    return integer(await this.send("SETNX", key, value), "SETNX") === 1;
  }

  /**
   * MGET: each key's value, null where a key does not exist.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.mset({ a: "1", b: "2" });
   * await db.mget("a", "b", "c"); // ["1", "2", null]
   * ```
   */
  async mget(...keys: Arg[]): Promise<(V | null)[]> {
    return this.valuesOrNull(await this.send("MGET", ...keys));
  }

  /** MSET from an object (`{ key: value }`) or from `[key, value]` pairs. */
  async mset(entries: Record<string, Arg> | Iterable<readonly [Arg, Arg]>): Promise<"OK"> {
    return ok(await this.send("MSET", ...flatPairs("MSET", entries)));
  }

  /** MSETNX: sets every pair only when none of the keys exists; true when they were set. */
  async msetNx(entries: Record<string, Arg> | Iterable<readonly [Arg, Arg]>): Promise<boolean> {
    return integer(await this.send("MSETNX", ...flatPairs("MSETNX", entries)), "MSETNX") === 1;
  }

  /** GETDEL: the value (then deleted), or null when the key does not exist. */
  async getDel(key: Arg): Promise<V | null> {
    return this.valueOrNull(await this.send("GETDEL", key));
  }

  /** GETEX: the value, changing or removing its time to live; null when the key does not exist. */
  async getEx(key: Arg, options: GetExOptions = {}): Promise<V | null> {
    const args: Arg[] = ["GETEX", key];
    if (options.ex !== undefined) args.push("EX", options.ex);
    if (options.px !== undefined) args.push("PX", options.px);
    if (options.exat !== undefined) args.push("EXAT", options.exat);
    if (options.pxat !== undefined) args.push("PXAT", options.pxat);
    if (options.persist) args.push("PERSIST");
    return this.valueOrNull(await this.send(...args));
  }

  /** GETRANGE: the bytes of the value from `start` to `end` (inclusive; negative from the end). */
  async getRange(key: Arg, start: number, end: number): Promise<V> {
    return this.value(await this.send("GETRANGE", key, start, end));
  }

  /** SETRANGE: overwrites the value from byte `offset`; the value's length afterwards. */
  async setRange(key: Arg, offset: number, value: Arg): Promise<number> {
    return integer(await this.send("SETRANGE", key, offset, value), "SETRANGE");
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
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.incr("visits"); // 1
   * await db.incrBy("visits", 10); // 11
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
    return Number(expectString(await this.send("INCRBYFLOAT", key, increment)));
  }

  /**
   * LCS: the longest common subsequence of the values of two keys (a missing key is empty).
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.mset({ a: "ohmytext", b: "mynewtext" });
   * await db.lcs("a", "b"); // "mytext"
   * await db.lcs("a", "b", { len: true }); // 6
   * await db.lcs("a", "b", { idx: true, minMatchLen: 4 });
   * // { matches: [{ first: [4, 7], second: [5, 8], length: 4 }], len: 6 }
   * ```
   */
  lcs(key1: Arg, key2: Arg): Promise<V>;
  /** LCS with `len`: only the length of the longest common subsequence. */
  lcs(key1: Arg, key2: Arg, options: { len: true }): Promise<number>;
  /** LCS with `idx`: where the common runs (of at least `minMatchLen` bytes) lie in each value. */
  lcs(key1: Arg, key2: Arg, options: { idx: true; minMatchLen?: number }): Promise<LcsIndex>;
  async lcs(
    key1: Arg,
    key2: Arg,
    options: { len?: boolean; idx?: boolean; minMatchLen?: number } = {},
  ): Promise<V | number | LcsIndex> {
    if (options.len) return integer(await this.send("LCS", key1, key2, "LEN"), "LCS");
    if (!options.idx) return this.value(await this.send("LCS", key1, key2));
    const args: Arg[] = ["LCS", key1, key2, "IDX", "WITHMATCHLEN"];
    if (options.minMatchLen !== undefined) args.push("MINMATCHLEN", options.minMatchLen);
    const answer = new Map(pairs(await this.send(...args)).map(([name, v]) => [text(name), v]));
    const matches = expectArray(answer.get("matches") ?? null).map((item): LcsMatch => {
      const [first, second, length] = expectArray(item);
      return { first: positions(first), second: positions(second), length: integer(length, "LCS") };
    });
    return { matches, len: integer(answer.get("len") ?? null, "LCS") };
  }
}

/** A `[start, end]` pair of LCS's answer. */
function positions(reply: RespValue): [number, number] {
  const [start, end] = expectArray(reply);
  return [integer(start, "LCS"), integer(end, "LCS")];
}

/** `{ key: value }` or `[key, value]` pairs as one flat argument list; refuses none. */
export function flatPairs(
  command: string,
  entries: Record<string, Arg> | Iterable<readonly [Arg, Arg]>,
): Arg[] {
  const list = Symbol.iterator in entries
    ? [...(entries as Iterable<readonly [Arg, Arg]>)]
    : Object.entries(entries);
  if (list.length === 0) throw new TypeError(`Cannot ${command}: no pairs given`);
  return list.flat();
}
