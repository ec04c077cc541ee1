/**
 * The sorted set family, as Redis 7.0 (t_zset.c): ZADD and ZINCRBY, ZREM, the reads by member
 * (ZSCORE, ZMSCORE, ZRANK, ZREVRANK), counts, ZRANDMEMBER, ZSCAN and the ZREMRANGEBY* removals.
 * Ranges are in zset_ranges.ts, pops in zset_pops.ts, unions and intersections in
 * zset_algebra.ts. Every change is an op (store/types/zset.ts); ZINCRBY and ZADD's GT, LT and
 * INCR are written as ZADD of the scores they produce.
 */
import type { CommandContext } from "./context.ts";
import { CommandError, Errors } from "./errors.ts";
import { INT64_MIN, intArg, option } from "./args.ts";
import { parseScanCursor } from "./keys.ts";
import { distinctIndexes, parseScanOptions, presentMembers, replyScan } from "./collections.ts";
import type { CommandSpec, Handler } from "./spec.ts";
import {
  elementsHeader,
  KEY,
  lexRangeArgs,
  MEMBER,
  MEMBERS,
  rankRange,
  readZSet,
  removeMembers,
  replyElement,
  scoreArg,
  scoreRangeArgs,
  writeZSet,
  ZsetErrors,
  zsetSpec as spec,
} from "./zset_args.ts";
import { EventClass } from "../store/events.ts";
import { rangeRanks, scoreText, ZSetOp, type ZSetValue } from "../store/types/zset.ts";
import type { Range } from "../store/types/zset_bounds.ts";
import { collectionScans } from "../store/collection_scans.ts";
import { globMatch } from "../store/glob.ts";
import { formatDouble, isPlainDecimal } from "../protocol/double_text.ts";
import { COLLECTION_SCAN_ARGS, COLLECTION_SCAN_COMPLEXITY } from "./common_args.ts";

const XX_AND_NX = new CommandError("ERR XX and NX options at the same time are not compatible");
const GT_LT_NX = new CommandError(
  "ERR GT, LT, and/or NX options at the same time are not compatible",
);
const INCR_SINGLE = new CommandError("ERR INCR option supports a single increment-element pair");
/** ZRANDMEMBER WITHSCORES: Redis keeps count * 2 within a long. */
const HALF_LONG = 4611686018427387903n;

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;
const CH = 16;
const INCR = 32;
const ZADD_OPTIONS: Record<string, number> = { NX, XX, GT, LT, CH, INCR };

/** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ..., and ZINCRBY (INCR preset). */
function zaddGeneric(preset: number): Handler {
  return (ctx, argv) => {
    let flags = preset;
    let at = 2;
    for (; at < argv.length; at++) {
      // Options are words; a score never starts with a letter but for inf, which is no option.
      if (!startsWithLetter(argv[at])) break;
      const flag = ZADD_OPTIONS[option(argv[at])];
      if (flag === undefined) break;
      flags |= flag;
    }
    const words = argv.length - at;
    if (words === 0 || words % 2 !== 0) throw Errors.syntax;
    if (flags & NX && flags & XX) throw XX_AND_NX;
    if ((flags & GT && flags & NX) || (flags & LT && flags & NX) || (flags & GT && flags & LT)) {
      throw GT_LT_NX;
    }
    const count = words / 2;
    if (flags & INCR && count > 1) throw INCR_SINGLE;
    const scores: number[] = [];
    for (let j = 0; j < count; j++) scores.push(scoreArg(argv[at + j * 2]));
    const key = argv[1];
    const zset = writeZSet(ctx, key);
    const incr = (flags & INCR) !== 0;
    if (zset === undefined && flags & XX) {
      return incr ? ctx.out.nil() : ctx.out.integer(0);
    }
    // Decide every pair against the set as the earlier pairs of this command left it (a single
    // pair, the usual ZADD, needs no map for that).
    const changed = count === 1 ? null : new Map<string, number>();
    let single: string[] | null = null;
    let added = 0;
    let updated = 0;
    let processed = 0;
    let result = 0;
    for (let j = 0; j < count; j++) {
      const member = argv[at + j * 2 + 1];
      let score = scores[j];
      const current = changed === null
        ? zset?.score(member)
        : changed.get(member) ?? zset?.score(member);
      if (current === undefined) {
        if (flags & XX) continue;
        if (changed === null) single = [opScore(argv[at], score, incr), member];
        else changed.set(member, score);
        added++;
      } else {
        if (flags & NX) continue;
        if (incr) {
          score += current;
          if (Number.isNaN(score)) throw ZsetErrors.scoreNaN;
        }
        if ((flags & LT && score >= current) || (flags & GT && score <= current)) continue;
        if (score !== current) {
          if (changed === null) single = [opScore(argv[at], score, incr), member];
          else changed.set(member, score);
          updated++;
        }
      }
      processed++;
      result = score;
    }
    let args = single;
    if (changed !== null && changed.size > 0) {
      args = [];
      for (const [member, score] of changed) args.push(scoreText(score), member);
    }
    if (args !== null) {
      ctx.db.op(key, ZSetOp.zadd, args);
      ctx.notify(EventClass.zset, incr ? "zincr" : "zadd", key);
    }
    if (!incr) return ctx.out.integer(flags & CH ? added + updated : added);
    if (processed === 0) ctx.out.nil();
    else ctx.out.double(result);
  };
}

function startsWithLetter(text: string): boolean {
  const c = text.charCodeAt(0) | 0x20;
  return c >= 0x61 && c <= 0x7a;
}

/**
 * A score as the op records it: the client's own text when it reads back the same (plain
 * decimal digits), which saves formatting the number; the canonical text otherwise.
 */
function opScore(text: string, score: number, computed: boolean): string {
  return !computed && isPlainDecimal(text) ? text : scoreText(score);
}

const zrem: Handler = (ctx, argv) => {
  const key = argv[1];
  const zset = writeZSet(ctx, key);
  if (zset === undefined) return ctx.out.integer(0);
  const gone = presentMembers(zset, argv);
  if (gone.length > 0) removeMembers(ctx, key, zset, gone, "zrem");
  ctx.out.integer(gone.length);
};

const zcard: Handler = (ctx, argv) => ctx.out.integer(readZSet(ctx, argv[1])?.size ?? 0);

const zscore: Handler = (ctx, argv) => {
  const score = readZSet(ctx, argv[1])?.score(argv[2]);
  if (score === undefined) ctx.out.nil();
  else ctx.out.double(score);
};

const zmscore: Handler = (ctx, argv) => {
  const zset = readZSet(ctx, argv[1]);
  ctx.out.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = zset?.score(argv[i]);
    if (score === undefined) ctx.out.nil();
    else ctx.out.double(score);
  }
};

function zrank(reverse: boolean): Handler {
  return (ctx, argv) => {
    const zset = readZSet(ctx, argv[1]);
    const rank = zset === undefined ? -1 : zset.rank(argv[2]);
    if (rank < 0) return ctx.out.nil();
    ctx.out.integer(reverse ? zset!.size - 1 - rank : rank);
  };
}

/** ZCOUNT and ZLEXCOUNT: the range is checked before the key. */
function zcount(parse: (min: string, max: string) => Range): Handler {
  return (ctx, argv) => {
    const range = parse(argv[2], argv[3]);
    const zset = readZSet(ctx, argv[1]);
    if (zset === undefined) return ctx.out.integer(0);
    const [start, stop] = rangeRanks(zset, range);
    ctx.out.integer(Math.max(0, stop - start + 1));
  };
}

/** ZRANDMEMBER key [count [WITHSCORES]]. */
const zrandmember: Handler = (ctx, argv) => {
  const key = argv[1];
  if (argv.length === 2) {
    const zset = readZSet(ctx, key);
    if (zset === undefined) return ctx.out.nil();
    return ctx.out.bulk(zset.memberAt(Math.floor(Math.random() * zset.size)));
  }
  const parsed = intArg(argv[2]);
  if (parsed === INT64_MIN) throw ZsetErrors.countOutOfRange;
  if (argv.length > 4 || (argv.length === 4 && option(argv[3]) !== "WITHSCORES")) {
    throw Errors.syntax;
  }
  const withScores = argv.length === 4;
  if (withScores && (BigInt(parsed) < -HALF_LONG || BigInt(parsed) > HALF_LONG)) {
    throw ZsetErrors.valueOutOfRange;
  }
  const zset = readZSet(ctx, key);
  const count = Math.abs(Number(parsed));
  if (zset === undefined || count === 0) return ctx.out.arrayHeader(0);
  const size = zset.size;
  if (parsed > 0 && count >= size) {
    // The whole set, from the highest element down, as Redis's set iterator reads it.
    elementsHeader(ctx, size, withScores);
    return zset.forRange(0, size - 1, true, (m, s) => replyElement(ctx, m, s, withScores));
  }
  // A packed set is read once; a big one answers each rank in O(log n).
  const [members, scores] = zset.scoreMap === null ? zset.elements() : [null, null];
  const emit = (rank: number) => {
    if (members !== null) return replyElement(ctx, members[rank], scores![rank], withScores);
    zset.forRange(rank, rank, false, (m, s) => replyElement(ctx, m, s, withScores));
  };
  elementsHeader(ctx, count, withScores);
  if (parsed < 0 || count === 1) {
    for (let i = 0; i < count; i++) {
      // A client asking for billions is cut off once its reply passes max-output.
      if ((i & 1023) === 0 && ctx.session.closeRequested) return;
      emit(Math.floor(Math.random() * size));
    }
    return;
  }
  for (const rank of distinctIndexes(size, count)) emit(rank);
};

const zscan: Handler = (ctx, argv) => {
  const cursor = parseScanCursor(argv[2]);
  const zset = readZSet(ctx, argv[1]);
  if (zset === undefined) return replyScan(ctx, 0n, []);
  const { count, pattern } = parseScanOptions(argv, 3, false);
  const items: string[] = [];
  const take = (member: string, score: number) => {
    if (pattern === null || globMatch(pattern, member)) items.push(member, formatDouble(score));
  };
  const map = zset.scoreMap;
  if (map === null) {
    zset.forRange(0, zset.size - 1, false, take);
    return replyScan(ctx, 0n, items);
  }
  const [next, members] = collectionScans.step(map, cursor, count);
  for (const member of members) take(member, map.get(member)!);
  replyScan(ctx, next, items);
};

const zremrangebyrank: Handler = (ctx, argv) => {
  const key = argv[1];
  const start = Number(intArg(argv[2]));
  const stop = Number(intArg(argv[3]));
  const zset = writeZSet(ctx, key);
  const range = zset === undefined ? null : rankRange(start, stop, zset.size);
  if (range === null) return ctx.out.integer(0);
  removeRange(ctx, key, zset!, range, ZSetOp.zremrangebyrank, range.map(String), "zremrangebyrank");
};

/** ZREMRANGEBYSCORE and ZREMRANGEBYLEX: the range is checked before the key. */
function zremrangeBy(
  parse: (min: string, max: string) => Range,
  code: number,
  event: string,
): Handler {
  return (ctx, argv) => {
    const range = parse(argv[2], argv[3]);
    const key = argv[1];
    const zset = writeZSet(ctx, key);
    if (zset === undefined) return ctx.out.integer(0);
    removeRange(ctx, key, zset, rangeRanks(zset, range), code, [argv[2], argv[3]], event);
  };
}

function removeRange(
  ctx: CommandContext,
  key: string,
  zset: ZSetValue,
  [start, stop]: [number, number],
  code: number,
  args: string[],
  event: string,
): void {
  const removed = Math.max(0, stop - start + 1);
  if (removed > 0) {
    const emptied = removed === zset.size;
    ctx.db.op(key, code, args);
    ctx.notify(EventClass.zset, event, key);
    if (emptied) ctx.notify(EventClass.generic, "del", key);
  }
  ctx.out.integer(removed);
}

const SCORE_MEMBERS = {
  name: "data",
  type: "block" as const,
  flags: ["multiple" as const],
  arguments: [{ name: "score", type: "double" as const }, MEMBER],
};
const MIN_MAX = [{ name: "min", type: "string" as const }, {
  name: "max",
  type: "string" as const,
}];
const SCORE_MIN_MAX = [
  { name: "min", type: "double" as const },
  { name: "max", type: "double" as const },
];

export const sortedSetCommands: CommandSpec[] = [
  spec({
    name: "zadd",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    summary: "Add one or more members to a sorted set, or update its score if it already exists",
    since: "1.2.0",
    complexity:
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    args: [
      KEY,
      {
        name: "condition",
        type: "oneof",
        flags: ["optional"],
        arguments: [
          { name: "nx", type: "pure-token", token: "NX" },
          { name: "xx", type: "pure-token", token: "XX" },
        ],
      },
      {
        name: "comparison",
        type: "oneof",
        flags: ["optional"],
        arguments: [
          { name: "gt", type: "pure-token", token: "GT" },
          { name: "lt", type: "pure-token", token: "LT" },
        ],
      },
      { name: "change", type: "pure-token", token: "CH", flags: ["optional"] },
      { name: "increment", type: "pure-token", token: "INCR", flags: ["optional"] },
      SCORE_MEMBERS,
    ],
    keyFlags: ["RW", "update"],
    handler: zaddGeneric(0),
  }),
  spec({
    name: "zincrby",
    memberAt: 3,
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    summary: "Increment the score of a member in a sorted set",
    since: "1.2.0",
    complexity: "O(log(N)) where N is the number of elements in the sorted set.",
    args: [KEY, { name: "increment", type: "integer" }, MEMBER],
    keyFlags: ["RW", "update"],
    handler: zaddGeneric(INCR),
  }),
  spec({
    name: "zrem",
    memberAt: 2,
    arity: -3,
    flags: ["write", "fast"],
    summary: "Remove one or more members from a sorted set",
    since: "1.2.0",
    complexity:
      "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
    args: [KEY, MEMBERS],
    keyFlags: ["RW", "delete"],
    handler: zrem,
  }),
  spec({
    name: "zcard",
    arity: 2,
    flags: ["readonly", "fast"],
    summary: "Get the number of members in a sorted set",
    since: "1.2.0",
    complexity: "O(1)",
    args: [KEY],
    keyFlags: ["RO"],
    handler: zcard,
  }),
  spec({
    name: "zscore",
    memberAt: 2,
    arity: 3,
    flags: ["readonly", "fast"],
    summary: "Get the score associated with the given member in a sorted set",
    since: "1.2.0",
    complexity: "O(1)",
    args: [KEY, MEMBER],
    keyFlags: ["RO", "access"],
    handler: zscore,
  }),
  spec({
    name: "zmscore",
    memberAt: 2,
    arity: -3,
    flags: ["readonly", "fast"],
    summary: "Get the score associated with the given members in a sorted set",
    since: "6.2.0",
    complexity: "O(N) where N is the number of members being requested.",
    args: [KEY, MEMBERS],
    keyFlags: ["RO", "access"],
    handler: zmscore,
  }),
  spec({
    name: "zrank",
    memberAt: 2,
    arity: 3,
    flags: ["readonly", "fast"],
    summary: "Determine the index of a member in a sorted set",
    since: "2.0.0",
    complexity: "O(log(N))",
    args: [KEY, MEMBER],
    keyFlags: ["RO", "access"],
    handler: zrank(false),
  }),
  spec({
    name: "zrevrank",
    memberAt: 2,
    arity: 3,
    flags: ["readonly", "fast"],
    summary:
      "Determine the index of a member in a sorted set, with scores ordered from high to low",
    since: "2.0.0",
    complexity: "O(log(N))",
    args: [KEY, MEMBER],
    keyFlags: ["RO", "access"],
    handler: zrank(true),
  }),
  spec({
    name: "zcount",
    arity: 4,
    flags: ["readonly", "fast"],
    summary: "Count the members in a sorted set with scores within the given values",
    since: "2.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    args: [KEY, ...SCORE_MIN_MAX],
    keyFlags: ["RO", "access"],
    handler: zcount(scoreRangeArgs),
  }),
  spec({
    name: "zlexcount",
    arity: 4,
    flags: ["readonly", "fast"],
    summary: "Count the number of members in a sorted set between a given lexicographical range",
    since: "2.8.9",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    args: [KEY, ...MIN_MAX],
    keyFlags: ["RO", "access"],
    handler: zcount(lexRangeArgs),
  }),
  spec({
    name: "zrandmember",
    arity: -2,
    flags: ["readonly"],
    summary: "Get one or multiple random elements from a sorted set",
    since: "6.2.0",
    complexity: "O(N) where N is the number of elements returned",
    args: [
      KEY,
      {
        name: "options",
        type: "block",
        flags: ["optional"],
        arguments: [
          { name: "count", type: "integer" },
          { name: "withscores", type: "pure-token", token: "WITHSCORES", flags: ["optional"] },
        ],
      },
    ],
    keyFlags: ["RO", "access"],
    handler: zrandmember,
    tips: ["nondeterministic_output"],
  }),
  spec({
    name: "zscan",
    arity: -3,
    flags: ["readonly"],
    summary: "Incrementally iterate sorted sets elements and associated scores",
    since: "2.8.0",
    complexity: COLLECTION_SCAN_COMPLEXITY,
    args: COLLECTION_SCAN_ARGS,
    keyFlags: ["RO", "access"],
    handler: zscan,
    tips: ["nondeterministic_output"],
  }),
  spec({
    name: "zremrangebyrank",
    arity: 4,
    flags: ["write"],
    summary: "Remove all members in a sorted set within the given indexes",
    since: "2.0.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    args: [KEY, { name: "start", type: "integer" }, { name: "stop", type: "integer" }],
    keyFlags: ["RW", "delete"],
    handler: zremrangebyrank,
  }),
  spec({
    name: "zremrangebyscore",
    arity: 4,
    flags: ["write"],
    summary: "Remove all members in a sorted set within the given scores",
    since: "1.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    args: [KEY, ...SCORE_MIN_MAX],
    keyFlags: ["RW", "delete"],
    handler: zremrangeBy(scoreRangeArgs, ZSetOp.zremrangebyscore, "zremrangebyscore"),
  }),
  spec({
    name: "zremrangebylex",
    arity: 4,
    flags: ["write"],
    summary: "Remove all members in a sorted set between the given lexicographical range",
    since: "2.8.9",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    args: [KEY, ...MIN_MAX],
    keyFlags: ["RW", "delete"],
    handler: zremrangeBy(lexRangeArgs, ZSetOp.zremrangebylex, "zremrangebylex"),
  }),
];
