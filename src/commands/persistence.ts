/**
 * Persistence commands: BGREWRITEAOF (compact the write-ahead log now), SAVE and BGSAVE (an
 * RDB file redis-server can load) and LASTSAVE.
 */
import type { CommandSpec } from "./spec.ts";
import { NO_KEYS } from "./spec.ts";
import { CommandError, CompactionErrors, Errors } from "./errors.ts";
import { option } from "./args.ts";

const bgsaveInProgress = new CommandError("ERR Background save already in progress");

export const persistenceCommands: CommandSpec[] = [
  {
    name: "bgrewriteaof",
    arity: 1,
    flags: ["admin", "noscript"],
    keys: NO_KEYS,
    group: "server",
    summary: "Asynchronously rewrites the append-only file to disk.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [],
    handler(ctx) {
      const persistence = ctx.server.persistence;
      if (persistence === undefined) throw CompactionErrors.persistenceOff;
      const outcome = persistence.compact();
      if (outcome === "in-progress") throw CompactionErrors.inProgress;
      if (outcome === "failing") throw CompactionErrors.logFailing;
      ctx.out.simple("Background append only file rewriting started");
    },
  },
  {
    name: "lastsave",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    keys: NO_KEYS,
    group: "server",
    aclCategories: ["admin", "dangerous"],
    summary: "Returns the Unix timestamp of the last successful save to disk.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [],
    handler(ctx) {
      const ms = Math.max(
        ctx.server.persistence?.lastSaveMs() ?? ctx.server.startedAtMs,
        ctx.server.rdb.lastSaveMs,
      );
      ctx.out.integer(Math.floor(ms / 1000));
    },
  },
  {
    name: "save",
    arity: 1,
    flags: ["admin", "noscript", "no_multi"],
    keys: NO_KEYS,
    group: "server",
    summary: "Synchronously saves the database(s) to disk.",
    since: "1.0.0",
    complexity: "O(N) where N is the total number of keys in all databases",
    args: [],
    handler(ctx) {
      if (ctx.server.rdb.inProgress) throw bgsaveInProgress;
      try {
        ctx.server.rdb.save();
      } catch {
        throw new CommandError("ERR");
      }
      ctx.out.ok();
    },
  },
  {
    name: "bgsave",
    arity: -1,
    flags: ["admin", "noscript"],
    keys: NO_KEYS,
    group: "server",
    summary: "Asynchronously saves the database(s) to disk.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "schedule", type: "pure-token", token: "SCHEDULE", flags: ["optional"] }],
    handler(ctx, argv) {
      const schedule = argv.length === 2 && option(argv[1]) === "SCHEDULE";
      if (argv.length > 2 || (argv.length === 2 && !schedule)) throw Errors.syntax;
      const outcome = ctx.server.rdb.bgsave(schedule);
      if (outcome === "in-progress") throw bgsaveInProgress;
      ctx.out.simple(
        outcome === "scheduled" ? "Background saving scheduled" : "Background saving started",
      );
    },
  },
];
