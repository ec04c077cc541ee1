/**
 * The blocking list commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP. Each first acts as its
 * non-blocking form; with nothing to take it blocks the client (commands/blocking.ts), unless
 * it runs inside EXEC or a transaction, where it answers as a timeout at once, as Redis does.
 *
 * A waiting client is served when one of its keys holds a non-empty list again; a key that now
 * holds another type keeps it waiting (Redis 7.0), while BLMOVE to a destination of another
 * type is answered WRONGTYPE when served.
 */
import type { CommandContext } from "./context.ts";
import { CommandError } from "./errors.ts";
import { parseLongDouble } from "./long_double.ts";
import type { BlockRequest } from "./blocking.ts";
import type { CommandSpec, Handler } from "./spec.ts";
import {
  LIST_ARG_DOCS,
  listSpec as spec,
  moveElement,
  parseMultiPop,
  parseSide,
  popElements,
  replyMultiPop,
  tryMultiPop,
  writeList,
} from "./lists.ts";
import type { ListValue } from "../store/types/list.ts";

const TIMEOUT_NOT_FLOAT = new CommandError("ERR timeout is not a float or out of range");
const TIMEOUT_NEGATIVE = new CommandError("ERR timeout is negative");
const TWO_63 = 2 ** 63;

/**
 * A timeout in seconds (decimals allowed, 0 = forever) as Redis's getTimeoutFromObjectOrReply
 * reads it: the absolute deadline in Unix ms, or 0. Past 2^63 ms Redis's cast wraps negative,
 * so it answers "timeout is negative" there too.
 */
export function parseTimeout(ctx: CommandContext, text: string): number {
  const value = parseLongDouble(text);
  if (value === null) throw TIMEOUT_NOT_FLOAT;
  const seconds = value.infinite
    ? (value.negative ? -Infinity : Infinity)
    : (value.negative ? -1 : 1) * Number(value.mantissa) * 2 ** value.exponent;
  const ms = Math.ceil(seconds * 1000);
  if (ms < 0 || ms >= TWO_63) throw TIMEOUT_NEGATIVE;
  return ms === 0 ? 0 : ctx.now + ms;
}

/** The list at `key` for a waiter, or undefined when missing, empty or of another type. */
function waitingList(ctx: CommandContext, key: string): ListValue | undefined {
  const value = ctx.db.get(key, ctx.now);
  if (value === undefined || typeof value === "string" || value.type !== "list") return undefined;
  return value as ListValue;
}

function replyPopped(ctx: CommandContext, key: string, value: string): void {
  ctx.out.arrayHeader(2);
  ctx.out.bulk(key);
  ctx.out.bulk(value);
}

/**
 * Blocks the client of `ctx`, unless in a transaction: then it answers at once with a null
 * array, or a plain null for the moves (Redis's replies when blocking is denied).
 */
function blockOrAnswer(
  ctx: CommandContext,
  argv: string[],
  request: BlockRequest,
  deniedWithNull = false,
): void {
  if (!ctx.session.inTransaction) return ctx.blocking.block(ctx, argv, request);
  if (deniedWithNull) ctx.out.nil();
  else ctx.out.nilArray();
}

/** BLPOP and BRPOP: key [key ...] timeout. */
function blockingPop(fromTail: boolean): Handler {
  return (ctx, argv) => {
    const deadlineMs = parseTimeout(ctx, argv[argv.length - 1]);
    const keys = argv.slice(1, -1);
    for (const key of keys) {
      const list = writeList(ctx, key);
      if (list === undefined) continue;
      return replyPopped(ctx, key, popElements(ctx, key, list, fromTail, 1)[0]);
    }
    blockOrAnswer(ctx, argv, {
      keys,
      deadlineMs,
      serve(ctx, key) {
        const list = waitingList(ctx, key);
        if (list === undefined) return false;
        replyPopped(ctx, key, popElements(ctx, key, list, fromTail, 1)[0]);
        return true;
      },
      timedOut: (ctx) => ctx.out.nilArray(),
    });
  };
}

/** BLMOVE (sides from argv) and BRPOPLPUSH (right to left). */
function blockingMove(sides?: [fromTail: boolean, toTail: boolean]): Handler {
  return (ctx, argv) => {
    const [fromTail, toTail] = sides ?? [parseSide(argv[3]), parseSide(argv[4])];
    const deadlineMs = parseTimeout(ctx, argv[argv.length - 1]);
    const [, source, destination] = argv;
    const list = writeList(ctx, source);
    if (list !== undefined) {
      return ctx.out.bulk(moveElement(ctx, source, list, destination, fromTail, toTail));
    }
    blockOrAnswer(ctx, argv, {
      keys: [source],
      deadlineMs,
      serve(ctx, key) {
        const list = waitingList(ctx, key);
        if (list === undefined) return false;
        ctx.out.bulk(moveElement(ctx, key, list, destination, fromTail, toTail));
        return true;
      },
      timedOut: (ctx) => ctx.out.nilArray(),
    }, true);
  };
}

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]. */
const blmpop: Handler = (ctx, argv) => {
  const deadlineMs = parseTimeout(ctx, argv[1]);
  const request = parseMultiPop(argv, 2);
  if (tryMultiPop(ctx, request)) return;
  blockOrAnswer(ctx, argv, {
    keys: request.keys,
    deadlineMs,
    serve(ctx, key) {
      const list = waitingList(ctx, key);
      if (list === undefined) return false;
      replyMultiPop(ctx, key, popElements(ctx, key, list, request.fromTail, request.count));
      return true;
    },
    timedOut: (ctx) => ctx.out.nilArray(),
  });
};

const { KEY, SIDE } = LIST_ARG_DOCS;
const KEYS_THEN_TIMEOUT: [number, number, number] = [1, -2, 1];
const TIMEOUT = { name: "timeout", type: "double" } as const;

export const listBlockingCommands: CommandSpec[] = [
  spec({
    name: "blpop",
    keyFlags: ["RW", "access", "delete"],
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    keys: KEYS_THEN_TIMEOUT,
    summary: "Remove and get the first element in a list, or block until one is available",
    since: "2.0.0",
    complexity: "O(N) where N is the number of provided keys.",
    args: [{ ...KEY, flags: ["multiple"] }, TIMEOUT],
    handler: blockingPop(false),
  }),
  spec({
    name: "brpop",
    keyFlags: ["RW", "access", "delete"],
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    keys: KEYS_THEN_TIMEOUT,
    summary: "Remove and get the last element in a list, or block until one is available",
    since: "2.0.0",
    complexity: "O(N) where N is the number of provided keys.",
    args: [{ ...KEY, flags: ["multiple"] }, TIMEOUT],
    handler: blockingPop(true),
  }),
  spec({
    name: "blmove",
    keySpecs: [{ flags: ["RW", "access", "delete"], first: 1, last: 1, step: 1 }, {
      flags: ["RW", "insert"],
      first: 2,
      last: 2,
      step: 1,
    }],
    arity: 6,
    flags: ["write", "denyoom", "noscript", "blocking"],
    keys: [1, 2, 1],
    summary:
      "Pop an element from a list, push it to another list and return it; or block until one is available",
    since: "6.2.0",
    complexity: "O(1)",
    args: [
      { name: "source", type: "key" },
      { name: "destination", type: "key" },
      SIDE("wherefrom"),
      SIDE("whereto"),
      TIMEOUT,
    ],
    handler: blockingMove(),
  }),
  spec({
    name: "brpoplpush",
    keySpecs: [{ flags: ["RW", "access", "delete"], first: 1, last: 1, step: 1 }, {
      flags: ["RW", "insert"],
      first: 2,
      last: 2,
      step: 1,
    }],
    arity: 4,
    flags: ["write", "denyoom", "noscript", "blocking"],
    keys: [1, 2, 1],
    summary:
      "Pop an element from a list, push it to another list and return it; or block until one is available",
    since: "2.2.0",
    complexity: "O(1)",
    args: [{ name: "source", type: "key" }, { name: "destination", type: "key" }, TIMEOUT],
    handler: blockingMove([true, false]),
  }),
  spec({
    name: "blmpop",
    arity: -5,
    flags: ["write", "blocking"],
    keys: [0, 0, 0],
    summary: "Pop elements from a list, or block until one is available",
    since: "7.0.0",
    complexity:
      "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
    args: [
      TIMEOUT,
      { name: "numkeys", type: "integer" },
      { name: "key", type: "key", flags: ["multiple"] },
      SIDE("where"),
      { name: "count", type: "integer", token: "COUNT", flags: ["optional"] },
    ],
    keySpecs: [{ flags: ["RW", "access", "delete"], first: 2, last: 2, step: 1, keynum: true }],
    handler: blmpop,
  }),
];
