/**
 * Server-wide commands: DBSIZE, SWAPDB, FLUSHDB, FLUSHALL, TIME, SHUTDOWN.
 */
import type { CommandContext } from "./context.ts";
import type { ArgDoc, CommandSpec } from "./spec.ts";
import { NO_KEYS } from "./spec.ts";
import { type CommandError, Errors } from "./errors.ts";
import { option, toInt64 } from "./args.ts";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** SWAPDB's index arguments: any non-int32 is refused with the argument's own message. */
function databaseIndex(text: string, error: CommandError): number {
  const value = toInt64(text);
  if (value === null || value < INT32_MIN || value > INT32_MAX) throw error;
  return Number(value);
}

function swapdb(ctx: CommandContext, argv: string[]): void {
  const first = databaseIndex(argv[1], Errors.invalidFirstDb);
  const second = databaseIndex(argv[2], Errors.invalidSecondDb);
  const count = ctx.store.count;
  if (first < 0 || first >= count || second < 0 || second >= count) throw Errors.dbIndexRange;
  ctx.store.swap(first, second);
  ctx.out.ok();
}

/**
 * FLUSHDB and FLUSHALL take an optional ASYNC or SYNC. Hermes always empties the data at once
 * (dropping Map references is cheap), so both modes behave as SYNC.
 */
function checkFlushMode(argv: string[]): void {
  if (argv.length > 2) throw Errors.syntax;
  if (argv.length === 2) {
    const mode = option(argv[1]);
    if (mode !== "ASYNC" && mode !== "SYNC") throw Errors.syntax;
  }
}

/** TIME from the command's clock reading, with the sub-millisecond digits of a monotonic timer. */
function time(ctx: CommandContext): void {
  const seconds = Math.floor(ctx.now / 1000);
  const micros = (ctx.now % 1000) * 1000 + Math.floor((performance.now() % 1) * 1000);
  ctx.out.arrayHeader(2);
  ctx.out.bulk(String(seconds));
  ctx.out.bulk(String(micros));
}

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. Hermes keeps no snapshot to save and never waits
 * for replicas, so every valid form stops the server the same way: the caller's connection closes
 * without a reply (as in Redis) and the server stops in order.
 */
function shutdown(ctx: CommandContext, argv: string[]): void {
  let save = false;
  let noSave = false;
  let abort = false;
  let others = 0;
  for (let i = 1; i < argv.length; i++) {
    switch (option(argv[i])) {
      case "SAVE":
        save = true;
        break;
      case "NOSAVE":
        noSave = true;
        break;
      case "NOW":
      case "FORCE":
        others++;
        break;
      case "ABORT":
        abort = true;
        break;
      default:
        throw Errors.syntax;
    }
  }
  if ((abort && (save || noSave || others > 0)) || (save && noSave)) throw Errors.syntax;
  // A shutdown is never pending in Hermes: it starts as soon as it is asked for.
  if (abort) throw Errors.noShutdown;
  ctx.session.closeRequested = true;
  ctx.server.shutdown();
}

const FLUSH_ARGS: ArgDoc[] = [{
  name: "flush-type",
  type: "oneof",
  flags: ["optional"],
  arguments: [
    { name: "async", type: "pure-token", token: "ASYNC" },
    { name: "sync", type: "pure-token", token: "SYNC" },
  ],
}];

export const serverCommands: CommandSpec[] = [
  {
    name: "dbsize",
    arity: 1,
    flags: ["readonly", "fast"],
    keys: NO_KEYS,
    group: "server",
    summary: "Returns the number of keys in the database.",
    aclCategories: ["keyspace"],
    tips: ["request_policy:all_shards", "response_policy:agg_sum"],
    since: "1.0.0",
    complexity: "O(1)",
    handler(ctx) {
      ctx.out.integer(ctx.db.size);
    },
  },
  {
    name: "swapdb",
    arity: 3,
    flags: ["write", "fast"],
    keys: NO_KEYS,
    group: "server",
    summary: "Swaps two Redis databases.",
    aclCategories: ["keyspace", "dangerous"],
    since: "4.0.0",
    complexity:
      "O(N) where N is the count of clients watching or blocking on keys from both databases.",
    args: [{ name: "index1", type: "integer" }, { name: "index2", type: "integer" }],
    handler: swapdb,
  },
  {
    name: "flushdb",
    arity: -1,
    flags: ["write"],
    keys: NO_KEYS,
    group: "server",
    summary: "Removes all keys from the current database.",
    aclCategories: ["keyspace", "dangerous"],
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    since: "1.0.0",
    complexity: "O(N) where N is the number of keys in the selected database",
    args: FLUSH_ARGS,
    handler(ctx, argv) {
      checkFlushMode(argv);
      ctx.db.flush();
      ctx.out.ok();
    },
  },
  {
    name: "flushall",
    arity: -1,
    flags: ["write"],
    keys: NO_KEYS,
    group: "server",
    summary: "Removes all keys from all databases.",
    aclCategories: ["keyspace", "dangerous"],
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    since: "1.0.0",
    complexity: "O(N) where N is the total number of keys in all databases",
    args: FLUSH_ARGS,
    handler(ctx, argv) {
      checkFlushMode(argv);
      ctx.store.flushAll();
      ctx.out.ok();
    },
  },
  {
    name: "time",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    keys: NO_KEYS,
    group: "server",
    summary: "Returns the server time.",
    tips: ["nondeterministic_output"],
    since: "2.6.0",
    complexity: "O(1)",
    handler: time,
  },
  {
    name: "shutdown",
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
    keys: NO_KEYS,
    group: "server",
    summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.",
    since: "1.0.0",
    complexity: "O(N) when saving, where N is the total number of keys in all databases when " +
      "saving data, otherwise O(1)",
    args: [
      {
        name: "save-selector",
        type: "oneof",
        flags: ["optional"],
        arguments: [
          { name: "nosave", type: "pure-token", token: "NOSAVE" },
          { name: "save", type: "pure-token", token: "SAVE" },
        ],
      },
      { name: "now", type: "pure-token", token: "NOW", flags: ["optional"] },
      { name: "force", type: "pure-token", token: "FORCE", flags: ["optional"] },
      { name: "abort", type: "pure-token", token: "ABORT", flags: ["optional"] },
    ],
    handler: shutdown,
  },
];
