/**
 * Persistence commands: BGREWRITEAOF (compact the write-ahead log now) and LASTSAVE.
 */
import type { CommandSpec } from "./spec.ts";
import { NO_KEYS } from "./spec.ts";
import { CompactionErrors } from "./errors.ts";

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
    summary: "Returns the Unix timestamp of the last successful save to disk.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [],
    handler(ctx) {
      const ms = ctx.server.persistence?.lastSaveMs() ?? ctx.server.startedAtMs;
      ctx.out.integer(Math.floor(ms / 1000));
    },
  },
];
