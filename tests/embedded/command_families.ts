/**
 * One suite of assertions per command family, written against the shared `Commands` type only,
 * so the very same bodies run against the embedded store and against a server over TCP
 * (families_test.ts). The families of the typed helpers for sorted sets, bits, LCS and SORT
 * are in typed_families.ts. A family gets a fresh keyspace (FLUSHALL) and, where it needs a second
 * client (blocking pops, subscriptions, a concurrent writer), asks the transport for one.
 */
import { ReplyError } from "../../src/client/mod.ts";
import { assertEquals, assertOk, assertRejects } from "../helpers/assert.ts";
import { TYPED_FAMILIES } from "./typed_families.ts";
import { type Family, replyError, WRONGTYPE } from "./family_helpers.ts";
import { blocked } from "../helpers/blocked.ts";

export type { Family, Target } from "./family_helpers.ts";

const NOT_INTEGER = "ERR value is not an integer or out of range";

export const FAMILIES: Family[] = [
  {
    name: "strings and counters answer as Redis does, text and bytes alike",
    async run({ db }) {
      assertEquals(await db.set("name", "Zoë"), "OK");
      assertEquals(await db.get("name"), "Zoë");
      assertEquals(await db.strlen("name"), 4); // UTF-8 bytes
      assertEquals(await db.bytes.get("name"), new TextEncoder().encode("Zoë"));
      const blob = new Uint8Array([0, 255, 13, 10, 128]);
      await db.set("blob", blob);
      assertEquals(await db.getBytes("blob"), blob);
      assertEquals(await db.bytes.get("blob"), blob);
      assertEquals(await db.set("name", "x", { nx: true }), null);
      assertEquals(await db.set("name", "Ada", { get: true }), "Zoë");
      assertEquals(await db.setNx("fresh", "1"), true);
      assertEquals(await db.mget("name", "missing", "fresh"), ["Ada", null, "1"]);
      assertEquals(await db.mset({ a: "1", b: 2 }), "OK");
      assertEquals(await db.msetNx([["a", "9"], ["c", "3"]]), false);
      assertEquals(await db.incr("a"), 2);
      assertEquals(await db.incrBy("a", 10), 12);
      assertEquals(await db.decrBy("a", 2), 10);
      assertEquals(await db.decr("a"), 9);
      assertEquals(await db.incrByFloat("a", 0.5), 9.5);
      assertEquals(await db.append("name", "!"), 4);
      assertEquals(await db.getRange("name", 0, 1), "Ad");
      assertEquals(await db.setRange("name", 1, "DA"), 4);
      assertEquals(await db.getDel("name"), "ADA!");
      assertEquals(await db.get("name"), null);
      await assertRejects(() => db.incr("blob"), replyError(NOT_INTEGER));
      await db.sadd("set", "m");
      await assertRejects(() => db.get("set"), replyError(WRONGTYPE));
      await assertRejects(
        () => db.command("GET"),
        replyError("ERR wrong number of arguments for 'get' command"),
      );
      assertEquals(await db.command("SET", "k", "v"), "OK");
      assertEquals(await db.command("GET", "k"), "v");
      assertEquals(await db.bytes.command("GET", "k"), new Uint8Array([0x76]));
      // DEBUG is allowed on local connections by default, and an embedded session is local.
      assertEquals(await db.command("DEBUG", "SLEEP", "0"), "OK");
    },
  },
  {
    name: "keys and their time to live follow Redis's rules",
    async run({ db }) {
      await db.mset({ a: "1", b: "2", c: "3" });
      assertEquals(await db.exists("a", "b", "nope", "a"), 3);
      assertEquals(await db.type("a"), "string");
      assertEquals(await db.type("nope"), "none");
      assertEquals(await db.ttl("a"), -1);
      assertEquals(await db.ttl("nope"), -2);
      assertEquals(await db.expire("a", 100), true);
      assertEquals(await db.expire("a", 50, "GT"), false);
      assertOk((await db.ttl("a")) > 90);
      assertOk((await db.pttl("a")) > 90_000);
      assertOk((await db.expireTime("a")) > Date.now() / 1000);
      assertEquals(await db.persist("a"), true);
      assertEquals(await db.ttl("a"), -1);
      assertEquals(await db.pexpire("b", 1), true);
      const deadline = Date.now() + 10_000;
      while (await db.exists("b") === 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assertEquals(await db.get("b"), null);
      assertEquals(await db.rename("c", "d"), "OK");
      assertEquals(await db.renameNx("d", "a"), false);
      assertEquals(await db.copy("d", "e"), true);
      assertEquals((await db.keys("*")).sort(), ["a", "d", "e"]);
      const seen: string[] = [];
      for await (const key of db.scanIterator({ match: "[de]", count: 1 })) seen.push(key);
      assertEquals([...new Set(seen)].sort(), ["d", "e"]);
      assertEquals(await db.dbsize(), 3);
      assertEquals(await db.del("a", "d", "nope"), 2);
      assertEquals(await db.unlink("e"), 1);
      assertEquals(await db.randomKey(), null);
      await assertRejects(() => db.rename("nope", "x"), replyError("ERR no such key"));
      await assertRejects(() => db.expire("a", Number.NaN), replyError(NOT_INTEGER));
    },
  },
  {
    name: "hashes set, read, count and increment fields",
    async run({ db }) {
      assertEquals(await db.hset("user", { name: "Ada", born: 1815 }), 2);
      assertEquals(await db.hset("user", [["name", "Ada Lovelace"], ["city", "London"]]), 1);
      assertEquals(await db.hget("user", "name"), "Ada Lovelace");
      assertEquals(await db.hget("user", "nope"), null);
      assertEquals(await db.hmget("user", "born", "nope"), ["1815", null]);
      assertEquals(await db.hgetAll("user"), {
        name: "Ada Lovelace",
        born: "1815",
        city: "London",
      });
      assertEquals(await db.hgetAll("missing"), {});
      assertEquals(await db.hsetNx("user", "born", "0"), false);
      assertEquals(await db.hexists("user", "city"), true);
      assertEquals(await db.hlen("user"), 3);
      assertEquals(await db.hstrlen("user", "born"), 4);
      assertEquals((await db.hkeys("user")).sort(), ["born", "city", "name"]);
      assertEquals((await db.hvals("user")).sort(), ["1815", "Ada Lovelace", "London"]);
      assertEquals(await db.hincrBy("user", "born", 1), 1816);
      assertEquals(await db.hincrByFloat("user", "score", 1.5), 1.5);
      assertEquals((await db.hrandField("user", 10)).length, 4);
      const { cursor, entries } = await db.hscan("user", 0, { count: 100 });
      assertEquals(cursor, "0");
      assertEquals(entries.length, 4);
      assertEquals(await db.hdel("user", "city", "nope"), 1);
      await db.set("str", "x");
      await assertRejects(() => db.hget("str", "f"), replyError(WRONGTYPE));
      await assertRejects(
        () => db.hincrBy("user", "name", 1),
        replyError("ERR hash value is not an integer"),
      );
      // RESP3, as both transports speak here: HGETALL is a map.
      assertEquals(
        await db.command("HGETALL", "user"),
        new Map([["name", "Ada Lovelace"], ["born", "1816"], ["score", "1.5"]]),
      );
    },
  },
  {
    name: "lists push, pop, range, move and wait for elements",
    async run({ db, another }) {
      assertEquals(await db.rpush("q", "a", "b", "c"), 3);
      assertEquals(await db.lpush("q", "z"), 4);
      assertEquals(await db.lrange("q", 0, -1), ["z", "a", "b", "c"]);
      assertEquals(await db.llen("q"), 4);
      assertEquals(await db.lindex("q", -1), "c");
      assertEquals(await db.lpop("q"), "z");
      assertEquals(await db.rpop("q", 2), ["c", "b"]);
      assertEquals(await db.lpop("missing"), null);
      assertEquals(await db.lpop("missing", 2), null);
      assertEquals(await db.lpushX("missing", "x"), 0);
      assertEquals(await db.rpushX("q", "d", "a"), 3);
      assertEquals(await db.lset("q", 1, "D"), "OK");
      assertEquals(await db.linsert("q", "BEFORE", "D", "c"), 4);
      assertEquals(await db.lpos("q", "a", { rank: -1 }), 3);
      assertEquals(await db.lrem("q", 0, "a"), 2);
      assertEquals(await db.lrange("q", 0, -1), ["c", "D"]);
      assertEquals(await db.lmove("q", "r", "LEFT", "RIGHT"), "c");
      assertEquals(await db.lmpop(["none", "q"], "LEFT", 5), { key: "q", values: ["D"] });
      assertEquals(await db.ltrim("r", 0, 0), "OK");
      await assertRejects(() => db.lset("missing", 0, "x"), replyError("ERR no such key"));

      // Blocking pops: another client waits, this one pushes.
      const waiter = await another();
      try {
        const popped = waiter.blpop(["jobs", "other"], 10);
        await blocked(db, 1);
        assertEquals(await db.rpush("other", "build"), 1);
        assertEquals(await popped, { key: "other", value: "build" });
        const moved = waiter.blmove("src", "dst", "RIGHT", "LEFT", 10);
        await blocked(db, 1);
        await db.rpush("src", "1", "2");
        assertEquals(await moved, "2");
        assertEquals(await waiter.brpop("empty", 0.05), null);
        const many = waiter.blmpop(["m"], "RIGHT", 10, 2);
        await blocked(db, 1);
        await db.rpush("m", "x", "y", "z");
        assertEquals(await many, { key: "m", values: ["z", "y"] });
      } finally {
        waiter.close();
      }
      await db.set("str", "x");
      await assertRejects(() => db.lpush("str", "a"), replyError(WRONGTYPE));
    },
  },
  {
    name: "sets add, test, combine and store members",
    async run({ db }) {
      assertEquals(await db.sadd("s1", "a", "b", "c", "a"), 3);
      assertEquals(await db.sadd("s2", "b", "c", "d"), 3);
      assertEquals(await db.sismember("s1", "a"), true);
      assertEquals(await db.smismember("s1", "a", "z"), [true, false]);
      assertEquals(await db.scard("s1"), 3);
      assertEquals((await db.smembers("s1")).sort(), ["a", "b", "c"]);
      assertEquals((await db.sinter("s1", "s2")).sort(), ["b", "c"]);
      assertEquals((await db.sunion("s1", "s2")).sort(), ["a", "b", "c", "d"]);
      assertEquals(await db.sdiff("s1", "s2"), ["a"]);
      assertEquals(await db.sinterCard(["s1", "s2"], { limit: 1 }), 1);
      assertEquals(await db.sinterStore("both", "s1", "s2"), 2);
      assertEquals(await db.sunionStore("any", "s1", "s2"), 4);
      assertEquals(await db.sdiffStore("only", "s1", "s2"), 1);
      assertEquals(await db.smove("s1", "s2", "a"), true);
      assertEquals(await db.srem("s2", "a", "zz"), 1);
      const popped = await db.spop("any", 2);
      assertEquals(popped.length, 2);
      assertEquals(await db.scard("any"), 2);
      assertOk(["b", "c"].includes((await db.srandMember("both"))!));
      assertEquals(await db.spop("missing"), null);
      await db.set("str", "x");
      await assertRejects(() => db.sadd("str", "a"), replyError(WRONGTYPE));
    },
  },
  ...TYPED_FAMILIES,
  {
    name: "transactions: MULTI/EXEC, WATCH, and BEGIN/COMMIT retried on a conflict",
    async run({ db, another }) {
      assertEquals(await db.multi().send("SET", "a", "1").send("INCR", "a").exec(), ["OK", 2]);
      const failed = await db.multi().send("SET", "s", "x").send("INCR", "s").exec();
      assertEquals(failed![0], "OK");
      assertOk(failed![1] instanceof ReplyError);

      await db.set("stock", "10");
      const result = await db.transaction(async (tx) => {
        const left = Number(await tx.get("stock"));
        await tx.set("stock", left - 1);
        await tx.rpush("orders", "o1");
        return left - 1;
      });
      assertEquals(result, 9);
      assertEquals(await db.get("stock"), "9");
      assertEquals(await db.lrange("orders", 0, -1), ["o1"]);

      await assertRejects(
        () =>
          db.transaction(async (tx) => {
            await tx.set("stock", "0");
            throw new RangeError("changed my mind");
          }),
        RangeError,
      );
      assertEquals(await db.get("stock"), "9");

      // A write from another client between the read and COMMIT: the body runs again.
      const writer = await another();
      try {
        let attempts = 0;
        const final = await db.transaction(async (tx) => {
          attempts++;
          const seen = Number(await tx.get("stock"));
          if (attempts === 1) await writer.set("stock", "100");
          await tx.set("stock", seen + 1);
          return seen + 1;
        }, { backoffMs: 1 });
        assertEquals(attempts, 2);
        assertEquals(final, 101);
        assertEquals(await db.get("stock"), "101");
      } finally {
        writer.close();
      }
    },
  },
  {
    name: "pub/sub delivers messages to channel and pattern subscribers",
    async run({ db, another }) {
      const subscriber = await another();
      try {
        const news = await subscriber.subscribe("news");
        const all = await subscriber.psubscribe("n*");
        assertEquals(await db.publish("news", "hello"), 2);
        assertEquals(await db.publish("nothing-here", "x"), 1);
        const first = await news.next();
        assertEquals(first.value?.message, "hello");
        assertEquals(first.value?.channel, "news");
        const viaPattern = await all.next();
        assertEquals(viaPattern.value?.pattern, "n*");
        assertEquals(viaPattern.value?.message, "hello");
        assertEquals((await all.next()).value?.channel, "nothing-here");
        await news.unsubscribe();
        await all.unsubscribe();
        assertEquals(await db.publish("news", "gone"), 0);
      } finally {
        subscriber.close();
      }
    },
  },
];
