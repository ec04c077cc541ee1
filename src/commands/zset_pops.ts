/**
 * Sorted set pops, as Redis 7.0's genericZpopCommand: ZPOPMIN, ZPOPMAX, ZMPOP, and their
 * blocking forms BZPOPMIN, BZPOPMAX and BZMPOP, which wait through the same machinery as the
 * list pops (commands/blocking.ts): a client is served when one of its keys holds a non-empty
 * sorted set again, and inside MULTI or a transaction a blocking pop answers at once.
 *
 * Every pop is written as ZREM of the popped members.
 */
import type { CommandContext } from "./context.ts";
import { Errors } from "./errors.ts";
import { option, parseIntText } from "./args.ts";
import { NUMKEYS_POSITIVE } from "./lists.ts";
import { parseTimeout } from "./list_blocking.ts";
import type { CommandSpec, Handler } from "./spec.ts";
import { KEY, removeMembers, writeZSet, ZsetErrors, zsetSpec as spec } from "./zset_args.ts";
import type { ZSetValue } from "../store/types/zset.ts";

/** How a pop answers: Redis shapes the reply four ways. */
interface PopShape {
  /** The key comes first (the blocking and multi-key forms). */
  withKey: boolean;
  /** Elements as [member, score] pairs (ZMPOP always, ZPOPMIN COUNT in RESP3). */
  nested: boolean;
}

/**
 * Pops up to `count` elements from the lowest (or highest) end of the non-empty set at `key`
 * and writes the reply in `shape`; raises zpopmin/zpopmax (and del when it empties).
 */
function popAndReply(
  ctx: CommandContext,
  key: string,
  zset: ZSetValue,
  fromMax: boolean,
  count: number,
  shape: PopShape,
): void {
  const size = zset.size;
  const n = Math.min(count, size);
  const members: string[] = [];
  const scores: number[] = [];
  const [low, high] = fromMax ? [size - n, size - 1] : [0, n - 1];
  zset.forRange(low, high, fromMax, (member, score) => {
    members.push(member);
    scores.push(score);
  });
  removeMembers(ctx, key, zset, members, fromMax ? "zpopmax" : "zpopmin");
  const out = ctx.out;
  if (shape.withKey && shape.nested) {
    out.arrayHeader(2);
    out.bulk(key);
    out.arrayHeader(n);
  } else if (shape.withKey) {
    out.arrayHeader(n * 2 + 1);
    out.bulk(key);
  } else {
    out.arrayHeader(shape.nested ? n : n * 2);
  }
  for (let i = 0; i < n; i++) {
    if (shape.nested) out.arrayHeader(2);
    out.bulk(members[i]);
    out.double(scores[i]);
  }
}

/** ZPOPMIN and ZPOPMAX key [count]. */
function zpop(fromMax: boolean): Handler {
  return (ctx, argv) => {
    if (argv.length > 3) throw Errors.syntax;
    let count = -1;
    if (argv.length === 3) {
      const parsed = parseIntText(argv[2]);
      if (parsed === null || parsed < 0) throw ZsetErrors.mustBePositive;
      count = Number(parsed);
    }
    const zset = writeZSet(ctx, argv[1]);
    if (zset === undefined || count === 0) return ctx.out.arrayHeader(0);
    const nested = ctx.out.protocol === 3 && count !== -1;
    popAndReply(ctx, argv[1], zset, fromMax, count === -1 ? 1 : count, {
      withKey: false,
      nested,
    });
  };
}

/** The sorted set at `key` for a waiter, or undefined when missing or of another type. */
function waitingZSet(ctx: CommandContext, key: string): ZSetValue | undefined {
  const value = ctx.db.get(key, ctx.now);
  if (value === undefined || typeof value === "string" || value.type !== "zset") return undefined;
  return value as ZSetValue;
}

/**
 * The first of `keys` holding a sorted set; WRONGTYPE stops the search at a key of another type
 * (the keys after it are not looked at), as Redis's pops do.
 */
function firstZSet(ctx: CommandContext, keys: string[]): [string, ZSetValue] | null {
  for (const key of keys) {
    const zset = writeZSet(ctx, key);
    if (zset !== undefined) return [key, zset];
  }
  return null;
}

/** What a blocked pop waits for and how it answers when served. */
function blockOrAnswer(
  ctx: CommandContext,
  argv: string[],
  keys: string[],
  deadlineMs: number,
  fromMax: boolean,
  count: number,
  shape: PopShape,
): void {
  if (ctx.session.inTransaction) return ctx.out.nilArray();
  ctx.blocking.block(ctx, argv, {
    keys,
    deadlineMs,
    serve(ctx, key) {
      const zset = waitingZSet(ctx, key);
      if (zset === undefined) return false;
      popAndReply(ctx, key, zset, fromMax, count, shape);
      return true;
    },
    timedOut: (ctx) => ctx.out.nilArray(),
  });
}

/** BZPOPMIN and BZPOPMAX key [key ...] timeout. */
function bzpop(fromMax: boolean): Handler {
  return (ctx, argv) => {
    const deadlineMs = parseTimeout(ctx, argv[argv.length - 1]);
    const keys = argv.slice(1, -1);
    const shape = { withKey: true, nested: false };
    const found = firstZSet(ctx, keys);
    if (found !== null) return popAndReply(ctx, found[0], found[1], fromMax, 1, shape);
    blockOrAnswer(ctx, argv, keys, deadlineMs, fromMax, 1, shape);
  };
}

interface MultiPop {
  keys: string[];
  fromMax: boolean;
  count: number;
}

/** `numkeys key... MIN|MAX [COUNT n]` from `argv[at]`, as Redis's zmpopGenericCommand. */
function parseMultiPop(argv: string[], at: number): MultiPop {
  const numkeys = parseIntText(argv[at]);
  if (numkeys === null || numkeys < 1) throw NUMKEYS_POSITIVE;
  const whereAt = at + 1 + Number(numkeys);
  if (whereAt >= argv.length) throw Errors.syntax;
  const where = option(argv[whereAt]);
  if (where !== "MIN" && where !== "MAX") throw Errors.syntax;
  let count = -1;
  for (let i = whereAt + 1; i < argv.length; i++) {
    if (count === -1 && option(argv[i]) === "COUNT" && i + 1 < argv.length) {
      const parsed = parseIntText(argv[++i]);
      if (parsed === null || parsed < 1) throw ZsetErrors.countPositive;
      count = Number(parsed);
    } else {
      throw Errors.syntax;
    }
  }
  return {
    keys: argv.slice(at + 1, whereAt),
    fromMax: where === "MAX",
    count: count === -1 ? 1 : count,
  };
}

const MULTI_SHAPE: PopShape = { withKey: true, nested: true };

const zmpop: Handler = (ctx, argv) => {
  const request = parseMultiPop(argv, 1);
  const found = firstZSet(ctx, request.keys);
  if (found === null) return ctx.out.nilArray();
  popAndReply(ctx, found[0], found[1], request.fromMax, request.count, MULTI_SHAPE);
};

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the timeout is read last. */
const bzmpop: Handler = (ctx, argv) => {
  const request = parseMultiPop(argv, 2);
  const deadlineMs = parseTimeout(ctx, argv[1]);
  const found = firstZSet(ctx, request.keys);
  if (found !== null) {
    return popAndReply(ctx, found[0], found[1], request.fromMax, request.count, MULTI_SHAPE);
  }
  blockOrAnswer(ctx, argv, request.keys, deadlineMs, request.fromMax, request.count, MULTI_SHAPE);
};

const COUNT = { name: "count", type: "integer" as const, flags: ["optional" as const] };
const KEYS_THEN_TIMEOUT: [number, number, number] = [1, -2, 1];
const TIMEOUT = { name: "timeout", type: "double" } as const;
const MIN_MAX = {
  name: "where",
  type: "oneof" as const,
  arguments: [
    { name: "min", type: "pure-token" as const, token: "MIN" },
    { name: "max", type: "pure-token" as const, token: "MAX" },
  ],
};
const MULTI_ARGS = [
  { name: "numkeys", type: "integer" as const },
  { ...KEY, flags: ["multiple" as const] },
  MIN_MAX,
  { name: "count", type: "integer" as const, token: "COUNT", flags: ["optional" as const] },
];

export const zsetPopCommands: CommandSpec[] = [
  spec({
    name: "zpopmin",
    arity: -2,
    flags: ["write", "fast"],
    summary: "Remove and return members with the lowest scores in a sorted set",
    since: "5.0.0",
    complexity:
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
    args: [KEY, COUNT],
    keyFlags: ["RW", "access", "delete"],
    handler: zpop(false),
  }),
  spec({
    name: "zpopmax",
    arity: -2,
    flags: ["write", "fast"],
    summary: "Remove and return members with the highest scores in a sorted set",
    since: "5.0.0",
    complexity:
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
    args: [KEY, COUNT],
    keyFlags: ["RW", "access", "delete"],
    handler: zpop(true),
  }),
  spec({
    name: "zmpop",
    arity: -4,
    flags: ["write"],
    keys: [0, 0, 0],
    summary: "Remove and return members with scores in a sorted set",
    since: "7.0.0",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    args: MULTI_ARGS,
    keySpecs: [{ flags: ["RW", "access", "delete"], first: 1, last: 1, step: 1, keynum: true }],
    handler: zmpop,
  }),
  spec({
    name: "bzpopmin",
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"],
    keys: KEYS_THEN_TIMEOUT,
    summary:
      "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available",
    since: "5.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    args: [{ ...KEY, flags: ["multiple"] }, TIMEOUT],
    keyFlags: ["RW", "access", "delete"],
    handler: bzpop(false),
  }),
  spec({
    name: "bzpopmax",
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"],
    keys: KEYS_THEN_TIMEOUT,
    summary:
      "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
    since: "5.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    args: [{ ...KEY, flags: ["multiple"] }, TIMEOUT],
    keyFlags: ["RW", "access", "delete"],
    handler: bzpop(true),
  }),
  spec({
    name: "bzmpop",
    arity: -5,
    flags: ["write", "blocking"],
    keys: [0, 0, 0],
    summary:
      "Remove and return members with scores in a sorted set or block until one is available",
    since: "7.0.0",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    args: [TIMEOUT, ...MULTI_ARGS],
    keySpecs: [{ flags: ["RW", "access", "delete"], first: 2, last: 2, step: 1, keynum: true }],
    handler: bzmpop,
  }),
];
