/**
 * Bytes per element of hashes, lists, sets and sorted sets, Hermes against Redis (issues 12 and
 * 17's memory goal: at most 1.5x Redis). Each workload loads into a fresh server of each kind:
 *
 * - 100,000 hashes of 10 fields (16-byte field names and values): the packed form;
 * - one hash of 1M fields, one list of 1M elements, one set of 1M members (17-byte values);
 * - one sorted set of 1M 17-byte members with distinct fractional scores (the skiplist form).
 *
 * Both servers are measured by process RSS growth (PERF-NOTES.md's method for Redis's figures);
 * Redis's used_memory growth is printed beside it. Hermes's RSS right after a load includes
 * garbage V8 has not returned yet, so it is sampled again after `--settle` seconds of idling.
 *
 *   deno run -A bench/collections_memory.ts [--scale 1] [--settle 30] [--only hashes,list]
 *
 * `--scale 0.1` runs every workload at a tenth of its size (a smoke check).
 */
import { parseArgs } from "node:util";
import { connect } from "../src/client/mod.ts";
import {
  type BenchServer,
  infoFields,
  memoryOnlyHermesArgs,
  startHermesServer,
  startRedisServer,
} from "./lib/servers.ts";
import { rssBytes } from "./lib/proc.ts";
import { formatFixed, textTable } from "./lib/format.ts";

interface Workload {
  id: string;
  title: string;
  /** Elements (fields, members) loaded, for the per-element figure. */
  elements: number;
  /** The commands that load it, in batches. */
  batches(): Generator<string[][]>;
}

const value17 = (i: number) => `element:${String(i).padStart(9, "0")}`;
const name16 = (prefix: string, i: number) =>
  `${prefix}${String(i).padStart(16 - prefix.length, "0")}`;

function workloads(scale: number): Workload[] {
  const hashes = Math.round(100_000 * scale);
  const big = Math.round(1_000_000 * scale);
  return [
    {
      id: "hashes",
      title: `${hashes} hashes of 10 fields`,
      elements: hashes * 10,
      *batches() {
        for (let from = 0; from < hashes; from += 1000) {
          const batch: string[][] = [];
          for (let h = from; h < Math.min(hashes, from + 1000); h++) {
            const args = ["HSET", `user:${String(h).padStart(8, "0")}`];
            for (let f = 0; f < 10; f++) args.push(name16("field", f), name16("value", h * 10 + f));
            batch.push(args);
          }
          yield batch;
        }
      },
    },
    ...(["hash", "list", "set", "zset"] as const).map((kind) => ({
      id: kind,
      title: `one ${kind} of ${big} ${kind === "hash" ? "fields" : "elements"}`,
      elements: big,
      *batches() {
        for (let from = 0; from < big; from += 10_000) {
          const batch: string[][] = [];
          for (let start = from; start < Math.min(big, from + 10_000); start += 1000) {
            const end = Math.min(big, start + 1000);
            const command = { hash: "HSET", list: "RPUSH", set: "SADD", zset: "ZADD" }[kind];
            const args = [command, "big"];
            for (let i = start; i < end; i++) {
              if (kind === "hash") args.push(name16("field", i), value17(i));
              else if (kind === "zset") args.push(String((i * 7919 % 1_000_003) / 7), value17(i));
              else args.push(value17(i));
            }
            batch.push(args);
          }
          yield batch;
        }
      },
    })),
  ];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sample(server: BenchServer): Promise<{ rss: number; used: number }> {
  const info = await infoFields(server.port, "memory");
  const rss = server.pid !== null ? rssBytes(server.pid) : Number(info.get("used_memory_rss"));
  return { rss, used: Number(info.get("used_memory")) };
}

interface Measured {
  rss: number;
  used: number;
  settled: number;
}

async function measure(
  server: BenchServer,
  workload: Workload,
  settleMs: number,
): Promise<Measured> {
  await sleep(1000);
  const before = await sample(server);
  const client = await connect({ port: server.port });
  for (const batch of workload.batches()) {
    const replies = await client.pipeline(batch);
    if (replies.some((r) => r instanceof Error)) throw new Error(`${server.name}: load failed`);
  }
  client.close();
  await sleep(1000);
  const after = await sample(server);
  let settled = NaN;
  if (server.pid !== null && settleMs > 0) {
    await sleep(settleMs);
    settled = rssBytes(server.pid) - before.rss;
  }
  return { rss: after.rss - before.rss, used: after.used - before.used, settled };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      scale: { type: "string", default: "1" },
      settle: { type: "string", default: "30" },
      only: { type: "string" },
    },
  });
  const scale = Number(values.scale);
  const settleMs = Number(values.settle) * 1000;
  const only = values.only?.split(",");
  const rows: string[][] = [];
  for (const workload of workloads(scale)) {
    if (only && !only.includes(workload.id)) continue;
    const redis = await startRedisServer();
    const r = await measure(redis, workload, 0).finally(() => redis.stop());
    const hermes = await startHermesServer(memoryOnlyHermesArgs());
    const h = await measure(hermes, workload, settleMs).finally(() => hermes.stop());
    const per = (bytes: number) => formatFixed(bytes / workload.elements, 1);
    const best = Number.isNaN(h.settled) ? h.rss : Math.min(h.rss, h.settled);
    rows.push([
      workload.title,
      per(r.rss),
      per(r.used),
      per(h.rss),
      per(h.used),
      Number.isNaN(h.settled) ? "-" : per(h.settled),
      formatFixed(best / r.rss, 2),
    ]);
    console.log(`${workload.title}: done`);
  }
  console.log(textTable(
    [
      "workload",
      "Redis RSS B/elem",
      "Redis used_memory B/elem",
      "Hermes RSS B/elem",
      "Hermes used_memory B/elem",
      "Hermes settled B/elem",
      "Hermes/Redis (RSS)",
    ],
    rows,
    ["left", "right", "right", "right", "right", "right", "right"],
  ));
}
