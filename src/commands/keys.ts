/**
 * Key commands (Redis's "generic" group): DEL, UNLINK, DELETE, EXISTS, TYPE, RENAME, RENAMENX,
 * COPY, TOUCH, KEYS, SCAN, RANDOMKEY, MOVE. Every lookup goes through `Keyspace.get`, so an
 * expired key is missing here exactly as it is for GET.
 *
 * Keyspace events as Redis's db.c raises them: `del`, `rename_from`/`rename_to`,
 * `move_from`/`move_to` (each in its own database), `copy_to` (in the target database), and
 * `keymiss` for the reads Redis counts as lookups (EXISTS, TOUCH, TYPE, COPY's source).
 */
import type { CommandContext } from "./context.ts";
import type { CommandSpec, Handler } from "./spec.ts";
import { FIRST_KEY, NO_KEYS } from "./spec.ts";
import { Errors } from "./errors.ts";
import { option, parseInteger } from "./args.ts";
import { globMatch } from "../store/glob.ts";
import { type Keyspace, valueType } from "../store/keyspace.ts";
import { partitionArg, reachTarget } from "./database_arg.ts";
import { EventClass } from "../store/events.ts";

/** Every argument is a key. */
const ALL_KEYS: [number, number, number] = [1, -1, 1];
/** Source and destination keys. */
const TWO_KEYS: [number, number, number] = [1, 2, 1];
const SCAN_DEFAULT_COUNT = 10;
const UINT64_MAX = 2n ** 64n - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** DEL, UNLINK and DELETE: removes the keys that exist; replies how many. */
const deleteKeys: Handler = (ctx, argv) => {
  let removed = 0;
  for (let i = 1; i < argv.length; i++) {
    if (ctx.db.get(argv[i], ctx.now) !== undefined && ctx.db.delete(argv[i])) {
      removed++;
      ctx.notify(EventClass.generic, "del", argv[i]);
    }
  }
  ctx.out.integer(removed);
};

/**
 * EXISTS and TOUCH: how many of the keys exist, a key named twice counting twice. TOUCH's
 * lookups are accesses (the keys' LRU/LFU clocks move); EXISTS only looks.
 */
function countExisting(touch: boolean): Handler {
  return (ctx, argv) => {
    let found = 0;
    for (let i = 1; i < argv.length; i++) {
      const value = touch ? ctx.db.get(argv[i], ctx.now) : ctx.db.peek(argv[i], ctx.now);
      if (value !== undefined) found++;
      else ctx.notify(EventClass.keyMiss, "keymiss", argv[i]);
    }
    ctx.out.integer(found);
  };
}

/** RENAME and RENAMENX. The value keeps its deadline; a renamed-over key loses its own. */
function rename(ctx: CommandContext, argv: string[], onlyIfNew: boolean): void {
  const from = argv[1];
  const to = argv[2];
  const value = ctx.db.get(from, ctx.now);
  if (value === undefined) throw Errors.noSuchKey;
  if (from === to) {
    if (onlyIfNew) ctx.out.integer(0);
    else ctx.out.ok();
    return;
  }
  if (ctx.db.get(to, ctx.now) !== undefined) {
    if (onlyIfNew) {
      ctx.out.integer(0);
      return;
    }
    ctx.db.delete(to); // as Redis: the old key goes first, so the new one is `new`
  }
  ctx.db.rename(from, to);
  ctx.notify(EventClass.generic, "rename_from", from);
  ctx.notify(EventClass.generic, "rename_to", to);
  if (onlyIfNew) ctx.out.integer(1);
  else ctx.out.ok();
}

/** Raises an event in database `db`, which need not be the client's (MOVE, COPY ... DB). */
function notifyIn(ctx: CommandContext, db: Keyspace, name: string, key: string): void {
  ctx.store.journal.notify(EventClass.generic, name, db.index, key);
}

/**
 * COPY's DB argument: a partition name, or a number as Redis's `getLongFromObject` then
 * `selectDb` check it.
 */
function databaseArg(ctx: CommandContext, text: string): Keyspace {
  const partition = partitionArg(ctx, text);
  if (partition !== null) return partition;
  const index = parseInteger(text);
  if (index < 0 || index >= ctx.store.count) throw Errors.dbIndexRange;
  return ctx.store.dbs[index];
}

/** MOVE's database number: Redis reads it as a C int, with another error past 32 bits. */
function moveTarget(ctx: CommandContext, text: string): Keyspace {
  const index = parseInteger(text);
  if (index < INT32_MIN || index > INT32_MAX) throw Errors.intRange;
  if (index < 0 || index >= ctx.store.count) throw Errors.dbIndexRange;
  return ctx.store.dbs[index];
}

/**
 * A SCAN cursor as Redis reads it (C `strtoul`, base 10): an optional sign then digits, the
 * empty string meaning 0, a minus sign wrapping modulo 2^64; no leading space, no trailing
 * text, nothing beyond 2^64 - 1.
 */
export function parseScanCursor(text: string): bigint {
  const nul = text.indexOf("\0");
  const body = nul < 0 ? text : text.slice(0, nul); // C stops reading at a NUL byte
  if (body.length === 0) return 0n;
  const match = /^([+-]?)([0-9]+)$/.exec(body);
  if (match === null) throw Errors.invalidCursor;
  const magnitude = BigInt(match[2]);
  if (magnitude > UINT64_MAX) throw Errors.invalidCursor;
  return match[1] === "-" ? (2n ** 64n - magnitude) & UINT64_MAX : magnitude;
}

const acceptAll = () => true;

export const keyCommands: CommandSpec[] = [
  {
    name: "del",
    keyFlags: ["RM", "delete"],
    arity: -2,
    flags: ["write"],
    keys: ALL_KEYS,
    group: "generic",
    summary: "Delete a key",
    since: "1.0.0",
    complexity: "O(N) where N is the number of keys that will be removed.",
    args: [{ name: "key", type: "key", flags: ["multiple"] }],
    handler: deleteKeys,
  },
  {
    name: "delete",
    keyFlags: ["RM", "delete"],
    arity: -2,
    flags: ["write"],
    keys: ALL_KEYS,
    group: "generic",
    summary: "Delete a key (Hermes's name for DEL)",
    since: "0.1.0",
    complexity: "O(N) where N is the number of keys that will be removed.",
    args: [{ name: "key", type: "key", flags: ["multiple"] }],
    handler: deleteKeys,
  },
  {
    name: "unlink",
    keyFlags: ["RM", "delete"],
    arity: -2,
    flags: ["write", "fast"],
    keys: ALL_KEYS,
    group: "generic",
    summary:
      "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
    since: "4.0.0",
    complexity: "O(1) for each key removed regardless of its size.",
    args: [{ name: "key", type: "key", flags: ["multiple"] }],
    handler: deleteKeys,
  },
  {
    name: "exists",
    keyFlags: ["RO"],
    arity: -2,
    flags: ["readonly", "fast"],
    keys: ALL_KEYS,
    group: "generic",
    summary: "Determine if a key exists",
    since: "1.0.0",
    complexity: "O(N) where N is the number of keys to check.",
    args: [{ name: "key", type: "key", flags: ["multiple"] }],
    handler: countExisting(false),
  },
  {
    name: "touch",
    keyFlags: ["RO"],
    arity: -2,
    flags: ["readonly", "fast"],
    keys: ALL_KEYS,
    group: "generic",
    summary:
      "Alters the last access time of a key(s). Returns the number of existing keys specified.",
    since: "3.2.1",
    complexity: "O(N) where N is the number of keys that will be touched.",
    args: [{ name: "key", type: "key", flags: ["multiple"] }],
    handler: countExisting(true),
  },
  {
    name: "type",
    keyFlags: ["RO"],
    arity: 2,
    flags: ["readonly", "fast"],
    keys: FIRST_KEY,
    group: "generic",
    summary: "Determine the type stored at key",
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "key", type: "key" }],
    handler(ctx, argv) {
      const value = ctx.db.peek(argv[1], ctx.now);
      if (value === undefined) ctx.notify(EventClass.keyMiss, "keymiss", argv[1]);
      ctx.out.simple(value === undefined ? "none" : valueType(value));
    },
  },
  {
    name: "rename",
    keySpecs: [
      { flags: ["RW", "access", "delete"], first: 1, last: 1, step: 1 },
      { flags: ["OW", "update"], first: 2, last: 2, step: 1 },
    ],
    arity: 3,
    flags: ["write"],
    keys: TWO_KEYS,
    group: "generic",
    summary: "Rename a key",
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "key", type: "key" }, { name: "newkey", type: "key" }],
    handler: (ctx, argv) => rename(ctx, argv, false),
  },
  {
    name: "renamenx",
    keySpecs: [
      { flags: ["RW", "access", "delete"], first: 1, last: 1, step: 1 },
      { flags: ["OW", "insert"], first: 2, last: 2, step: 1 },
    ],
    arity: 3,
    flags: ["write", "fast"],
    keys: TWO_KEYS,
    group: "generic",
    summary: "Rename a key, only if the new key does not exist",
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "key", type: "key" }, { name: "newkey", type: "key" }],
    handler: (ctx, argv) => rename(ctx, argv, true),
  },
  {
    name: "copy",
    keySpecs: [
      { flags: ["RO", "access"], first: 1, last: 1, step: 1 },
      { flags: ["OW", "update"], first: 2, last: 2, step: 1 },
    ],
    arity: -3,
    flags: ["write", "denyoom"],
    keys: TWO_KEYS,
    group: "generic",
    summary: "Copy a key",
    since: "6.2.0",
    complexity:
      "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
    args: [
      { name: "source", type: "key" },
      { name: "destination", type: "key" },
      { name: "destination-db", type: "string", token: "DB", flags: ["optional"] },
      { name: "replace", type: "pure-token", token: "REPLACE", flags: ["optional"] },
    ],
    handler(ctx, argv) {
      const from = argv[1];
      const to = argv[2];
      let target = ctx.db;
      let replace = false;
      for (let i = 3; i < argv.length; i++) {
        const word = option(argv[i]);
        if (word === "REPLACE") replace = true;
        else if (word === "DB" && i + 1 < argv.length) target = databaseArg(ctx, argv[++i]);
        else throw Errors.syntax;
      }
      if (target === ctx.db && from === to) throw Errors.sameObject;
      const value = ctx.db.get(from, ctx.now);
      if (target !== ctx.db) reachTarget(ctx, target);
      if (value === undefined) {
        ctx.notify(EventClass.keyMiss, "keymiss", from);
        ctx.out.integer(0);
        return;
      }
      const replaced = target.get(to, ctx.now) !== undefined;
      if (replaced && !replace) {
        ctx.out.integer(0);
        return;
      }
      if (target !== ctx.db) reachTarget(ctx, target, value);
      if (replaced) target.delete(to); // as Redis: the replaced key goes first, so the copy is `new`
      ctx.db.copyTo(from, to, target);
      notifyIn(ctx, target, "copy_to", to);
      ctx.out.integer(1);
    },
  },
  {
    name: "move",
    keyFlags: ["RW", "access", "update"],
    arity: 3,
    flags: ["write", "fast"],
    keys: FIRST_KEY,
    group: "generic",
    summary: "Move a key to another database or partition",
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "key", type: "key" }, { name: "db", type: "string" }],
    handler(ctx, argv) {
      const key = argv[1];
      const target = partitionArg(ctx, argv[2]) ?? moveTarget(ctx, argv[2]);
      if (target === ctx.db) throw Errors.sameObject;
      reachTarget(ctx, target);
      const value = ctx.db.get(key, ctx.now);
      if (value === undefined || target.get(key, ctx.now) !== undefined) {
        ctx.out.integer(0);
        return;
      }
      reachTarget(ctx, target, value);
      ctx.db.rename(key, key, target);
      notifyIn(ctx, ctx.db, "move_from", key);
      notifyIn(ctx, target, "move_to", key);
      ctx.out.integer(1);
    },
  },
  {
    name: "keys",
    arity: 2,
    flags: ["readonly"],
    keys: NO_KEYS,
    group: "generic",
    aclCategories: ["dangerous"],
    summary: "Find all keys matching the given pattern",
    since: "1.0.0",
    complexity:
      "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
    args: [{ name: "pattern", type: "pattern" }],
    handler(ctx, argv) {
      const pattern = argv[1];
      const keys = pattern === "*"
        ? ctx.db.liveKeys(ctx.now)
        : ctx.db.liveKeys(ctx.now, (key) => globMatch(pattern, key));
      ctx.out.arrayHeader(keys.length);
      for (const key of keys) ctx.out.bulk(key);
    },
  },
  {
    name: "scan",
    arity: -2,
    flags: ["readonly"],
    keys: NO_KEYS,
    group: "generic",
    summary: "Incrementally iterate the keys space",
    since: "2.8.0",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    args: [
      { name: "cursor", type: "integer" },
      { name: "pattern", type: "pattern", token: "MATCH", flags: ["optional"] },
      { name: "count", type: "integer", token: "COUNT", flags: ["optional"] },
      { name: "type", type: "string", token: "TYPE", flags: ["optional"] },
    ],
    handler(ctx, argv) {
      const cursor = parseScanCursor(argv[1]);
      let count = SCAN_DEFAULT_COUNT;
      let pattern: string | null = null;
      let type: string | null = null;
      for (let i = 2; i < argv.length; i++) {
        const word = option(argv[i]);
        const hasValue = i + 1 < argv.length;
        if (word === "COUNT" && hasValue) {
          count = parseInteger(argv[++i]);
          if (count < 1) throw Errors.syntax;
        } else if (word === "MATCH" && hasValue) {
          pattern = argv[++i];
          if (pattern === "*") pattern = null;
        } else if (word === "TYPE" && hasValue) {
          // Redis 7.0 compares type names case-insensitively and an unknown name matches nothing.
          type = argv[++i].toLowerCase();
        } else {
          throw Errors.syntax;
        }
      }
      const accept = pattern === null && type === null ? acceptAll : (key: string) => {
        if (pattern !== null && !globMatch(pattern, key)) return false;
        if (type === null) return true;
        const value = ctx.db.peek(key, ctx.now);
        return value !== undefined && valueType(value) === type;
      };
      const [next, keys] = ctx.db.scan(cursor, count, ctx.now, accept);
      ctx.out.arrayHeader(2);
      ctx.out.bulk(next.toString());
      ctx.out.arrayHeader(keys.length);
      for (const key of keys) ctx.out.bulk(key);
    },
  },
  {
    name: "randomkey",
    arity: 1,
    flags: ["readonly"],
    keys: NO_KEYS,
    group: "generic",
    summary: "Return a random key from the keyspace",
    since: "1.0.0",
    complexity: "O(1)",
    handler(ctx) {
      const key = ctx.db.randomKey(ctx.now);
      if (key === undefined) ctx.out.nil();
      else ctx.out.bulk(key);
    },
  },
];
