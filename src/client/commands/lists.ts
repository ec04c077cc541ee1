/** Typed helpers for lists, blocking pops included (LPUSH, LRANGE, LMOVE, BLPOP, ...). */
import type { Arg } from "../encode_command.ts";
import { expectArray, integer, ok } from "../reply_values.ts";
import type { RespValue } from "../resp_decoder.ts";
import type { Value } from "./base.ts";
import { HashCommands } from "./hashes.ts";

/** An end of a list: `LEFT` (head) or `RIGHT` (tail). */
export type ListSide = "LEFT" | "RIGHT";

/** What a blocking pop took: the key it came from and the element. */
export interface Popped<V extends Value = string> {
  /** The key (the first of those given that had an element). */
  key: V;
  /** The element. */
  value: V;
}

/** What LMPOP and BLMPOP took: the key and the elements, in pop order. */
export interface PoppedMany<V extends Value = string> {
  /** The key (the first of those given that had elements). */
  key: V;
  /** The elements. */
  values: V[];
}

/** Options of LPOS. */
export interface PositionOptions {
  /** Which match to return: 1 the first, 2 the second, -1 the last, ... (`RANK`). */
  rank?: number;
  /** Compare at most this many elements (`MAXLEN`). */
  maxlen?: number;
}

/** Typed helpers for list values. */
export abstract class ListCommands<V extends Value = string> extends HashCommands<V> {
  /**
   * LPUSH: adds elements at the head (the last given ends up first); the list's length after.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.rpush("queue", "a", "b", "c"); // 3
   * await db.lrange("queue", 0, -1); // ["a", "b", "c"]
   * await db.lpop("queue"); // "a"
   * ```
   */
  async lpush(key: Arg, ...elements: Arg[]): Promise<number> {
    return integer(await this.send("LPUSH", key, ...elements), "LPUSH");
  }

  /** RPUSH: adds elements at the tail; the list's length after. */
  async rpush(key: Arg, ...elements: Arg[]): Promise<number> {
    return integer(await this.send("RPUSH", key, ...elements), "RPUSH");
  }

  /** LPUSHX: LPUSH only when the list exists; its length after (0 when it does not). */
  async lpushX(key: Arg, ...elements: Arg[]): Promise<number> {
    return integer(await this.send("LPUSHX", key, ...elements), "LPUSHX");
  }

  /** RPUSHX: RPUSH only when the list exists; its length after (0 when it does not). */
  async rpushX(key: Arg, ...elements: Arg[]): Promise<number> {
    return integer(await this.send("RPUSHX", key, ...elements), "RPUSHX");
  }

  /** LPOP: the head element, or null when the list does not exist. */
  lpop(key: Arg): Promise<V | null>;
  /** LPOP with a count: up to `count` elements from the head, or null when the list does not exist. */
  lpop(key: Arg, count: number): Promise<V[] | null>;
  lpop(key: Arg, count?: number): Promise<V | V[] | null> {
    return this.#pop("LPOP", key, count);
  }

  /** RPOP: the tail element, or null when the list does not exist. */
  rpop(key: Arg): Promise<V | null>;
  /** RPOP with a count: up to `count` elements from the tail, or null when the list does not exist. */
  rpop(key: Arg, count: number): Promise<V[] | null>;
  rpop(key: Arg, count?: number): Promise<V | V[] | null> {
    return this.#pop("RPOP", key, count);
  }

  async #pop(command: string, key: Arg, count: number | undefined): Promise<V | V[] | null> {
    if (count === undefined) return this.valueOrNull(await this.send(command, key));
    const reply = await this.send(command, key, count);
    return reply === null ? null : this.values(reply);
  }

  /** LLEN: the list's length (0 when the key does not exist). */
  async llen(key: Arg): Promise<number> {
    return integer(await this.send("LLEN", key), "LLEN");
  }

  /** LRANGE: the elements from `start` to `stop` (inclusive; negative counts from the end). */
  async lrange(key: Arg, start: number, stop: number): Promise<V[]> {
    return this.values(await this.send("LRANGE", key, start, stop));
  }

  /** LINDEX: the element at `index` (negative from the end), or null past either end. */
  async lindex(key: Arg, index: number): Promise<V | null> {
    return this.valueOrNull(await this.send("LINDEX", key, index));
  }

  /** LSET: replaces the element at `index`; throws when the index is out of range. */
  async lset(key: Arg, index: number, element: Arg): Promise<"OK"> {
    return ok(await this.send("LSET", key, index, element));
  }

  /** LREM: removes `count` occurrences of `element` (0: all; negative: from the tail); how many. */
  async lrem(key: Arg, count: number, element: Arg): Promise<number> {
    return integer(await this.send("LREM", key, count, element), "LREM");
  }

  /** LTRIM: keeps only the elements from `start` to `stop`. */
  async ltrim(key: Arg, start: number, stop: number): Promise<"OK"> {
    return ok(await this.send("LTRIM", key, start, stop));
  }

  /** LINSERT: inserts `element` before or after `pivot`; the length after, -1 without the pivot. */
  async linsert(key: Arg, where: "BEFORE" | "AFTER", pivot: Arg, element: Arg): Promise<number> {
    return integer(await this.send("LINSERT", key, where, pivot, element), "LINSERT");
  }

  /** LPOS: the index of a matching element, or null when there is none. */
  async lpos(key: Arg, element: Arg, options: PositionOptions = {}): Promise<number | null> {
    const reply = await this.send("LPOS", key, element, ...positionArgs(options));
    return reply === null ? null : integer(reply, "LPOS");
  }

  /** LMOVE: pops from one end of `source`, pushes to an end of `destination`; null when empty. */
  async lmove(source: Arg, destination: Arg, from: ListSide, to: ListSide): Promise<V | null> {
    return this.valueOrNull(await this.send("LMOVE", source, destination, from, to));
  }

  /** LMPOP: pops up to `count` elements from the first non-empty list of `keys`, or null. */
  async lmpop(keys: Arg[], side: ListSide, count = 1): Promise<PoppedMany<V> | null> {
    return this.#poppedMany(await this.send("LMPOP", keys.length, ...keys, side, "COUNT", count));
  }

  /**
   * BLPOP: pops the head of the first non-empty list of `keys`, waiting up to `timeoutSeconds`
   * (0: for ever) for one; null on timeout. The wait holds this client's connection (the
   * embedded store runs it on a session of its own, so other calls go on meanwhile; see
   * `sendBlocking`).
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * const job = db.blpop("jobs", 5); // waits
   * await db.rpush("jobs", "build");
   * await job; // { key: "jobs", value: "build" }
   * ```
   */
  async blpop(keys: Arg | Arg[], timeoutSeconds: number): Promise<Popped<V> | null> {
    return this.#popped(await this.sendBlocking("BLPOP", ...listOf(keys), timeoutSeconds));
  }

  /** BRPOP: like {@linkcode ListCommands.blpop}, from the tail. */
  async brpop(keys: Arg | Arg[], timeoutSeconds: number): Promise<Popped<V> | null> {
    return this.#popped(await this.sendBlocking("BRPOP", ...listOf(keys), timeoutSeconds));
  }

  /** BLMOVE: LMOVE that waits up to `timeoutSeconds` for `source` to have an element. */
  async blmove(
    source: Arg,
    destination: Arg,
    from: ListSide,
    to: ListSide,
    timeoutSeconds: number,
  ): Promise<V | null> {
    const reply = await this.sendBlocking("BLMOVE", source, destination, from, to, timeoutSeconds);
    return this.valueOrNull(reply);
  }

  /** BLMPOP: LMPOP that waits up to `timeoutSeconds` for one of the lists to have elements. */
  async blmpop(
    keys: Arg[],
    side: ListSide,
    timeoutSeconds: number,
    count = 1,
  ): Promise<PoppedMany<V> | null> {
    const args = ["BLMPOP", timeoutSeconds, keys.length, ...keys, side, "COUNT", count];
    return this.#poppedMany(await this.sendBlocking(...args));
  }

  #popped(reply: RespValue): Popped<V> | null {
    if (reply === null) return null;
    const [key, value] = expectArray(reply);
    return { key: this.value(key), value: this.value(value) };
  }

  #poppedMany(reply: RespValue): PoppedMany<V> | null {
    if (reply === null) return null;
    const [key, values] = expectArray(reply);
    return { key: this.value(key), values: this.values(values) };
  }
}

function listOf(keys: Arg | Arg[]): Arg[] {
  return Array.isArray(keys) ? keys : [keys];
}

function positionArgs(options: PositionOptions): Arg[] {
  const args: Arg[] = [];
  if (options.rank !== undefined) args.push("RANK", options.rank);
  if (options.maxlen !== undefined) args.push("MAXLEN", options.maxlen);
  return args;
}
