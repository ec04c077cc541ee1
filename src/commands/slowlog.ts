/**
 * SLOWLOG GET/LEN/RESET/HELP over the slow log (src/observe/slow_log.ts), with Redis 7's entry
 * shape: id, Unix time, microseconds, the arguments (cut as Redis cuts them), the client's
 * address and name.
 */
import type { CommandContext } from "./context.ts";
import { ObservabilityErrors, subcommandSyntax } from "./errors.ts";
import { toInt64 } from "./args.ts";
import type { CommandSpec } from "./spec.ts";
import { helpSubcommand, NO_KEYS } from "./spec.ts";

/** Entries SLOWLOG GET returns without a count. */
const DEFAULT_COUNT = 10;

const HELP = [
  "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET [<count>]",
  "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
  "    Entries are made of:",
  "    id, timestamp, time in microseconds, arguments array, client IP and port,",
  "    client name",
  "LEN",
  "    Return the length of the slowlog.",
  "RESET",
  "    Reset the slowlog.",
  "HELP",
  "    Prints this help.",
];

function get(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 3) throw subcommandSyntax(argv[1], "slowlog");
  let count = DEFAULT_COUNT;
  if (argv.length === 3) {
    const parsed = toInt64(argv[2]);
    if (parsed === null || parsed < -1n) throw ObservabilityErrors.slowlogCount;
    count = parsed > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(parsed);
  }
  const out = ctx.out;
  const entries = ctx.observability.slowLog.newest(count);
  out.arrayHeader(entries.length);
  for (const entry of entries) {
    out.arrayHeader(6);
    out.integer(entry.id);
    out.integer(entry.timeSec);
    out.integer(entry.durationUs);
    out.arrayHeader(entry.args.length);
    for (const arg of entry.args) out.bulk(arg);
    out.bulk(entry.peer);
    out.bulk(entry.clientName);
  }
}

/** The flags and docs every SLOWLOG subcommand but HELP shares. */
const ADMIN = {
  flags: ["admin", "loading", "stale"],
  keys: NO_KEYS,
  group: "server",
  since: "2.2.12",
} as const satisfies Partial<CommandSpec>;

export const slowlogCommands: CommandSpec[] = [
  {
    name: "slowlog",
    arity: -2,
    flags: [],
    keys: NO_KEYS,
    group: "server",
    summary: "A container for slow log commands.",
    since: "2.2.12",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        ...ADMIN,
        flags: [...ADMIN.flags],
        name: "slowlog|get",
        arity: -2,
        summary: "Returns the slow log's entries, newest first.",
        complexity: "O(N) where N is the number of entries returned",
        tips: ["request_policy:all_nodes", "nondeterministic_output"],
        args: [{ name: "count", type: "integer", flags: ["optional"] }],
        handler: get,
      },
      {
        ...ADMIN,
        flags: [...ADMIN.flags],
        name: "slowlog|len",
        arity: 2,
        summary: "Returns the number of entries in the slow log.",
        complexity: "O(1)",
        tips: ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
        handler(ctx) {
          ctx.out.integer(ctx.observability.slowLog.length);
        },
      },
      {
        ...ADMIN,
        flags: [...ADMIN.flags],
        name: "slowlog|reset",
        arity: 2,
        summary: "Clears all entries from the slow log.",
        complexity: "O(N) where N is the number of entries in the slowlog",
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler(ctx) {
          ctx.observability.slowLog.reset();
          ctx.out.ok();
        },
      },
      helpSubcommand("slowlog", "server", "6.2.0", HELP),
    ],
  },
];
