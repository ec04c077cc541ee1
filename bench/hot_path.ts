/**
 * The hot path before and after, in one run: plain SET and GET (50 clients, pipeline 1 and 16,
 * `-r 100000`) against Redis, Hermes as this tree has it, and Hermes as `--baseline` has it
 * (default 9a85226, main just before the second wave: no type tags, notifications, ACL checks,
 * transaction bookkeeping, replication or memory accounting). Every capability must cost nothing
 * measurable when unused, so the figure that matters is this tree against the baseline; both
 * are also given against Redis. Memory-only servers, as the main throughput table runs them.
 * Rounds rotate the order of the three servers; medians are reported. Benchmarks print; they
 * never fail.
 *
 *   deno run --allow-all bench/hot_path.ts [--rounds 3] [--requests 200000] [--baseline <ref>]
 */
import { hasCommand } from "../tests/helpers/redis_process.ts";
import { runRedisBenchmark } from "./lib/redis_benchmark.ts";
import { sideBySideArgs } from "./lib/side_by_side_args.ts";
import { memoryOnlyHermesArgs, startHermesServer, startRedisServer } from "./lib/servers.ts";
import { startBaselineHermes } from "./lib/baseline.ts";
import { median, ratio, roundOrder } from "./lib/stats.ts";
import { formatCount, formatFixed, textTable } from "./lib/format.ts";

const args = sideBySideArgs(["--requests", "200000", ...Deno.args]);
const baselineRef = args.baseline ?? "9a85226";
const CASES = [
  { test: "SET", pipeline: 1 },
  { test: "GET", pipeline: 1 },
  { test: "SET", pipeline: 16 },
  { test: "GET", pipeline: 16 },
] as const;

interface Contender {
  label: string;
  port: number;
  stop(): Promise<void>;
  /** ops/s per case index, one entry per round. */
  samples: number[][];
}

async function measure(server: Contender): Promise<void> {
  for (const pipeline of [1, 16]) {
    const rows = await runRedisBenchmark({
      port: server.port,
      tests: ["set", "get"],
      clients: args.clients,
      pipeline,
      requests: pipeline === 1 ? args.requests : args.requests * 4,
      keyspace: 100_000,
      timeoutMs: 300_000,
    });
    for (const row of rows) {
      const at = CASES.findIndex((c) => c.test === row.test && c.pipeline === pipeline);
      if (at >= 0) server.samples[at].push(row.opsPerSec);
    }
  }
}

async function main(): Promise<void> {
  for (const tool of ["redis-server", "redis-benchmark", "git"]) {
    if (!hasCommand(tool)) {
      console.log(`Skipping the hot-path benchmark: ${tool} is not installed`);
      return;
    }
  }
  const contenders: Contender[] = [];
  const samples = () => CASES.map(() => [] as number[]);
  try {
    const redis = await startRedisServer(["--save", "", "--appendonly", "no"]);
    contenders.push({ label: "Redis", samples: samples(), ...redis });
    const hermes = await startHermesServer(memoryOnlyHermesArgs());
    contenders.push({ label: "Hermes (this tree)", samples: samples(), ...hermes });
    const before = await startBaselineHermes(baselineRef, ["--persistence", "none"]);
    contenders.push({ label: `Hermes ${baselineRef}`, samples: samples(), ...before });
    console.log(
      `redis-benchmark -t set,get -c ${args.clients} -P 1 and 16 -r 100000, ${args.rounds} rounds\n`,
    );
    for (let round = 1; round <= args.rounds; round++) {
      for (const server of roundOrder(contenders, round)) {
        await measure(server);
        const last = server.samples.map((list) => formatCount(list[list.length - 1]));
        console.log(`round ${round} ${server.label.padEnd(20)} ${last.join(" / ")} ops/s`);
      }
    }
  } finally {
    for (const server of contenders) await server.stop();
  }
  if (contenders.length < 3) return;
  const [redis, now, before] = contenders.map((c) => c.samples.map((list) => median(list)));
  console.log();
  console.log(textTable(
    [
      "case",
      "Redis ops/s",
      "Hermes ops/s",
      `Hermes ${baselineRef} ops/s`,
      "Hermes/Redis",
      `${baselineRef}/Redis`,
      `this tree vs ${baselineRef}`,
    ],
    CASES.map((c, i) => {
      const change = ratio(now[i], before[i]) - 1;
      return [
        `${c.test}, 50 clients, pipeline ${c.pipeline}`,
        formatCount(redis[i]),
        formatCount(now[i]),
        formatCount(before[i]),
        formatFixed(ratio(now[i], redis[i]), 2),
        formatFixed(ratio(before[i], redis[i]), 2),
        `${change >= 0 ? "+" : ""}${formatFixed(change * 100, 1)}%`,
      ];
    }),
    ["left", "right", "right", "right", "right", "right", "right"],
  ));
  console.log("\nGoal: no plain SET/GET case more than 3% below the baseline.");
}

await main();
