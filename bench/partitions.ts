/**
 * SET into partitions, side by side in one run: one Hermes server under `--fsync always` with
 * a NONE partition and a WAL partition, against Redis with `appendfsync always` and Redis with
 * no persistence, all driven by redis-benchmark (SET, 50 clients, no pipelining, `-r 100000`).
 *
 * How redis-benchmark reaches a partition: it selects a database with `--dbnum <n>`, and a
 * Hermes partition answers to its id (16 and up, from DESCRIBE PARTITION) wherever a database
 * number goes, so the same unmodified tool drives every server and no extra hop (a proxy, a
 * load generator of our own) sits in one path and not another.
 *
 * Cases:
 * - Hermes NONE partition, while nothing else writes;
 * - Hermes NONE partition, while a second redis-benchmark writes into the WAL partition of
 *   the same server (its fdatasyncs share the thread: what a memory-only write pays then);
 * - Hermes WAL partition, against Redis `appendfsync always`;
 * - Redis without persistence, against which the NONE partition is measured;
 * - the same two cases with the WAL load on a second Hermes forced to the blocking fdatasync
 *   (`HERMES_GROUP_COMMIT=blocking`): what the pipelined group commit, which a server with a
 *   NONE partition uses, changes for each.
 *
 * A short unrecorded run of each case warms the servers up; then rounds rotate the order of
 * the cases, and medians are reported. Goal: the NONE partition at
 * least 0.9x Redis without persistence. Benchmarks print; they never fail.
 *
 *   deno run --allow-all bench/partitions.ts [--rounds 3] [--requests 100000] [--clients 50]
 */
import { hasCommand } from "../tests/helpers/redis_process.ts";
import { runRedisBenchmark } from "./lib/redis_benchmark.ts";
import { sideBySideArgs } from "./lib/side_by_side_args.ts";
import {
  type BenchServer,
  infoFields,
  startHermesServer,
  startRedisServer,
} from "./lib/servers.ts";
import { median, ratio, roundOrder } from "./lib/stats.ts";
import { formatCount, formatFixed, textTable } from "./lib/format.ts";
import { connect } from "../src/client/mod.ts";

const { rounds, requests, clients } = sideBySideArgs(Deno.args);
const KEYSPACE = 100_000;

interface Sample {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Hermes: fdatasyncs during the run. */
  fsyncs: number;
}

interface Case {
  label: string;
  port: number;
  dbnum: number;
  /** A WAL partition to keep busy with a second redis-benchmark during the run. */
  busyDbnum?: number;
  isHermes: boolean;
  samples: Sample[];
}

/** Creates a partition and returns its id (what redis-benchmark --dbnum selects). */
async function createPartition(port: number, name: string, mode: string): Promise<number> {
  const client = await connect({ port });
  try {
    await client.send("CREATE", "PARTITION", name, "ANY", mode);
    const fields = await client.send("DESCRIBE", "PARTITION", name) as unknown[];
    return Number(fields[fields.indexOf("id") + 1]);
  } finally {
    client.close();
  }
}

/** A redis-benchmark writing into `dbnum` until stopped (the background WAL load). */
function startBackgroundLoad(port: number, dbnum: number): { stop(): Promise<void> } {
  const child = new Deno.Command("redis-benchmark", {
    args: [
      ...["-h", "127.0.0.1", "-p", String(port), "-c", String(clients), "-P", "1"],
      ...["-n", "100000000", "-r", String(KEYSPACE), "-t", "set", "-q", "--dbnum", String(dbnum)],
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  return {
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

async function fsyncCount(port: number): Promise<number> {
  return Number((await infoFields(port, "persistence")).get("aof_fsyncs"));
}

async function measure(item: Case, count = requests): Promise<Sample> {
  const background = item.busyDbnum === undefined
    ? null
    : startBackgroundLoad(item.port, item.busyDbnum);
  try {
    if (background) await new Promise((resolve) => setTimeout(resolve, 300)); // let it ramp up
    const before = item.isHermes ? await fsyncCount(item.port) : NaN;
    const [row] = await runRedisBenchmark({
      port: item.port,
      tests: ["set"],
      clients,
      pipeline: 1,
      requests: count,
      keyspace: KEYSPACE,
      timeoutMs: 300_000,
      dbnum: item.dbnum,
    });
    const fsyncs = item.isHermes ? await fsyncCount(item.port) - before : NaN;
    return { opsPerSec: row.opsPerSec, p50Ms: row.p50Ms, p99Ms: row.p99Ms, fsyncs };
  } finally {
    await background?.stop();
  }
}

async function main(): Promise<void> {
  for (const tool of ["redis-server", "redis-benchmark"]) {
    if (!hasCommand(tool)) {
      console.log(`Skipping the partition benchmark: ${tool} is not installed`);
      return;
    }
  }
  const servers: BenchServer[] = [];
  const cases: Case[] = [];
  try {
    const hermes = await startHermesServer(["--fsync", "always"]);
    servers.push(hermes);
    const noneId = await createPartition(hermes.port, "cache", "NONE");
    const walId = await createPartition(hermes.port, "ledger", "WAL");
    const blocking = await startHermesServer(["--fsync", "always"], {
      HERMES_GROUP_COMMIT: "blocking",
    });
    servers.push(blocking);
    const blockingNone = await createPartition(blocking.port, "cache", "NONE");
    const blockingWal = await createPartition(blocking.port, "ledger", "WAL");
    console.log(
      `Hermes: ${hermes.settings}; partitions cache (NONE) = ${noneId}, ledger (WAL) = ${walId}`,
    );
    const redisAlways = await startRedisServer(["--appendonly", "yes", "--appendfsync", "always"]);
    servers.push(redisAlways);
    console.log(`Redis always: ${redisAlways.settings}`);
    const redisMemory = await startRedisServer();
    servers.push(redisMemory);
    console.log(`Redis memory: ${redisMemory.settings}`);
    const hermesCase = (
      label: string,
      dbnum: number,
      busyDbnum?: number,
      port = hermes.port,
    ): Case => ({
      label,
      port,
      dbnum,
      busyDbnum,
      isHermes: true,
      samples: [],
    });
    const redisCase = (label: string, server: BenchServer): Case => ({
      label,
      port: server.port,
      dbnum: 0,
      isHermes: false,
      samples: [],
    });
    cases.push(
      hermesCase("Hermes NONE partition", noneId),
      redisCase("Redis, no persistence", redisMemory),
      hermesCase("Hermes NONE partition, WAL load beside", noneId, walId),
      hermesCase("Hermes WAL partition, fsync always", walId),
      redisCase("Redis appendfsync always", redisAlways),
      hermesCase(
        "Hermes NONE, WAL load beside, blocking fdatasync",
        blockingNone,
        blockingWal,
        blocking.port,
      ),
      hermesCase("Hermes WAL partition, blocking fdatasync", blockingWal, undefined, blocking.port),
    );
    console.log(
      `redis-benchmark -t set -c ${clients} -P 1 -n ${requests} -r ${KEYSPACE} --dbnum <id>, ` +
        `${rounds} rounds\n`,
    );
    // One short unrecorded run per case first: Hermes's code is compiled by then.
    for (const item of cases) await measure(item, Math.max(5000, Math.round(requests / 10)));
    for (let round = 1; round <= rounds; round++) {
      for (const item of roundOrder(cases, round)) {
        const sample = await measure(item);
        item.samples.push(sample);
        console.log(
          `round ${round} ${item.label.padEnd(40)} ${formatCount(sample.opsPerSec)} SET/s ` +
            `p50 ${formatFixed(sample.p50Ms, 3)} ms` +
            (item.isHermes ? `, ${sample.fsyncs} fdatasyncs` : ""),
        );
      }
    }
  } finally {
    for (const server of servers) await server.stop();
  }
  const ops = (item: Case) => median(item.samples.map((s) => s.opsPerSec));
  const baseline = (item: Case) =>
    item.label.includes("WAL partition") || item.label.includes("always")
      ? ops(cases[4])
      : ops(cases[1]);
  const pipelinedGain = (pipelined: number, blocking: number) =>
    `${formatFixed(ratio(ops(cases[pipelined]), ops(cases[blocking])), 2)}x`;
  console.log();
  console.log(textTable(
    ["case", "SET/s (median)", "vs Redis alike", "p50 ms", "p99 ms", "fdatasyncs"],
    cases.map((item) => [
      item.label,
      formatCount(ops(item)),
      `${formatFixed(ratio(ops(item), baseline(item)), 2)}x`,
      formatFixed(median(item.samples.map((s) => s.p50Ms)), 3),
      formatFixed(median(item.samples.map((s) => s.p99Ms)), 3),
      item.isHermes ? formatCount(median(item.samples.map((s) => s.fsyncs))) : "-",
    ]),
    ["left", "right", "right", "right", "right", "right"],
  ));
  const x = ratio(ops(cases[0]), ops(cases[1]));
  console.log(
    `\nHermes NONE partition / Redis without persistence: ${formatFixed(x, 2)}x ` +
      `(goal: at least 0.90x) -> ${x >= 0.9 ? "goal met" : "goal not met"}`,
  );
  console.log(
    '("vs Redis alike": NONE cases against Redis without persistence, the WAL case against ' +
      "Redis appendfsync always.)",
  );
  console.log(
    `Pipelined / blocking fdatasync: NONE with WAL load beside ${pipelinedGain(2, 5)}, ` +
      `WAL partition ${pipelinedGain(3, 6)}`,
  );
}

await main();
