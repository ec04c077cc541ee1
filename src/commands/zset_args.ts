/**
 * What the sorted set commands share: the typed lookups, score and range arguments with Redis
 * 7.0's error texts, element replies (RESP2 flat member/score pairs, RESP3 nested pairs with
 * doubles), and the removal that raises the right events.
 */
import type { CommandContext } from "./context.ts";
import { CommandError, Errors } from "./errors.ts";
import { lookup } from "./collections.ts";
import type { ArgDoc, CommandSpec } from "./spec.ts";
import { FIRST_KEY } from "./spec.ts";
import { parseDouble } from "../protocol/double_text.ts";
import { EventClass } from "../store/events.ts";
import { parseLexRange, parseScoreRange, type Range } from "../store/types/zset_bounds.ts";
import { ZSetOp, type ZSetValue } from "../store/types/zset.ts";

export const ZsetErrors = {
  minMaxNotFloat: new CommandError("ERR min or max is not a float"),
  minMaxNotLex: new CommandError("ERR min or max not valid string range item"),
  scoreNaN: new CommandError("ERR resulting score is not a number (NaN)"),
  weightNotFloat: new CommandError("ERR weight value is not a float"),
  mustBePositive: new CommandError("ERR value is out of range, must be positive"),
  countPositive: new CommandError("ERR count should be greater than 0"),
  limitNegative: new CommandError("ERR LIMIT can't be negative"),
  valueOutOfRange: new CommandError("ERR value is out of range"),
  countOutOfRange: new CommandError(
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
  ),
} as const;

export const readZSet = (ctx: CommandContext, key: string) =>
  lookup<ZSetValue>(ctx, key, "zset", true);
export const writeZSet = (ctx: CommandContext, key: string) => lookup<ZSetValue>(ctx, key, "zset");

/** A score argument as Redis's getDoubleFromObject reads it. */
export function scoreArg(text: string, error: CommandError = Errors.notFloat): number {
  const value = parseDouble(text);
  if (value === null) throw error;
  return value;
}

/** ZRANGEBYSCORE-style bounds, or Redis's error. */
export function scoreRangeArgs(min: string, max: string): Range {
  const range = parseScoreRange(min, max);
  if (range === null) throw ZsetErrors.minMaxNotFloat;
  return range;
}

/** ZRANGEBYLEX-style bounds, or Redis's error. */
export function lexRangeArgs(min: string, max: string): Range {
  const range = parseLexRange(min, max);
  if (range === null) throw ZsetErrors.minMaxNotLex;
  return range;
}

/**
 * Resolves Redis rank arguments (negative from the end) against `size`: the inclusive
 * [start, stop] inside the set, or null when the range is empty.
 */
export function rankRange(start: number, stop: number, size: number): [number, number] | null {
  if (start < 0) start += size;
  if (stop < 0) stop += size;
  if (start < 0) start = 0;
  if (start > stop || start >= size) return null;
  return [start, Math.min(stop, size - 1)];
}

/**
 * The header of a reply of `count` elements: a flat array of member/score pairs in RESP2, an
 * array of [member, score] arrays in RESP3, or just members without scores.
 */
export function elementsHeader(ctx: CommandContext, count: number, withScores: boolean): void {
  ctx.out.arrayHeader(withScores && ctx.out.protocol === 2 ? count * 2 : count);
}

/** One element of such a reply. */
export function replyElement(
  ctx: CommandContext,
  member: string,
  score: number,
  withScores: boolean,
): void {
  const out = ctx.out;
  if (!withScores) return out.bulk(member);
  if (out.protocol === 3) out.arrayHeader(2);
  out.bulk(member);
  out.double(score);
}

/**
 * Removes members known to be in `zset` with ZREM, raising `event` (zrem, zpopmin, ...) and
 * `del` when the set empties.
 */
export function removeMembers(
  ctx: CommandContext,
  key: string,
  zset: ZSetValue,
  members: string[],
  event: string,
): void {
  const emptied = members.length === zset.size;
  ctx.db.op(key, ZSetOp.zrem, members);
  ctx.notify(EventClass.zset, event, key);
  if (emptied) ctx.notify(EventClass.generic, "del", key);
}

/**
 * Stores `zset` at `destination` as a *STORE command does: the whole value (its deadline
 * cleared) with `event`, or, for an empty result, deletes the destination (raising `del` when
 * it existed). Replies the new size.
 */
export function storeResult(
  ctx: CommandContext,
  destination: string,
  zset: ZSetValue,
  event: string,
): void {
  if (zset.size === 0) {
    if (ctx.db.get(destination, ctx.now) !== undefined) {
      ctx.db.delete(destination);
      ctx.notify(EventClass.generic, "del", destination);
    }
    return ctx.out.integer(0);
  }
  ctx.db.set(destination, zset, 0);
  ctx.notify(EventClass.zset, event, destination);
  ctx.out.integer(zset.size);
}

export { KEY } from "./common_args.ts";
export const MEMBER: ArgDoc = { name: "member", type: "string" };
export const MEMBERS: ArgDoc = { name: "member", type: "string", flags: ["multiple"] };
export const WITHSCORES: ArgDoc = {
  name: "withscores",
  type: "pure-token",
  token: "WITHSCORES",
  flags: ["optional"],
};
export const LIMIT: ArgDoc = {
  name: "offset_count",
  type: "block",
  token: "LIMIT",
  flags: ["optional"],
  arguments: [{ name: "offset", type: "integer" }, { name: "count", type: "integer" }],
};

/** A spec of the sorted set group, first key at argument 1 unless given. */
export function zsetSpec(
  fields: Omit<CommandSpec, "group" | "keys"> & Partial<CommandSpec>,
): CommandSpec {
  return { group: "sorted-set", keys: FIRST_KEY, ...fields };
}
