/**
 * Drives Redis and Hermes with redis-benchmark, group by group, for several rounds, swapping
 * which server goes first each round so drift on a shared machine hits both alike, and keeps
 * the median of each figure.
 */
import type { Group, TestName } from "./cases.ts";
import { type BenchmarkRow, runRedisBenchmark } from "./redis_benchmark.ts";
import {
  type BenchServer,
  hermesHasFlag,
  memoryOnlyHermesArgs,
  type ServerName,
  startHermesServer,
  startRedisServer,
} from "./servers.ts";
import { median } from "./stats.ts";

/** Median figures of one case on one server; NaN where no round succeeded. */
export interface Figures {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Rounds that produced a result. */
  rounds: number;
}

export interface CaseResult {
  group: Group;
  test: TestName;
  requests: number;
  redis: Figures;
  hermes: Figures;
  /** Failures met on the way (a failed round is left out of the medians). */
  errors: string[];
}

export interface ThroughputOptions {
  rounds: number;
  /** Requests per test are the group's count divided by this (1 for a full run). */
  requestsDivisor: number;
  /** redis-benchmark `-r`. */
  keyspace: number;
  hermesArgs: string[];
  redisArgs: string[];
  log: (line: string) => void;
}

export interface ThroughputReport {
  results: CaseResult[];
  /** Groups not run, with the reason. */
  skipped: string[];
  /** How each server was started, by setup (`plain`, `durable`). */
  settings: string[];
}

interface Setup {
  name: "plain" | "durable";
  groups: Group[];
  hermesArgs: string[];
  redisArgs: string[];
}

const WARMUP_FRACTION = 10;
const MIN_REQUESTS = 1000;

function requestsOf(group: Group, options: ThroughputOptions): number {
  return Math.max(MIN_REQUESTS, Math.round(group.requests / options.requestsDivisor));
}

/** Time limit for one redis-benchmark run: far above any sane rate (2,000 ops/s). */
function timeoutFor(requests: number, tests: number): number {
  return 60_000 + requests * tests / 2;
}

export async function runThroughput(
  groups: Group[],
  options: ThroughputOptions,
): Promise<ThroughputReport> {
  const report: ThroughputReport = { results: [], skipped: [], settings: [] };
  const setups: Setup[] = [];
  const plain = groups.filter((g) => !g.durable);
  if (plain.length > 0) {
    setups.push({
      name: "plain",
      groups: plain,
      hermesArgs: [...memoryOnlyHermesArgs(), ...options.hermesArgs],
      redisArgs: options.redisArgs,
    });
  }
  const durable = groups.filter((g) => g.durable);
  if (durable.length > 0) {
    if (hermesHasFlag("fsync")) {
      setups.push({
        name: "durable",
        groups: durable,
        hermesArgs: ["--fsync", "always", ...options.hermesArgs],
        redisArgs: ["--appendonly", "yes", "--appendfsync", "always", ...options.redisArgs],
      });
    } else {
      report.skipped.push(
        `${durable.map((g) => g.id).join(", ")}: Hermes has no --fsync flag yet ` +
          `(not listed in main.ts --help)`,
      );
    }
  }
  for (const setup of setups) await runSetup(setup, options, report);
  return report;
}

async function runSetup(setup: Setup, options: ThroughputOptions, report: ThroughputReport) {
  let redis: BenchServer | null = null;
  let hermes: BenchServer | null = null;
  try {
    redis = await startRedisServer(setup.redisArgs);
    hermes = await startHermesServer(setup.hermesArgs);
  } catch (error) {
    await redis?.stop();
    report.skipped.push(`${setup.groups.map((g) => g.id).join(", ")}: ${(error as Error).message}`);
    return;
  }
  report.settings.push(`${setup.name}: Redis ${redis.settings}`);
  report.settings.push(`${setup.name}: Hermes ${hermes.settings}`);
  try {
    for (const group of setup.groups) {
      report.results.push(...await runGroup(group, [redis, hermes], options));
    }
  } finally {
    await Promise.all([redis.stop(), hermes.stop()]);
  }
}

async function runGroup(
  group: Group,
  servers: [BenchServer, BenchServer],
  options: ThroughputOptions,
): Promise<CaseResult[]> {
  const requests = requestsOf(group, options);
  const rows: Record<ServerName, BenchmarkRow[][]> = { Redis: [], Hermes: [] };
  const errors: string[] = [];
  // Built-in tests run in one invocation; each custom command needs one of its own, in order.
  const builtIn = group.tests.filter((t) => t.command === undefined);
  const invocations: (TestName[])[] = [
    ...(builtIn.length > 0 ? [builtIn] : []),
    ...group.tests.filter((t) => t.command !== undefined).map((t) => [t]),
  ];
  const run = async (server: BenchServer, n: number) => {
    const rows: BenchmarkRow[] = [];
    for (const tests of invocations) {
      rows.push(
        ...await runRedisBenchmark({
          port: server.port,
          tests: tests.map((t) => t.id),
          command: tests[0].command,
          clients: group.clients,
          pipeline: group.pipeline,
          requests: n,
          keyspace: options.keyspace,
          timeoutMs: timeoutFor(n, tests.length),
        }),
      );
    }
    return rows;
  };

  options.log(`${group.id}: ${group.title}, ${requests} requests per test, warming up`);
  for (const server of servers) {
    try {
      await run(server, Math.max(MIN_REQUESTS, Math.round(requests / WARMUP_FRACTION)));
    } catch (error) {
      errors.push(`${server.name} warm-up: ${firstLine(error)}`);
    }
  }
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? servers : [servers[1], servers[0]];
    for (const server of order) {
      try {
        const result = await run(server, requests);
        rows[server.name].push(result);
        options.log(
          `  round ${round + 1}/${options.rounds} ${server.name.padEnd(6)} ` +
            result.map((r) => `${r.test} ${Math.round(r.opsPerSec)}`).join(", "),
        );
      } catch (error) {
        errors.push(`${server.name} round ${round + 1}: ${firstLine(error)}`);
        options.log(`  round ${round + 1}/${options.rounds} ${server.name}: ${firstLine(error)}`);
      }
    }
  }
  return group.tests.map((test) => ({
    group,
    test,
    requests,
    redis: figures(rows.Redis, test),
    hermes: figures(rows.Hermes, test),
    errors,
  }));
}

function figures(rounds: BenchmarkRow[][], test: TestName): Figures {
  const found = rounds.map((rows) => rows.find((r) => r.test === test.reported))
    .filter((r): r is BenchmarkRow => r !== undefined);
  return {
    opsPerSec: median(found.map((r) => r.opsPerSec)),
    p50Ms: median(found.map((r) => r.p50Ms)),
    p99Ms: median(found.map((r) => r.p99Ms)),
    rounds: found.length,
  };
}

/** The first lines of an error, enough to say what failed. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").slice(0, 3).join(" / ");
}
