/**
 * Typed helpers for the range commands Redis 6.2 folded into ZRANGE (ZREVRANGE, ZRANGEBYSCORE,
 * ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX). Much existing code and many ACL rules name
 * them, so each helper sends its own command rather than a ZRANGE with options.
 */
import type { Arg } from "../encode_command.ts";
import type { Value } from "./base.ts";
import { SortedSetCommands } from "./sorted_sets.ts";
import {
  type RangeBound,
  scoreArg,
  type ScoredMember,
  type WithScores,
} from "./sorted_set_options.ts";

/** `limit` of the BYSCORE and BYLEX commands: skip `offset` matches, return at most `count`. */
export interface RangeLimit {
  /** Skip `offset` matches and return at most `count` (negative: all) (`LIMIT`). */
  limit?: { offset: number; count: number };
}

/** Typed helpers for the older sorted set range commands. */
export abstract class SortedSetRangeCommands<V extends Value = string>
  extends SortedSetCommands<V> {
  /** ZREVRANGE with `withScores`: the members ranked `start` to `stop`, highest first. */
  zrevRange(
    key: Arg,
    start: number,
    stop: number,
    options: { withScores: true },
  ): Promise<ScoredMember<V>[]>;
  /**
   * ZREVRANGE: the members ranked `start` to `stop` counting from the highest score (the same
   * as `zrange(key, start, stop, { rev: true })`).
   */
  zrevRange(key: Arg, start: number, stop: number, options?: { withScores?: false }): Promise<V[]>;
  /** ZREVRANGE, with scores or not as `withScores` says. */
  zrevRange(
    key: Arg,
    start: number,
    stop: number,
    options?: WithScores,
  ): Promise<V[] | ScoredMember<V>[]>;
  zrevRange(
    key: Arg,
    start: number,
    stop: number,
    options: WithScores = {},
  ): Promise<V[] | ScoredMember<V>[]> {
    return this.#range(["ZREVRANGE", key, start, stop], options);
  }

  /** ZRANGEBYSCORE with `withScores`: the members scored `min` to `max`, with their scores. */
  zrangeByScore(
    key: Arg,
    min: RangeBound,
    max: RangeBound,
    options: RangeLimit & { withScores: true },
  ): Promise<ScoredMember<V>[]>;
  /**
   * ZRANGEBYSCORE: the members scored between `min` and `max` (numbers, `Infinity`, or text
   * such as `"(1.5"` for an exclusive bound), lowest first.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.zadd("board", { ada: 10, bob: 7.5, eve: 3 });
   * await db.zrangeByScore("board", "(3", Infinity); // ["bob", "ada"]
   * await db.zrevRangeByScore("board", Infinity, 0, { limit: { offset: 0, count: 1 } }); // ["ada"]
   * ```
   */
  zrangeByScore(
    key: Arg,
    min: RangeBound,
    max: RangeBound,
    options?: RangeLimit & { withScores?: false },
  ): Promise<V[]>;
  /** ZRANGEBYSCORE, with scores or not as `withScores` says. */
  zrangeByScore(
    key: Arg,
    min: RangeBound,
    max: RangeBound,
    options?: RangeLimit & WithScores,
  ): Promise<V[] | ScoredMember<V>[]>;
  zrangeByScore(
    key: Arg,
    min: RangeBound,
    max: RangeBound,
    options: RangeLimit & WithScores = {},
  ): Promise<V[] | ScoredMember<V>[]> {
    return this.#range(["ZRANGEBYSCORE", key, scoreArg(min), scoreArg(max)], options);
  }

  /** ZREVRANGEBYSCORE with `withScores`: members scored `max` down to `min`, with scores. */
  zrevRangeByScore(
    key: Arg,
    max: RangeBound,
    min: RangeBound,
    options: RangeLimit & { withScores: true },
  ): Promise<ScoredMember<V>[]>;
  /** ZREVRANGEBYSCORE: the members scored between `max` and `min` (higher bound first), highest first. */
  zrevRangeByScore(
    key: Arg,
    max: RangeBound,
    min: RangeBound,
    options?: RangeLimit & { withScores?: false },
  ): Promise<V[]>;
  /** ZREVRANGEBYSCORE, with scores or not as `withScores` says. */
  zrevRangeByScore(
    key: Arg,
    max: RangeBound,
    min: RangeBound,
    options?: RangeLimit & WithScores,
  ): Promise<V[] | ScoredMember<V>[]>;
  zrevRangeByScore(
    key: Arg,
    max: RangeBound,
    min: RangeBound,
    options: RangeLimit & WithScores = {},
  ): Promise<V[] | ScoredMember<V>[]> {
    return this.#range(["ZREVRANGEBYSCORE", key, scoreArg(max), scoreArg(min)], options);
  }

  /** ZRANGEBYLEX: the members between two lexicographic bounds (`"[a"`, `"(b"`, `"-"`, `"+"`). */
  zrangeByLex(key: Arg, min: RangeBound, max: RangeBound, options: RangeLimit = {}): Promise<V[]> {
    return this.#range(["ZRANGEBYLEX", key, min, max], options) as Promise<V[]>;
  }

  /** ZREVRANGEBYLEX: the members between two lexicographic bounds (higher first), in reverse. */
  zrevRangeByLex(
    key: Arg,
    max: RangeBound,
    min: RangeBound,
    options: RangeLimit = {},
  ): Promise<V[]> {
    return this.#range(["ZREVRANGEBYLEX", key, max, min], options) as Promise<V[]>;
  }

  async #range(
    args: Arg[],
    options: RangeLimit & WithScores,
  ): Promise<V[] | ScoredMember<V>[]> {
    if (options.withScores) args.push("WITHSCORES");
    if (options.limit !== undefined) args.push("LIMIT", options.limit.offset, options.limit.count);
    const reply = await this.send(...args);
    return options.withScores ? this.scored(reply) : this.values(reply);
  }
}
