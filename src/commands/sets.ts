/**
 * The set family, as Redis 7.0. Every change is an op (store/types/set.ts): SADD or SREM.
 * SPOP is written as SREM of the members it chose, SMOVE as SREM plus SADD, and the *STORE
 * commands store the whole result set (or delete the destination when it is empty).
 */
import type { CommandContext } from "./context.ts";
import { CommandError, Errors } from "./errors.ts";
import { INT64_MIN, intArg, option, parseIntText } from "./args.ts";
import { parseScanCursor } from "./keys.ts";
import {
  distinctIndexes,
  lookup,
  parseScanOptions,
  presentMembers,
  replyScan,
} from "./collections.ts";
import type { ArgDoc, CommandSpec, Handler } from "./spec.ts";
import { FIRST_KEY } from "./spec.ts";
import { EventClass } from "../store/events.ts";
import { SetOp, SetValue } from "../store/types/set.ts";
import { collectionScans } from "../store/collection_scans.ts";
import { globMatch } from "../store/glob.ts";
import { COLLECTION_SCAN_ARGS, COLLECTION_SCAN_COMPLEXITY, KEY } from "./common_args.ts";

const MUST_BE_POSITIVE = new CommandError("ERR value is out of range, must be positive");
const COUNT_OUT_OF_RANGE = new CommandError(
  "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
);
const NUMKEYS_POSITIVE = new CommandError("ERR numkeys should be greater than 0");
const TOO_MANY_KEYS = new CommandError(
  "ERR Number of keys can't be greater than number of args",
);
const NEGATIVE_LIMIT = new CommandError("ERR LIMIT can't be negative");

const readSet = (ctx: CommandContext, key: string) => lookup<SetValue>(ctx, key, "set", true);
const writeSet = (ctx: CommandContext, key: string) => lookup<SetValue>(ctx, key, "set");

const sadd: Handler = (ctx, argv) => {
  const key = argv[1];
  const set = writeSet(ctx, key);
  if (argv.length === 3) {
    // One member, the common case: no dedup set needed.
    const added = set === undefined || !set.has(argv[2]);
    if (added) {
      ctx.db.op(key, SetOp.sadd, [argv[2]]);
      ctx.notify(EventClass.set, "sadd", key);
    }
    return ctx.out.integer(added ? 1 : 0);
  }
  const fresh = new Set<string>();
  for (let i = 2; i < argv.length; i++) {
    if (set === undefined || !set.has(argv[i])) fresh.add(argv[i]);
  }
  if (fresh.size > 0) {
    ctx.db.op(key, SetOp.sadd, fresh.size === argv.length - 2 ? argv.slice(2) : [...fresh]);
    ctx.notify(EventClass.set, "sadd", key);
  }
  ctx.out.integer(fresh.size);
};

const srem: Handler = (ctx, argv) => {
  const key = argv[1];
  const set = writeSet(ctx, key);
  if (set === undefined) return ctx.out.integer(0);
  const gone = presentMembers(set, argv);
  if (gone.length > 0) removeMembers(ctx, key, set, gone, "srem");
  ctx.out.integer(gone.length);
};

/** Removes members known to be in `set`, raising `event` (and `del` when it empties). */
function removeMembers(
  ctx: CommandContext,
  key: string,
  set: SetValue,
  members: string[],
  event: string,
): void {
  const emptied = members.length === set.size;
  ctx.db.op(key, SetOp.srem, members);
  ctx.notify(EventClass.set, event, key);
  if (emptied) ctx.notify(EventClass.generic, "del", key);
}

const scard: Handler = (ctx, argv) => ctx.out.integer(readSet(ctx, argv[1])?.size ?? 0);

const sismember: Handler = (ctx, argv) => {
  ctx.out.integer(readSet(ctx, argv[1])?.has(argv[2]) ? 1 : 0);
};

const smismember: Handler = (ctx, argv) => {
  const set = readSet(ctx, argv[1]);
  ctx.out.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.out.integer(set?.has(argv[i]) ? 1 : 0);
};

const smembers: Handler = (ctx, argv) => {
  const set = readSet(ctx, argv[1]);
  if (set === undefined) return ctx.out.setHeader(0);
  replyMembers(ctx, set);
};

function replyMembers(ctx: CommandContext, set: SetValue): void {
  const out = ctx.out;
  out.setHeader(set.size);
  set.forEach((member) => out.bulk(member));
}

const spop: Handler = (ctx, argv) => {
  const key = argv[1];
  if (argv.length > 3) throw Errors.syntax;
  if (argv.length === 2) {
    const set = writeSet(ctx, key);
    if (set === undefined) return ctx.out.nil();
    const member = set.memberAt(Math.floor(Math.random() * set.size));
    removeMembers(ctx, key, set, [member], "spop");
    return ctx.out.bulk(member);
  }
  const parsed = parseIntText(argv[2]);
  if (parsed === null || parsed < 0) throw MUST_BE_POSITIVE;
  const count = Number(parsed);
  const set = writeSet(ctx, key);
  if (set === undefined || count === 0) return ctx.out.setHeader(0);
  const members = count >= set.size
    ? set.members()
    : distinctIndexes(set.size, count).map((at) => set.memberAt(at));
  removeMembers(ctx, key, set, members, "spop");
  ctx.out.setHeader(members.length);
  for (const member of members) ctx.out.bulk(member);
};

const srandmember: Handler = (ctx, argv) => {
  const key = argv[1];
  if (argv.length > 3) throw Errors.syntax;
  if (argv.length === 2) {
    const set = readSet(ctx, key);
    if (set === undefined) return ctx.out.nil();
    return ctx.out.bulk(set.memberAt(Math.floor(Math.random() * set.size)));
  }
  const parsed = intArg(argv[2]);
  if (parsed === INT64_MIN) throw COUNT_OUT_OF_RANGE;
  const count = Number(parsed);
  const set = readSet(ctx, key);
  const out = ctx.out;
  if (set === undefined || count === 0) return out.arrayHeader(0);
  const size = set.size;
  if (count < 0) {
    out.arrayHeader(-count);
    for (let i = 0; i < -count; i++) {
      // A client asking for billions is cut off once its reply passes max-output.
      if ((i & 1023) === 0 && ctx.session.closeRequested) return;
      out.bulk(set.memberAt(Math.floor(Math.random() * size)));
    }
    return;
  }
  if (count >= size) {
    out.arrayHeader(size);
    return set.forEach((member) => out.bulk(member));
  }
  out.arrayHeader(count);
  for (const at of distinctIndexes(size, count)) out.bulk(set.memberAt(at));
};

const smove: Handler = (ctx, argv) => {
  const [, from, to, member] = argv;
  const source = ctx.db.get(from, ctx.now);
  const target = ctx.db.get(to, ctx.now);
  if (source === undefined) return ctx.out.integer(0);
  if (typeof source === "string" || source.type !== "set") throw Errors.wrongType;
  if (target !== undefined && (typeof target === "string" || target.type !== "set")) {
    throw Errors.wrongType;
  }
  const set = source as SetValue;
  if (source === target) return ctx.out.integer(set.has(member) ? 1 : 0);
  if (!set.has(member)) return ctx.out.integer(0);
  removeMembers(ctx, from, set, [member], "srem");
  if (target === undefined || !(target as SetValue).has(member)) {
    ctx.db.op(to, SetOp.sadd, [member]);
    ctx.notify(EventClass.set, "sadd", to);
  }
  ctx.out.integer(1);
};

/** The sets at `keys` (undefined for missing keys); WRONGTYPE if any is not a set. */
function sourceSets(
  ctx: CommandContext,
  keys: string[],
  forRead: boolean,
): (SetValue | undefined)[] {
  return keys.map((key) => lookup<SetValue>(ctx, key, "set", forRead));
}

/** The intersection's members, stopping at `limit` (0 = none). */
function intersect(sets: (SetValue | undefined)[], limit = 0): string[] {
  if (sets.some((set) => set === undefined)) return [];
  const ordered = (sets as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const [smallest, ...others] = ordered;
  const result: string[] = [];
  smallest.forEach((member) => {
    if (limit > 0 && result.length >= limit) return;
    for (const other of others) if (other !== smallest && !other.has(member)) return;
    result.push(member);
  });
  return result;
}

function union(sets: (SetValue | undefined)[]): string[] {
  const seen = new Set<string>();
  for (const set of sets) set?.forEach((member) => seen.add(member));
  return [...seen];
}

function difference(sets: (SetValue | undefined)[]): string[] {
  const [first, ...others] = sets;
  if (first === undefined) return [];
  const result: string[] = [];
  first.forEach((member) => {
    for (const other of others) if (other !== undefined && other.has(member)) return;
    result.push(member);
  });
  return result;
}

type Algebra = (sets: (SetValue | undefined)[]) => string[];

/** A set of `members`, built as SADD would build it (intset while it can be). */
function buildSet(members: string[]): SetValue {
  const set = new SetValue();
  for (const member of members) set.add(member);
  return set;
}

/** SINTER, SUNION, SDIFF: the result as a set reply (intset results in ascending order). */
function algebraRead(compute: Algebra): Handler {
  return (ctx, argv) => {
    const members = compute(sourceSets(ctx, argv.slice(1), true));
    const set = buildSet(members);
    replyMembers(ctx, set);
  };
}

/** SINTERSTORE, SUNIONSTORE, SDIFFSTORE: stores the result, or deletes an empty one. */
function algebraStore(compute: Algebra, event: string): Handler {
  return (ctx, argv) => {
    const destination = argv[1];
    const members = compute(sourceSets(ctx, argv.slice(2), false));
    if (members.length === 0) {
      if (ctx.db.get(destination, ctx.now) !== undefined) {
        ctx.db.delete(destination);
        ctx.notify(EventClass.generic, "del", destination);
      }
      return ctx.out.integer(0);
    }
    ctx.db.set(destination, buildSet(members), 0);
    ctx.notify(EventClass.set, event, destination);
    ctx.out.integer(members.length);
  };
}

const sintercard: Handler = (ctx, argv) => {
  const numkeys = parseIntText(argv[1]);
  if (numkeys === null || numkeys < 1) throw NUMKEYS_POSITIVE;
  if (numkeys > argv.length - 2) throw TOO_MANY_KEYS;
  const keyEnd = 2 + Number(numkeys);
  let limit = 0;
  for (let i = keyEnd; i < argv.length; i++) {
    if (option(argv[i]) === "LIMIT" && i + 1 < argv.length) {
      const parsed = parseIntText(argv[++i]);
      if (parsed === null || parsed < 0) throw NEGATIVE_LIMIT;
      limit = Number(parsed);
    } else {
      throw Errors.syntax;
    }
  }
  const sets = sourceSets(ctx, argv.slice(2, keyEnd), true);
  ctx.out.integer(intersect(sets, limit).length);
};

const sscan: Handler = (ctx, argv) => {
  const cursor = parseScanCursor(argv[2]);
  const set = readSet(ctx, argv[1]);
  if (set === undefined) return replyScan(ctx, 0n, []);
  const { count, pattern } = parseScanOptions(argv, 3, false);
  const dense = set.dense;
  const accept = (member: string) => pattern === null || globMatch(pattern, member);
  if (dense === null) return replyScan(ctx, 0n, set.members().filter(accept));
  const [next, members] = collectionScans.step(dense, cursor, count);
  replyScan(ctx, next, members.filter(accept));
};

const KEYS: ArgDoc = { name: "key", type: "key", flags: ["multiple"] };
const MEMBER: ArgDoc = { name: "member", type: "string" };
const MEMBERS: ArgDoc = { name: "member", type: "string", flags: ["multiple"] };
const ALL_KEYS: [number, number, number] = [1, -1, 1];
const DEST_AND_KEYS: ArgDoc[] = [{ name: "destination", type: "key" }, KEYS];

function spec(fields: Omit<CommandSpec, "group" | "keys"> & Partial<CommandSpec>): CommandSpec {
  return { group: "set", keys: FIRST_KEY, ...fields };
}

export const setCommands: CommandSpec[] = [
  spec({
    name: "sadd",
    memberAt: 2,
    keyFlags: ["RW", "insert"],
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    summary: "Add one or more members to a set",
    since: "1.0.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    args: [KEY, MEMBERS],
    handler: sadd,
  }),
  spec({
    name: "srem",
    memberAt: 2,
    keyFlags: ["RW", "delete"],
    arity: -3,
    flags: ["write", "fast"],
    summary: "Remove one or more members from a set",
    since: "1.0.0",
    complexity: "O(N) where N is the number of members to be removed.",
    args: [KEY, MEMBERS],
    handler: srem,
  }),
  spec({
    name: "scard",
    keyFlags: ["RO"],
    arity: 2,
    flags: ["readonly", "fast"],
    summary: "Get the number of members in a set",
    since: "1.0.0",
    complexity: "O(1)",
    args: [KEY],
    handler: scard,
  }),
  spec({
    name: "sismember",
    memberAt: 2,
    keyFlags: ["RO"],
    arity: 3,
    flags: ["readonly", "fast"],
    summary: "Determine if a given value is a member of a set",
    since: "1.0.0",
    complexity: "O(1)",
    args: [KEY, MEMBER],
    handler: sismember,
  }),
  spec({
    name: "smismember",
    memberAt: 2,
    keyFlags: ["RO", "access"],
    arity: -3,
    flags: ["readonly", "fast"],
    summary: "Returns the membership associated with the given elements for a set",
    since: "6.2.0",
    complexity: "O(N) where N is the number of elements being checked for membership",
    args: [KEY, MEMBERS],
    handler: smismember,
  }),
  spec({
    name: "smembers",
    keyFlags: ["RO", "access"],
    arity: 2,
    flags: ["readonly"],
    summary: "Get all the members in a set",
    since: "1.0.0",
    complexity: "O(N) where N is the set cardinality.",
    args: [KEY],
    handler: smembers,
    tips: ["nondeterministic_output_order"],
  }),
  spec({
    name: "spop",
    keyFlags: ["RW", "access", "delete"],
    arity: -2,
    flags: ["write", "fast"],
    summary: "Remove and return one or multiple random members from a set",
    since: "1.0.0",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
    args: [KEY, { name: "count", type: "integer", flags: ["optional"] }],
    handler: spop,
    tips: ["nondeterministic_output"],
  }),
  spec({
    name: "srandmember",
    keyFlags: ["RO", "access"],
    arity: -2,
    flags: ["readonly"],
    summary: "Get one or multiple random members from a set",
    since: "1.0.0",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
    args: [KEY, { name: "count", type: "integer", flags: ["optional"] }],
    handler: srandmember,
    tips: ["nondeterministic_output"],
  }),
  spec({
    name: "smove",
    keySpecs: [{ flags: ["RW", "access", "delete"], first: 1, last: 1, step: 1 }, {
      flags: ["RW", "insert"],
      first: 2,
      last: 2,
      step: 1,
    }],
    arity: 4,
    flags: ["write", "fast"],
    keys: [1, 2, 1],
    summary: "Move a member from one set to another",
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "source", type: "key" }, { name: "destination", type: "key" }, MEMBER],
    handler: smove,
  }),
  spec({
    name: "sinter",
    keyFlags: ["RO", "access"],
    arity: -2,
    flags: ["readonly"],
    keys: ALL_KEYS,
    summary: "Intersect multiple sets",
    since: "1.0.0",
    complexity:
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    args: [KEYS],
    handler: algebraRead(intersect),
    tips: ["nondeterministic_output_order"],
  }),
  spec({
    name: "sintercard",
    arity: -3,
    flags: ["readonly"],
    keys: [0, 0, 0],
    summary: "Intersect multiple sets and return the cardinality of the result",
    since: "7.0.0",
    complexity:
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    args: [
      { name: "numkeys", type: "integer" },
      KEYS,
      { name: "limit", type: "integer", token: "LIMIT", flags: ["optional"] },
    ],
    keySpecs: [{ flags: ["RO", "access"], first: 1, last: 1, step: 1, keynum: true }],
    handler: sintercard,
  }),
  spec({
    name: "sinterstore",
    keySpecs: [{ flags: ["RW", "update"], first: 1, last: 1, step: 1 }, {
      flags: ["RO", "access"],
      first: 2,
      last: -1,
      step: 1,
    }],
    arity: -3,
    flags: ["write", "denyoom"],
    keys: ALL_KEYS,
    summary: "Intersect multiple sets and store the resulting set in a key",
    since: "1.0.0",
    complexity:
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    args: DEST_AND_KEYS,
    handler: algebraStore(intersect, "sinterstore"),
  }),
  spec({
    name: "sunion",
    keyFlags: ["RO", "access"],
    arity: -2,
    flags: ["readonly"],
    keys: ALL_KEYS,
    summary: "Add multiple sets",
    since: "1.0.0",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    args: [KEYS],
    handler: algebraRead(union),
    tips: ["nondeterministic_output_order"],
  }),
  spec({
    name: "sunionstore",
    keySpecs: [{ flags: ["OW", "update"], first: 1, last: 1, step: 1 }, {
      flags: ["RO", "access"],
      first: 2,
      last: -1,
      step: 1,
    }],
    arity: -3,
    flags: ["write", "denyoom"],
    keys: ALL_KEYS,
    summary: "Add multiple sets and store the resulting set in a key",
    since: "1.0.0",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    args: DEST_AND_KEYS,
    handler: algebraStore(union, "sunionstore"),
  }),
  spec({
    name: "sdiff",
    keyFlags: ["RO", "access"],
    arity: -2,
    flags: ["readonly"],
    keys: ALL_KEYS,
    summary: "Subtract multiple sets",
    since: "1.0.0",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    args: [KEYS],
    handler: algebraRead(difference),
    tips: ["nondeterministic_output_order"],
  }),
  spec({
    name: "sdiffstore",
    keySpecs: [{ flags: ["OW", "update"], first: 1, last: 1, step: 1 }, {
      flags: ["RO", "access"],
      first: 2,
      last: -1,
      step: 1,
    }],
    arity: -3,
    flags: ["write", "denyoom"],
    keys: ALL_KEYS,
    summary: "Subtract multiple sets and store the resulting set in a key",
    since: "1.0.0",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    args: DEST_AND_KEYS,
    handler: algebraStore(difference, "sdiffstore"),
  }),
  spec({
    name: "sscan",
    keyFlags: ["RO", "access"],
    arity: -3,
    flags: ["readonly"],
    summary: "Incrementally iterate Set elements",
    since: "2.8.0",
    complexity: COLLECTION_SCAN_COMPLEXITY,
    args: COLLECTION_SCAN_ARGS,
    handler: sscan,
    tips: ["nondeterministic_output"],
  }),
];
