/**
 * MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE and HELP, with Redis 7.0's shapes and
 * errors. The figures come from the memory account (memory_report.ts): what each key, client
 * buffer, backlog and log buffer costs on V8's heap, kept current as things change.
 *
 * USAGE accepts Redis's SAMPLES option and validates it the same way, but its answer does not
 * depend on it: every collection keeps the exact total of its elements' bytes, so Hermes has
 * nothing to sample.
 */
import v8 from "node:v8";
import type { CommandContext } from "./context.ts";
import { Errors } from "./errors.ts";
import type { CommandSpec } from "./spec.ts";
import { helpSubcommand, NO_KEYS } from "./spec.ts";
import { bytesToHuman } from "./info.ts";
import { type MemoryReport, memoryReport } from "./memory_report.ts";
import { parseInt64 } from "./args.ts";

const HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
  "HELP",
  "    Prints this help.",
];

/** MEMORY USAGE key [SAMPLES count]. */
function usage(ctx: CommandContext, argv: string[]): void {
  for (let i = 3; i < argv.length; i++) {
    if (argv[i].toLowerCase() === "samples" && i + 1 < argv.length) {
      if (parseInt64(argv[++i]) < 0n) throw Errors.syntax;
    } else {
      throw Errors.syntax;
    }
  }
  const bytes = ctx.db.usageOf(argv[2], ctx.now);
  if (bytes === undefined) ctx.out.nil();
  else ctx.out.integer(bytes);
}

/** MEMORY STATS: Redis's fields, in its order, with Hermes's figures. */
function stats(ctx: CommandContext): void {
  const r = memoryReport(ctx);
  const net = Math.max(0, r.used - r.startup);
  const out = ctx.out;
  const entries: [string, () => void][] = [
    ["peak.allocated", () => out.integer(r.peak)],
    ["total.allocated", () => out.integer(r.used)],
    ["startup.allocated", () => out.integer(r.startup)],
    ["replication.backlog", () => out.integer(r.backlog)],
    ["clients.slaves", () => out.integer(r.clientsReplicas)],
    ["clients.normal", () => out.integer(r.clientsNormal)],
    ["cluster.links", () => out.integer(0)],
    ["aof.buffer", () => out.integer(r.logPending)],
    ["lua.caches", () => out.integer(0)],
    ["functions.caches", () => out.integer(0)],
  ];
  for (const db of r.databases) {
    entries.push([`db.${db.name}`, () => {
      out.mapHeader(3);
      out.bulk("overhead.hashtable.main");
      out.integer(db.main);
      out.bulk("overhead.hashtable.expires");
      out.integer(db.expires + db.clocks);
      out.bulk("overhead.hashtable.slot-to-keys");
      out.integer(0);
    }]);
  }
  entries.push(
    ["overhead.total", () => out.integer(r.overhead)],
    ["keys.count", () => out.integer(r.keys)],
    ["keys.bytes-per-key", () => out.integer(r.keys === 0 ? 0 : Math.floor(net / r.keys))],
    ["dataset.bytes", () => out.integer(r.dataset)],
    ["dataset.percentage", () => out.double(net === 0 ? 0 : r.dataset * 100 / net)],
    ["peak.percentage", () => out.double(r.peak === 0 ? 0 : r.used * 100 / r.peak)],
    ["allocator.allocated", () => out.integer(r.allocated)],
    ["allocator.active", () => out.integer(r.active)],
    ["allocator.resident", () => out.integer(r.rss)],
    ["allocator-fragmentation.ratio", () => out.double(r.active / Math.max(1, r.allocated))],
    ["allocator-fragmentation.bytes", () => out.integer(r.active - r.allocated)],
    ["allocator-rss.ratio", () => out.double(r.rss / Math.max(1, r.active))],
    ["allocator-rss.bytes", () => out.integer(r.rss - r.active)],
    ["rss-overhead.ratio", () => out.double(1)],
    ["rss-overhead.bytes", () => out.integer(0)],
    ["fragmentation", () => out.double(r.rss / Math.max(1, r.used))],
    ["fragmentation.bytes", () => out.integer(r.rss - r.used)],
  );
  out.mapHeader(entries.length);
  for (const [name, write] of entries) {
    out.bulk(name);
    write();
  }
}

/** Below this, MEMORY DOCTOR has too little to go on (as Redis). */
const DOCTOR_MIN_BYTES = 5 * 1024 * 1024;
const MB = 1024 * 1024;

/** MEMORY DOCTOR's findings, in Hermes's words. */
export function doctorReport(r: MemoryReport, normalClients: number, replicas: number): string {
  if (r.used < DOCTOR_MIN_BYTES) {
    return "This instance holds very little data (used_memory under 5 MB): there is nothing " +
      "to diagnose yet. Run MEMORY DOCTOR again once it holds some.\n";
  }
  const findings: string[] = [];
  if (r.peak / r.used > 1.5) {
    findings.push(
      `Peak memory: the peak (${bytesToHuman(r.peak)}) is more than 150% of what is used now ` +
        `(${bytesToHuman(r.used)}). V8 gives freed heap back to the system over time; RSS ` +
        "may stay high until then.",
    );
  }
  if (r.rss / r.used > 1.4 && r.rss - r.used > 10 * MB) {
    findings.push(
      `Fragmentation: the process holds ${bytesToHuman(r.rss)} of RSS for ` +
        `${bytesToHuman(r.used)} of accounted memory (ratio ${(r.rss / r.used).toFixed(2)}). ` +
        "Part of it is garbage V8 has not collected yet, part free heap it keeps for reuse. " +
        "MEMORY PURGE releases idle client buffers.",
    );
  }
  if (normalClients > 0 && r.clientsNormal / normalClients > 200 * 1024) {
    findings.push(
      `Client buffers: clients hold ${bytesToHuman(r.clientsNormal / normalClients)} each on ` +
        "average (big pipelines or replies not read fast enough). See " +
        "client-output-buffer-limit and CLIENT LIST.",
    );
  }
  if (replicas > 0 && r.clientsReplicas / replicas > 10 * MB) {
    findings.push(
      `Replica buffers: each replica has ${bytesToHuman(r.clientsReplicas / replicas)} queued ` +
        "on average: a replica is slow or the link is saturated.",
    );
  }
  if (findings.length === 0) {
    return `No memory problem found: used_memory ${bytesToHuman(r.used)}, peak ` +
      `${bytesToHuman(r.peak)}, RSS ${bytesToHuman(r.rss)}.\n`;
  }
  return `Memory issues found:\n\n${findings.map((f) => ` * ${f}\n\n`).join("")}`;
}

/** MEMORY MALLOC-STATS: V8's heap statistics, overall and per space. */
function mallocStats(): string {
  const lines = ["___ Begin V8 heap statistics ___"];
  for (const [name, value] of Object.entries(v8.getHeapStatistics())) {
    lines.push(`${name}: ${value}`);
  }
  for (const space of v8.getHeapSpaceStatistics()) {
    lines.push(
      `${space.space_name}: size ${space.space_size}, used ${space.space_used_size}, ` +
        `available ${space.space_available_size}, physical ${space.physical_space_size}`,
    );
  }
  const usage = Deno.memoryUsage();
  lines.push(`rss: ${usage.rss}`, `external: ${usage.external}`, "--- End V8 heap statistics ---");
  return lines.join("\n") + "\n";
}

const SUB = { group: "server", keys: NO_KEYS, since: "4.0.0" };
const REPORT_TIPS = [
  "nondeterministic_output",
  "request_policy:all_shards",
  "response_policy:special",
];

export const memoryCommands: CommandSpec[] = [
  {
    name: "memory",
    arity: -2,
    flags: [],
    keys: NO_KEYS,
    group: "server",
    summary: "A container for memory diagnostics commands",
    since: "4.0.0",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        ...SUB,
        name: "memory|usage",
        arity: -3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        summary: "Estimate the memory usage of a key",
        complexity: "O(N) where N is the number of samples.",
        args: [
          { name: "key", type: "key" },
          { name: "count", type: "integer", token: "SAMPLES", flags: ["optional"] },
        ],
        handler: usage,
      },
      {
        ...SUB,
        name: "memory|stats",
        arity: 2,
        flags: [],
        summary: "Show memory usage details",
        complexity: "O(1)",
        tips: REPORT_TIPS,
        handler: stats,
      },
      {
        ...SUB,
        name: "memory|doctor",
        arity: 2,
        flags: [],
        summary: "Outputs memory problems report",
        complexity: "O(1)",
        tips: REPORT_TIPS,
        handler(ctx) {
          let normal = 0;
          let replicas = 0;
          for (const session of ctx.server.sessions()) {
            if (session.kind === "replica") replicas++;
            else normal++;
          }
          ctx.out.verbatim(doctorReport(memoryReport(ctx), normal, replicas));
        },
      },
      {
        ...SUB,
        name: "memory|malloc-stats",
        arity: 2,
        flags: [],
        summary: "Show allocator internal stats",
        complexity: "Depends on how much memory is allocated, could be slow",
        tips: REPORT_TIPS,
        handler(ctx) {
          ctx.out.verbatim(mallocStats());
        },
      },
      {
        ...SUB,
        name: "memory|purge",
        arity: 2,
        flags: [],
        summary: "Ask the allocator to release memory",
        complexity: "Depends on how much memory is allocated, could be slow",
        tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
        handler(ctx) {
          ctx.server.purgeMemory();
          ctx.out.ok();
        },
      },
      helpSubcommand("memory", "server", "4.0.0", HELP),
    ],
  },
];
