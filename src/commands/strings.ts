/**
 * The string family, as Redis 7 behaves: GET/SET (and PUT, Hermes's name for SET) with the
 * shared option grammar, the SET variants, multi-key MGET/MSET/MSETNX, byte ranges, and the
 * integer and float counters.
 *
 * Every write goes through `ctx.db` so the journal sees each result: `set` for a fresh value
 * (clearing any deadline), `update` where Redis keeps the TTL (INCR, APPEND, SETRANGE,
 * SET KEEPTTL). Values are one-byte strings, so lengths and offsets are byte counts.
 *
 * Keyspace events are raised as Redis's t_string.c raises them: `set`, `setrange`, `append`,
 * `incrby`, `incrbyfloat`, `expire`/`persist`/`del` for the TTL side of SET and GETEX, and
 * `keymiss` where Redis reads a key that is missing.
 */
import type { CommandContext } from "./context.ts";
import { Errors, wrongArity } from "./errors.ts";
import { INT64_MAX, INT64_MIN, intArg, option, parseIntText } from "./args.ts";
import {
  addLongDouble,
  formatLongDouble,
  LONG_DOUBLE_ZERO,
  parseLongDouble,
} from "./long_double.ts";
import type { ArgDoc, CommandSpec, Handler, KeyFlag } from "./spec.ts";
import { checkStringLength, countRead, lookupString } from "./string_lookup.ts";
import { EventClass } from "../store/events.ts";
import { FIRST_KEY } from "./spec.ts";
import {
  deadlineFrom,
  EX,
  EXAT,
  GET,
  KEEPTTL,
  NX,
  parseStringOptions,
  PERSIST,
  PX,
  PXAT,
  XX,
} from "./string_args.ts";
import { KEY } from "./common_args.ts";

function replyValue(ctx: CommandContext, value: string | undefined): void {
  if (value === undefined) ctx.out.nil();
  else ctx.out.bulk(value);
}

/** A string read the way Redis's GET-like commands read it: a miss raises `keymiss`. */
function readString(ctx: CommandContext, key: string): string | undefined {
  const value = lookupString(ctx, key);
  if (value === undefined) ctx.notify(EventClass.keyMiss, "keymiss", key);
  return value;
}

/**
 * Before a write that does not look at the key first: while keyspace events are on, an expired
 * key is removed first, so subscribers see `expired` then `new` as Redis raises them; while
 * access clocks are kept, the write counts as an access of the key (as Redis's lookupKeyWrite).
 */
function expireBeforeWrite(ctx: CommandContext, key: string): void {
  if (ctx.store.journal.notifyMask !== 0) ctx.db.get(key, ctx.now);
  else if (ctx.db.clocks !== null) ctx.db.touch(key, ctx.now);
}

const get: Handler = (ctx, argv) => {
  const value = countRead(ctx, argv[1], ctx.db.get(argv[1], ctx.now));
  if (value === undefined) ctx.out.nil();
  else if (typeof value !== "string") throw Errors.wrongType;
  else ctx.out.bulk(value);
};

/** SET and PUT: the plain form stays on a short path; options go through the shared parser. */
const set: Handler = (ctx, argv) => {
  if (argv.length === 3) {
    expireBeforeWrite(ctx, argv[1]);
    ctx.db.set(argv[1], argv[2], 0);
    ctx.notify(EventClass.string, "set", argv[1]);
    ctx.out.ok();
    return;
  }
  const { flags, expire } = parseStringOptions(argv, 3, true);
  const deadline = expire === undefined
    ? 0
    : deadlineFrom(expire, flags & (EX | PX | EXAT | PXAT), ctx.now, argv[0]);
  const key = argv[1];
  // With GET the old value must be a string (WRONGTYPE otherwise); without, any type counts.
  const old = flags & GET ? readString(ctx, key) : ctx.db.get(key, ctx.now);
  const found = old !== undefined;
  if ((flags & NX && found) || (flags & XX && !found)) {
    if (flags & GET) replyValue(ctx, old as string | undefined);
    else ctx.out.nil();
    return;
  }
  // The lookup above already removed an expired key, so `update` cannot inherit a dead deadline.
  if (flags & KEEPTTL) ctx.db.update(key, argv[2]);
  else ctx.db.set(key, argv[2], deadline);
  ctx.notify(EventClass.string, "set", key);
  if (expire !== undefined) ctx.notify(EventClass.generic, "expire", key);
  if (flags & GET) replyValue(ctx, old as string | undefined);
  else ctx.out.ok();
};

const setnx: Handler = (ctx, argv) => {
  if (ctx.db.get(argv[1], ctx.now) !== undefined) return ctx.out.integer(0);
  ctx.db.set(argv[1], argv[2], 0);
  ctx.notify(EventClass.string, "set", argv[1]);
  ctx.out.integer(1);
};

/** SETEX and PSETEX: `unit` says how argv[2] counts. */
function setWithTtl(unit: number): Handler {
  return (ctx, argv) => {
    const deadline = deadlineFrom(argv[2], unit, ctx.now, argv[0]);
    expireBeforeWrite(ctx, argv[1]);
    ctx.db.set(argv[1], argv[3], deadline);
    ctx.notify(EventClass.string, "set", argv[1]);
    ctx.notify(EventClass.generic, "expire", argv[1]);
    ctx.out.ok();
  };
}

const getset: Handler = (ctx, argv) => {
  const old = readString(ctx, argv[1]);
  ctx.db.set(argv[1], argv[2], 0);
  ctx.notify(EventClass.string, "set", argv[1]);
  replyValue(ctx, old);
};

const getdel: Handler = (ctx, argv) => {
  const value = readString(ctx, argv[1]);
  if (value !== undefined) {
    ctx.db.delete(argv[1]);
    ctx.notify(EventClass.generic, "del", argv[1]);
  }
  replyValue(ctx, value);
};

/**
 * GETEX: option syntax is checked first, but a missing key answers nil before the time is
 * read (Redis order), and an absolute time already past deletes the key.
 */
const getex: Handler = (ctx, argv) => {
  const { flags, expire } = parseStringOptions(argv, 2, false);
  const key = argv[1];
  const value = readString(ctx, key);
  if (value === undefined) return ctx.out.nil();
  const unit = flags & (EX | PX | EXAT | PXAT);
  const deadline = expire === undefined ? 0 : deadlineFrom(expire, unit, ctx.now, argv[0]);
  ctx.out.bulk(value);
  if ((unit === EXAT || unit === PXAT) && ctx.db.expiry.passed(deadline, ctx.now)) {
    ctx.db.delete(key);
    ctx.notify(EventClass.generic, "del", key);
  } else if (expire !== undefined) {
    ctx.db.setDeadline(key, deadline);
    ctx.notify(EventClass.generic, "expire", key);
  } else if (flags & PERSIST && ctx.db.deadline(key) !== 0) {
    ctx.db.setDeadline(key, 0);
    ctx.notify(EventClass.generic, "persist", key);
  }
};

/** MGET answers nil for missing keys and for keys of other types, never WRONGTYPE. */
const mget: Handler = (ctx, argv) => {
  if (argv.length > 2) ctx.db.prefetch(argv, 1, 1);
  ctx.out.arrayHeader(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const value = countRead(ctx, argv[i], ctx.db.get(argv[i], ctx.now));
    if (typeof value === "string") ctx.out.bulk(value);
    else ctx.out.nil();
  }
};

const mset: Handler = (ctx, argv) => {
  if (argv.length % 2 === 0) throw wrongArity("mset");
  ctx.db.prefetch(argv, 1, 2, true);
  setAll(ctx, argv);
  ctx.out.ok();
};

const msetnx: Handler = (ctx, argv) => {
  if (argv.length % 2 === 0) throw wrongArity("msetnx");
  ctx.db.prefetch(argv, 1, 2, true);
  for (let i = 1; i < argv.length; i += 2) {
    if (ctx.db.get(argv[i], ctx.now) !== undefined) return ctx.out.integer(0);
  }
  setAll(ctx, argv);
  ctx.out.integer(1);
};

/** MSET's writes: each key in turn, with its `set` event (the caller warmed the keys). */
function setAll(ctx: CommandContext, argv: string[]): void {
  for (let i = 1; i < argv.length; i += 2) {
    expireBeforeWrite(ctx, argv[i]);
    ctx.db.set(argv[i], argv[i + 1], 0);
    ctx.notify(EventClass.string, "set", argv[i]);
  }
}

const append: Handler = (ctx, argv) => {
  const key = argv[1];
  const suffix = argv[2];
  const value = lookupString(ctx, key);
  if (value === undefined) {
    ctx.db.set(key, suffix, 0);
    ctx.notify(EventClass.string, "append", key);
    return ctx.out.integer(suffix.length);
  }
  const length = value.length + suffix.length;
  checkStringLength(ctx, length);
  if (suffix.length > 0) ctx.db.update(key, value + suffix);
  // Redis announces every APPEND that found a string, even of nothing.
  ctx.notify(EventClass.string, "append", key);
  ctx.out.integer(length);
};

const strlen: Handler = (ctx, argv) => {
  const value = countRead(ctx, argv[1], lookupString(ctx, argv[1]));
  ctx.out.integer(value === undefined ? 0 : value.length);
};

/** GETRANGE and SUBSTR: inclusive byte range, negative indexes from the end, clamped. */
const getrange: Handler = (ctx, argv) => {
  const first = intArg(argv[2]);
  const last = intArg(argv[3]);
  const value = countRead(ctx, argv[1], lookupString(ctx, argv[1])) ?? "";
  // Compared before clamping, at full int64 precision, as Redis does.
  if (first < 0 && last < 0 && first > last) return ctx.out.bulk("");
  const length = value.length;
  let start = Number(first);
  let end = Number(last);
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return ctx.out.bulk("");
  ctx.out.bulk(value.slice(start, end + 1));
};

const setrange: Handler = (ctx, argv) => {
  const key = argv[1];
  const patch = argv[3];
  const offsetArg = intArg(argv[2]);
  if (offsetArg < 0) throw Errors.offsetRange;
  const value = lookupString(ctx, key);
  if (patch.length === 0) return ctx.out.integer(value === undefined ? 0 : value.length);
  // A bigint offset has 16+ digits: past any allowed length.
  const offset = typeof offsetArg === "number" ? offsetArg : Infinity;
  checkStringLength(ctx, offset + patch.length);
  const base = value ?? "";
  const result = base.length <= offset
    ? base + "\0".repeat(offset - base.length) + patch
    : base.slice(0, offset) + patch + base.slice(offset + patch.length);
  if (value === undefined) ctx.db.set(key, result, 0);
  else ctx.db.update(key, result);
  ctx.notify(EventClass.string, "setrange", key);
  ctx.out.integer(result.length);
};

/** INCR, DECR, INCRBY, DECRBY: signed 64-bit, exact; bigint only beyond 15 digits. */
function incrementBy(ctx: CommandContext, key: string, delta: number | bigint): void {
  const value = lookupString(ctx, key);
  let base: number | bigint = 0;
  if (value !== undefined) {
    const parsed = parseIntText(value);
    if (parsed === null) throw Errors.notInteger;
    base = parsed;
  }
  if (typeof base === "number" && typeof delta === "number") {
    // Both below 10^15 in size: the sum is an exact double.
    const sum = base + delta;
    write(ctx, key, value, String(sum), "incrby");
    return ctx.out.integer(sum);
  }
  const sum = BigInt(base) + BigInt(delta);
  if (sum > INT64_MAX || sum < INT64_MIN) throw Errors.overflow;
  const text = sum.toString();
  write(ctx, key, value, text, "incrby");
  ctx.out.integerText(text);
}

/** Stores a counter's new text, keeping the deadline of an existing key, and announces it. */
function write(
  ctx: CommandContext,
  key: string,
  old: string | undefined,
  text: string,
  event: "incrby" | "incrbyfloat",
): void {
  if (old === undefined) ctx.db.set(key, text, 0);
  else ctx.db.update(key, text);
  ctx.notify(EventClass.string, event, key);
}

const incr: Handler = (ctx, argv) => incrementBy(ctx, argv[1], 1);
const decr: Handler = (ctx, argv) => incrementBy(ctx, argv[1], -1);
const incrby: Handler = (ctx, argv) => incrementBy(ctx, argv[1], intArg(argv[2]));
const decrby: Handler = (ctx, argv) => {
  const delta = intArg(argv[2]);
  // -(-2^63) does not fit in an int64; Redis refuses it with its own text.
  if (delta === INT64_MIN) throw Errors.decrementOverflow;
  incrementBy(ctx, argv[1], -delta);
};

const incrbyfloat: Handler = (ctx, argv) => {
  const key = argv[1];
  const value = lookupString(ctx, key);
  const base = value === undefined ? LONG_DOUBLE_ZERO : parseLongDouble(value);
  if (base === null) throw Errors.notFloat;
  const delta = parseLongDouble(argv[2]);
  if (delta === null) throw Errors.notFloat;
  const sum = addLongDouble(base, delta);
  if (sum === null) throw Errors.incrFloatNaN;
  const text = formatLongDouble(sum);
  write(ctx, key, value, text, "incrbyfloat");
  ctx.out.bulk(text);
};

const VALUE: ArgDoc = { name: "value", type: "string" };
const RANGE_ARGS: ArgDoc[] = [
  KEY,
  { name: "start", type: "integer" },
  { name: "end", type: "integer" },
];
const KEY_VALUE_PAIRS: ArgDoc[] = [
  { name: "data", type: "block", flags: ["multiple"], arguments: [KEY, VALUE] },
];
const SET_ARGS: ArgDoc[] = [
  KEY,
  VALUE,
  {
    name: "condition",
    type: "oneof",
    flags: ["optional"],
    arguments: [
      { name: "nx", type: "pure-token", token: "NX" },
      { name: "xx", type: "pure-token", token: "XX" },
    ],
  },
  { name: "get", type: "pure-token", token: "GET", flags: ["optional"] },
  {
    name: "expiration",
    type: "oneof",
    flags: ["optional"],
    arguments: [
      { name: "seconds", type: "integer", token: "EX" },
      { name: "milliseconds", type: "integer", token: "PX" },
      { name: "unix-time-seconds", type: "unix-time", token: "EXAT" },
      { name: "unix-time-milliseconds", type: "unix-time", token: "PXAT" },
      { name: "keepttl", type: "pure-token", token: "KEEPTTL" },
    ],
  },
];
const GETEX_ARGS: ArgDoc[] = [KEY, {
  name: "expiration",
  type: "oneof",
  flags: ["optional"],
  arguments: [
    { name: "seconds", type: "integer", token: "EX" },
    { name: "milliseconds", type: "integer", token: "PX" },
    { name: "unix-time-seconds", type: "unix-time", token: "EXAT" },
    { name: "unix-time-milliseconds", type: "unix-time", token: "PXAT" },
    { name: "persist", type: "pure-token", token: "PERSIST" },
  ],
}];

/** The fields every string command shares. */
function spec(fields: Omit<CommandSpec, "group" | "keys"> & Partial<CommandSpec>): CommandSpec {
  return { group: "string", keys: FIRST_KEY, ...fields };
}

/** SET reads the old value only with GET: otherwise it just overwrites (Redis's setGetKeys). */
function setKeyFlags(argv: string[]): KeyFlag[] {
  for (let i = 3; i < argv.length; i++) {
    if (option(argv[i]) === "GET") return ["RW", "access", "update"];
  }
  return ["OW", "update"];
}

const SET_SPEC_FIELDS = {
  arity: -3,
  flags: ["write", "denyoom"],
  keyFlags: ["RW", "access", "update", "variable_flags"],
  keyFlagsFor: setKeyFlags,
  since: "1.0.0",
  complexity: "O(1)",
  args: SET_ARGS,
  handler: set,
} satisfies Partial<CommandSpec>;

export const stringCommands: CommandSpec[] = [
  spec({
    name: "get",
    keyFlags: ["RO", "access"],
    arity: 2,
    flags: ["readonly", "fast"],
    summary: "Returns the string value of a key.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [KEY],
    handler: get,
  }),
  spec({
    name: "set",
    summary: "Sets the string value of a key, ignoring its type. The key is created if it " +
      "doesn't exist.",
    ...SET_SPEC_FIELDS,
  }),
  spec({
    name: "put",
    summary: "Sets the string value of a key: Hermes's name for SET, with the same options " +
      "(PUT NX inserts only, PUT XX updates only).",
    ...SET_SPEC_FIELDS,
    since: "0.1.0",
  }),
  spec({
    name: "setnx",
    keyFlags: ["OW", "insert"],
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    summary: "Set the string value of a key only when the key doesn't exist.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [KEY, VALUE],
    handler: setnx,
  }),
  spec({
    name: "setex",
    keyFlags: ["OW", "update"],
    arity: 4,
    flags: ["write", "denyoom"],
    summary: "Sets the string value and expiration time of a key. Creates the key if it " +
      "doesn't exist.",
    since: "2.0.0",
    complexity: "O(1)",
    args: [KEY, { name: "seconds", type: "integer" }, VALUE],
    handler: setWithTtl(EX),
  }),
  spec({
    name: "psetex",
    keyFlags: ["OW", "update"],
    arity: 4,
    flags: ["write", "denyoom"],
    summary: "Sets both string value and expiration time in milliseconds of a key. The key is " +
      "created if it doesn't exist.",
    since: "2.6.0",
    complexity: "O(1)",
    args: [KEY, { name: "milliseconds", type: "integer" }, VALUE],
    handler: setWithTtl(PX),
  }),
  spec({
    name: "getset",
    keyFlags: ["RW", "access", "update"],
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    summary: "Returns the previous string value of a key after setting it to a new value.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [KEY, VALUE],
    handler: getset,
  }),
  spec({
    name: "getdel",
    keyFlags: ["RW", "access", "delete"],
    arity: 2,
    flags: ["write", "fast"],
    summary: "Returns the string value of a key after deleting the key.",
    since: "6.2.0",
    complexity: "O(1)",
    args: [KEY],
    handler: getdel,
  }),
  spec({
    name: "getex",
    keyFlags: ["RW", "access", "update"],
    arity: -2,
    flags: ["write", "fast"],
    summary: "Returns the string value of a key after setting its expiration time.",
    since: "6.2.0",
    complexity: "O(1)",
    args: GETEX_ARGS,
    handler: getex,
  }),
  spec({
    name: "mget",
    keyFlags: ["RO", "access"],
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, -1, 1],
    summary: "Atomically returns the string values of one or more keys.",
    since: "1.0.0",
    complexity: "O(N) where N is the number of keys to retrieve.",
    args: [{ ...KEY, flags: ["multiple"] }],
    handler: mget,
  }),
  spec({
    name: "mset",
    keyFlags: ["OW", "update"],
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 2],
    summary: "Atomically creates or modifies the string values of one or more keys.",
    since: "1.0.1",
    complexity: "O(N) where N is the number of keys to set.",
    args: KEY_VALUE_PAIRS,
    handler: mset,
  }),
  spec({
    name: "msetnx",
    keyFlags: ["OW", "insert"],
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 2],
    summary: "Atomically modifies the string values of one or more keys only when all keys " +
      "don't exist.",
    since: "1.0.1",
    complexity: "O(N) where N is the number of keys to set.",
    args: KEY_VALUE_PAIRS,
    handler: msetnx,
  }),
  spec({
    name: "append",
    keyFlags: ["RW", "insert"],
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.",
    since: "2.0.0",
    complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is " +
      "small and the already present value is of any size.",
    args: [KEY, VALUE],
    handler: append,
  }),
  spec({
    name: "strlen",
    keyFlags: ["RO"],
    arity: 2,
    flags: ["readonly", "fast"],
    summary: "Returns the length of a string value.",
    since: "2.2.0",
    complexity: "O(1)",
    args: [KEY],
    handler: strlen,
  }),
  spec({
    name: "getrange",
    keyFlags: ["RO", "access"],
    arity: 4,
    flags: ["readonly"],
    summary: "Returns a substring of the string stored at a key.",
    since: "2.4.0",
    complexity: "O(N) where N is the length of the returned string.",
    args: RANGE_ARGS,
    handler: getrange,
  }),
  spec({
    name: "substr",
    keyFlags: ["RO", "access"],
    arity: 4,
    flags: ["readonly"],
    summary: "Returns a substring from a string value (the old name of GETRANGE).",
    since: "1.0.0",
    complexity: "O(N) where N is the length of the returned string.",
    args: RANGE_ARGS,
    handler: getrange,
  }),
  spec({
    name: "setrange",
    keyFlags: ["RW", "update"],
    arity: 4,
    flags: ["write", "denyoom"],
    summary: "Overwrites a part of a string value with another by an offset. Creates the key " +
      "if it doesn't exist.",
    since: "2.2.0",
    complexity: "O(1), not counting the time taken to copy the new string in place; " +
      "otherwise O(M) with M being the length of the value argument.",
    args: [KEY, { name: "offset", type: "integer" }, VALUE],
    handler: setrange,
  }),
  spec({
    name: "incr",
    keyFlags: ["RW", "access", "update"],
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key " +
      "doesn't exist.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [KEY],
    handler: incr,
  }),
  spec({
    name: "decr",
    keyFlags: ["RW", "access", "update"],
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key " +
      "doesn't exist.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [KEY],
    handler: decr,
  }),
  spec({
    name: "incrby",
    keyFlags: ["RW", "access", "update"],
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the " +
      "key doesn't exist.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [KEY, { name: "increment", type: "integer" }],
    handler: incrby,
  }),
  spec({
    name: "decrby",
    keyFlags: ["RW", "access", "update"],
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if " +
      "the key doesn't exist.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [KEY, { name: "decrement", type: "integer" }],
    handler: decrby,
  }),
  spec({
    name: "incrbyfloat",
    keyFlags: ["RW", "access", "update"],
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    summary: "Increment the floating point value of a key by a number. Uses 0 as initial value " +
      "if the key doesn't exist.",
    since: "2.6.0",
    complexity: "O(1)",
    args: [KEY, { name: "increment", type: "double" }],
    handler: incrbyfloat,
  }),
];
