/**
 * Hashes, lists, sets and sorted sets in RDB form, both ways against redis-server 7.0: DUMP from
 * Redis (listpack, intset, quicklist, skiplist and plain encodings) RESTOREs into Hermes, and
 * DUMP from Hermes RESTOREs into Redis, with the same contents.
 */
import { assertEquals } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { type Client, connect, toBytes } from "../../src/client/mod.ts";

const REDIS = redisAvailable();
if (!REDIS) console.log("Skipping the collection RDB tests: redis-server is not on PATH");

/** Small and big values of each type (both of Redis's encodings). */
async function fill(c: Client): Promise<void> {
  await c.send("HSET", "hsmall", "a", "1", "b", "two", "c", "-300");
  const fields: string[] = [];
  for (let i = 0; i < 700; i++) fields.push(`field:${i}`, i % 3 === 0 ? String(i * 1000) : `v${i}`);
  await c.send("HSET", "hbig", ...fields);
  await c.send("SADD", "sints", "5", "-70000", "9223372036854775807", "1");
  await c.send("SADD", "sstrings", "x", "y", "12", "z");
  await c.send("RPUSH", "lsmall", "a", "12", "-5", "x".repeat(100));
  const elements = Array.from({ length: 3000 }, (_, i) => i % 2 ? `element:${i}` : String(i));
  await c.send("RPUSH", "lbig", ...elements, "y".repeat(20000));
  await c.send("ZADD", "zsmall", "1.5", "a", "-3", "b", "inf", "c", "0.1", "d", "1e17", "e");
  const scored: string[] = [];
  for (let i = 0; i < 300; i++) scored.push(String(i % 7 === 0 ? i / 3 : i * 1e10), `member:${i}`);
  await c.send("ZADD", "zbig", ...scored, "-inf", "low", "-0", "zero", "1e-300", "tiny");
}

async function contents(c: Client, key: string): Promise<unknown> {
  const type = await c.send("TYPE", key);
  if (type === "hash") {
    const flat = await c.send("HGETALL", key) as string[];
    const pairs: string[] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
    return pairs.sort();
  }
  if (type === "set") return (await c.send("SMEMBERS", key) as string[]).sort();
  if (type === "zset") return await c.send("ZRANGE", key, "0", "-1", "WITHSCORES");
  return await c.send("LRANGE", key, "0", "-1");
}

const KEYS = ["hsmall", "hbig", "sints", "sstrings", "lsmall", "lbig", "zsmall", "zbig"];

Deno.test({
  name:
    "hashes, lists, sets and sorted sets DUMPed by Redis RESTORE into Hermes and back, unchanged",
  ignore: !REDIS,
  async fn() {
    const redis = await startRedis();
    try {
      await withHermes(async (server) => {
        const r = await connect({ port: redis.port });
        const h = await server.connect();
        await fill(r);
        for (const key of KEYS) {
          const payload = toBytes(await r.send("DUMP", key) as string);
          assertEquals(await h.send("RESTORE", key, "0", payload), "OK", key);
          assertEquals(await contents(h, key), await contents(r, key), key);
        }
        assertEquals(await h.send("OBJECT", "ENCODING", "sints"), "intset");
        assertEquals(await h.send("OBJECT", "ENCODING", "hbig"), "hashtable");
        assertEquals(await h.send("OBJECT", "ENCODING", "zsmall"), "listpack");
        assertEquals(await h.send("OBJECT", "ENCODING", "zbig"), "skiplist");
        assertEquals(await h.send("ZSCORE", "zbig", "zero"), "-0");
        for (const key of KEYS) {
          const payload = toBytes(await h.send("DUMP", key) as string);
          const copy = `${key}:from-hermes`;
          assertEquals(await r.send("RESTORE", copy, "0", payload), "OK", key);
          assertEquals(await contents(r, copy), await contents(r, key), key);
        }
        r.close();
        h.close();
      });
    } finally {
      await redis.stop();
    }
  },
});
