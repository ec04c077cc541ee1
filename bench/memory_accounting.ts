/**
 * How close used_memory is to what the data really costs: for each value type, load a data set
 * into a fresh Hermes and compare the growth of used_memory with the growth of the V8 heap in
 * use (heapUsed + external, after a full GC) and of the process's RSS. Redis's used_memory for
 * the same data is printed beside it.
 *
 *   deno run -A bench/memory_accounting.ts [--scale 0.2]
 *
 * Hermes runs with --expose-gc (as always) so that MEMORY PURGE collects the garbage before each
 * reading.
 */
import { parseArgs } from "node:util";
import { connect } from "../src/client/mod.ts";
import { rssBytes } from "./lib/proc.ts";
import { spawnHermes, startRedisServer } from "./lib/servers.ts";

const { values } = parseArgs({ options: { scale: { type: "string", default: "1" } } });
const SCALE = Number(values.scale);
const MAIN = new URL("../main.ts", import.meta.url).pathname;

type Load = (send: (...args: string[]) => void) => void;

function keyName(i: number): string {
  return `key:${String(i).padStart(10, "0")}`;
}

const n = (count: number) => Math.max(1, Math.round(count * SCALE));

/** The data sets: name, what is loaded, and the count the per-element figure divides by. */
const CASES: { name: string; policy?: string; count: number; load: Load }[] = [
  {
    name: "strings, 16 B keys, 100 B values",
    count: n(200_000),
    load: (send) => {
      for (let i = 0; i < n(200_000); i++) send("SET", keyName(i), "v".repeat(100));
    },
  },
  {
    // Up to 15 bytes: kept in cells outside V8's heap (store/small_values.ts).
    name: "strings, 16 B keys, 1-15 B values (cells)",
    count: n(200_000),
    load: (send) => {
      for (let i = 0; i < n(200_000); i++) {
        send("SET", keyName(i), "v".repeat(1 + i % 15));
      }
    },
  },
  {
    name: "strings with a TTL",
    count: n(200_000),
    load: (send) => {
      for (let i = 0; i < n(200_000); i++) send("SET", keyName(i), "v".repeat(100), "EX", "3600");
    },
  },
  {
    name: "strings under allkeys-lru (access clocks)",
    policy: "allkeys-lru",
    count: n(200_000),
    load: (send) => {
      for (let i = 0; i < n(200_000); i++) send("SET", keyName(i), "v".repeat(100));
    },
  },
  {
    name: "small hashes (10 fields, listpack)",
    count: n(20_000),
    load: (send) => {
      for (let i = 0; i < n(20_000); i++) {
        const fields: string[] = [];
        for (let f = 0; f < 10; f++) fields.push(`field:${f}`, "v".repeat(16));
        send("HSET", keyName(i), ...fields);
      }
    },
  },
  {
    name: "one hash of 200k fields (hashtable)",
    count: n(200_000),
    load: (send) => {
      for (let i = 0; i < n(200_000); i += 100) {
        const fields: string[] = [];
        for (let f = i; f < i + 100; f++) fields.push(`field:${f}`, "v".repeat(16));
        send("HSET", "big", ...fields);
      }
    },
  },
  {
    name: "one list of 200k elements (quicklist)",
    count: n(200_000),
    load: (send) => {
      for (let i = 0; i < n(200_000); i += 100) {
        send("RPUSH", "list", ...Array.from({ length: 100 }, (_, j) => `item:${i + j}`));
      }
    },
  },
  {
    name: "small sets (10 integers, intset)",
    count: n(20_000),
    load: (send) => {
      for (let i = 0; i < n(20_000); i++) {
        send("SADD", keyName(i), ...Array.from({ length: 10 }, (_, j) => String(j * 7)));
      }
    },
  },
  {
    name: "one set of 200k members (hashtable)",
    count: n(200_000),
    load: (send) => {
      for (let i = 0; i < n(200_000); i += 100) {
        send("SADD", "set", ...Array.from({ length: 100 }, (_, j) => `member:${i + j}`));
      }
    },
  },
  {
    name: "small sorted sets (10 members, listpack)",
    count: n(20_000),
    load: (send) => {
      for (let i = 0; i < n(20_000); i++) {
        const elements: string[] = [];
        for (let m = 0; m < 10; m++) elements.push(String(m * 1.5), `member:${m}`);
        send("ZADD", keyName(i), ...elements);
      }
    },
  },
  {
    name: "one sorted set of 200k members (skiplist)",
    count: n(200_000),
    load: (send) => {
      for (let i = 0; i < n(200_000); i += 100) {
        const elements: string[] = [];
        for (let m = i; m < i + 100; m++) {
          elements.push(String((m * 7919) % 100_003 + 0.5), `member:${m}`);
        }
        send("ZADD", "zset", ...elements);
      }
    },
  },
];

async function loadInto(port: number, load: Load): Promise<void> {
  const client = await connect({ port });
  let batch = client.batch();
  let queued = 0;
  const pending: Promise<unknown>[] = [];
  load((...args) => {
    batch.send(...args);
    if (++queued === 1000) {
      pending.push(batch.exec());
      batch = client.batch();
      queued = 0;
    }
  });
  if (queued > 0) pending.push(batch.exec());
  await Promise.all(pending);
  client.close();
}

async function fields(port: number): Promise<Map<string, number>> {
  const client = await connect({ port });
  // Twice, a moment apart: one full collection can leave garbage of the load behind (measured:
  // small sorted sets read 0.71 of the heap after one, 0.98 after two).
  await client.send("MEMORY", "PURGE");
  await new Promise((resolve) => setTimeout(resolve, 300));
  await client.send("MEMORY", "PURGE");
  const text = await client.info("memory");
  client.close();
  const out = new Map<string, number>();
  for (const line of text.split("\r\n")) {
    const [name, value] = line.split(":");
    if (value !== undefined) out.set(name, Number(value));
  }
  return out;
}

async function flushAll(port: number): Promise<void> {
  const client = await connect({ port });
  await client.send("FLUSHALL");
  client.close();
}

function hermes(policy: string) {
  return spawnHermes(MAIN, ["--persistence", "none", "--maxmemory-policy", policy]);
}

const rows: string[] = [];
const pad = (text: string | number, width: number) => String(text).padStart(width);
console.log(
  `${"data set".padEnd(44)} ${pad("per element, bytes:", 20)} ${pad("used_memory", 11)} ` +
    `${pad("heap", 8)} ${pad("RSS", 8)} ${pad("used/heap", 9)} ${pad("Redis", 8)}`,
);
for (const c of CASES) {
  const server = await hermes(c.policy ?? "noeviction");
  const redis = await startRedisServer(["--maxmemory-policy", c.policy ?? "noeviction"]);
  try {
    // RSS from the very start (it does not shrink after a flush). Then a first load, flushed, so
    // the code the commands run is compiled before the measured one: the runtime's own growth
    // (bytecode, feedback) would otherwise count as data (about 0.5 MB, 25% of the small sets at
    // --scale 0.2).
    const rssBefore = rssBytes(server.pid!);
    await loadInto(server.port, c.load);
    await flushAll(server.port);
    const before = await fields(server.port);
    const redisBefore = await fields(redis.port);
    await Promise.all([loadInto(server.port, c.load), loadInto(redis.port, c.load)]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await fields(server.port);
    const rssAfter = rssBytes(server.pid!);
    const redisAfter = await fields(redis.port);
    const used = (after.get("used_memory")! - before.get("used_memory")!) / c.count;
    const heap = (after.get("allocator_allocated")! - before.get("allocator_allocated")!) / c.count;
    const rss = (rssAfter - rssBefore) / c.count;
    const ref = (redisAfter.get("used_memory")! - redisBefore.get("used_memory")!) / c.count;
    const row = `${c.name.padEnd(44)} ${pad("", 20)} ${pad(used.toFixed(1), 11)} ` +
      `${pad(heap.toFixed(1), 8)} ${pad(rss.toFixed(1), 8)} ${pad((used / heap).toFixed(2), 9)} ` +
      `${pad(ref.toFixed(1), 8)}`;
    console.log(row);
    rows.push(row);
  } finally {
    await server.stop();
    await redis.stop();
  }
}
