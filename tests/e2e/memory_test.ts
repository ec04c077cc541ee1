/**
 * Memory introspection over TCP: INFO memory, MEMORY USAGE/STATS/DOCTOR/MALLOC-STATS/PURGE, and
 * OBJECT IDLETIME/FREQ with TOUCH and lookups that do not count as accesses. Exact replies and
 * errors are compared with redis-server in tests/compat/scripts/maxmemory.redis.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { type Arg, type Client, toBytes } from "../../src/client/mod.ts";
import { info, waitFor } from "../helpers/replication.ts";

async function usedMemory(client: Client): Promise<number> {
  return Number((await info(client, "memory")).get("used_memory"));
}

Deno.test("INFO memory tracks the data as it is written and removed, with Redis's fields", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const fields = await info(client, "memory");
    for (
      const name of [
        "used_memory",
        "used_memory_human",
        "used_memory_rss",
        "used_memory_peak",
        "used_memory_startup",
        "used_memory_dataset",
        "maxmemory",
        "maxmemory_human",
        "maxmemory_policy",
        "mem_fragmentation_ratio",
        "mem_clients_normal",
        "mem_replication_backlog",
        "mem_not_counted_for_evict",
        "allocator_allocated",
      ]
    ) assertOk(fields.has(name), `INFO memory has ${name}`);
    assertEquals(fields.get("maxmemory_policy"), "noeviction");
    const empty = await usedMemory(client);
    const batch = client.batch();
    for (let i = 0; i < 10_000; i++) batch.send("SET", `key:${i}`, "x".repeat(200));
    await batch.exec();
    const loaded = await usedMemory(client);
    // 10,000 keys of 200 bytes: at least the bytes themselves, and not wildly more.
    assertOk(loaded - empty > 10_000 * 200, `grew by ${loaded - empty}`);
    assertOk(loaded - empty < 10_000 * 600, `grew by ${loaded - empty}`);
    const peak = Number((await info(client, "memory")).get("used_memory_peak"));
    assertOk(peak >= loaded);
    await client.send("FLUSHALL");
    const flushed = await usedMemory(client);
    assertOk(flushed - empty < 100_000, `after FLUSHALL ${flushed - empty} bytes remain`);
    await client.send("CONFIG", "SET", "maxmemory", "64mb", "maxmemory-policy", "allkeys-lru");
    const set = await info(client, "memory");
    assertEquals(set.get("maxmemory"), String(64 * 1024 * 1024));
    assertEquals(set.get("maxmemory_human"), "64.00M");
    assertEquals(set.get("maxmemory_policy"), "allkeys-lru");
    const stats = await info(client, "stats");
    assertEquals(stats.get("evicted_keys"), "0");
    assertOk(stats.has("total_eviction_exceeded_time"));
    client.close();
  });
});

Deno.test("maxmemory bounds what the server holds beyond its startup heap", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const before = await info(client, "memory");
    const startup = Number(before.get("used_memory_startup"));
    // The runtime's own heap (about 10 MB) is more than this whole limit: it does not count.
    const limit = 4 * 1024 * 1024;
    assertOk(startup > limit, `startup heap ${startup}`);
    await client.send("CONFIG", "SET", "maxmemory", String(limit));
    let written = 0;
    let refusal = "";
    for (let i = 0; refusal === "" && i < 100; i++) {
      const batch = client.batch();
      for (let j = 0; j < 100; j++) batch.send("SET", `key:${i}:${j}`, "x".repeat(1000));
      for (const reply of await batch.exec()) {
        if (reply instanceof Error) refusal ||= reply.message;
        else written++;
      }
    }
    assertEquals(refusal, "OOM command not allowed when used memory > 'maxmemory'.");
    // Refused once the data and clients reach the limit, not before: about 4 MB were taken.
    assertOk(written * 1000 > 3 * 1024 * 1024, `refused after ${written} keys of 1 KB`);
    const after = await info(client, "memory");
    const used = Number(after.get("used_memory"));
    const notCounted = Number(after.get("mem_not_counted_for_evict"));
    assertOk(notCounted >= startup, `mem_not_counted_for_evict ${notCounted}`);
    assertOk(used - notCounted <= limit + 64 * 1024, `counted ${used - notCounted}`);
    assertOk(used > limit + startup - 1024 * 1024, `used_memory ${used}`);
    client.close();
  });
});

Deno.test("MEMORY USAGE measures each type and grows with its contents", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("SET", "small", "v");
    await client.send("SET", "big", "x".repeat(10_000));
    const small = await client.send("MEMORY", "USAGE", "small") as number;
    const big = await client.send("MEMORY", "USAGE", "big") as number;
    assertOk(small > 0 && small < 200, `a 1-byte string: ${small}`);
    assertOk(big >= 10_000 && big < 10_300, `a 10 KB string: ${big}`);
    for (
      const [type, grow] of [
        ["hash", (i: number) => ["HSET", "c", `field:${i}`, "v".repeat(50)]],
        ["list", (i: number) => ["RPUSH", "c", `item:${i}`.padEnd(50, "v")]],
        ["set", (i: number) => ["SADD", "c", `member:${i}`.padEnd(50, "m")]],
      ] as const
    ) {
      await client.send("DEL", "c");
      for (let i = 0; i < 10; i++) await client.send(...grow(i));
      const few = await client.send("MEMORY", "USAGE", "c") as number;
      const batch = client.batch();
      for (let i = 10; i < 2000; i++) batch.send(...grow(i));
      await batch.exec();
      const many = await client.send("MEMORY", "USAGE", "c", "SAMPLES", "0") as number;
      assertOk(few > 500, `${type} of 10: ${few}`);
      assertOk(many > 2000 * 50 && many < 2000 * 250, `${type} of 2000: ${many}`);
    }
    assertEquals(await client.send("MEMORY", "USAGE", "missing"), null);
    client.close();
  });
});

Deno.test("MEMORY STATS, DOCTOR, MALLOC-STATS and PURGE report the server's memory", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const batch = client.batch();
    for (let i = 0; i < 50_000; i++) batch.send("SET", `key:${i}`, "x".repeat(100));
    await batch.exec();
    const flat = await client.send("MEMORY", "STATS") as unknown[];
    const stats = new Map<string, unknown>();
    for (let i = 0; i < flat.length; i += 2) stats.set(flat[i] as string, flat[i + 1]);
    assertEquals(stats.get("keys.count"), 50_000);
    assertOk((stats.get("total.allocated") as number) > 50_000 * 100);
    assertOk((stats.get("dataset.bytes") as number) > 50_000 * 100);
    const db0 = stats.get("db.0") as unknown[];
    assertEquals(db0[0], "overhead.hashtable.main");
    assertOk((db0[1] as number) >= 50_000 * 28, "the main table holds a slot per key");
    const doctor = await client.send("MEMORY", "DOCTOR") as string;
    assertOk(doctor.length > 20 && doctor.endsWith("\n"), doctor);
    const malloc = await client.send("MEMORY", "MALLOC-STATS") as string;
    assertMatch(malloc, /used_heap_size: \d+/);
    assertEquals(await client.send("MEMORY", "PURGE"), "OK");
    client.close();
  });
});

Deno.test("IDLETIME grows while a key is not used; GET and TOUCH reset it, EXISTS, TYPE and TTL do not", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("SET", "k", "v");
    // Not tracked under noeviction (nothing is spent on it): 0.
    assertEquals(await client.send("OBJECT", "IDLETIME", "k"), 0);
    await client.send("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    await client.send("SET", "k", "v");
    await client.send("SET", "other", "v");
    const idle = async (key: string) => await client.send("OBJECT", "IDLETIME", key) as number;
    await waitFor(async () => await idle("k") >= 2, "k to be idle for 2 s");
    for (
      const look of [["EXISTS", "k"], ["TYPE", "k"], ["TTL", "k"], ["OBJECT", "ENCODING", "k"]]
    ) {
      await client.send(...look);
    }
    assertOk(await idle("k") >= 2, "looking at a key is not an access");
    // Pipelined, so the idle time is read in the same round, however loaded the machine.
    const pipelined = (...commands: Arg[][]) => {
      const batch = client.batch();
      for (const command of commands) batch.send(...command);
      return batch.exec();
    };
    assertEquals(await pipelined(["GET", "k"], ["OBJECT", "IDLETIME", "k"]), ["v", 0]);
    await waitFor(async () => await idle("other") >= 2, "other to be idle for 2 s");
    assertEquals(
      await pipelined(["TOUCH", "other", "missing"], ["OBJECT", "IDLETIME", "other"]),
      [1, 0],
    );
    // RESTORE ... IDLETIME carries the idle time a dumped key had.
    const payload = toBytes(await client.send("DUMP", "k") as string);
    assertEquals(
      await pipelined(["RESTORE", "copy", "0", payload, "IDLETIME", "1000"], [
        "OBJECT",
        "IDLETIME",
        "copy",
      ]),
      ["OK", 1000],
    );
    client.close();
  });
});

Deno.test("OBJECT FREQ counts accesses under an LFU policy", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    // No decay: a minute turning between two commands must not take one off.
    await client.send(
      "CONFIG",
      ...["SET", "maxmemory-policy", "allkeys-lfu", "lfu-log-factor", "0", "lfu-decay-time", "0"],
    );
    await client.send("SET", "hot", "v");
    await client.send("SET", "cold", "v");
    assertEquals(await client.send("OBJECT", "FREQ", "hot"), 5);
    const batch = client.batch();
    for (let i = 0; i < 100; i++) batch.send("GET", "hot");
    await batch.exec();
    // With lfu-log-factor 0 every access counts.
    assertEquals(await client.send("OBJECT", "FREQ", "hot"), 105);
    assertEquals(await client.send("OBJECT", "FREQ", "cold"), 5);
    client.close();
  });
});

Deno.test("clients give their buffers back after a burst: an idle client holds under 4 KB", async () => {
  await withHermes(async (server) => {
    const clients = await Promise.all(Array.from({ length: 50 }, () => server.connect()));
    const watcher = await server.connect();
    // Each client sends a pipeline bigger than the idle read buffer and gets big replies.
    await Promise.all(clients.map(async (client, n) => {
      const batch = client.batch();
      for (let i = 0; i < 50; i++) batch.send("SET", `c${n}:${i}`, "v".repeat(1000));
      for (let i = 0; i < 50; i++) batch.send("GET", `c${n}:${i}`);
      await batch.exec();
    }));
    const accounted = async () => Number((await info(watcher, "memory")).get("mem_clients_normal"));
    // Pooled buffers nobody takes are let go within about two seconds; the watcher's own INFO
    // keeps one in use.
    const bound = (clients.length + 1) * 4096 + 16 * 1024;
    await waitFor(async () => await accounted() <= bound, "idle clients to hold under 4 KB");
    const list = await watcher.send("CLIENT", "LIST") as string;
    for (const line of list.trim().split("\n")) {
      const total = Number(/tot-mem=(\d+)/.exec(line)![1]);
      if (!line.includes("cmd=client|list")) assertOk(total < 4096, line);
    }
    for (const client of clients) client.close();
    watcher.close();
  });
});

/** A key of each type, how it is made, a read of it and a write to it. */
const TYPED_KEYS: { key: string; make: string[]; read: string[]; write: string[] }[] = [
  { key: "s", make: ["SET", "s", "v"], read: ["GET", "s"], write: ["APPEND", "s", "w"] },
  {
    key: "h",
    make: ["HSET", "h", "f", "v"],
    read: ["HGET", "h", "f"],
    write: ["HSET", "h", "g", "w"],
  },
  {
    key: "l",
    make: ["RPUSH", "l", "a"],
    read: ["LRANGE", "l", "0", "-1"],
    write: ["LPUSH", "l", "b"],
  },
  { key: "t", make: ["SADD", "t", "a"], read: ["SISMEMBER", "t", "a"], write: ["SADD", "t", "b"] },
  {
    key: "z",
    make: ["ZADD", "z", "1", "a"],
    read: ["ZSCORE", "z", "a"],
    write: ["ZINCRBY", "z", "2", "a"],
  },
  {
    key: "zbig",
    make: ["ZADD", "zbig", ...Array.from({ length: 300 }, (_, i) => [String(i), `m${i}`]).flat()],
    read: ["ZRANK", "zbig", "m150"],
    write: ["ZREM", "zbig", "m7"],
  },
  {
    key: "b",
    make: ["SETBIT", "b", "7", "1"],
    read: ["BITCOUNT", "b"],
    write: ["SETBIT", "b", "9", "1"],
  },
  { key: "p", make: ["PFADD", "p", "a", "b"], read: ["PFCOUNT", "p"], write: ["PFADD", "p", "c"] },
];

Deno.test("every type's reads and writes are accesses: OBJECT IDLETIME, DEBUG OBJECT and OBJECT FREQ follow them", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    for (const { make } of TYPED_KEYS) await client.send(...make);
    // Each check is one pipeline, run in one round: the times are exact however loaded the
    // machine. DUMP first, then RESTORE sets the clock, the access moves it.
    const check = async (key: string, option: string, value: string, access: string[]) => {
      const payload = toBytes(await client.send("DUMP", key) as string);
      const batch = client.batch();
      batch.send("RESTORE", key, "0", payload, "REPLACE", option, value);
      if (option === "IDLETIME") {
        batch.send("OBJECT", "IDLETIME", key).send("DEBUG", "OBJECT", key);
        batch.send(...access).send("OBJECT", "IDLETIME", key);
      } else {
        batch.send("OBJECT", "FREQ", key).send(...access).send("OBJECT", "FREQ", key);
      }
      return await batch.exec();
    };
    await client.send("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    for (const { key, read, write } of TYPED_KEYS) {
      for (const access of [read, write]) {
        const [, idle, debug, , after] = await check(key, "IDLETIME", "1000", access);
        assertEquals(idle, 1000, `${key}: idle time after RESTORE`);
        assertMatch(debug as string, / lru_seconds_idle:1000( |$)/);
        assertEquals(after, 0, access.join(" "));
      }
    }
    // No decay: a minute turning between two commands must not take one off.
    await client.send("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu", "lfu-decay-time", "0");
    for (const { key, read, write } of TYPED_KEYS) {
      for (const access of [read, write]) {
        // A counter of 0 always grows on the next access, whatever lfu-log-factor says.
        const [, before, , after] = await check(key, "FREQ", "0", access);
        assertEquals([before, after], [0, 1], access.join(" "));
      }
    }
    client.close();
  }, ["--enable-debug-command", "yes"]);
});
