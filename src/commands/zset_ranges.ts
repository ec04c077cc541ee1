/**
 * The sorted set range commands, as Redis 7.0's zrangeGenericCommand: ZRANGE with BYSCORE,
 * BYLEX, REV, LIMIT and WITHSCORES; ZRANGESTORE; and the older forms ZREVRANGE,
 * ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX and ZREVRANGEBYLEX, which are the same parser
 * with the kind and direction fixed. Options are checked before the range, the range before the
 * key.
 */
import type { CommandContext } from "./context.ts";
import { CommandError, Errors } from "./errors.ts";
import { intArg, option } from "./args.ts";
import type { ArgDoc, CommandSpec, Handler } from "./spec.ts";
import {
  elementsHeader,
  KEY,
  lexRangeArgs,
  LIMIT,
  rankRange,
  readZSet,
  replyElement,
  scoreRangeArgs,
  storeResult,
  WITHSCORES,
  zsetSpec as spec,
} from "./zset_args.ts";
import { rangeRanks, ZSetValue } from "../store/types/zset.ts";

const LIMIT_WITH_RANK = new CommandError(
  "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
);
const WITHSCORES_WITH_LEX = new CommandError(
  "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
);

type Kind = "rank" | "score" | "lex";

/** A parsed range request: what to take, in which direction, and how to answer. */
interface RangeRequest {
  key: string;
  kind: Kind;
  reverse: boolean;
  withScores: boolean;
  start: number;
  stop: number;
  minText: string;
  maxText: string;
  offset: number;
  limit: number;
}

/**
 * Parses `key min max [options]` from `argv[at]`, with the kind and direction fixed by the
 * older command forms (undefined: chosen by BYSCORE, BYLEX and REV).
 */
function parseRequest(
  argv: string[],
  at: number,
  store: boolean,
  fixedKind?: Kind,
  fixedReverse?: boolean,
): RangeRequest {
  let kind = fixedKind;
  let reverse = fixedReverse;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = at + 3; j < argv.length; j++) {
    const word = option(argv[j]);
    const left = argv.length - j - 1;
    if (!store && word === "WITHSCORES") withScores = true;
    else if (word === "LIMIT" && left >= 2) {
      offset = Number(intArg(argv[j + 1]));
      limit = Number(intArg(argv[j + 2]));
      j += 2;
    } else if (reverse === undefined && word === "REV") reverse = true;
    else if (kind === undefined && word === "BYLEX") kind = "lex";
    else if (kind === undefined && word === "BYSCORE") kind = "score";
    else throw Errors.syntax;
  }
  kind ??= "rank";
  reverse ??= false;
  if (limit !== -1 && kind === "rank") throw LIMIT_WITH_RANK;
  if (withScores && kind === "lex") throw WITHSCORES_WITH_LEX;
  // The by-score and by-lex forms take their range as max, min when reversed.
  const [minText, maxText] = reverse && kind !== "rank"
    ? [argv[at + 2], argv[at + 1]]
    : [argv[at + 1], argv[at + 2]];
  let start = 0;
  let stop = 0;
  if (kind === "rank") {
    start = Number(intArg(minText));
    stop = Number(intArg(maxText));
  } else if (kind === "score") scoreRangeArgs(minText, maxText);
  else lexRangeArgs(minText, maxText);
  return {
    key: argv[at],
    kind,
    reverse,
    withScores,
    start,
    stop,
    minText,
    maxText,
    offset,
    limit,
  };
}

/** The ranks the request covers, ascending [low, high] (low > high when none). */
function ranksOf(zset: ZSetValue, request: RangeRequest): [number, number] {
  const size = zset.size;
  if (request.kind === "rank") {
    const range = rankRange(request.start, request.stop, size);
    if (range === null) return [0, -1];
    return request.reverse ? [size - 1 - range[1], size - 1 - range[0]] : range;
  }
  const { offset, limit } = request;
  if (offset < 0 || (offset > 0 && offset >= size)) return [0, -1];
  const parsed = request.kind === "score"
    ? scoreRangeArgs(request.minText, request.maxText)
    : lexRangeArgs(request.minText, request.maxText);
  let [low, high] = rangeRanks(zset, parsed);
  if (low > high) return [0, -1];
  if (request.reverse) {
    high -= offset;
    if (limit >= 0) low = Math.max(low, high - limit + 1);
  } else {
    low += offset;
    if (limit >= 0) high = Math.min(high, low + limit - 1);
  }
  return [low, high];
}

function replyRange(ctx: CommandContext, request: RangeRequest): void {
  const zset = readZSet(ctx, request.key);
  if (zset === undefined) return ctx.out.arrayHeader(0);
  const [low, high] = ranksOf(zset, request);
  const count = Math.max(0, high - low + 1);
  const withScores = request.withScores;
  elementsHeader(ctx, count, withScores);
  if (count > 0) {
    zset.forRange(low, high, request.reverse, (m, s) => replyElement(ctx, m, s, withScores));
  }
}

/** ZRANGE and the older forms. */
function zrange(fixedKind?: Kind, fixedReverse?: boolean): Handler {
  return (ctx, argv) => replyRange(ctx, parseRequest(argv, 1, false, fixedKind, fixedReverse));
}

/** ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]. */
const zrangestore: Handler = (ctx, argv) => {
  const request = parseRequest(argv, 2, true);
  const source = readZSet(ctx, request.key);
  const members: string[] = [];
  const scores: number[] = [];
  if (source !== undefined) {
    const [low, high] = ranksOf(source, request);
    if (low <= high) {
      source.forRange(low, high, false, (member, score) => {
        members.push(member);
        scores.push(score);
      });
    }
  }
  storeResult(ctx, argv[1], ZSetValue.fromSorted(members, scores), "zrangestore");
};

const RANK_ARGS: ArgDoc[] = [
  KEY,
  { name: "start", type: "integer" },
  { name: "stop", type: "integer" },
  WITHSCORES,
];
const BY_ARGS = (min: string, max: string, type: "double" | "string"): ArgDoc[] => [
  KEY,
  { name: min, type },
  { name: max, type },
];
const ZRANGE_ARGS: ArgDoc[] = [
  { name: "start", type: "string" },
  { name: "stop", type: "string" },
  {
    name: "sortby",
    type: "oneof",
    flags: ["optional"],
    arguments: [
      { name: "byscore", type: "pure-token", token: "BYSCORE" },
      { name: "bylex", type: "pure-token", token: "BYLEX" },
    ],
  },
  { name: "rev", type: "pure-token", token: "REV", flags: ["optional"] },
  LIMIT,
];
const RANGE_COMPLEXITY =
  "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.";

export const zsetRangeCommands: CommandSpec[] = [
  spec({
    name: "zrange",
    arity: -4,
    flags: ["readonly"],
    summary: "Return a range of members in a sorted set",
    since: "1.2.0",
    complexity: RANGE_COMPLEXITY,
    args: [KEY, ...ZRANGE_ARGS, WITHSCORES],
    keyFlags: ["RO", "access"],
    handler: zrange(),
  }),
  spec({
    name: "zrangestore",
    arity: -5,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    summary: "Store a range of members from sorted set into another key",
    since: "6.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
    args: [{ name: "dst", type: "key" }, { name: "src", type: "key" }, ...ZRANGE_ARGS],
    keySpecs: [{ flags: ["OW", "update"], first: 1, last: 1, step: 1 }, {
      flags: ["RO", "access"],
      first: 2,
      last: 2,
      step: 1,
    }],
    handler: zrangestore,
  }),
  spec({
    name: "zrevrange",
    arity: -4,
    flags: ["readonly"],
    summary:
      "Return a range of members in a sorted set, by index, with scores ordered from high to low",
    since: "1.2.0",
    complexity: RANGE_COMPLEXITY,
    args: RANK_ARGS,
    keyFlags: ["RO", "access"],
    handler: zrange("rank", true),
  }),
  spec({
    name: "zrangebyscore",
    arity: -4,
    flags: ["readonly"],
    summary: "Return a range of members in a sorted set, by score",
    since: "1.0.5",
    complexity: RANGE_COMPLEXITY,
    args: [...BY_ARGS("min", "max", "double"), WITHSCORES, LIMIT],
    keyFlags: ["RO", "access"],
    handler: zrange("score", false),
  }),
  spec({
    name: "zrevrangebyscore",
    arity: -4,
    flags: ["readonly"],
    summary:
      "Return a range of members in a sorted set, by score, with scores ordered from high to low",
    since: "2.2.0",
    complexity: RANGE_COMPLEXITY,
    args: [...BY_ARGS("max", "min", "double"), WITHSCORES, LIMIT],
    keyFlags: ["RO", "access"],
    handler: zrange("score", true),
  }),
  spec({
    name: "zrangebylex",
    arity: -4,
    flags: ["readonly"],
    summary: "Return a range of members in a sorted set, by lexicographical range",
    since: "2.8.9",
    complexity: RANGE_COMPLEXITY,
    args: [...BY_ARGS("min", "max", "string"), LIMIT],
    keyFlags: ["RO", "access"],
    handler: zrange("lex", false),
  }),
  spec({
    name: "zrevrangebylex",
    arity: -4,
    flags: ["readonly"],
    summary:
      "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
    since: "2.8.9",
    complexity: RANGE_COMPLEXITY,
    args: [...BY_ARGS("max", "min", "string"), LIMIT],
    keyFlags: ["RO", "access"],
    handler: zrange("lex", true),
  }),
];
