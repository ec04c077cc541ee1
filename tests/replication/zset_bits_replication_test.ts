/**
 * Sorted sets, bitmaps and HyperLogLogs across replication, both ways with redis-server 7.0:
 * a full sync carries small (listpack) and big (skiplist) sorted sets, and the stream carries
 * every kind of change (ZINCRBY as ZADD, pops as ZREM, SETBIT and BITFIELD as SETRANGE, PFADD,
 * PFCOUNT's cache). Both ends must hold the same members, scores and bytes.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { cleanup, startReplica, waitInSync } from "../helpers/replication.ts";
import type { Client } from "../../src/client/mod.ts";

const skip = redisAvailable() ? null : "redis-server is not installed";
if (skip) console.log(`Skipping the sorted set and bitmap replication tests: ${skip}`);

/** Every key with its type and contents: members with scores, string bytes. */
async function contents(c: Client): Promise<string[]> {
  const rows: string[] = [];
  for (const key of (await c.send("KEYS", "*") as string[]).sort()) {
    const type = await c.send("TYPE", key);
    const value = type === "zset"
      ? await c.send("ZRANGE", key, "0", "-1", "WITHSCORES")
      : await c.send("GET", key);
    rows.push(`${key}:${type}=${JSON.stringify(value)}`);
  }
  return rows;
}

async function writeBefore(c: Client): Promise<void> {
  const big: string[] = [];
  for (let i = 0; i < 300; i++) big.push(String(i % 9 === 0 ? -i / 7 : i * 1.5), `m${i}`);
  await c.pipeline([
    ["ZADD", "small", "1", "a", "2.5", "b", "inf", "c", "-0.1", "d"],
    ["ZADD", "big", ...big],
    ["SETBIT", "bits", "77", "1"],
    ["PFADD", "hll", "a", "b", "c"],
  ]);
}

async function writeAfter(c: Client): Promise<void> {
  const replies = await c.pipeline([
    ["ZINCRBY", "small", "0.1", "b"],
    ["ZADD", "small", "GT", "CH", "5", "a", "0", "c"],
    ["ZPOPMIN", "big", "3"],
    ["ZPOPMAX", "small"],
    ["ZREMRANGEBYSCORE", "big", "(10", "20"],
    ["ZREMRANGEBYRANK", "big", "50", "60"],
    ["ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d"],
    ["ZREMRANGEBYLEX", "lex", "[b", "(d"],
    ["ZUNIONSTORE", "union", "2", "small", "lex", "WEIGHTS", "2", "3"],
    ["ZRANGESTORE", "top", "big", "0", "4", "REV"],
    ["ZMPOP", "1", "top", "MAX", "COUNT", "2"],
    ["BZPOPMIN", "top", "0"],
    ["SETBIT", "bits", "3", "1"],
    ["BITFIELD", "bits", "SET", "i8", "#2", "-7", "INCRBY", "u4", "100", "9"],
    ["BITOP", "OR", "bits2", "bits", "nothing"],
    ["PFADD", "hll", ...Array.from({ length: 500 }, (_, i) => `visitor:${i}`)],
    ["PFCOUNT", "hll"],
    ["PFMERGE", "hll2", "hll"],
  ]);
  for (const reply of replies) if (reply instanceof Error) throw reply;
}

Deno.test({
  name: "redis-server replicating Hermes gets the same sorted sets, bitmaps and HyperLogLogs",
  ignore: skip !== null,
  fn: async () => {
    const hermes = await startHermes();
    const h = await hermes.connect();
    await writeBefore(h);
    const redis = await startRedis(["--replicaof", "127.0.0.1", String(hermes.port)]);
    const r = await redis.connect();
    try {
      await waitInSync(h, r, "the Redis replica");
      await writeAfter(h);
      await waitInSync(h, r, "the Redis replica");
      const expected = await contents(h);
      assertOk(expected.length >= 8, "the workload wrote keys");
      assertEquals(await contents(r), expected);
      assertEquals(await r.send("OBJECT", "ENCODING", "big"), "skiplist");
    } finally {
      await cleanup([h, r], [hermes]);
      await redis.stop();
    }
  },
});

Deno.test({
  name: "Hermes replicating redis-server loads its sorted sets and follows every change",
  ignore: skip !== null,
  fn: async () => {
    const redis = await startRedis(["--repl-diskless-sync-delay", "0"]);
    const r = await redis.connect();
    await writeBefore(r);
    const replica = await startReplica(redis.port);
    const h = await replica.connect();
    try {
      await waitInSync(r, h, "the Hermes replica");
      assertEquals(await h.send("OBJECT", "ENCODING", "small"), "listpack");
      assertEquals(await h.send("OBJECT", "ENCODING", "big"), "skiplist");
      await writeAfter(r);
      await waitInSync(r, h, "the Hermes replica");
      assertEquals(await contents(h), await contents(r));
    } finally {
      await cleanup([h, r], [replica]);
      await redis.stop();
    }
  },
});
