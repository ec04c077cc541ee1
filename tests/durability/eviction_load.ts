/**
 * The eviction load test shared by eviction_*_test.ts: with `--maxmemory 64mb` and one policy,
 * write 500 MB of keys (32 KB values, pipelined), keep used_memory and the process RSS within
 * the limit plus a documented slack, check that the policy took the right kind of keys, then
 * kill -9 the server and check that what a restart finds is a consistent subset: every key
 * there holds its last acknowledged value.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { info } from "../helpers/replication.ts";
import type { EvictionPolicy } from "../../src/memory/eviction_policy.ts";

export const LIMIT_BYTES = 64 * 1024 * 1024;
const VALUE_BYTES = 32 * 1024;
const TOTAL_BYTES = 500 * 1024 * 1024;
const WRITES = TOTAL_BYTES / VALUE_BYTES;
const BATCH = 16;
/** used_memory may pass the limit by what one command adds before the next one evicts. */
export const ACCOUNTED_SLACK_BYTES = 2 * 1024 * 1024;
/**
 * RSS above the limit: the runtime (about 40 MB with an 8 MB semi-space), garbage not yet
 * collected (evicted values die in the old generation until a major GC), the pooled buffers
 * and the Deno per-socket floor. Measured at about 120-160 MB here; the bound leaves room.
 */
export const RSS_SLACK_BYTES = 256 * 1024 * 1024;
const HOT_KEYS = 50;
const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

/** Write `i`'s key: every tenth write goes to one of 100 keys written again and again. */
function keyOf(i: number): string {
  return i % 10 === 0 ? `again:${(i / 10) % 100}` : `key:${i}`;
}

/** Under volatile policies one write in 20 has no TTL; the others expire in about an hour. */
function ttlOf(policy: EvictionPolicy, i: number): number {
  if (!policy.startsWith("volatile-") || i % 20 === 1 || i % 10 === 0) return 0;
  return 3600 + (i * 7919) % 1000; // scattered, so write order says nothing about deadlines
}

function valueOf(key: string, i: number): string {
  const head = `${key}|${i}|`;
  return head + "x".repeat(VALUE_BYTES - head.length);
}

function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) * 1024;
}

export async function evictionLoad(policy: EvictionPolicy): Promise<void> {
  const server = await startHermes([
    "--maxmemory",
    "64mb",
    "--maxmemory-policy",
    policy,
    "--fsync",
    "no", // a process crash loses nothing under any fsync policy
  ]);
  let restarted: Awaited<ReturnType<typeof startHermes>> | null = null;
  try {
    const client = await server.connect();
    const acked = new Map<string, number>();
    const ttls = new Map<string, number>();
    let maxAccounted = 0;
    let maxRss = 0;
    let refused: string | null = null;
    const hot = Array.from({ length: HOT_KEYS }, (_, i) => `hot:${i}`);
    for (const key of hot) await client.send("SET", key, "h".repeat(1000));
    for (let start = 0; start < WRITES && refused === null; start += BATCH) {
      const batch = client.batch();
      const writes: number[] = [];
      for (let i = start; i < Math.min(WRITES, start + BATCH); i++) {
        const ttl = ttlOf(policy, i);
        const key = keyOf(i);
        if (ttl > 0) batch.send("SET", key, valueOf(key, i), "EX", String(ttl));
        else batch.send("SET", key, valueOf(key, i));
        writes.push(i);
      }
      // The hot keys are read all the time (LRU keeps them recent, LFU frequent).
      for (const key of hot) batch.send("GET", key);
      const replies = await batch.exec().catch((error) => [error]);
      writes.forEach((i, n) => {
        const reply = replies[n];
        if (reply === "OK") {
          acked.set(keyOf(i), i);
          ttls.set(keyOf(i), ttlOf(policy, i));
        } else refused ??= reply instanceof Error ? reply.message : String(reply);
      });
      if ((start / BATCH) % 8 === 0) {
        const fields = await info(client, "memory");
        const accounted = Number(fields.get("used_memory")) -
          Number(fields.get("mem_not_counted_for_evict"));
        maxAccounted = Math.max(maxAccounted, accounted);
        maxRss = Math.max(maxRss, rssBytes(server.process.pid));
      }
    }
    assertOk(
      maxAccounted <= LIMIT_BYTES + ACCOUNTED_SLACK_BYTES,
      `${policy}: used_memory reached ${maxAccounted}`,
    );
    assertOk(maxRss <= LIMIT_BYTES + RSS_SLACK_BYTES, `${policy}: RSS reached ${maxRss}`);
    const evicted = Number((await info(client, "stats")).get("evicted_keys"));
    if (policy === "noeviction") {
      assertEquals(refused, OOM);
      assertEquals(evicted, 0);
    } else {
      assertEquals(refused, null, `${policy}: a write was refused`);
      assertOk(evicted > 1000, `${policy}: ${evicted} evicted`);
    }
    client.close();
    await server.kill();

    restarted = await startHermes([], { dir: server.dir });
    const again = await restarted.connect();
    const keys = new Set(await again.send("KEYS", "*") as string[]);
    let checked = 0;
    for (const [key, i] of acked) {
      if (!keys.has(key)) continue;
      const value = await again.send("GET", key) as string;
      assertEquals(value.slice(0, value.indexOf("|", key.length + 1)), `${key}|${i}`);
      checked++;
    }
    assertOk(checked > 500, `${policy}: ${checked} keys survived`);
    for (const key of keys) {
      assertOk(acked.has(key) || key.startsWith("hot:"), `${key} was never acknowledged`);
    }
    if (policy === "noeviction") assertEquals(checked, acked.size);
    if (policy.startsWith("volatile-")) {
      // Only keys with a TTL may go: every key without one is still there.
      for (const [key, ttl] of ttls) if (ttl === 0) assertOk(keys.has(key), `${key} was evicted`);
      assertOk(hot.every((key) => keys.has(key)));
    }
    if (policy === "allkeys-lru" || policy === "allkeys-lfu") {
      const kept = hot.filter((key) => keys.has(key)).length;
      assertOk(kept >= HOT_KEYS * 0.9, `${policy}: ${kept} of ${HOT_KEYS} hot keys kept`);
    }
    if (policy === "volatile-ttl") {
      // The nearest deadlines went first: the survivors' TTLs lean to the late end.
      const offsets = [...keys].filter((key) => (ttls.get(key) ?? 0) > 0)
        .map((key) => ttls.get(key)! - 3600);
      const mean = offsets.reduce((a, b) => a + b, 0) / offsets.length;
      assertOk(mean > 650, `volatile-ttl survivors' mean TTL offset ${mean} (uniform: 500)`);
    }
    again.close();
  } finally {
    await server.kill();
    await restarted?.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
}
