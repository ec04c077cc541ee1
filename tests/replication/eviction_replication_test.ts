/**
 * Evictions reach replicas as DEL: a Hermes replica and a redis-server replica of an evicting
 * Hermes primary end with exactly the primary's keys, and the Hermes replica (which ignores
 * maxmemory, as a Redis replica does by default) evicts nothing by itself.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import {
  cleanup,
  dumpAll,
  info,
  startReplica,
  waitFor,
  waitInSync,
} from "../helpers/replication.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";

Deno.test("a primary's evictions reach a Hermes and a Redis replica as DEL", async () => {
  const primary = await startHermes(["--maxmemory-policy", "allkeys-lru"]);
  const replica = await startReplica(primary.port, ["--maxmemory", "1mb"]);
  const redis = redisAvailable()
    ? await startRedis(["--replicaof", "127.0.0.1", String(primary.port)])
    : null;
  if (redis === null) console.log("Skipping the redis-server replica: redis-server is not on PATH");
  const p = await primary.connect();
  const r = await replica.connect();
  const clients = [p, r];
  try {
    const batch = p.batch();
    for (let i = 0; i < 5000; i++) batch.send("SET", `key:${i}`, "v".repeat(200));
    await batch.exec();
    await waitInSync(p, r);
    const fields = await info(p, "memory");
    const counted = Number(fields.get("used_memory")) -
      Number(fields.get("mem_not_counted_for_evict"));
    await p.send("CONFIG", "SET", "maxmemory", String(counted - 400_000));
    await waitFor(
      async () => Number((await info(p, "stats")).get("evicted_keys")) > 500,
      "evictions",
    );
    await waitFor(async () => {
      const f = await info(p, "memory");
      return Number(f.get("used_memory")) - Number(f.get("mem_not_counted_for_evict")) <=
        Number(f.get("maxmemory"));
    }, "the primary under its limit");
    // No more evictions while the key sets are compared (the comparison's own replies take
    // memory).
    await p.send("CONFIG", "SET", "maxmemory", "0");
    await waitInSync(p, r);
    const keys = await dumpAll(p, 1);
    assertOk(keys.length < 5000);
    assertEquals(await dumpAll(r, 1), keys);
    // The replica's own limit (1 MB, far below its data) is ignored: it deletes what the
    // primary deletes and nothing else.
    assertEquals((await info(r, "stats")).get("evicted_keys"), "0");
    if (redis !== null) {
      const rc = await redis.connect();
      clients.push(rc);
      await waitFor(async () => (await dumpAll(rc, 1)).length === keys.length, "the Redis replica");
      assertEquals(await dumpAll(rc, 1), keys);
    }
  } finally {
    await cleanup(clients, [replica, primary]);
    await redis?.stop();
  }
});
