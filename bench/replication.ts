/**
 * Replication, side by side with Redis in one run (Hermes replicating Hermes, Redis
 * replicating Redis, on loopback):
 *
 * 1. full sync: the time from REPLICAOF to a replica holding every key of a primary loaded
 *    with `--keys` keys (16-byte names and values);
 * 2. lag: how far (bytes of stream) a replica trails its primary while redis-benchmark runs
 *    SET with `--clients` clients, sampled every 50 ms, and how long it takes to catch up once
 *    the load stops;
 * 3. throughput: SET ops/s of a primary with two replicas attached, beside the same primary
 *    with none.
 *
 * Servers keep no files by default (Hermes `--persistence none`, Redis `--save ""`), so the
 * figures are the replication machinery's; `--durable` runs Hermes with its log under
 * `--fsync always` and Redis with `--appendonly yes --appendfsync always` instead. Redis
 * primaries use `--repl-diskless-sync-delay 0` (its default waits 5 s before a full sync).
 * Benchmarks print; they never fail.
 *
 *   deno run --allow-all bench/replication.ts [--keys 1000000] [--requests 200000]
 *     [--clients 50] [--only full-sync,lag,throughput] [--durable]
 */
import { parseArgs } from "node:util";
import { hasCommand } from "../tests/helpers/redis_process.ts";
import { bulkLoad } from "./lib/bulk_load.ts";
import { runRedisBenchmark } from "./lib/redis_benchmark.ts";
import {
  type BenchServer,
  infoFields,
  memoryOnlyHermesArgs,
  startHermesServer,
  startRedisServer,
} from "./lib/servers.ts";
import { formatCount, formatFixed, textTable } from "./lib/format.ts";
import { median, ratio } from "./lib/stats.ts";
import { connect } from "../src/client/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    keys: { type: "string", default: "1000000" },
    requests: { type: "string", default: "200000" },
    clients: { type: "string", default: "50" },
    only: { type: "string", default: "full-sync,lag,throughput" },
    durable: { type: "boolean", default: false },
  },
});
const keys = Number(values.keys);
const requests = Number(values.requests);
const clients = Number(values.clients);
const parts = new Set(values.only.split(","));

type Kind = "Hermes" | "Redis";

function start(kind: Kind, extra: string[] = []): Promise<BenchServer> {
  if (kind === "Hermes") {
    const base = values.durable ? ["--fsync", "always"] : memoryOnlyHermesArgs();
    return startHermesServer([...base, ...extra]);
  }
  const base = values.durable ? ["--appendonly", "yes", "--appendfsync", "always"] : [];
  return startRedisServer([...base, "--repl-diskless-sync-delay", "0", ...extra]);
}

async function send(port: number, ...args: string[]): Promise<unknown> {
  const client = await connect({ port });
  try {
    return await client.send(...args);
  } finally {
    client.close();
  }
}

/** A plain-text table: first row the headers, first column left-aligned. */
function table(rows: string[][]): string {
  const [headers, ...body] = rows;
  return textTable(headers, body, headers.map((_, i) => i === 0 ? "left" : "right"));
}

/** Polls until the replica's link is up and it has caught up with the primary. */
async function caughtUp(primary: number, replica: number, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [p, r] = await Promise.all([
      infoFields(primary, "replication"),
      infoFields(replica, "replication"),
    ]);
    if (
      r.get("master_link_status") === "up" &&
      r.get("slave_repl_offset") === p.get("master_repl_offset")
    ) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("The replica did not catch up in time");
}

async function fullSync(kind: Kind): Promise<number> {
  const primary = await start(kind);
  const replica = await start(kind);
  try {
    await bulkLoad(primary.port, keys);
    const started = performance.now();
    await send(replica.port, "REPLICAOF", "127.0.0.1", String(primary.port));
    await caughtUp(primary.port, replica.port);
    const seconds = (performance.now() - started) / 1000;
    const size = await send(replica.port, "DBSIZE");
    if (size !== keys) throw new Error(`${kind} replica holds ${size} keys, not ${keys}`);
    return seconds;
  } finally {
    await replica.stop();
    await primary.stop();
  }
}

interface LagResult {
  medianBytes: number;
  maxBytes: number;
  catchUpMs: number;
  opsPerSec: number;
}

async function lag(kind: Kind): Promise<LagResult> {
  const primary = await start(kind);
  const replica = await start(kind);
  try {
    await send(replica.port, "REPLICAOF", "127.0.0.1", String(primary.port));
    await caughtUp(primary.port, replica.port);
    const samples: number[] = [];
    let running = true;
    const sampler = (async () => {
      while (running) {
        const [p, r] = await Promise.all([
          infoFields(primary.port, "replication"),
          infoFields(replica.port, "replication"),
        ]);
        samples.push(Number(p.get("master_repl_offset")) - Number(r.get("slave_repl_offset")));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const [row] = await runRedisBenchmark({
      port: primary.port,
      tests: ["set"],
      clients,
      pipeline: 1,
      requests,
      keyspace: 100_000,
      timeoutMs: 600_000,
    });
    running = false;
    await sampler;
    const stopped = performance.now();
    await caughtUp(primary.port, replica.port);
    return {
      medianBytes: median(samples),
      maxBytes: Math.max(0, ...samples),
      catchUpMs: performance.now() - stopped,
      opsPerSec: row.opsPerSec,
    };
  } finally {
    await replica.stop();
    await primary.stop();
  }
}

async function throughput(kind: Kind, replicas: number): Promise<number> {
  const primary = await start(kind);
  const followers: BenchServer[] = [];
  try {
    for (let i = 0; i < replicas; i++) {
      const follower = await start(kind);
      followers.push(follower);
      await send(follower.port, "REPLICAOF", "127.0.0.1", String(primary.port));
      await caughtUp(primary.port, follower.port);
    }
    const [row] = await runRedisBenchmark({
      port: primary.port,
      tests: ["set"],
      clients,
      pipeline: 1,
      requests,
      keyspace: 100_000,
      timeoutMs: 600_000,
    });
    return row.opsPerSec;
  } finally {
    for (const follower of followers) await follower.stop();
    await primary.stop();
  }
}

if (!hasCommand("redis-server") || !hasCommand("redis-benchmark")) {
  console.log("Skipping: redis-server and redis-benchmark are needed (apt-get install redis)");
  Deno.exit(0);
}
const mode = values.durable ? "durable (fsync always on both)" : "no persistence on either";
console.log(`Replication benchmark: ${mode}; keys=${keys} requests=${requests} clients=${clients}`);

if (parts.has("full-sync")) {
  const hermes = await fullSync("Hermes");
  const redis = await fullSync("Redis");
  console.log(`\nFull sync of ${formatCount(keys)} keys (REPLICAOF to caught up)`);
  console.log(table([
    ["", "seconds", "vs Redis"],
    ["Hermes -> Hermes", formatFixed(hermes, 2), `${formatFixed(ratio(redis, hermes), 2)}x`],
    ["Redis -> Redis", formatFixed(redis, 2), "1.00x"],
  ]));
}

if (parts.has("lag")) {
  const hermes = await lag("Hermes");
  const redis = await lag("Redis");
  console.log(
    `\nReplication lag under SET load (${clients} clients, ${formatCount(requests)} SETs)`,
  );
  const row = (name: string, r: LagResult) => [
    name,
    formatCount(Math.round(r.opsPerSec)),
    formatCount(r.medianBytes),
    formatCount(r.maxBytes),
    formatFixed(r.catchUpMs, 1),
  ];
  console.log(table([
    ["", "SET ops/s", "median lag (bytes)", "max lag (bytes)", "catch-up after (ms)"],
    row("Hermes", hermes),
    row("Redis", redis),
  ]));
}

if (parts.has("throughput")) {
  const rows: string[][] = [[
    "",
    "no replica (ops/s)",
    "2 replicas (ops/s)",
    "2 replicas vs Redis",
  ]];
  const results: Record<Kind, [number, number]> = { Hermes: [0, 0], Redis: [0, 0] };
  for (const kind of ["Hermes", "Redis"] as Kind[]) {
    results[kind] = [await throughput(kind, 0), await throughput(kind, 2)];
  }
  for (const kind of ["Hermes", "Redis"] as Kind[]) {
    const [alone, withTwo] = results[kind];
    rows.push([
      kind,
      formatCount(Math.round(alone)),
      formatCount(Math.round(withTwo)),
      `${formatFixed(ratio(withTwo, results.Redis[1]), 2)}x`,
    ]);
  }
  console.log(`\nSET throughput of a primary (${clients} clients, pipeline 1)`);
  console.log(table(rows));
}
