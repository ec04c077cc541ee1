/**
 * Turns the measurements into the terminal tables and bench/RESULTS.md: the throughput
 * table, the goals the project set itself (ratios Hermes/Redis from the same run), memory
 * per key and the micro benchmarks.
 */
import type { CaseResult, ThroughputReport } from "./throughput.ts";
import type { MemoryResult } from "../memory.ts";
import {
  MEMORY_ALIGN,
  MEMORY_HEADERS,
  memoryCaption,
  memoryRatio,
  memoryRows,
  settledMemoryRatio,
} from "../memory.ts";
import { MICRO_HEADERS, type MicroResult, microRows } from "./micro.ts";
import { type Align, formatCount, formatFixed, markdownTable, textTable } from "./format.ts";
import { describeMachine, type MachineInfo } from "./machine.ts";
import { ratio } from "./stats.ts";

export interface SuiteResults {
  machine: MachineInfo;
  /** The command line, for the report header. */
  command: string;
  mode: string;
  keyspace: number;
  throughput: ThroughputReport | null;
  memory: MemoryResult | null;
  micro: MicroResult[] | null;
  /** Sections that could not run, with the reason. */
  skipped: string[];
}

export interface Goal {
  what: string;
  /** The measured ratio, NaN when not measured. */
  value: number;
  target: number;
  /** Whether the value must be at least (`>=`) or at most (`<=`) the target. */
  direction: ">=" | "<=";
}

const THROUGHPUT_HEADERS = [
  "operation",
  "clients",
  "pipeline",
  "Redis ops/s",
  "Hermes ops/s",
  "Hermes/Redis",
  "Redis p50 ms",
  "Redis p99 ms",
  "Hermes p50 ms",
  "Hermes p99 ms",
];
const THROUGHPUT_ALIGN: Align[] = ["left", ...Array(9).fill("right")];

function operation(result: CaseResult): string {
  return result.group.durable ? `${result.test.reported} (fsync always)` : result.test.reported;
}

function throughputRows(results: CaseResult[]): string[][] {
  return results.map((r) => [
    operation(r),
    String(r.group.clients),
    String(r.group.pipeline),
    formatCount(r.redis.opsPerSec),
    formatCount(r.hermes.opsPerSec),
    formatFixed(ratio(r.hermes.opsPerSec, r.redis.opsPerSec), 2),
    formatFixed(r.redis.p50Ms, 3),
    formatFixed(r.redis.p99Ms, 3),
    formatFixed(r.hermes.p50Ms, 3),
    formatFixed(r.hermes.p99Ms, 3),
  ]);
}

function caseRatio(results: CaseResult[], test: string, group: string): number {
  const found = results.find((r) => r.test.id === test && r.group.id === group);
  return found ? ratio(found.hermes.opsPerSec, found.redis.opsPerSec) : NaN;
}

/** The targets, each with its measured value (NaN when that case did not run). */
export function goals(suite: SuiteResults): Goal[] {
  const results = suite.throughput?.results ?? [];
  const throughput = (test: string, group: string, target: number, what: string): Goal => ({
    what,
    value: caseRatio(results, test, group),
    target,
    direction: ">=",
  });
  return [
    throughput("set", "p1", 0.9, "SET ops/s, 50 clients, pipeline 1"),
    throughput("get", "p1", 0.9, "GET ops/s, 50 clients, pipeline 1"),
    throughput("set", "p16", 0.5, "SET ops/s, 50 clients, pipeline 16"),
    throughput("get", "p16", 0.5, "GET ops/s, 50 clients, pipeline 16"),
    throughput("set", "durable", 1.0, "durable SET ops/s (fsync always), 50 clients"),
    {
      what: "memory per key, right after the load (Hermes RSS / Redis used_memory)",
      value: suite.memory ? memoryRatio(suite.memory) : NaN,
      target: 1.3,
      direction: "<=",
    },
    {
      what: "memory per key, settled (Hermes RSS / Redis used_memory)",
      value: suite.memory ? settledMemoryRatio(suite.memory) : NaN,
      target: 1.3,
      direction: "<=",
    },
  ];
}

function goalStatus(goal: Goal): string {
  if (!Number.isFinite(goal.value)) return "not measured";
  const met = goal.direction === ">=" ? goal.value >= goal.target : goal.value <= goal.target;
  return met ? "met" : "NOT met";
}

const GOAL_HEADERS = ["goal (Hermes/Redis, same run)", "target", "measured", "status"];
const GOAL_ALIGN: Align[] = ["left", "right", "right", "left"];

function goalRows(suite: SuiteResults): string[][] {
  return goals(suite).map((g) => [
    g.what,
    `${g.direction} ${g.target.toFixed(1)}`,
    formatFixed(g.value, 2),
    goalStatus(g),
  ]);
}

function problems(suite: SuiteResults): string[] {
  const lines = [...suite.skipped, ...(suite.throughput?.skipped ?? [])];
  for (const r of suite.throughput?.results ?? []) {
    for (const error of r.errors) {
      const line = `${r.group.id}: ${error}`;
      if (!lines.includes(line)) lines.push(line);
    }
  }
  lines.push(...(suite.memory?.skipped ?? []));
  return lines;
}

function serverSettings(suite: SuiteResults): string[] {
  return [...(suite.throughput?.settings ?? []), ...(suite.memory?.settings ?? [])];
}

/** Everything, for the terminal. */
export function textReport(suite: SuiteResults): string {
  const parts = [
    ...describeMachine(suite.machine),
    `Mode: ${suite.mode}`,
    ...serverSettings(suite).map((s) => `Server, ${s}`),
    "",
  ];
  if (suite.throughput && suite.throughput.results.length > 0) {
    parts.push(
      textTable(THROUGHPUT_HEADERS, throughputRows(suite.throughput.results), THROUGHPUT_ALIGN),
      "",
    );
  }
  if (suite.memory && (suite.memory.redis || suite.memory.hermes)) {
    parts.push(
      `Memory: ${memoryCaption(suite.memory)}`,
      textTable(MEMORY_HEADERS, memoryRows(suite.memory), MEMORY_ALIGN),
      "",
    );
  }
  if (suite.micro && suite.micro.length > 0) {
    parts.push(
      "Micro benchmarks (deno bench bench/micro/):",
      textTable(MICRO_HEADERS, microRows(suite.micro), ["left", "left", ...Array(4).fill("right")]),
      "",
    );
  }
  parts.push(textTable(GOAL_HEADERS, goalRows(suite), GOAL_ALIGN));
  const skipped = problems(suite);
  if (skipped.length > 0) parts.push("", "Skipped or failed:", ...skipped.map((s) => `  ${s}`));
  return parts.join("\n");
}

/** One paragraph of the headline figures, for the README. */
export function summary(suite: SuiteResults): string {
  const g = goals(suite);
  const x = (goal: Goal) => `${formatFixed(goal.value, 2)}x`;
  const sentences: string[] = [];
  if (Number.isFinite(g[0].value) || Number.isFinite(g[1].value)) {
    sentences.push(
      `With 50 clients and no pipelining Hermes does ${x(g[0])} of Redis's SET throughput and ` +
        `${x(g[1])} of its GET throughput.`,
    );
  }
  if (Number.isFinite(g[2].value) || Number.isFinite(g[3].value)) {
    sentences.push(`Pipelined 16 deep: SET ${x(g[2])}, GET ${x(g[3])}.`);
  }
  if (Number.isFinite(g[4].value)) {
    sentences.push(
      `Durable SET (every write fsynced before the reply): ${x(g[4])} of Redis with ` +
        `appendfsync always.`,
    );
  }
  const memory = suite.memory;
  if (memory?.hermes && memory.redis) {
    const perKey = (bytes: number) => formatFixed(bytes / memory.keys, 0);
    const settled = Number.isFinite(memory.hermes.settledRssBytes)
      ? ` and ${perKey(memory.hermes.settledRssBytes)} once settled (${x(g[6])})`
      : "";
    sentences.push(
      `Memory per key after loading ${formatCount(memory.keys)} keys (16-byte names and ` +
        `values): Hermes holds ${perKey(memory.hermes.rssBytes)} bytes of RSS right after the ` +
        `load (${x(g[5])} Redis's ${perKey(memory.redis.usedMemoryBytes)} bytes of ` +
        `used_memory)${settled}.`,
    );
  }
  return sentences.length > 0 ? sentences.join(" ") : "No side-by-side figures in this run.";
}

/** bench/RESULTS.md. */
export function markdownReport(suite: SuiteResults): string {
  const out: string[] = [
    "# Benchmark results",
    "",
    `Generated by \`${suite.command}\` (bench/run.ts); every run rewrites this part; the capability`,
    "benchmarks at the end come from `deno run -A bench/capabilities.ts` and are kept.",
    "Ratios compare Hermes and Redis measured in the same run on the same machine; absolute",
    "figures from different machines or days are not comparable.",
    "",
    ...describeMachine(suite.machine).map((line) => `- ${line}`),
    `- Mode: ${suite.mode}`,
    `- redis-benchmark: \`-r ${suite.keyspace}\` (random keys), 3-byte values (its default)`,
    ...serverSettings(suite).map((s) => `- Server, ${s}`),
    "",
    "## Summary",
    "",
    summary(suite),
    "",
    markdownTable(GOAL_HEADERS, goalRows(suite), GOAL_ALIGN),
  ];
  if (suite.throughput && suite.throughput.results.length > 0) {
    out.push(
      "",
      "## Throughput and latency (redis-benchmark, medians)",
      "",
      markdownTable(THROUGHPUT_HEADERS, throughputRows(suite.throughput.results), THROUGHPUT_ALIGN),
    );
  }
  if (suite.memory && (suite.memory.redis || suite.memory.hermes)) {
    out.push(
      "",
      "## Memory per key",
      "",
      `${memoryCaption(suite.memory)}.`,
      "",
      markdownTable(MEMORY_HEADERS, memoryRows(suite.memory), MEMORY_ALIGN),
    );
  }
  if (suite.micro && suite.micro.length > 0) {
    out.push(
      "",
      "## Micro benchmarks (`deno bench bench/micro/`)",
      "",
      markdownTable(MICRO_HEADERS, microRows(suite.micro), [
        "left",
        "left",
        ...Array(4).fill("right"),
      ]),
    );
  }
  const skipped = problems(suite);
  if (skipped.length > 0) {
    out.push("", "## Skipped or failed", "", ...skipped.map((s) => `- ${s.replaceAll("\n", " ")}`));
  }
  return out.join("\n") + "\n";
}
