/**
 * The list family, as Redis 7.0 (the blocking commands are in list_blocking.ts). Every change
 * is an op (store/types/list.ts) that states a deterministic Redis write; LMOVE and RPOPLPUSH
 * are a push and a pop in one record.
 */
import type { CommandContext } from "./context.ts";
import { CommandError, Errors, wrongArity } from "./errors.ts";
import { INT64_MIN, intArg, option, parseIntText } from "./args.ts";
import { lookup } from "./collections.ts";
import type { ArgDoc, CommandSpec, Handler } from "./spec.ts";
import { FIRST_KEY } from "./spec.ts";
import { EventClass } from "../store/events.ts";
import { clampRange, indexOfElement, ListOp, type ListValue } from "../store/types/list.ts";
import { entryEquals, type Span } from "../store/types/quicklist.ts";
import { KEY } from "./common_args.ts";

const MUST_BE_POSITIVE = new CommandError("ERR value is out of range, must be positive");
const INDEX_OUT_OF_RANGE = new CommandError("ERR index out of range");
const RANK_ZERO = new CommandError(
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
);
const RANK_RANGE = new CommandError(
  "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
);
const COUNT_NEGATIVE = new CommandError("ERR COUNT can't be negative");
const MAXLEN_NEGATIVE = new CommandError("ERR MAXLEN can't be negative");
export const NUMKEYS_POSITIVE = new CommandError("ERR numkeys should be greater than 0");
const COUNT_POSITIVE = new CommandError("ERR count should be greater than 0");

/** The count argument of a single pop (shared: ops never change their arguments). */
const ONE: readonly string[] = Object.freeze(["1"]);

export const readList = (ctx: CommandContext, key: string) =>
  lookup<ListValue>(ctx, key, "list", true);
export const writeList = (ctx: CommandContext, key: string) => lookup<ListValue>(ctx, key, "list");

/** LEFT or RIGHT (any case): true for RIGHT; syntax error otherwise. */
export function parseSide(text: string): boolean {
  const word = option(text);
  if (word === "LEFT") return false;
  if (word === "RIGHT") return true;
  throw Errors.syntax;
}

/**
 * Pops up to `count` elements from the head (or tail) of the non-empty list at `key`, raising
 * lpop/rpop (and del when it empties); returns them in popped order.
 */
export function popElements(
  ctx: CommandContext,
  key: string,
  list: ListValue,
  fromTail: boolean,
  count: number,
): string[] {
  const items = list.items;
  const n = Math.min(count, items.size);
  let values: string[];
  if (n === 1) {
    values = [items.get(fromTail ? items.size - 1 : 0)];
  } else {
    values = [];
    items.walk(fromTail, (_index, node, start, end) => {
      values.push(node.text(start, end));
      return values.length < n;
    });
  }
  const emptied = n === items.size;
  ctx.db.op(key, fromTail ? ListOp.rpop : ListOp.lpop, n === 1 ? ONE : [String(n)]);
  ctx.notify(EventClass.list, fromTail ? "rpop" : "lpop", key);
  if (emptied) ctx.notify(EventClass.generic, "del", key);
  return values;
}

/**
 * LMOVE on a non-empty source list: moves one element to `destination` (created if missing)
 * and returns it; WRONGTYPE when the destination holds another type. The push is applied
 * before the pop, so moving within one list never empties (and deletes) it.
 */
export function moveElement(
  ctx: CommandContext,
  source: string,
  list: ListValue,
  destination: string,
  fromTail: boolean,
  toTail: boolean,
): string {
  lookup<ListValue>(ctx, destination, "list");
  const items = list.items;
  const value = items.get(fromTail ? items.size - 1 : 0);
  const emptied = source !== destination && items.size === 1;
  ctx.db.op(destination, toTail ? ListOp.rpush : ListOp.lpush, [value]);
  ctx.notify(EventClass.list, toTail ? "rpush" : "lpush", destination);
  ctx.db.op(source, fromTail ? ListOp.rpop : ListOp.lpop, ONE);
  ctx.notify(EventClass.list, fromTail ? "rpop" : "lpop", source);
  if (emptied) ctx.notify(EventClass.generic, "del", source);
  return value;
}

/** LPUSH, RPUSH, LPUSHX, RPUSHX. */
function push(toTail: boolean, onlyExisting: boolean): Handler {
  return (ctx, argv) => {
    const key = argv[1];
    const list = writeList(ctx, key);
    if (list === undefined && onlyExisting) return ctx.out.integer(0);
    const after = ctx.db.op(key, toTail ? ListOp.rpush : ListOp.lpush, argv.slice(2));
    ctx.notify(EventClass.list, toTail ? "rpush" : "lpush", key);
    ctx.out.integer(after!.size);
  };
}

/** LPOP and RPOP, with an optional count. */
function pop(fromTail: boolean): Handler {
  return (ctx, argv) => {
    if (argv.length > 3) throw wrongArity(argv[0].toLowerCase());
    const key = argv[1];
    if (argv.length === 2) {
      const list = writeList(ctx, key);
      if (list === undefined) return ctx.out.nil();
      return ctx.out.bulk(popElements(ctx, key, list, fromTail, 1)[0]);
    }
    const parsed = parseIntText(argv[2]);
    if (parsed === null || parsed < 0) throw MUST_BE_POSITIVE;
    const list = writeList(ctx, key);
    if (list === undefined) return ctx.out.nilArray();
    if (parsed === 0) return ctx.out.arrayHeader(0);
    const values = popElements(ctx, key, list, fromTail, Number(parsed));
    ctx.out.arrayHeader(values.length);
    for (const value of values) ctx.out.bulk(value);
  };
}

const llen: Handler = (ctx, argv) => ctx.out.integer(readList(ctx, argv[1])?.size ?? 0);

const lindex: Handler = (ctx, argv) => {
  const list = readList(ctx, argv[1]);
  let index = Number(intArg(argv[2]));
  if (list === undefined) return ctx.out.nil();
  if (index < 0) index += list.size;
  if (index < 0 || index >= list.size) return ctx.out.nil();
  ctx.out.bulk(list.items.get(index));
};

const lset: Handler = (ctx, argv) => {
  const key = argv[1];
  let index = Number(intArg(argv[2]));
  const list = writeList(ctx, key);
  if (list === undefined) throw Errors.noSuchKey;
  if (index < 0) index += list.size;
  if (index < 0 || index >= list.size) throw INDEX_OUT_OF_RANGE;
  ctx.db.op(key, ListOp.lset, [String(index), argv[3]]);
  ctx.notify(EventClass.list, "lset", key);
  ctx.out.ok();
};

/** LRANGE: written straight from the list's storage, bounded only by max-output. */
const lrange: Handler = (ctx, argv) => {
  const start = Number(intArg(argv[2]));
  const stop = Number(intArg(argv[3]));
  const list = readList(ctx, argv[1]);
  const range = list === undefined ? null : clampRange(start, stop, list.size);
  const out = ctx.out;
  if (range === null) return out.arrayHeader(0);
  out.arrayHeader(range[1] - range[0] + 1);
  list!.items.forRange(range[0], range[1], (node, s, e) => out.bulkSlice(node.buf, s, e));
};

const ltrim: Handler = (ctx, argv) => {
  const key = argv[1];
  const start = Number(intArg(argv[2]));
  const stop = Number(intArg(argv[3]));
  const list = writeList(ctx, key);
  if (list === undefined) return ctx.out.ok();
  const size = list.size;
  const range = clampRange(start, stop, size);
  const kept = range === null ? 0 : range[1] - range[0] + 1;
  if (kept < size) ctx.db.op(key, ListOp.ltrim, [argv[2], argv[3]]);
  ctx.notify(EventClass.list, "ltrim", key);
  if (kept === 0) ctx.notify(EventClass.generic, "del", key);
  ctx.out.ok();
};

const lrem: Handler = (ctx, argv) => {
  const key = argv[1];
  const count = Number(intArg(argv[2]));
  const list = writeList(ctx, key);
  if (list === undefined) return ctx.out.integer(0);
  // Count first on a copy-free walk so an op is logged only when something is removed.
  const matches = countMatches(list, argv[3], count);
  if (matches > 0) {
    const emptied = matches === list.size;
    ctx.db.op(key, ListOp.lrem, [String(count), argv[3]]);
    ctx.notify(EventClass.list, "lrem", key);
    if (emptied) ctx.notify(EventClass.generic, "del", key);
  }
  ctx.out.integer(matches);
};

function countMatches(list: ListValue, value: string, count: number): number {
  const limit = count === 0 ? Infinity : Math.abs(count);
  let found = 0;
  const span: Span = { start: 0, end: 0 };
  list.items.walk(count < 0, (_index, node, start, end) => {
    span.start = start;
    span.end = end;
    if (entryEquals(node.buf, span, value)) found++;
    return found < limit;
  });
  return found;
}

const linsert: Handler = (ctx, argv) => {
  const where = option(argv[2]);
  if (where !== "BEFORE" && where !== "AFTER") throw Errors.syntax;
  const key = argv[1];
  const list = writeList(ctx, key);
  if (list === undefined) return ctx.out.integer(0);
  if (indexOfElement(list.items, argv[3]) < 0) return ctx.out.integer(-1);
  const after = ctx.db.op(key, ListOp.linsert, [where, argv[3], argv[4]]);
  ctx.notify(EventClass.list, "linsert", key);
  ctx.out.integer(after!.size);
};

/** LPOS key element [RANK rank] [COUNT num] [MAXLEN len]. */
const lpos: Handler = (ctx, argv) => {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let i = 3; i < argv.length; i++) {
    const word = option(argv[i]);
    if (i + 1 >= argv.length) throw Errors.syntax;
    if (word === "RANK") {
      const value = intArg(argv[++i]);
      if (value === INT64_MIN) throw RANK_RANGE;
      if (value === 0) throw RANK_ZERO;
      rank = Number(value);
    } else if (word === "COUNT") {
      const value = intArg(argv[++i]);
      if (value < 0) throw COUNT_NEGATIVE;
      count = Number(value);
    } else if (word === "MAXLEN") {
      const value = intArg(argv[++i]);
      if (value < 0) throw MAXLEN_NEGATIVE;
      maxlen = Number(value);
    } else {
      throw Errors.syntax;
    }
  }
  const list = readList(ctx, argv[1]);
  if (list === undefined) return count >= 0 ? ctx.out.arrayHeader(0) : ctx.out.nil();
  const wanted = count === 0 ? Infinity : count < 0 ? 1 : count;
  let skip = Math.abs(rank) - 1;
  let compared = 0;
  const found: number[] = [];
  const span: Span = { start: 0, end: 0 };
  const target = argv[2];
  list.items.walk(rank < 0, (index, node, start, end) => {
    if (maxlen !== 0 && compared++ >= maxlen) return false;
    span.start = start;
    span.end = end;
    if (!entryEquals(node.buf, span, target)) return true;
    if (skip > 0) {
      skip--;
      return true;
    }
    found.push(index);
    return found.length < wanted;
  });
  if (count < 0) return found.length === 0 ? ctx.out.nil() : ctx.out.integer(found[0]);
  ctx.out.arrayHeader(found.length);
  for (const index of found) ctx.out.integer(index);
};

/** LMOVE and RPOPLPUSH (sides fixed). */
function lmove(sides?: [fromTail: boolean, toTail: boolean]): Handler {
  return (ctx, argv) => {
    const [fromTail, toTail] = sides ?? [parseSide(argv[3]), parseSide(argv[4])];
    const list = writeList(ctx, argv[1]);
    if (list === undefined) return ctx.out.nil();
    ctx.out.bulk(moveElement(ctx, argv[1], list, argv[2], fromTail, toTail));
  };
}

/** The parsed tail of LMPOP/BLMPOP from the numkeys argument on. */
export interface MultiPop {
  keys: string[];
  fromTail: boolean;
  count: number;
}

/** Parses `numkeys key... LEFT|RIGHT [COUNT n]` starting at `argv[at]`. */
export function parseMultiPop(argv: string[], at: number): MultiPop {
  const numkeys = parseIntText(argv[at]);
  if (numkeys === null || numkeys < 1) throw NUMKEYS_POSITIVE;
  const whereAt = at + 1 + Number(numkeys);
  if (whereAt >= argv.length) throw Errors.syntax;
  const fromTail = parseSide(argv[whereAt]);
  let count = -1;
  for (let i = whereAt + 1; i < argv.length; i++) {
    if (count === -1 && option(argv[i]) === "COUNT" && i + 1 < argv.length) {
      const parsed = parseIntText(argv[++i]);
      if (parsed === null || parsed < 1) throw COUNT_POSITIVE;
      count = Number(parsed);
    } else {
      throw Errors.syntax;
    }
  }
  return { keys: argv.slice(at + 1, whereAt), fromTail, count: count === -1 ? 1 : count };
}

/** LMPOP's reply after popping from the first non-empty list: [key, [elements]]. */
export function replyMultiPop(ctx: CommandContext, key: string, values: string[]): void {
  ctx.out.arrayHeader(2);
  ctx.out.bulk(key);
  ctx.out.arrayHeader(values.length);
  for (const value of values) ctx.out.bulk(value);
}

/** Pops from the first of `keys` that holds a non-empty list; false when none does. */
export function tryMultiPop(ctx: CommandContext, request: MultiPop): boolean {
  for (const key of request.keys) {
    const list = writeList(ctx, key);
    if (list === undefined) continue;
    replyMultiPop(ctx, key, popElements(ctx, key, list, request.fromTail, request.count));
    return true;
  }
  return false;
}

const lmpop: Handler = (ctx, argv) => {
  const request = parseMultiPop(argv, 1);
  if (!tryMultiPop(ctx, request)) ctx.out.nilArray();
};

const ELEMENTS: ArgDoc = { name: "element", type: "string", flags: ["multiple"] };
const SIDE = (name: string): ArgDoc => ({
  name,
  type: "oneof",
  arguments: [
    { name: "left", type: "pure-token", token: "LEFT" },
    { name: "right", type: "pure-token", token: "RIGHT" },
  ],
});
export const LIST_ARG_DOCS = { KEY, SIDE };

function spec(fields: Omit<CommandSpec, "group" | "keys"> & Partial<CommandSpec>): CommandSpec {
  return { group: "list", keys: FIRST_KEY, ...fields };
}
export { spec as listSpec };

export const listCommands: CommandSpec[] = [
  spec({
    name: "lpush",
    keyFlags: ["RW", "insert"],
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    summary: "Prepend one or multiple elements to a list",
    since: "1.0.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    args: [KEY, ELEMENTS],
    handler: push(false, false),
  }),
  spec({
    name: "rpush",
    keyFlags: ["RW", "insert"],
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    summary: "Append one or multiple elements to a list",
    since: "1.0.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    args: [KEY, ELEMENTS],
    handler: push(true, false),
  }),
  spec({
    name: "lpushx",
    keyFlags: ["RW", "insert"],
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    summary: "Prepend an element to a list, only if the list exists",
    since: "2.2.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    args: [KEY, ELEMENTS],
    handler: push(false, true),
  }),
  spec({
    name: "rpushx",
    keyFlags: ["RW", "insert"],
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    summary: "Append an element to a list, only if the list exists",
    since: "2.2.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    args: [KEY, ELEMENTS],
    handler: push(true, true),
  }),
  spec({
    name: "lpop",
    keyFlags: ["RW", "access", "delete"],
    arity: -2,
    flags: ["write", "fast"],
    summary: "Remove and get the first elements in a list",
    since: "1.0.0",
    complexity: "O(N) where N is the number of elements returned",
    args: [KEY, { name: "count", type: "integer", flags: ["optional"] }],
    handler: pop(false),
  }),
  spec({
    name: "rpop",
    keyFlags: ["RW", "access", "delete"],
    arity: -2,
    flags: ["write", "fast"],
    summary: "Remove and get the last elements in a list",
    since: "1.0.0",
    complexity: "O(N) where N is the number of elements returned",
    args: [KEY, { name: "count", type: "integer", flags: ["optional"] }],
    handler: pop(true),
  }),
  spec({
    name: "llen",
    keyFlags: ["RO"],
    arity: 2,
    flags: ["readonly", "fast"],
    summary: "Get the length of a list",
    since: "1.0.0",
    complexity: "O(1)",
    args: [KEY],
    handler: llen,
  }),
  spec({
    name: "lindex",
    keyFlags: ["RO", "access"],
    arity: 3,
    flags: ["readonly"],
    summary: "Get an element from a list by its index",
    since: "1.0.0",
    complexity:
      "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
    args: [KEY, { name: "index", type: "integer" }],
    handler: lindex,
  }),
  spec({
    name: "lset",
    keyFlags: ["RW", "update"],
    arity: 4,
    flags: ["write", "denyoom"],
    summary: "Set the value of an element in a list by its index",
    since: "1.0.0",
    complexity:
      "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
    args: [KEY, { name: "index", type: "integer" }, { name: "element", type: "string" }],
    handler: lset,
  }),
  spec({
    name: "lrange",
    keyFlags: ["RO", "access"],
    arity: 4,
    flags: ["readonly"],
    summary: "Get a range of elements from a list",
    since: "1.0.0",
    complexity:
      "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
    args: [KEY, { name: "start", type: "integer" }, { name: "stop", type: "integer" }],
    handler: lrange,
  }),
  spec({
    name: "ltrim",
    keyFlags: ["RW", "delete"],
    arity: 4,
    flags: ["write"],
    summary: "Trim a list to the specified range",
    since: "1.0.0",
    complexity: "O(N) where N is the number of elements to be removed by the operation.",
    args: [KEY, { name: "start", type: "integer" }, { name: "stop", type: "integer" }],
    handler: ltrim,
  }),
  spec({
    name: "lrem",
    keyFlags: ["RW", "delete"],
    arity: 4,
    flags: ["write"],
    summary: "Remove elements from a list",
    since: "1.0.0",
    complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
    args: [KEY, { name: "count", type: "integer" }, { name: "element", type: "string" }],
    handler: lrem,
  }),
  spec({
    name: "linsert",
    keyFlags: ["RW", "insert"],
    arity: 5,
    flags: ["write", "denyoom"],
    summary: "Insert an element before or after another element in a list",
    since: "2.2.0",
    complexity:
      "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
    args: [
      KEY,
      {
        name: "where",
        type: "oneof",
        arguments: [
          { name: "before", type: "pure-token", token: "BEFORE" },
          { name: "after", type: "pure-token", token: "AFTER" },
        ],
      },
      { name: "pivot", type: "string" },
      { name: "element", type: "string" },
    ],
    handler: linsert,
  }),
  spec({
    name: "lpos",
    keyFlags: ["RO", "access"],
    arity: -3,
    flags: ["readonly"],
    summary: "Return the index of matching elements on a list",
    since: "6.0.6",
    complexity:
      "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
    args: [
      KEY,
      { name: "element", type: "string" },
      { name: "rank", type: "integer", token: "RANK", flags: ["optional"] },
      { name: "num-matches", type: "integer", token: "COUNT", flags: ["optional"] },
      { name: "len", type: "integer", token: "MAXLEN", flags: ["optional"] },
    ],
    handler: lpos,
  }),
  spec({
    name: "lmove",
    keySpecs: [{ flags: ["RW", "access", "delete"], first: 1, last: 1, step: 1 }, {
      flags: ["RW", "insert"],
      first: 2,
      last: 2,
      step: 1,
    }],
    arity: 5,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    summary: "Pop an element from a list, push it to another list and return it",
    since: "6.2.0",
    complexity: "O(1)",
    args: [
      { name: "source", type: "key" },
      { name: "destination", type: "key" },
      SIDE("wherefrom"),
      SIDE("whereto"),
    ],
    handler: lmove(),
  }),
  spec({
    name: "rpoplpush",
    keySpecs: [{ flags: ["RW", "access", "delete"], first: 1, last: 1, step: 1 }, {
      flags: ["RW", "insert"],
      first: 2,
      last: 2,
      step: 1,
    }],
    arity: 3,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    summary: "Remove the last element in a list, prepend it to another list and return it",
    since: "1.2.0",
    complexity: "O(1)",
    args: [{ name: "source", type: "key" }, { name: "destination", type: "key" }],
    handler: lmove([true, false]),
  }),
  spec({
    name: "lmpop",
    arity: -4,
    flags: ["write"],
    keys: [0, 0, 0],
    summary: "Pop elements from a list",
    since: "7.0.0",
    complexity:
      "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
    args: [
      { name: "numkeys", type: "integer" },
      { name: "key", type: "key", flags: ["multiple"] },
      SIDE("where"),
      { name: "count", type: "integer", token: "COUNT", flags: ["optional"] },
    ],
    keySpecs: [{ flags: ["RW", "access", "delete"], first: 1, last: 1, step: 1, keynum: true }],
    handler: lmpop,
  }),
];
