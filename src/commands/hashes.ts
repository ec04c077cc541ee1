/**
 * The hash family, as Redis 7.0: HSET/HMSET/HSETNX, reads, HDEL, the counters, HRANDFIELD and
 * HSCAN. Every change is an op (store/types/hash.ts): HSET or HDEL; the counters and HSETNX are
 * written as HSET of the value they produce.
 */
import type { CommandContext } from "./context.ts";
import { CommandError, Errors, wrongArity } from "./errors.ts";
import { INT64_MAX, INT64_MIN, intArg, option, parseIntText } from "./args.ts";
import { addLongDouble, formatLongDouble, parseLongDouble } from "./long_double.ts";
import { parseScanCursor } from "./keys.ts";
import { distinctIndexes, lookup, parseScanOptions, replyScan } from "./collections.ts";
import type { ArgDoc, CommandSpec, Handler } from "./spec.ts";
import { FIRST_KEY } from "./spec.ts";
import { EventClass } from "../store/events.ts";
import { HashOp, type HashValue } from "../store/types/hash.ts";
import { collectionScans } from "../store/collection_scans.ts";
import { globMatch } from "../store/glob.ts";
import { COLLECTION_SCAN_ARGS, COLLECTION_SCAN_COMPLEXITY, KEY } from "./common_args.ts";

const HASH_VALUE_NOT_INTEGER = new CommandError("ERR hash value is not an integer");
const HASH_VALUE_NOT_FLOAT = new CommandError("ERR hash value is not a float");
const INCREMENT_NOT_FINITE = new CommandError("ERR value is NaN or Infinity");
const VALUE_OUT_OF_RANGE = new CommandError("ERR value is out of range");
const COUNT_OUT_OF_RANGE = new CommandError(
  "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
);

const readHash = (ctx: CommandContext, key: string) => lookup<HashValue>(ctx, key, "hash", true);
const writeHash = (ctx: CommandContext, key: string) => lookup<HashValue>(ctx, key, "hash");

/** HSET and HMSET: field/value pairs; HSET answers how many fields are new. */
function hsetGeneric(reply: "count" | "ok"): Handler {
  return (ctx, argv) => {
    if (argv.length % 2 !== 0) throw wrongArity(argv[0].toLowerCase());
    const key = argv[1];
    const before = writeHash(ctx, key)?.size ?? 0;
    // What the fields added is what the hash grew by (a field named twice counts once).
    const after = ctx.db.op(key, HashOp.hset, argv.slice(2)) as HashValue;
    const added = after.size - before;
    ctx.notify(EventClass.hash, "hset", key);
    if (reply === "ok") ctx.out.ok();
    else ctx.out.integer(added);
  };
}

const hsetnx: Handler = (ctx, argv) => {
  const hash = writeHash(ctx, argv[1]);
  if (hash !== undefined && hash.has(argv[2])) return ctx.out.integer(0);
  ctx.db.op(argv[1], HashOp.hset, [argv[2], argv[3]]);
  ctx.notify(EventClass.hash, "hset", argv[1]);
  ctx.out.integer(1);
};

const hget: Handler = (ctx, argv) => {
  const value = readHash(ctx, argv[1])?.get(argv[2]);
  if (value === undefined) ctx.out.nil();
  else ctx.out.bulk(value);
};

const hmget: Handler = (ctx, argv) => {
  const hash = readHash(ctx, argv[1]);
  ctx.out.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const value = hash?.get(argv[i]);
    if (value === undefined) ctx.out.nil();
    else ctx.out.bulk(value);
  }
};

const hdel: Handler = (ctx, argv) => {
  const key = argv[1];
  const hash = writeHash(ctx, key);
  if (hash === undefined) return ctx.out.integer(0);
  const fields = new Set<string>();
  for (let i = 2; i < argv.length; i++) if (hash.has(argv[i])) fields.add(argv[i]);
  if (fields.size > 0) {
    const emptied = fields.size === hash.size;
    ctx.db.op(key, HashOp.hdel, [...fields]);
    ctx.notify(EventClass.hash, "hdel", key);
    if (emptied) ctx.notify(EventClass.generic, "del", key);
  }
  ctx.out.integer(fields.size);
};

const hlen: Handler = (ctx, argv) => ctx.out.integer(readHash(ctx, argv[1])?.size ?? 0);

const hstrlen: Handler = (ctx, argv) => {
  ctx.out.integer(readHash(ctx, argv[1])?.get(argv[2])?.length ?? 0);
};

const hexists: Handler = (ctx, argv) => {
  ctx.out.integer(readHash(ctx, argv[1])?.has(argv[2]) ? 1 : 0);
};

/** HKEYS, HVALS, HGETALL: the whole hash, bounded only by max-output. */
function hgetallGeneric(what: "keys" | "values" | "all"): Handler {
  return (ctx, argv) => {
    const hash = readHash(ctx, argv[1]);
    const out = ctx.out;
    if (hash === undefined) return what === "all" ? out.mapHeader(0) : out.arrayHeader(0);
    if (what === "all") out.mapHeader(hash.size);
    else out.arrayHeader(hash.size);
    hash.forEach((field, value) => {
      if (what !== "values") out.bulk(field);
      if (what !== "keys") out.bulk(value);
    });
  };
}

const hincrby: Handler = (ctx, argv) => {
  const key = argv[1];
  const delta = intArg(argv[3]);
  const hash = writeHash(ctx, key);
  const current = hash?.get(argv[2]);
  let base: number | bigint = 0;
  if (current !== undefined) {
    const parsed = parseIntText(current);
    if (parsed === null) throw HASH_VALUE_NOT_INTEGER;
    base = parsed;
  }
  let text: string;
  if (typeof base === "number" && typeof delta === "number") {
    text = String(base + delta);
  } else {
    const sum = BigInt(base) + BigInt(delta);
    if (sum > INT64_MAX || sum < INT64_MIN) throw Errors.overflow;
    text = sum.toString();
  }
  ctx.db.op(key, HashOp.hset, [argv[2], text]);
  ctx.notify(EventClass.hash, "hincrby", key);
  ctx.out.integerText(text);
};

const hincrbyfloat: Handler = (ctx, argv) => {
  const key = argv[1];
  const delta = parseLongDouble(argv[3]);
  if (delta === null) throw Errors.notFloat;
  if (delta.infinite) throw INCREMENT_NOT_FINITE;
  const hash = writeHash(ctx, key);
  const current = hash?.get(argv[2]);
  let base = parseLongDouble("0")!;
  if (current !== undefined) {
    const parsed = parseLongDouble(current);
    if (parsed === null) throw HASH_VALUE_NOT_FLOAT;
    base = parsed;
  }
  const sum = addLongDouble(base, delta);
  if (sum === null) throw Errors.incrFloatNaN;
  const text = formatLongDouble(sum);
  ctx.db.op(key, HashOp.hset, [argv[2], text]);
  ctx.notify(EventClass.hash, "hincrbyfloat", key);
  ctx.out.bulk(text);
};

/**
 * HRANDFIELD key [count [WITHVALUES]]: a positive count gives distinct fields (all of them when
 * the count reaches the size), a negative one may repeat fields.
 */
const hrandfield: Handler = (ctx, argv) => {
  const key = argv[1];
  if (argv.length === 2) {
    const hash = readHash(ctx, key);
    if (hash === undefined) return ctx.out.nil();
    const [fields] = randomPairs(hash);
    return ctx.out.bulk(fields[Math.floor(Math.random() * fields.length)]);
  }
  let withValues = false;
  if (argv.length === 4 && option(argv[3]) === "WITHVALUES") withValues = true;
  else if (argv.length >= 4) throw Errors.syntax;
  const parsed = intArg(argv[2]);
  if (parsed === INT64_MIN) throw COUNT_OUT_OF_RANGE;
  // Redis refuses counts whose pairs would overflow: below -LONG_MAX / 2 with WITHVALUES.
  if (withValues && BigInt(parsed) < -4611686018427387903n) throw VALUE_OUT_OF_RANGE;
  const count = Number(parsed);
  const hash = readHash(ctx, key);
  const out = ctx.out;
  if (hash === undefined || count === 0) return out.arrayHeader(0);
  const size = hash.size;
  const pair = (field: string, value: string) => {
    if (withValues && out.protocol === 3) out.arrayHeader(2);
    out.bulk(field);
    if (withValues) out.bulk(value);
  };
  const header = (n: number) => out.arrayHeader(withValues && out.protocol === 2 ? n * 2 : n);
  if (count < 0) {
    const n = -count;
    header(n);
    const dense = hash.dense;
    const [fields, values] = dense === null ? randomPairs(hash) : [null, null];
    for (let i = 0; i < n; i++) {
      // A client asking for billions is cut off once its reply passes max-output.
      if ((i & 1023) === 0 && ctx.session.closeRequested) return;
      if (dense !== null) {
        const slot = dense.randomSlot();
        pair(dense.keyAt(slot), dense.valueAt(slot));
      } else {
        const at = Math.floor(Math.random() * size);
        pair(fields![at], values![at]);
      }
    }
    return;
  }
  if (count >= size) {
    header(size);
    return hash.forEach(pair);
  }
  header(count);
  const dense = hash.dense;
  const [fields, values] = dense === null ? randomPairs(hash) : [null, null];
  for (const at of distinctIndexes(size, count)) {
    if (dense !== null) pair(dense.keyAt(at), dense.valueAt(at));
    else pair(fields![at], values![at]);
  }
};

function randomPairs(hash: HashValue): [string[], string[]] {
  const dense = hash.dense;
  if (dense === null) return hash.pairs();
  const fields: string[] = [];
  const values: string[] = [];
  const slot = dense.randomSlot();
  fields.push(dense.keyAt(slot));
  values.push(dense.valueAt(slot));
  return [fields, values];
}

const hscan: Handler = (ctx, argv) => {
  const cursor = parseScanCursor(argv[2]);
  const hash = readHash(ctx, argv[1]);
  if (hash === undefined) return replyScan(ctx, 0n, []);
  const { count, pattern } = parseScanOptions(argv, 3, false);
  const items: string[] = [];
  const dense = hash.dense;
  if (dense === null) {
    // A packed hash is returned whole in one step, as Redis does.
    hash.forEach((field, value) => {
      if (pattern === null || globMatch(pattern, field)) items.push(field, value);
    });
    return replyScan(ctx, 0n, items);
  }
  const [next, fields] = collectionScans.step(dense, cursor, count);
  for (const field of fields) {
    if (pattern !== null && !globMatch(pattern, field)) continue;
    const value = dense.get(field);
    if (value !== undefined) items.push(field, value);
  }
  replyScan(ctx, next, items);
};

const FIELD: ArgDoc = { name: "field", type: "string" };
const FIELDS: ArgDoc = { name: "field", type: "string", flags: ["multiple"] };
const PAIRS: ArgDoc = {
  name: "data",
  type: "block",
  flags: ["multiple"],
  arguments: [FIELD, { name: "value", type: "string" }],
};

function spec(fields: Omit<CommandSpec, "group" | "keys"> & Partial<CommandSpec>): CommandSpec {
  return { group: "hash", keys: FIRST_KEY, ...fields };
}

export const hashCommands: CommandSpec[] = [
  spec({
    name: "hset",
    memberAt: 2,
    keyFlags: ["RW", "update"],
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    summary: "Set the string value of a hash field",
    since: "2.0.0",
    complexity:
      "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
    args: [KEY, PAIRS],
    handler: hsetGeneric("count"),
  }),
  spec({
    name: "hmset",
    memberAt: 2,
    keyFlags: ["RW", "update"],
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    summary: "Set multiple hash fields to multiple values",
    since: "2.0.0",
    complexity: "O(N) where N is the number of fields being set.",
    args: [KEY, PAIRS],
    handler: hsetGeneric("ok"),
  }),
  spec({
    name: "hsetnx",
    memberAt: 2,
    keyFlags: ["RW", "insert"],
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    summary: "Set the value of a hash field, only if the field does not exist",
    since: "2.0.0",
    complexity: "O(1)",
    args: [KEY, FIELD, { name: "value", type: "string" }],
    handler: hsetnx,
  }),
  spec({
    name: "hget",
    memberAt: 2,
    keyFlags: ["RO", "access"],
    arity: 3,
    flags: ["readonly", "fast"],
    summary: "Get the value of a hash field",
    since: "2.0.0",
    complexity: "O(1)",
    args: [KEY, FIELD],
    handler: hget,
  }),
  spec({
    name: "hmget",
    memberAt: 2,
    keyFlags: ["RO", "access"],
    arity: -3,
    flags: ["readonly", "fast"],
    summary: "Get the values of all the given hash fields",
    since: "2.0.0",
    complexity: "O(N) where N is the number of fields being requested.",
    args: [KEY, FIELDS],
    handler: hmget,
  }),
  spec({
    name: "hdel",
    memberAt: 2,
    keyFlags: ["RW", "delete"],
    arity: -3,
    flags: ["write", "fast"],
    summary: "Delete one or more hash fields",
    since: "2.0.0",
    complexity: "O(N) where N is the number of fields to be removed.",
    args: [KEY, FIELDS],
    handler: hdel,
  }),
  spec({
    name: "hlen",
    keyFlags: ["RO"],
    arity: 2,
    flags: ["readonly", "fast"],
    summary: "Get the number of fields in a hash",
    since: "2.0.0",
    complexity: "O(1)",
    args: [KEY],
    handler: hlen,
  }),
  spec({
    name: "hstrlen",
    memberAt: 2,
    keyFlags: ["RO"],
    arity: 3,
    flags: ["readonly", "fast"],
    summary: "Get the length of the value of a hash field",
    since: "3.2.0",
    complexity: "O(1)",
    args: [KEY, FIELD],
    handler: hstrlen,
  }),
  spec({
    name: "hexists",
    memberAt: 2,
    keyFlags: ["RO"],
    arity: 3,
    flags: ["readonly", "fast"],
    summary: "Determine if a hash field exists",
    since: "2.0.0",
    complexity: "O(1)",
    args: [KEY, FIELD],
    handler: hexists,
  }),
  spec({
    name: "hkeys",
    keyFlags: ["RO", "access"],
    arity: 2,
    flags: ["readonly"],
    summary: "Get all the fields in a hash",
    since: "2.0.0",
    complexity: "O(N) where N is the size of the hash.",
    args: [KEY],
    handler: hgetallGeneric("keys"),
    tips: ["nondeterministic_output_order"],
  }),
  spec({
    name: "hvals",
    keyFlags: ["RO", "access"],
    arity: 2,
    flags: ["readonly"],
    summary: "Get all the values in a hash",
    since: "2.0.0",
    complexity: "O(N) where N is the size of the hash.",
    args: [KEY],
    handler: hgetallGeneric("values"),
    tips: ["nondeterministic_output_order"],
  }),
  spec({
    name: "hgetall",
    keyFlags: ["RO", "access"],
    arity: 2,
    flags: ["readonly"],
    summary: "Get all the fields and values in a hash",
    since: "2.0.0",
    complexity: "O(N) where N is the size of the hash.",
    args: [KEY],
    handler: hgetallGeneric("all"),
    tips: ["nondeterministic_output_order"],
  }),
  spec({
    name: "hincrby",
    memberAt: 2,
    keyFlags: ["RW", "access", "update"],
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    summary: "Increment the integer value of a hash field by the given number",
    since: "2.0.0",
    complexity: "O(1)",
    args: [KEY, FIELD, { name: "increment", type: "integer" }],
    handler: hincrby,
  }),
  spec({
    name: "hincrbyfloat",
    memberAt: 2,
    keyFlags: ["RW", "access", "update"],
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    summary: "Increment the float value of a hash field by the given amount",
    since: "2.6.0",
    complexity: "O(1)",
    args: [KEY, FIELD, { name: "increment", type: "double" }],
    handler: hincrbyfloat,
  }),
  spec({
    name: "hrandfield",
    keyFlags: ["RO", "access"],
    arity: -2,
    flags: ["readonly"],
    summary: "Get one or multiple random fields from a hash",
    since: "6.2.0",
    complexity: "O(N) where N is the number of fields returned",
    args: [KEY, {
      name: "options",
      type: "block",
      flags: ["optional"],
      arguments: [
        { name: "count", type: "integer" },
        { name: "withvalues", type: "pure-token", token: "WITHVALUES", flags: ["optional"] },
      ],
    }],
    handler: hrandfield,
    tips: ["nondeterministic_output"],
  }),
  spec({
    name: "hscan",
    keyFlags: ["RO", "access"],
    arity: -3,
    flags: ["readonly"],
    summary: "Incrementally iterate hash fields and associated values",
    since: "2.8.0",
    complexity: COLLECTION_SCAN_COMPLEXITY,
    args: COLLECTION_SCAN_ARGS,
    handler: hscan,
    tips: ["nondeterministic_output"],
  }),
];
