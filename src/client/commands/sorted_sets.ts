/**
 * Typed helpers for sorted sets (ZADD, ZRANGE, ZPOPMIN, BZPOPMIN, ZUNION, ZSCAN, ...). Scores
 * come back as numbers (`Infinity` for `inf`) whether the reply is RESP2 text or a RESP3 double,
 * and members with scores as {@linkcode ScoredMember} objects in either protocol.
 */
import type { Arg } from "../encode_command.ts";
import { expectArray, integer, score, scoreOrNull, text } from "../reply_values.ts";
import type { RespValue } from "../resp_decoder.ts";
import type { Value } from "./base.ts";
import { SetCommands } from "./sets.ts";
import {
  combineArgs,
  type PoppedMember,
  type PoppedMembers,
  rangeArgs,
  type RangeBound,
  scoreArg,
  type ScoredMember,
  scoredMembers,
  scoreMemberArgs,
  type ScoreMembers,
  type ScoreSide,
  type WithScores,
  zaddArgs,
  type ZAddOptions,
  type ZCombineOptions,
  type ZRangeOptions,
} from "./sorted_set_options.ts";

/** Typed helpers for sorted set values. */
export abstract class SortedSetCommands<V extends Value = string> extends SetCommands<V> {
  /**
   * ZADD: adds members with their scores, or updates the scores of existing ones; resolves to
   * how many members were new (with `ch`: new or changed).
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.zadd("board", { ada: 10, bob: 7.5 }); // 2
   * await db.zadd("board", { ada: 5 }, { gt: true, ch: true }); // 0: 5 is not greater
   * await db.zadd("board", { bob: 5 }, { incr: true }); // 12.5
   * await db.zrange("board", 0, -1, { withScores: true });
   * // [{ member: "ada", score: 10 }, { member: "bob", score: 12.5 }]
   * ```
   */
  zadd(key: Arg, members: ScoreMembers, options: ZAddOptions & { incr: true }): Promise<
    number | null
  >;
  /** ZADD without `incr`: how many members were new (with `ch`: new or changed). */
  zadd(key: Arg, members: ScoreMembers, options?: ZAddOptions): Promise<number>;
  async zadd(key: Arg, members: ScoreMembers, options: ZAddOptions = {}): Promise<number | null> {
    const reply = await this.send("ZADD", key, ...zaddArgs(options), ...scoreMemberArgs(members));
    // With INCR: the member's new score, or null when a condition refused the update.
    return options.incr ? scoreOrNull(reply) : integer(reply, "ZADD");
  }

  /** ZINCRBY: the member's score after adding `increment` (a new member starts at 0). */
  async zincrBy(key: Arg, increment: number, member: Arg): Promise<number> {
    return score(await this.send("ZINCRBY", key, scoreArg(increment), member));
  }

  /** ZREM: how many of the members were there and were removed. */
  async zrem(key: Arg, ...members: Arg[]): Promise<number> {
    return integer(await this.send("ZREM", key, ...members), "ZREM");
  }

  /** ZCARD: how many members the sorted set has (0 when the key does not exist). */
  async zcard(key: Arg): Promise<number> {
    return integer(await this.send("ZCARD", key), "ZCARD");
  }

  /** ZSCORE: the member's score, or null when the member or the key does not exist. */
  async zscore(key: Arg, member: Arg): Promise<number | null> {
    return scoreOrNull(await this.send("ZSCORE", key, member));
  }

  /** ZMSCORE: each member's score, null where a member does not exist. */
  async zmscore(key: Arg, ...members: Arg[]): Promise<(number | null)[]> {
    return expectArray(await this.send("ZMSCORE", key, ...members)).map(scoreOrNull);
  }

  /** ZRANK: the member's rank by ascending score (0 is the lowest), or null when absent. */
  zrank(key: Arg, member: Arg): Promise<number | null> {
    return this.#rank("ZRANK", key, member);
  }

  /** ZREVRANK: the member's rank by descending score (0 is the highest), or null when absent. */
  zrevRank(key: Arg, member: Arg): Promise<number | null> {
    return this.#rank("ZREVRANK", key, member);
  }

  async #rank(command: string, key: Arg, member: Arg): Promise<number | null> {
    const reply = await this.send(command, key, member);
    return reply === null ? null : integer(reply, command);
  }

  /** ZCOUNT: how many members have a score between `min` and `max` (see {@linkcode RangeBound}). */
  async zcount(key: Arg, min: RangeBound, max: RangeBound): Promise<number> {
    return integer(await this.send("ZCOUNT", key, scoreArg(min), scoreArg(max)), "ZCOUNT");
  }

  /** ZLEXCOUNT: how many members lie between two lexicographic bounds (`"[a"`, `"(b"`, `"-"`, `"+"`). */
  async zlexCount(key: Arg, min: RangeBound, max: RangeBound): Promise<number> {
    return integer(await this.send("ZLEXCOUNT", key, min, max), "ZLEXCOUNT");
  }

  /**
   * ZRANGE with `withScores`: the members from `start` to `stop` with their scores. The bounds
   * are ranks, or scores or lexicographic bounds with `by` (see {@linkcode ZRangeOptions}).
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.zadd("board", { ada: 10, bob: 7.5, eve: Infinity });
   * await db.zrange("board", 0, 1); // ["bob", "ada"]
   * await db.zrange("board", "(7.5", Infinity, { by: "SCORE", withScores: true });
   * // [{ member: "ada", score: 10 }, { member: "eve", score: Infinity }]
   * await db.zrange("board", 0, 0, { rev: true }); // ["eve"]
   * ```
   */
  zrange(
    key: Arg,
    start: RangeBound,
    stop: RangeBound,
    options: ZRangeOptions & { withScores: true },
  ): Promise<ScoredMember<V>[]>;
  /** ZRANGE: the members from `start` to `stop` (ranks, or scores or lex bounds with `by`). */
  zrange(
    key: Arg,
    start: RangeBound,
    stop: RangeBound,
    options?: ZRangeOptions & { withScores?: false },
  ): Promise<V[]>;
  /** ZRANGE, with scores or not as `withScores` says. */
  zrange(
    key: Arg,
    start: RangeBound,
    stop: RangeBound,
    options?: ZRangeOptions & WithScores,
  ): Promise<V[] | ScoredMember<V>[]>;
  async zrange(
    key: Arg,
    start: RangeBound,
    stop: RangeBound,
    options: ZRangeOptions & WithScores = {},
  ): Promise<V[] | ScoredMember<V>[]> {
    const reply = await this.send("ZRANGE", key, ...rangeArgs(start, stop, options));
    return options.withScores ? this.scored(reply) : this.values(reply);
  }

  /** ZRANGESTORE: stores the ZRANGE of `source` in `destination`; how many members it has. */
  async zrangeStore(
    destination: Arg,
    source: Arg,
    start: RangeBound,
    stop: RangeBound,
    options: ZRangeOptions = {},
  ): Promise<number> {
    const args = rangeArgs(start, stop, { ...options, withScores: false });
    return integer(await this.send("ZRANGESTORE", destination, source, ...args), "ZRANGESTORE");
  }

  /** ZREMRANGEBYRANK: removes the members ranked `start` to `stop`; how many. */
  async zremRangeByRank(key: Arg, start: number, stop: number): Promise<number> {
    return integer(await this.send("ZREMRANGEBYRANK", key, start, stop), "ZREMRANGEBYRANK");
  }

  /** ZREMRANGEBYSCORE: removes the members scored between `min` and `max`; how many. */
  async zremRangeByScore(key: Arg, min: RangeBound, max: RangeBound): Promise<number> {
    const reply = await this.send("ZREMRANGEBYSCORE", key, scoreArg(min), scoreArg(max));
    return integer(reply, "ZREMRANGEBYSCORE");
  }

  /** ZREMRANGEBYLEX: removes the members between two lexicographic bounds; how many. */
  async zremRangeByLex(key: Arg, min: RangeBound, max: RangeBound): Promise<number> {
    return integer(await this.send("ZREMRANGEBYLEX", key, min, max), "ZREMRANGEBYLEX");
  }

  /** ZPOPMIN: removes and returns the lowest-scored member, or null when the set is empty. */
  zpopMin(key: Arg): Promise<ScoredMember<V> | null>;
  /** ZPOPMIN with a count: up to `count` members, lowest first (empty when there are none). */
  zpopMin(key: Arg, count: number): Promise<ScoredMember<V>[]>;
  zpopMin(key: Arg, count?: number): Promise<ScoredMember<V> | ScoredMember<V>[] | null> {
    return this.#pop("ZPOPMIN", key, count);
  }

  /** ZPOPMAX: removes and returns the highest-scored member, or null when the set is empty. */
  zpopMax(key: Arg): Promise<ScoredMember<V> | null>;
  /** ZPOPMAX with a count: up to `count` members, highest first (empty when there are none). */
  zpopMax(key: Arg, count: number): Promise<ScoredMember<V>[]>;
  zpopMax(key: Arg, count?: number): Promise<ScoredMember<V> | ScoredMember<V>[] | null> {
    return this.#pop("ZPOPMAX", key, count);
  }

  async #pop(
    command: string,
    key: Arg,
    count: number | undefined,
  ): Promise<ScoredMember<V> | ScoredMember<V>[] | null> {
    if (count !== undefined) return this.scored(await this.send(command, key, count));
    return this.scored(await this.send(command, key))[0] ?? null;
  }

  /** ZMPOP: pops up to `count` members from the first non-empty sorted set of `keys`, or null. */
  async zmpop(keys: Arg[], side: ScoreSide, count = 1): Promise<PoppedMembers<V> | null> {
    return this.#poppedMembers(
      await this.send("ZMPOP", keys.length, ...keys, side, "COUNT", count),
    );
  }

  /**
   * BZPOPMIN: pops the lowest-scored member of the first non-empty sorted set of `keys`, waiting
   * up to `timeoutSeconds` (0: for ever) for one; null on timeout. Like BLPOP, the wait holds a
   * connection of the network client; the embedded store runs it on a session of its own.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * const next = db.bzpopMin("tasks", 5); // waits
   * await db.zadd("tasks", { urgent: 1, later: 9 });
   * await next; // { key: "tasks", member: "urgent", score: 1 }
   * ```
   */
  bzpopMin(keys: Arg | Arg[], timeoutSeconds: number): Promise<PoppedMember<V> | null> {
    return this.#blockingPop("BZPOPMIN", keys, timeoutSeconds);
  }

  /** BZPOPMAX: like {@linkcode SortedSetCommands.bzpopMin}, taking the highest score. */
  bzpopMax(keys: Arg | Arg[], timeoutSeconds: number): Promise<PoppedMember<V> | null> {
    return this.#blockingPop("BZPOPMAX", keys, timeoutSeconds);
  }

  async #blockingPop(
    command: string,
    keys: Arg | Arg[],
    timeoutSeconds: number,
  ): Promise<PoppedMember<V> | null> {
    const list = Array.isArray(keys) ? keys : [keys];
    const reply = await this.sendBlocking(command, ...list, timeoutSeconds);
    if (reply === null) return null;
    const [key, member, value] = expectArray(reply);
    return { key: this.value(key), member: this.value(member), score: score(value) };
  }

  /** BZMPOP: ZMPOP that waits up to `timeoutSeconds` for one of the sorted sets to have members. */
  async bzmpop(
    keys: Arg[],
    side: ScoreSide,
    timeoutSeconds: number,
    count = 1,
  ): Promise<PoppedMembers<V> | null> {
    const args = ["BZMPOP", timeoutSeconds, keys.length, ...keys, side, "COUNT", count];
    return this.#poppedMembers(await this.sendBlocking(...args));
  }

  #poppedMembers(reply: RespValue): PoppedMembers<V> | null {
    if (reply === null) return null;
    const [key, members] = expectArray(reply);
    return { key: this.value(key), members: this.scored(members) };
  }

  /** ZRANDMEMBER: a random member, or null when the key does not exist. */
  zrandMember(key: Arg): Promise<V | null>;
  /** ZRANDMEMBER with a count: up to `count` distinct members (negative: may repeat). */
  zrandMember(key: Arg, count: number, options?: { withScores?: false }): Promise<V[]>;
  /** ZRANDMEMBER with a count and `withScores`: random members with their scores. */
  zrandMember(
    key: Arg,
    count: number,
    options: { withScores: true },
  ): Promise<ScoredMember<V>[]>;
  /** ZRANDMEMBER with a count, with scores or not as `withScores` says. */
  zrandMember(
    key: Arg,
    count: number,
    options?: WithScores,
  ): Promise<V[] | ScoredMember<V>[]>;
  async zrandMember(
    key: Arg,
    count?: number,
    options: WithScores = {},
  ): Promise<V | V[] | ScoredMember<V>[] | null> {
    if (count === undefined) return this.valueOrNull(await this.send("ZRANDMEMBER", key));
    if (!options.withScores) return this.values(await this.send("ZRANDMEMBER", key, count));
    return this.scored(await this.send("ZRANDMEMBER", key, count, "WITHSCORES"));
  }

  /**
   * ZUNION with `withScores`: every member of any of the sorted sets, with its combined score.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.zadd("week1", { ada: 10, bob: 3 });
   * await db.zadd("week2", { ada: 5 });
   * await db.zunion(["week1", "week2"], { weights: [1, 2], withScores: true });
   * // [{ member: "bob", score: 3 }, { member: "ada", score: 20 }]
   * await db.zinterStore("both", ["week1", "week2"], { aggregate: "MAX" }); // 1
   * ```
   */
  zunion(keys: Arg[], options: ZCombineOptions & { withScores: true }): Promise<
    ScoredMember<V>[]
  >;
  /** ZUNION: every member of any of the sorted sets, by combined score. */
  zunion(keys: Arg[], options?: ZCombineOptions & { withScores?: false }): Promise<V[]>;
  /** ZUNION, with scores or not as `withScores` says. */
  zunion(
    keys: Arg[],
    options?: ZCombineOptions & WithScores,
  ): Promise<V[] | ScoredMember<V>[]>;
  zunion(
    keys: Arg[],
    options: ZCombineOptions & WithScores = {},
  ): Promise<V[] | ScoredMember<V>[]> {
    return this.#combine("ZUNION", keys, options);
  }

  /** ZINTER with `withScores`: the members in every one of the sorted sets, with scores. */
  zinter(keys: Arg[], options: ZCombineOptions & { withScores: true }): Promise<
    ScoredMember<V>[]
  >;
  /** ZINTER: the members in every one of the sorted sets, by combined score. */
  zinter(keys: Arg[], options?: ZCombineOptions & { withScores?: false }): Promise<V[]>;
  /** ZINTER, with scores or not as `withScores` says. */
  zinter(
    keys: Arg[],
    options?: ZCombineOptions & WithScores,
  ): Promise<V[] | ScoredMember<V>[]>;
  zinter(
    keys: Arg[],
    options: ZCombineOptions & WithScores = {},
  ): Promise<V[] | ScoredMember<V>[]> {
    return this.#combine("ZINTER", keys, options);
  }

  /** ZDIFF with `withScores`: the members of the first sorted set in none of the others. */
  zdiff(keys: Arg[], options: { withScores: true }): Promise<ScoredMember<V>[]>;
  /** ZDIFF: the members of the first sorted set that are in none of the others. */
  zdiff(keys: Arg[], options?: { withScores?: false }): Promise<V[]>;
  /** ZDIFF, with scores or not as `withScores` says. */
  zdiff(keys: Arg[], options?: WithScores): Promise<V[] | ScoredMember<V>[]>;
  zdiff(keys: Arg[], options: WithScores = {}): Promise<V[] | ScoredMember<V>[]> {
    return this.#combine("ZDIFF", keys, options);
  }

  async #combine(
    command: string,
    keys: Arg[],
    options: ZCombineOptions & WithScores,
  ): Promise<V[] | ScoredMember<V>[]> {
    const reply = await this.send(command, ...combineArgs(keys, options));
    return options.withScores ? this.scored(reply) : this.values(reply);
  }

  /** ZUNIONSTORE: stores ZUNION of `keys` in `destination`; how many members it has. */
  zunionStore(
    destination: Arg,
    keys: Arg[],
    options: ZCombineOptions = {},
  ): Promise<number> {
    return this.#store("ZUNIONSTORE", destination, keys, options);
  }

  /** ZINTERSTORE: stores ZINTER of `keys` in `destination`; how many members it has. */
  zinterStore(
    destination: Arg,
    keys: Arg[],
    options: ZCombineOptions = {},
  ): Promise<number> {
    return this.#store("ZINTERSTORE", destination, keys, options);
  }

  /** ZDIFFSTORE: stores ZDIFF of `keys` in `destination`; how many members it has. */
  zdiffStore(destination: Arg, keys: Arg[]): Promise<number> {
    return this.#store("ZDIFFSTORE", destination, keys, {});
  }

  async #store(
    command: string,
    destination: Arg,
    keys: Arg[],
    options: ZCombineOptions,
  ): Promise<number> {
    const args = combineArgs(keys, { ...options, withScores: false });
    return integer(await this.send(command, destination, ...args), command);
  }

  /** ZINTERCARD: how many members are in every one of the sorted sets (stopping at `limit`). */
  async zinterCard(keys: Arg[], options: { limit?: number } = {}): Promise<number> {
    const args: Arg[] = ["ZINTERCARD", keys.length, ...keys];
    if (options.limit !== undefined) args.push("LIMIT", options.limit);
    return integer(await this.send(...args), "ZINTERCARD");
  }

  /**
   * ZSCAN: one step of a cursor walk over the members and their scores; `cursor` is "0" when
   * the walk is complete.
   */
  async zscan(
    key: Arg,
    cursor: string | number,
    options: { match?: string; count?: number } = {},
  ): Promise<{ cursor: string; members: ScoredMember<V>[] }> {
    const args: Arg[] = ["ZSCAN", key, cursor];
    if (options.match !== undefined) args.push("MATCH", options.match);
    if (options.count !== undefined) args.push("COUNT", options.count);
    const [next, items] = expectArray(await this.send(...args));
    return { cursor: text(next), members: this.scored(items) };
  }

  /**
   * Every member and its score, walked with ZSCAN until the cursor returns to 0. A member may
   * be yielded more than once if the set changes during the walk, as ZSCAN guarantees.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * for await (const { member, score } of db.zscanIterator("board", { match: "a*" })) {
   *   console.log(member, score);
   * }
   * ```
   */
  async *zscanIterator(
    key: Arg,
    options: { match?: string; count?: number } = {},
  ): AsyncGenerator<ScoredMember<V>> {
    let cursor = "0";
    do {
      const step = await this.zscan(key, cursor, options);
      cursor = step.cursor;
      yield* step.members;
    } while (cursor !== "0");
  }

  /** Members with scores, from a flat RESP2 array or RESP3 pairs. */
  protected scored(reply: RespValue): ScoredMember<V>[] {
    return scoredMembers(reply, (item) => this.value(item));
  }
}
