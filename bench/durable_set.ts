/**
 * Durable SET throughput, side by side in one run: Hermes `--fsync always` against
 * `redis-server --appendonly yes --appendfsync always`, both driven by redis-benchmark with 50
 * clients and no pipelining. Both servers fdatasync before replying, so the figure is how many
 * writes each gets through per fdatasync, and how little else it spends per write.
 *
 * Rounds alternate between the servers (the machine's noise hits both alike); medians are
 * reported, with Hermes's writes per fdatasync from INFO persistence. The goal: Hermes at least
 * as fast as Redis. Benchmarks print; they never fail.
 *
 *   deno run --allow-all bench/durable_set.ts [--rounds 3] [--requests 100000] [--clients 50]
 */
import { parseArgs } from "node:util";
import { hasCommand } from "../tests/helpers/redis_process.ts";
import { runRedisBenchmark } from "./lib/redis_benchmark.ts";
import {
  type BenchServer,
  infoFields,
  startHermesServer,
  startRedisServer,
} from "./lib/servers.ts";
import { median, ratio } from "./lib/stats.ts";
import { formatCount, formatFixed, textTable } from "./lib/format.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "3" },
    requests: { type: "string", default: "100000" },
    clients: { type: "string", default: "50" },
  },
});
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const clients = Number(values.clients);

interface Sample {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Hermes only: writes made durable per fdatasync. */
  writesPerSync: number;
}

async function measure(server: BenchServer): Promise<Sample> {
  const before = server.name === "Hermes" ? await infoFields(server.port, "persistence") : null;
  const [row] = await runRedisBenchmark({
    port: server.port,
    tests: ["set"],
    clients,
    pipeline: 1,
    requests,
    keyspace: 100_000,
    timeoutMs: 300_000,
  });
  let writesPerSync = NaN;
  if (before) {
    const after = await infoFields(server.port, "persistence");
    const syncs = Number(after.get("aof_fsyncs")) - Number(before.get("aof_fsyncs"));
    writesPerSync = requests / syncs;
  }
  return { opsPerSec: row.opsPerSec, p50Ms: row.p50Ms, p99Ms: row.p99Ms, writesPerSync };
}

async function main(): Promise<void> {
  for (const tool of ["redis-server", "redis-benchmark"]) {
    if (!hasCommand(tool)) {
      console.log(`Skipping the durable SET benchmark: ${tool} is not installed`);
      return;
    }
  }
  const hermes = await startHermesServer(["--fsync", "always"]);
  const redis = await startRedisServer(["--appendonly", "yes", "--appendfsync", "always"]);
  const samples: Record<string, Sample[]> = { Hermes: [], Redis: [] };
  try {
    console.log(`Hermes: ${hermes.settings}`);
    console.log(`Redis:  ${redis.settings}`);
    console.log(
      `redis-benchmark -t set -c ${clients} -P 1 -n ${requests} -r 100000, ${rounds} rounds\n`,
    );
    for (let round = 1; round <= rounds; round++) {
      // Alternate who goes first, so drift over the run favours neither.
      const order = round % 2 === 1 ? [hermes, redis] : [redis, hermes];
      for (const server of order) {
        const sample = await measure(server);
        samples[server.name].push(sample);
        console.log(
          `round ${round} ${server.name.padEnd(6)} ${formatCount(sample.opsPerSec)} SET/s ` +
            `p50 ${formatFixed(sample.p50Ms, 3)} ms`,
        );
      }
    }
  } finally {
    await hermes.stop();
    await redis.stop();
  }
  const summary = (name: string) => {
    const list = samples[name];
    return {
      ops: median(list.map((s) => s.opsPerSec)),
      p50: median(list.map((s) => s.p50Ms)),
      p99: median(list.map((s) => s.p99Ms)),
      perSync: median(list.map((s) => s.writesPerSync)),
    };
  };
  const h = summary("Hermes");
  const r = summary("Redis");
  console.log();
  console.log(textTable(
    ["server", "SET/s (median)", "p50 ms", "p99 ms", "writes per fdatasync"],
    [
      [
        "Hermes --fsync always",
        formatCount(h.ops),
        formatFixed(h.p50, 3),
        formatFixed(h.p99, 3),
        formatFixed(h.perSync, 1),
      ],
      [
        "Redis appendfsync always",
        formatCount(r.ops),
        formatFixed(r.p50, 3),
        formatFixed(r.p99, 3),
        "-",
      ],
    ],
    ["left", "right", "right", "right", "right"],
  ));
  const x = ratio(h.ops, r.ops);
  console.log(
    `\nHermes / Redis: ${formatFixed(x, 2)}x (goal: at least 1.00x) -> ` +
      (x >= 1 ? "goal met" : "goal not met"),
  );
}

await main();
