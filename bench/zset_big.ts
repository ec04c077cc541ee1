/**
 * A big sorted set, Hermes against Redis (issue 17): the time to ZADD 1M members (pipelined,
 * 1,000 members per ZADD, plus the same again one member per ZADD in random order), then
 * redis-benchmark on reads in the middle of it: ZRANGE by rank (10 elements from the 500,000th),
 * ZRANGEBYSCORE from the middle, ZRANK and ZSCORE of a middle member.
 *
 *   deno run -A bench/zset_big.ts [--members 1000000] [--requests 100000]
 *
 * `--members 100000 --requests 10000` is a quick smoke check.
 */
import { parseArgs } from "node:util";
import { connect } from "../src/client/mod.ts";
import { runRedisBenchmark } from "./lib/redis_benchmark.ts";
import {
  type BenchServer,
  memoryOnlyHermesArgs,
  startHermesServer,
  startRedisServer,
} from "./lib/servers.ts";
import { formatFixed, textTable } from "./lib/format.ts";

const member = (i: number) => `member:${String(i).padStart(10, "0")}`;
const score = (i: number) => String((i * 7919) % 1_000_003);

/** Loads `members` in batches of ZADDs of 1,000 members; returns the seconds it took. */
async function loadBatched(port: number, key: string, members: number): Promise<number> {
  const client = await connect({ port });
  const started = performance.now();
  for (let from = 0; from < members; from += 20_000) {
    const batch: string[][] = [];
    for (let start = from; start < Math.min(members, from + 20_000); start += 1000) {
      const args = ["ZADD", key];
      for (let i = start; i < Math.min(members, start + 1000); i++) args.push(score(i), member(i));
      batch.push(args);
    }
    await client.pipeline(batch);
  }
  client.close();
  return (performance.now() - started) / 1000;
}

/** Loads `members` one ZADD each, pipelined 1,000 deep, in a scattered order. */
async function loadSingly(port: number, key: string, members: number): Promise<number> {
  const client = await connect({ port });
  const started = performance.now();
  for (let from = 0; from < members; from += 1000) {
    const batch: string[][] = [];
    for (let n = from; n < Math.min(members, from + 1000); n++) {
      const i = (n * 104729) % members;
      batch.push(["ZADD", key, score(i), member(i)]);
    }
    await client.pipeline(batch);
  }
  client.close();
  return (performance.now() - started) / 1000;
}

async function reads(server: BenchServer, members: number, requests: number) {
  const middle = Math.floor(members / 2);
  const middleScore = String((middle * 7919) % 1_000_003);
  const commands: [string, string[]][] = [
    ["ZRANGE rank middle, 10", ["ZRANGE", "big", String(middle), String(middle + 9), "WITHSCORES"]],
    ["ZRANGEBYSCORE middle, 10", [
      "ZRANGEBYSCORE",
      "big",
      middleScore,
      "+inf",
      "LIMIT",
      "0",
      "10",
    ]],
    ["ZRANK middle", ["ZRANK", "big", member(middle)]],
    ["ZSCORE middle", ["ZSCORE", "big", member(middle)]],
  ];
  const run = (command: string[], n: number) =>
    runRedisBenchmark({
      port: server.port,
      tests: [],
      command,
      clients: 50,
      pipeline: 1,
      requests: n,
      keyspace: 1,
      timeoutMs: 600_000,
    });
  const results: [string, number][] = [];
  for (const [label, command] of commands) {
    // A warm-up first: the collector still has the load's garbage to clear.
    await run(command, Math.max(1000, Math.floor(requests / 10)));
    const [row] = await run(command, requests);
    results.push([label, row.opsPerSec]);
  }
  return results;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      members: { type: "string", default: "1000000" },
      requests: { type: "string", default: "100000" },
    },
  });
  const members = Number(values.members);
  const requests = Number(values.requests);
  const figures = new Map<string, Record<string, number>>();
  for (const start of [() => startRedisServer(), () => startHermesServer(memoryOnlyHermesArgs())]) {
    const server = await start();
    try {
      const batched = await loadBatched(server.port, "big", members);
      const singly = await loadSingly(server.port, "singly", members);
      const row: Record<string, number> = {
        [`ZADD ${members} members, 1,000 per ZADD (s)`]: batched,
        [`ZADD ${members} members, 1 per ZADD (s)`]: singly,
      };
      for (const [label, opsPerSec] of await reads(server, members, requests)) {
        row[`${label} (ops/s)`] = opsPerSec;
      }
      figures.set(server.name, row);
      console.log(`${server.name}: done`);
    } finally {
      await server.stop();
    }
  }
  const redis = figures.get("Redis")!;
  const hermes = figures.get("Hermes")!;
  const rows = Object.keys(redis).map((label) => [
    label,
    formatFixed(redis[label], 2),
    formatFixed(hermes[label], 2),
    formatFixed(
      label.endsWith("(s)") ? redis[label] / hermes[label] : hermes[label] / redis[label],
      2,
    ),
  ]);
  console.log(textTable(
    ["measure", "Redis", "Hermes", "Hermes speed / Redis"],
    rows,
    ["left", "right", "right", "right"],
  ));
}
