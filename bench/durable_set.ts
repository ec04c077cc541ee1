/**
 * Durable SET throughput, side by side in one run: Hermes `--fsync always` against
 * `redis-server --appendonly yes --appendfsync always`, both driven by redis-benchmark with 50
 * clients and no pipelining. Both servers fdatasync before replying, so the figure is how many
 * writes each gets through per fdatasync, and how little else it spends per write.
 *
 * Two more servers in the same rounds show the floor under Hermes's figure: a bare Deno server
 * (bench/lib/bare_commit_server.ts) that only group-commits the raw request bytes and answers
 * `+OK`, once with a blocking fdatasync per round (Hermes's scheme) and once with an async
 * fdatasync that overlaps the next rounds. What Hermes loses against the first is its own work
 * per command; the second shows whether overlapping the fdatasync would pay on this machine.
 *
 * Hermes runs twice: with its default blocking fdatasync, and with the pipelined group commit
 * (`HERMES_GROUP_COMMIT=pipelined`, the path a server with a NONE partition takes: the
 * fdatasync runs off the thread while the next rounds run, and their records are written as
 * the next group once it completes). The bare server has the same three schemes.
 *
 * With `--baseline <git ref>`, Hermes as that commit has it runs too (bench/lib/baseline.ts):
 * the before/after of a change on this path (the undo log of refused rounds: goal under 3%).
 *
 * Rounds rotate the order of the servers (the machine's noise hits all alike); medians are
 * reported, with Hermes's writes per fdatasync from INFO persistence. The goal: Hermes at least
 * as fast as Redis. Benchmarks print; they never fail.
 *
 *   deno run --allow-all bench/durable_set.ts [--rounds 3] [--requests 100000] [--clients 50]
 *     [--no-floor] [--baseline main]
 */
import { hasCommand } from "../tests/helpers/redis_process.ts";
import { runRedisBenchmark } from "./lib/redis_benchmark.ts";
import { sideBySideArgs } from "./lib/side_by_side_args.ts";
import {
  infoFields,
  startBareCommitServer,
  startHermesServer,
  startRedisServer,
} from "./lib/servers.ts";
import { median, ratio, roundOrder } from "./lib/stats.ts";
import { startBaselineHermes } from "./lib/baseline.ts";
import { formatCount, formatFixed, textTable } from "./lib/format.ts";

const { rounds, requests, clients, switches, baseline } = sideBySideArgs(Deno.args, ["no-floor"]);

interface Sample {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Hermes only: writes made durable per fdatasync. */
  writesPerSync: number;
}

/** One server in the comparison. */
interface Contender {
  label: string;
  port: number;
  /** Hermes: read its fdatasync count around each run. */
  isHermes: boolean;
  stop(): Promise<void>;
  samples: Sample[];
}

async function measure(server: Contender): Promise<Sample> {
  const before = server.isHermes ? await infoFields(server.port, "persistence") : null;
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
  const contenders: Contender[] = [];
  try {
    const hermes = await startHermesServer(["--fsync", "always"]);
    contenders.push({ label: "Hermes --fsync always", isHermes: true, samples: [], ...hermes });
    console.log(`Hermes: ${hermes.settings}`);
    const pipelined = await startHermesServer(["--fsync", "always"], {
      HERMES_GROUP_COMMIT: "pipelined",
    });
    const pipelinedLabel = "Hermes, pipelined commit";
    contenders.push({ label: pipelinedLabel, isHermes: true, samples: [], ...pipelined });
    const redis = await startRedisServer(["--appendonly", "yes", "--appendfsync", "always"]);
    contenders.push({ label: "Redis appendfsync always", isHermes: false, samples: [], ...redis });
    console.log(`Redis:  ${redis.settings}`);
    if (baseline !== null) {
      const before = await startBaselineHermes(baseline, ["--fsync", "always"]);
      const label = `Hermes ${baseline} --fsync always`;
      contenders.push({ label, isHermes: true, samples: [], ...before });
      console.log(`Baseline: ${before.settings}`);
    }
    if (!switches["no-floor"]) {
      for (const scheme of ["blocking", "async", "pipelined"] as const) {
        const bare = await startBareCommitServer(scheme);
        const label = `bare Deno, ${scheme} fdatasync`;
        contenders.push({ label, isHermes: false, samples: [], ...bare });
      }
    }
    console.log(
      `redis-benchmark -t set -c ${clients} -P 1 -n ${requests} -r 100000, ${rounds} rounds\n`,
    );
    for (let round = 1; round <= rounds; round++) {
      // Rotate who goes first, so drift over the run favours none.
      const order = roundOrder(contenders, round);
      for (const server of order) {
        const sample = await measure(server);
        server.samples.push(sample);
        console.log(
          `round ${round} ${server.label.padEnd(30)} ${formatCount(sample.opsPerSec)} SET/s ` +
            `p50 ${formatFixed(sample.p50Ms, 3)} ms`,
        );
      }
    }
  } finally {
    for (const server of contenders) await server.stop();
  }
  const summary = (server: Contender) => {
    const list = server.samples;
    return {
      ops: median(list.map((s) => s.opsPerSec)),
      p50: median(list.map((s) => s.p50Ms)),
      p99: median(list.map((s) => s.p99Ms)),
      perSync: median(list.map((s) => s.writesPerSync)),
    };
  };
  const redisOps = summary(contenders.find((c) => c.label.startsWith("Redis"))!).ops;
  console.log();
  console.log(textTable(
    ["server", "SET/s (median)", "vs Redis", "p50 ms", "p99 ms", "writes per fdatasync"],
    contenders.map((server) => {
      const s = summary(server);
      return [
        server.label,
        formatCount(s.ops),
        `${formatFixed(ratio(s.ops, redisOps), 2)}x`,
        formatFixed(s.p50, 3),
        formatFixed(s.p99, 3),
        Number.isNaN(s.perSync) ? "-" : formatFixed(s.perSync, 1),
      ];
    }),
    ["left", "right", "right", "right", "right", "right"],
  ));
  const x = ratio(summary(contenders[0]).ops, redisOps);
  console.log(
    `\nHermes / Redis: ${formatFixed(x, 2)}x (goal: at least 1.00x) -> ` +
      (x >= 1 ? "goal met" : "goal not met"),
  );
  const byLabel = (label: string) => contenders.find((c) => c.label.startsWith(label))!;
  const pipelinedX = ratio(summary(byLabel("Hermes, pipelined")).ops, summary(contenders[0]).ops);
  console.log(`Pipelined / blocking commit: ${formatFixed(pipelinedX, 3)}x`);
  if (baseline !== null) {
    const change = ratio(summary(contenders[0]).ops, summary(byLabel(`Hermes ${baseline}`)).ops) -
      1;
    console.log(
      `This tree / ${baseline}: ${change >= 0 ? "+" : ""}${formatFixed(change * 100, 1)}% ` +
        `(goal for the undo log: no worse than -3%)`,
    );
  }
}

await main();
