/**
 * LATENCY LATEST/HISTORY/RESET/GRAPH/DOCTOR/HISTOGRAM/HELP: the latency monitor's spikes per
 * event (src/observe/latency_monitor.ts) and the per-command latency histograms kept with the
 * command statistics, in Redis 7's reply shapes.
 */
import type { CommandContext } from "./context.ts";
import { noLatencySamples } from "./errors.ts";
import { findSubcommand } from "./registry.ts";
import type { CommandSpec } from "./spec.ts";
import { helpSubcommand, NO_KEYS } from "./spec.ts";
import { latencyDoctor, latencyGraph } from "../observe/latency_report.ts";
import type { LatencyHistogram } from "../observe/latency_histogram.ts";

const HELP = [
  "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return a human readable latency analysis report.",
  "GRAPH <event>",
  "    Return an ASCII latency graph for the <event> class.",
  "HISTORY <event>",
  "    Return time-latency samples for the <event> class.",
  "LATEST",
  "    Return the latest latency samples for all events.",
  "RESET [<event> ...]",
  "    Reset latency data of one or more <event> classes.",
  "    (default: reset all data for all event classes)",
  "HISTOGRAM [COMMAND ...]",
  "    Return a cumulative distribution of latencies in the format of a histogram for the " +
  "specified command names.",
  "    If no commands are specified then all histograms are replied.",
  "HELP",
  "    Prints this help.",
];

function latest(ctx: CommandContext): void {
  const events = ctx.observability.latency.events().filter((e) => e.samples.length > 0);
  ctx.out.arrayHeader(events.length);
  for (const event of events) {
    const last = event.samples.at(-1)!;
    ctx.out.arrayHeader(4);
    ctx.out.bulk(event.name);
    ctx.out.integer(last.timeSec);
    ctx.out.integer(last.ms);
    ctx.out.integer(event.maxMs);
  }
}

function history(ctx: CommandContext, argv: string[]): void {
  const samples = ctx.observability.latency.event(argv[2])?.samples ?? [];
  ctx.out.arrayHeader(samples.length);
  for (const sample of samples) {
    ctx.out.arrayHeader(2);
    ctx.out.integer(sample.timeSec);
    ctx.out.integer(sample.ms);
  }
}

function graph(ctx: CommandContext, argv: string[]): void {
  const event = ctx.observability.latency.event(argv[2]);
  if (event === undefined || event.samples.length === 0) throw noLatencySamples(argv[2]);
  ctx.out.verbatim(latencyGraph(event, Math.floor(ctx.now / 1000)));
}

/**
 * The commands LATENCY HISTOGRAM reports for `names`: each name's command, or a container's
 * subcommands, that ran at least once; every command that ran when no name is given.
 */
function histogramsFor(ctx: CommandContext, names: string[]): [string, LatencyHistogram][] {
  const ran = (name: string): [string, LatencyHistogram][] => {
    const histogram = ctx.stats.commands.get(name)?.latency;
    return histogram && histogram.total > 0 ? [[name, histogram]] : [];
  };
  if (names.length === 0) return [...ctx.stats.commands.keys()].flatMap(ran);
  const found: [string, LatencyHistogram][] = [];
  for (const name of names) {
    const bar = name.indexOf("|");
    const container = ctx.registry.lookup(bar < 0 ? name : name.slice(0, bar));
    if (container === undefined) continue;
    if (bar >= 0) {
      const sub = findSubcommand(container, name.slice(bar + 1));
      if (sub) found.push(...ran(sub.name));
    } else if (container.subcommands) {
      for (const sub of container.subcommands) found.push(...ran(sub.name));
    } else {
      found.push(...ran(container.name));
    }
  }
  return found;
}

function histogram(ctx: CommandContext, argv: string[]): void {
  const out = ctx.out;
  const found = histogramsFor(ctx, argv.slice(2));
  out.mapHeader(found.length);
  for (const [name, histogram] of found) {
    out.bulk(name);
    out.mapHeader(2);
    out.bulk("calls");
    out.integer(histogram.total);
    out.bulk("histogram_usec");
    const rows = histogram.cumulativeByPowerOfTwo();
    out.mapHeader(rows.length);
    for (const [labelUs, calls] of rows) {
      out.integer(labelUs);
      out.integer(calls);
    }
  }
}

/** The flags and docs every LATENCY subcommand but HELP shares. */
function adminSubcommand(
  name: string,
  arity: number,
  summary: string,
  handler: CommandSpec["handler"],
  extra: Partial<CommandSpec> = {},
): CommandSpec {
  return {
    name: `latency|${name}`,
    arity,
    flags: ["admin", "noscript", "loading", "stale"],
    keys: NO_KEYS,
    group: "server",
    summary,
    since: "2.8.13",
    complexity: "O(1)",
    tips: [
      "nondeterministic_output",
      "request_policy:all_nodes",
      "response_policy:special",
    ],
    handler,
    ...extra,
  };
}

const EVENT_ARG = [{ name: "event", type: "string" as const }];

export const latencyCommands: CommandSpec[] = [
  {
    name: "latency",
    arity: -2,
    flags: [],
    keys: NO_KEYS,
    group: "server",
    summary: "A container for latency diagnostics commands.",
    since: "2.8.13",
    complexity: "Depends on subcommand.",
    subcommands: [
      adminSubcommand("history", 3, "Returns the spikes recorded for an event.", history, {
        args: EVENT_ARG,
      }),
      adminSubcommand("doctor", 2, "Returns a human-readable latency analysis report.", (ctx) => {
        ctx.out.verbatim(latencyDoctor(ctx.observability.latency));
      }),
      adminSubcommand("graph", 3, "Returns an ASCII graph of an event's spikes.", graph, {
        args: EVENT_ARG,
      }),
      adminSubcommand("latest", 2, "Returns the latest spike of every event.", latest),
      helpSubcommand("latency", "server", "2.8.13", HELP),
      adminSubcommand(
        "histogram",
        -2,
        "Returns the cumulative distribution of the latencies of some or all commands.",
        histogram,
        {
          since: "7.0.0",
          complexity: "O(N) where N is the number of commands with latency information " +
            "being retrieved.",
          args: [{ name: "command", type: "string", flags: ["optional", "multiple"] }],
        },
      ),
      adminSubcommand(
        "reset",
        -2,
        "Resets the spikes recorded for some or all events.",
        (ctx, argv) => ctx.out.integer(ctx.observability.latency.reset(argv.slice(2))),
        {
          tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
          args: [{ name: "event", type: "string", flags: ["optional", "multiple"] }],
        },
      ),
    ],
  },
];
