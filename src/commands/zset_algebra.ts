/**
 * Sorted set algebra, as Redis 7.0's zunionInterDiffGenericCommand: ZUNION, ZINTER, ZDIFF,
 * their *STORE forms and ZINTERCARD. Inputs may be sorted sets or plain sets (whose members
 * score 1); WEIGHTS multiply each input's scores (a NaN product counts as 0) and AGGREGATE
 * combines them (SUM turns inf + -inf into 0, as Redis does). Keys are looked up before the
 * options are read, so WRONGTYPE comes before a syntax error.
 */
import type { CommandContext } from "./context.ts";
import { CommandError, Errors } from "./errors.ts";
import { intArg, option, parseIntText } from "./args.ts";
import type { ArgDoc, CommandSpec, Handler } from "./spec.ts";
import { countRead } from "./string_lookup.ts";
import {
  elementsHeader,
  replyElement,
  scoreArg,
  storeResult,
  ZsetErrors,
  zsetSpec as spec,
} from "./zset_args.ts";
import type { SetValue } from "../store/types/set.ts";
import { ZSetValue } from "../store/types/zset.ts";

type Operation = "union" | "inter" | "diff";
type Aggregate = "SUM" | "MIN" | "MAX";

interface Source {
  value: ZSetValue | SetValue | undefined;
  weight: number;
}

function sizeOf(source: Source): number {
  return source.value?.size ?? 0;
}

function scoreIn(source: Source, member: string): number | undefined {
  const value = source.value;
  if (value === undefined) return undefined;
  if (value instanceof ZSetValue) return value.score(member);
  return value.has(member) ? 1 : undefined;
}

function forEachElement(source: Source, fn: (member: string, score: number) => void): void {
  const value = source.value;
  if (value === undefined || value.size === 0) return;
  if (value instanceof ZSetValue) value.forRange(0, value.size - 1, false, fn);
  else value.forEach((member) => fn(member, 1));
}

function aggregate(how: Aggregate, target: number, value: number): number {
  if (how === "SUM") {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  return how === "MIN" ? (value < target ? value : target) : (value > target ? value : target);
}

interface Request {
  sources: Source[];
  aggregate: Aggregate;
  withScores: boolean;
  limit: number;
}

/**
 * Reads `numkeys key... [WEIGHTS w...] [AGGREGATE how] [WITHSCORES] [LIMIT n]` from
 * `argv[at]`, taking only the options the command allows.
 */
function parseRequest(
  ctx: CommandContext,
  argv: string[],
  at: number,
  operation: Operation,
  form: "read" | "store" | "card",
): Request {
  const numkeys = Number(intArg(argv[at]));
  if (numkeys < 1) {
    throw new CommandError(
      `ERR at least 1 input key is needed for '${argv[0].toLowerCase()}' command`,
    );
  }
  if (numkeys > argv.length - at - 1) throw Errors.syntax;
  const sources: Source[] = [];
  for (let i = 0; i < numkeys; i++) {
    const key = argv[at + 1 + i];
    const value = ctx.db.get(key, ctx.now);
    if (form !== "store") countRead(ctx, key, value);
    if (
      value !== undefined && (typeof value === "string" || (value.type !== "zset" &&
        value.type !== "set"))
    ) {
      throw Errors.wrongType;
    }
    sources.push({ value: value as ZSetValue | SetValue | undefined, weight: 1 });
  }
  const request: Request = { sources, aggregate: "SUM", withScores: false, limit: 0 };
  const weighted = operation !== "diff" && form !== "card";
  for (let j = at + 1 + numkeys; j < argv.length;) {
    const word = option(argv[j]);
    const remaining = argv.length - j;
    if (weighted && remaining >= numkeys + 1 && word === "WEIGHTS") {
      for (let i = 0; i < numkeys; i++) {
        sources[i].weight = scoreArg(argv[j + 1 + i], ZsetErrors.weightNotFloat);
      }
      j += numkeys + 1;
    } else if (weighted && remaining >= 2 && word === "AGGREGATE") {
      const how = option(argv[j + 1]);
      if (how !== "SUM" && how !== "MIN" && how !== "MAX") throw Errors.syntax;
      request.aggregate = how;
      j += 2;
    } else if (form === "read" && word === "WITHSCORES") {
      request.withScores = true;
      j++;
    } else if (form === "card" && remaining >= 2 && word === "LIMIT") {
      const limit = parseIntText(argv[j + 1]);
      if (limit === null || limit < 0) throw ZsetErrors.limitNegative;
      request.limit = Number(limit);
      j += 2;
    } else {
      throw Errors.syntax;
    }
  }
  return request;
}

/** The result as parallel arrays, unsorted (`limit` > 0 stops an intersection early). */
function compute(operation: Operation, request: Request, limit = 0): [string[], number[]] {
  const members: string[] = [];
  const scores: number[] = [];
  const sources = request.sources;
  if (operation !== "diff") sources.sort((a, b) => sizeOf(a) - sizeOf(b));
  if (operation === "inter") {
    if (sizeOf(sources[0]) === 0) return [members, scores];
    const first = sources[0];
    forEachElement(first, (member, score) => {
      if (limit > 0 && members.length >= limit) return;
      let total = first.weight * score;
      if (Number.isNaN(total)) total = 0;
      for (let j = 1; j < sources.length; j++) {
        const found = scoreIn(sources[j], member);
        if (found === undefined) return;
        total = aggregate(request.aggregate, total, found * sources[j].weight);
      }
      members.push(member);
      scores.push(total);
    });
  } else if (operation === "union") {
    const totals = new Map<string, number>();
    for (const source of sources) {
      forEachElement(source, (member, score) => {
        let value = source.weight * score;
        if (Number.isNaN(value)) value = 0;
        const known = totals.get(member);
        totals.set(
          member,
          known === undefined ? value : aggregate(request.aggregate, known, value),
        );
      });
    }
    for (const [member, score] of totals) {
      members.push(member);
      scores.push(score);
    }
  } else {
    const [first, ...others] = sources;
    forEachElement(first, (member, score) => {
      for (const other of others) if (scoreIn(other, member) !== undefined) return;
      members.push(member);
      scores.push(score);
    });
  }
  return [members, scores];
}

/** The result in sorted set order (score, then member). */
function sorted(members: string[], scores: number[]): [string[], number[]] {
  const order = members.map((_, i) => i);
  order.sort((a, b) =>
    scores[a] - scores[b] || (members[a] < members[b] ? -1 : members[a] > members[b] ? 1 : 0)
  );
  return [order.map((i) => members[i]), order.map((i) => scores[i])];
}

/** ZUNION, ZINTER, ZDIFF numkeys key... [options] [WITHSCORES]. */
function algebraRead(operation: Operation): Handler {
  return (ctx, argv) => {
    const request = parseRequest(ctx, argv, 1, operation, "read");
    const [members, scores] = sorted(...compute(operation, request));
    elementsHeader(ctx, members.length, request.withScores);
    for (let i = 0; i < members.length; i++) {
      replyElement(ctx, members[i], scores[i], request.withScores);
    }
  };
}

/** ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE destination numkeys key... [options]. */
function algebraStore(operation: Operation, event: string): Handler {
  return (ctx, argv) => {
    const request = parseRequest(ctx, argv, 2, operation, "store");
    const [members, scores] = sorted(...compute(operation, request));
    storeResult(ctx, argv[1], ZSetValue.fromSorted(members, scores), event);
  };
}

const zintercard: Handler = (ctx, argv) => {
  const request = parseRequest(ctx, argv, 1, "inter", "card");
  ctx.out.integer(compute("inter", request, request.limit)[0].length);
};

const NUMKEYS: ArgDoc = { name: "numkeys", type: "integer" };
const KEYS: ArgDoc = { name: "key", type: "key", flags: ["multiple"] };
const WEIGHTS: ArgDoc = {
  name: "weight",
  type: "integer",
  token: "WEIGHTS",
  flags: ["optional", "multiple"],
};
const AGGREGATE: ArgDoc = {
  name: "aggregate",
  type: "oneof",
  token: "AGGREGATE",
  flags: ["optional"],
  arguments: [
    { name: "sum", type: "pure-token", token: "SUM" },
    { name: "min", type: "pure-token", token: "MIN" },
    { name: "max", type: "pure-token", token: "MAX" },
  ],
};
const WITHSCORES: ArgDoc = {
  name: "withscores",
  type: "pure-token",
  token: "WITHSCORES",
  flags: ["optional"],
};
const DESTINATION: ArgDoc = { name: "destination", type: "key" };
/** numkeys comes first: the keys cannot be found from fixed positions. */
const MOVABLE: [number, number, number] = [0, 0, 0];
const STORE_KEYS: [number, number, number] = [1, 1, 1];

const UNION_COMPLEXITY =
  "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.";
const INTER_COMPLEXITY =
  "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.";
const DIFF_COMPLEXITY =
  "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.";

export const zsetAlgebraCommands: CommandSpec[] = [
  spec({
    name: "zunion",
    arity: -3,
    flags: ["readonly"],
    keys: MOVABLE,
    summary: "Add multiple sorted sets",
    since: "6.2.0",
    complexity: UNION_COMPLEXITY,
    args: [NUMKEYS, KEYS, WEIGHTS, AGGREGATE, WITHSCORES],
    keySpecs: [{ flags: ["RO", "access"], first: 1, last: 1, step: 1, keynum: true }],
    handler: algebraRead("union"),
  }),
  spec({
    name: "zunionstore",
    arity: -4,
    flags: ["write", "denyoom"],
    keys: STORE_KEYS,
    summary: "Add multiple sorted sets and store the resulting sorted set in a new key",
    since: "2.0.0",
    complexity: UNION_COMPLEXITY,
    args: [DESTINATION, NUMKEYS, KEYS, WEIGHTS, AGGREGATE],
    keySpecs: [{ flags: ["OW", "update"], first: 1, last: 1, step: 1 }, {
      flags: ["RO", "access"],
      first: 2,
      last: 2,
      step: 1,
      keynum: true,
    }],
    handler: algebraStore("union", "zunionstore"),
  }),
  spec({
    name: "zinter",
    arity: -3,
    flags: ["readonly"],
    keys: MOVABLE,
    summary: "Intersect multiple sorted sets",
    since: "6.2.0",
    complexity: INTER_COMPLEXITY,
    args: [NUMKEYS, KEYS, WEIGHTS, AGGREGATE, WITHSCORES],
    keySpecs: [{ flags: ["RO", "access"], first: 1, last: 1, step: 1, keynum: true }],
    handler: algebraRead("inter"),
  }),
  spec({
    name: "zinterstore",
    arity: -4,
    flags: ["write", "denyoom"],
    keys: STORE_KEYS,
    summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key",
    since: "2.0.0",
    complexity: INTER_COMPLEXITY,
    args: [DESTINATION, NUMKEYS, KEYS, WEIGHTS, AGGREGATE],
    keySpecs: [{ flags: ["OW", "update"], first: 1, last: 1, step: 1 }, {
      flags: ["RO", "access"],
      first: 2,
      last: 2,
      step: 1,
      keynum: true,
    }],
    handler: algebraStore("inter", "zinterstore"),
  }),
  spec({
    name: "zintercard",
    arity: -3,
    flags: ["readonly"],
    keys: MOVABLE,
    summary: "Intersect multiple sorted sets and return the cardinality of the result",
    since: "7.0.0",
    complexity:
      "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
    args: [NUMKEYS, KEYS, { name: "limit", type: "integer", token: "LIMIT", flags: ["optional"] }],
    keySpecs: [{ flags: ["RO", "access"], first: 1, last: 1, step: 1, keynum: true }],
    handler: zintercard,
  }),
  spec({
    name: "zdiff",
    arity: -3,
    flags: ["readonly"],
    keys: MOVABLE,
    summary: "Subtract multiple sorted sets",
    since: "6.2.0",
    complexity: DIFF_COMPLEXITY,
    args: [NUMKEYS, KEYS, WITHSCORES],
    keySpecs: [{ flags: ["RO", "access"], first: 1, last: 1, step: 1, keynum: true }],
    handler: algebraRead("diff"),
  }),
  spec({
    name: "zdiffstore",
    arity: -4,
    flags: ["write", "denyoom"],
    keys: STORE_KEYS,
    summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key",
    since: "6.2.0",
    complexity: DIFF_COMPLEXITY,
    args: [DESTINATION, NUMKEYS, KEYS],
    keySpecs: [{ flags: ["OW", "update"], first: 1, last: 1, step: 1 }, {
      flags: ["RO", "access"],
      first: 2,
      last: 2,
      step: 1,
      keynum: true,
    }],
    handler: algebraStore("diff", "zdiffstore"),
  }),
];
