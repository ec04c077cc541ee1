/**
 * Eviction over TCP: lowering maxmemory evicts in the background while clients are served,
 * WATCH sees an eviction, BEGIN statements meet the OOM gate, the log keeps the evictions. The
 * OOM replies of every write family under noeviction are compared with redis-server in
 * tests/compat/scripts/maxmemory.redis; the 500 MB runs per policy are in
 * tests/durability/eviction_allkeys_test.ts and eviction_volatile_test.ts.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { startHermes, withHermes } from "../helpers/hermes_process.ts";
import { info, waitFor } from "../helpers/replication.ts";
import type { Client } from "../../src/client/mod.ts";
import { ReplyError } from "../../src/client/mod.ts";

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

async function fill(client: Client, count: number, prefix = "key:", size = 100, ttl = 0) {
  for (let start = 0; start < count; start += 5000) {
    const batch = client.batch();
    for (let i = start; i < Math.min(count, start + 5000); i++) {
      if (ttl > 0) batch.send("SET", `${prefix}${i}`, "x".repeat(size), "EX", String(ttl));
      else batch.send("SET", `${prefix}${i}`, "x".repeat(size));
    }
    await batch.exec();
  }
}

/**
 * The memory maxmemory is compared with (used_memory less the log's buffer and replica output,
 * as Redis leaves those out), the limit, and the evictions so far.
 */
async function memory(client: Client): Promise<{ used: number; max: number; evicted: number }> {
  const fields = await info(client, "everything");
  return {
    used: Number(fields.get("used_memory")) - Number(fields.get("mem_not_counted_for_evict")),
    max: Number(fields.get("maxmemory")),
    evicted: Number(fields.get("evicted_keys")),
  };
}

Deno.test("lowering maxmemory evicts down to it in the background while other clients are served", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const other = await server.connect();
    await fill(client, 50_000);
    const before = await memory(client);
    const target = Math.floor(before.used / 2); // about half the data must go
    let pings = 0;
    let stop = false;
    const pinger = (async () => {
      while (!stop) {
        assertEquals(await other.send("PING"), "PONG");
        pings++;
      }
    })();
    await client.send("CONFIG", "SET", "maxmemory", String(target));
    await waitFor(async () => (await memory(client)).used <= target, "memory under the limit");
    stop = true;
    await pinger;
    const after = await memory(client);
    assertOk(after.evicted > 5_000, `${after.evicted} keys evicted`);
    assertEquals(Number(await client.send("DBSIZE")), 50_000 - after.evicted);
    assertOk(pings > 0, "the other client was answered meanwhile");
    // Writes go on: each evicts what it needs.
    await fill(client, 20_000, "more:");
    await waitFor(async () => (await memory(client)).used <= target, "memory under the limit");
    client.close();
    other.close();
  }, ["--maxmemory-policy", "allkeys-lru"]);
});

Deno.test("an evicted key counts as changed for WATCH", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const other = await server.connect();
    await fill(client, 1000, "keep:");
    await client.send("SET", "watched", "x".repeat(200_000), "EX", "3600");
    await client.send("WATCH", "watched");
    // Only `watched` has a TTL, and the limit needs it gone.
    const { used } = await memory(other);
    await other.send("CONFIG", "SET", "maxmemory", String(used - 100_000));
    await waitFor(async () => await other.send("EXISTS", "watched") === 0, "the eviction");
    await client.send("MULTI");
    await client.send("SET", "after", "1");
    assertEquals(await client.send("EXEC"), null);
    assertEquals(Number(await other.send("DBSIZE")), 1000);
    client.close();
    other.close();
  }, ["--maxmemory-policy", "volatile-random"]);
});

Deno.test("under noeviction a BEGIN statement that needs memory is refused and the transaction goes on", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("SET", "a", "1");
    await client.send("BEGIN");
    assertEquals(await client.send("INCR", "a"), 2);
    await client.send("CONFIG", "SET", "maxmemory", "1");
    const refused = await client.call("SET", "b", "1");
    assertOk(refused instanceof ReplyError && refused.message === OOM, String(refused));
    assertEquals(await client.send("GET", "a"), "2");
    assertEquals(await client.send("DEL", "a"), 1);
    // COMMIT itself is flagged denyoom, as EXEC of a write would be.
    const commit = await client.call("COMMIT");
    assertOk(commit instanceof ReplyError && commit.message === OOM, String(commit));
    await client.send("CONFIG", "SET", "maxmemory", "0");
    assertEquals(await client.send("COMMIT"), "OK");
    assertEquals(await client.send("EXISTS", "a"), 0);
    client.close();
  });
});

Deno.test("under noeviction Hermes's own writes are refused like Redis's: PUT and CREATE PARTITION", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("PUT", "a", "1");
    await client.send("CONFIG", "SET", "maxmemory", "1");
    for (const command of [["PUT", "a", "2"], ["CREATE", "PARTITION", "p", "ANY", "WAL"]]) {
      const refused = await client.call(...command);
      assertOk(refused instanceof ReplyError && refused.message === OOM, String(refused));
    }
    assertEquals(await client.send("GET", "a"), "1");
    assertEquals(await client.send("LIST", "PARTITIONS"), []);
    client.close();
  });
});

Deno.test("evictions are logged: evicted keys stay gone after a restart", async () => {
  const server = await startHermes(["--maxmemory-policy", "allkeys-random"]);
  try {
    const client = await server.connect();
    await fill(client, 20_000);
    const { used } = await memory(client);
    await client.send("CONFIG", "SET", "maxmemory", String(used - 1024 * 1024));
    await waitFor(
      async () => (await memory(client)).evicted > 0 && !(await isOver(client)),
      "evictions",
    );
    await client.send("CONFIG", "SET", "maxmemory", "0");
    const keys = (await client.send("KEYS", "*") as string[]).sort();
    assertOk(keys.length < 20_000);
    client.close();
    assertEquals(await server.stop(), 0);
    const restarted = await startHermes([], { dir: server.dir });
    try {
      const again = await restarted.connect();
      assertEquals((await again.send("KEYS", "*") as string[]).sort(), keys);
      again.close();
    } finally {
      await restarted.stop();
    }
  } finally {
    await server.kill();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
});

async function isOver(client: Client): Promise<boolean> {
  const { used, max } = await memory(client);
  return max !== 0 && used > max;
}

Deno.test("an evicted key raises the evicted keyspace event", async () => {
  await withHermes(async (server) => {
    const subscriber = await server.connect();
    const evicted = (await subscriber.subscribe("__keyevent@0__:evicted"))[Symbol.asyncIterator]();
    const client = await server.connect();
    await client.send("SET", "doomed", "x".repeat(200_000), "EX", "3600");
    const { used } = await memory(client);
    await client.send("CONFIG", "SET", "maxmemory", String(used - 100_000));
    const message = await evicted.next();
    assertEquals(message.value?.message, "doomed");
    assertEquals(Number((await info(client, "stats")).get("evicted_keys")), 1);
    subscriber.close();
    client.close();
  }, ["--notify-keyspace-events", "Ee", "--maxmemory-policy", "volatile-lru"]);
});
