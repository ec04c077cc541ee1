/**
 * The options and results of the sorted set helpers (sorted_sets.ts), and how they become
 * arguments and come back from replies: scores go out as Redis reads them (`+inf`, `-inf`) and
 * come back as numbers from RESP2 text and RESP3 doubles alike.
 */
import type { Arg } from "../encode_command.ts";
import { expectArray, score } from "../reply_values.ts";
import type { RespValue } from "../resp_decoder.ts";
import type { Value } from "./base.ts";

/** A member of a sorted set with its score. */
export interface ScoredMember<V extends Arg = string> {
  /** The member. */
  member: V;
  /** Its score (`Infinity` and `-Infinity` included). */
  score: number;
}

/**
 * Members given to ZADD with their scores: an object (`{ member: score }`), `[member, score]`
 * pairs, or `{ member, score }` objects (what `zrange(..., { withScores: true })` returns).
 *
 * @example
 * ```ts
 * import { open, type ScoreMembers } from "../../../mod.ts";
 * await using db = await open({ persistence: "none" });
 * const board: ScoreMembers = { ada: 10, bob: 7.5 };
 * await db.zadd("board", board);
 * await db.zadd("board", [["eve", Infinity]]);
 * await db.zadd("board", [{ member: new Uint8Array([0]), score: -1 }]);
 * ```
 */
export type ScoreMembers =
  | Record<string, number>
  | Iterable<readonly [Arg, number] | ScoredMember<Arg>>;

/**
 * Options of ZADD: a condition on the member (`nx`: only new ones, `xx`: only existing ones), a
 * condition on the score (`gt`, `lt`: only when the new score is greater or less), `ch` to count
 * changed members as well as new ones, and `incr` to add to the score instead (see `zadd`).
 * Conflicting options are refused by the server with its error.
 */
export interface ZAddOptions {
  /** Only add new members (`NX`). */
  nx?: boolean;
  /** Only update existing members (`XX`). */
  xx?: boolean;
  /** Only update when the new score is greater (`GT`). */
  gt?: boolean;
  /** Only update when the new score is less (`LT`). */
  lt?: boolean;
  /** Count changed members too, not only new ones (`CH`). */
  ch?: boolean;
  /** Add the score to the member's instead (`INCR`; one member only). */
  incr?: boolean;
}

/**
 * A bound of ZRANGE and its family: a rank (`0`, `-1`), a score (a number, `Infinity`, or
 * text such as `"(1.5"` for an exclusive bound, `"-inf"`, `"+inf"`), or a lexicographic bound
 * (`"[a"`, `"(a"`, `"-"`, `"+"`). Infinite numbers are sent as `+inf` and `-inf`.
 */
export type RangeBound = Arg;

/**
 * Options of ZRANGE and ZRANGESTORE: what the bounds are (ranks by default, `by: "SCORE"` or
 * `by: "LEX"`), `rev` for descending order (then give the higher bound first, as Redis wants),
 * and `limit` (with `by` only). ZRANGE also takes `withScores`.
 *
 * @example
 * ```ts
 * import { open, type ZRangeOptions } from "../../../mod.ts";
 * await using db = await open({ persistence: "none" });
 * const top: ZRangeOptions = { by: "SCORE", rev: true, limit: { offset: 0, count: 10 } };
 * await db.zrange("board", "+inf", "(0", top);
 * ```
 */
export interface ZRangeOptions {
  /** Bounds are scores (`BYSCORE`) or lexicographic bounds (`BYLEX`); ranks when absent. */
  by?: "SCORE" | "LEX";
  /** Highest first (`REV`). */
  rev?: boolean;
  /** Skip `offset` matches and return at most `count` (negative: all) (`LIMIT`). */
  limit?: { offset: number; count: number };
}

/** `withScores`: whether a range or a combination comes back with scores (`WITHSCORES`). */
export interface WithScores {
  /** With scores: members come back as {@linkcode ScoredMember} objects. */
  withScores?: boolean;
}

/** Options of ZUNION, ZINTER and their STORE forms (ZUNION and ZINTER also take `withScores`). */
export interface ZCombineOptions {
  /** A multiplier for each input's scores, in the order of the keys (`WEIGHTS`). */
  weights?: number[];
  /** How the scores of a member found in several inputs combine (`AGGREGATE`; default SUM). */
  aggregate?: "SUM" | "MIN" | "MAX";
}

/** Which end ZMPOP and BZMPOP pop from: the lowest scores (`MIN`) or the highest (`MAX`). */
export type ScoreSide = "MIN" | "MAX";

/** What BZPOPMIN and BZPOPMAX took: the key, the member and its score. */
export interface PoppedMember<V extends Value = string> {
  /** The key (the first of those given that had members). */
  key: V;
  /** The member. */
  member: V;
  /** Its score. */
  score: number;
}

/** What ZMPOP and BZMPOP took: the key and the members with their scores, in pop order. */
export interface PoppedMembers<V extends Value = string> {
  /** The key (the first of those given that had members). */
  key: V;
  /** The members and their scores. */
  members: ScoredMember<V>[];
}

/** A score as an argument: infinities as Redis spells them, numbers as their shortest text. */
export function scoreArg(value: Arg): Arg {
  if (value === Infinity) return "+inf";
  if (value === -Infinity) return "-inf";
  return value;
}

/** ZADD's members as `score member` arguments. */
export function scoreMemberArgs(members: ScoreMembers): Arg[] {
  const args: Arg[] = [];
  if (!(Symbol.iterator in members)) {
    for (const [member, value] of Object.entries(members)) args.push(scoreArg(value), member);
  } else {
    for (const item of members as Iterable<readonly [Arg, number] | ScoredMember<Arg>>) {
      if (Array.isArray(item)) args.push(scoreArg(item[1]), item[0]);
      else {
        const { member, score } = item as ScoredMember<Arg>;
        args.push(scoreArg(score), member);
      }
    }
  }
  if (args.length === 0) throw new TypeError("Cannot ZADD: no members given");
  return args;
}

/** ZADD's option words, in the order Redis documents them. */
export function zaddArgs(options: ZAddOptions): Arg[] {
  const args: Arg[] = [];
  if (options.nx) args.push("NX");
  if (options.xx) args.push("XX");
  if (options.gt) args.push("GT");
  if (options.lt) args.push("LT");
  if (options.ch) args.push("CH");
  if (options.incr) args.push("INCR");
  return args;
}

/** ZRANGE's bounds and option words (WITHSCORES included when asked for). */
export function rangeArgs(
  start: RangeBound,
  stop: RangeBound,
  options: ZRangeOptions & WithScores,
): Arg[] {
  const args: Arg[] = [scoreArg(start), scoreArg(stop)];
  if (options.by !== undefined) args.push(`BY${options.by}`);
  if (options.rev) args.push("REV");
  if (options.limit !== undefined) args.push("LIMIT", options.limit.offset, options.limit.count);
  if (options.withScores) args.push("WITHSCORES");
  return args;
}

/** `numkeys key ...` and the WEIGHTS, AGGREGATE and WITHSCORES words of ZUNION and ZINTER. */
export function combineArgs(keys: Arg[], options: ZCombineOptions & WithScores): Arg[] {
  const args: Arg[] = [keys.length, ...keys];
  if (options.weights !== undefined) args.push("WEIGHTS", ...options.weights.map(scoreArg));
  if (options.aggregate !== undefined) args.push("AGGREGATE", options.aggregate);
  if (options.withScores) args.push("WITHSCORES");
  return args;
}

/**
 * Members with scores from either shape Redis uses: a flat `member score ...` array (RESP2,
 * and ZSCAN's or a count-less ZPOPMIN's reply in RESP3) or `[member, score]` pairs (RESP3).
 */
export function scoredMembers<V extends Value>(
  reply: RespValue,
  decode: (raw: RespValue) => V,
): ScoredMember<V>[] {
  const items = expectArray(reply);
  const out: ScoredMember<V>[] = [];
  if (items.length > 0 && Array.isArray(items[0])) {
    for (const pair of items) {
      const [member, value] = expectArray(pair);
      out.push({ member: decode(member), score: score(value) });
    }
    return out;
  }
  for (let i = 0; i + 1 < items.length; i += 2) {
    out.push({ member: decode(items[i]), score: score(items[i + 1]) });
  }
  return out;
}
