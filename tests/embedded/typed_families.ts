/**
 * The families of the typed helpers for sorted sets, bitmaps, bit fields, HyperLogLogs, LCS and
 * SORT. They use only typed helpers and behaviour Redis 7.0 shares, so besides the embedded and
 * TCP runs of families_test.ts (RESP3) they also run over RESP2 and against redis-server
 * (tests/e2e/client_families_test.ts): the helpers must read both protocols' reply shapes.
 */
import { assertEquals, assertOk, assertRejects } from "../helpers/assert.ts";
import { type Family, replyError, WRONGTYPE } from "./family_helpers.ts";
import { blocked } from "../helpers/blocked.ts";

const text = new TextEncoder();

export const TYPED_FAMILIES: Family[] = [
  {
    name: "sorted set helpers add, score, rank, range and remove members",
    async run({ db }) {
      assertEquals(await db.zadd("board", { ada: 10, bob: 7.5, min: -Infinity }), 3);
      assertEquals(
        await db.zadd("board", [["eve", Infinity], { member: "ada", score: 11 }], { ch: true }),
        2,
      );
      assertEquals(await db.zadd("board", { ada: 5 }, { gt: true, ch: true }), 0);
      assertEquals(await db.zadd("board", { zed: 1 }, { xx: true }), 0);
      assertEquals(await db.zadd("board", { bob: 5 }, { incr: true }), 12.5);
      assertEquals(await db.zadd("board", { bob: 1 }, { incr: true, nx: true }), null);
      assertEquals(await db.zincrBy("board", 0.5, "ada"), 11.5);
      assertEquals(await db.zcard("board"), 4);
      assertEquals(await db.zscore("board", "min"), -Infinity);
      assertEquals(await db.zscore("board", "nope"), null);
      assertEquals(await db.zmscore("board", "ada", "nope", "eve"), [11.5, null, Infinity]);
      assertEquals(await db.zrank("board", "ada"), 1);
      assertEquals(await db.zrevRank("board", "ada"), 2);
      assertEquals(await db.zrank("board", "nope"), null);
      assertEquals(await db.zrange("board", 0, -1), ["min", "ada", "bob", "eve"]);
      assertEquals(await db.zrange("board", 0, 1, { rev: true, withScores: true }), [
        { member: "eve", score: Infinity },
        { member: "bob", score: 12.5 },
      ]);
      assertEquals(
        await db.zrange("board", "(11.5", Infinity, { by: "SCORE", withScores: true }),
        [{ member: "bob", score: 12.5 }, { member: "eve", score: Infinity }],
      );
      assertEquals(
        await db.zrange("board", Infinity, -Infinity, {
          by: "SCORE",
          rev: true,
          limit: { offset: 1, count: 2 },
        }),
        ["bob", "ada"],
      );
      assertEquals(await db.zcount("board", 0, "+inf"), 3);
      assertEquals(await db.zcount("board", -Infinity, "(11.5"), 1);
      assertEquals(await db.zrangeStore("top", "board", 0, 1, { rev: true }), 2);
      assertEquals(await db.zrange("top", 0, -1), ["bob", "eve"]);
      // The range commands ZRANGE's options replaced, still widely used.
      assertEquals(await db.zrevRange("board", 0, 1), ["eve", "bob"]);
      assertEquals(await db.zrevRange("board", -1, -1, { withScores: true }), [
        { member: "min", score: -Infinity },
      ]);
      assertEquals(await db.zrangeByScore("board", "(-inf", 12.5), ["ada", "bob"]);
      assertEquals(
        await db.zrangeByScore("board", -Infinity, Infinity, {
          withScores: true,
          limit: { offset: 2, count: -1 },
        }),
        [{ member: "bob", score: 12.5 }, { member: "eve", score: Infinity }],
      );
      assertEquals(
        await db.zrevRangeByScore("board", Infinity, 0, { limit: { offset: 0, count: 2 } }),
        ["eve", "bob"],
      );
      assertEquals(await db.zrevRangeByScore("board", "(12.5", 0, { withScores: true }), [
        { member: "ada", score: 11.5 },
      ]);

      await db.zadd("names", { a: 0, b: 0, c: 0, d: 0 });
      assertEquals(await db.zrange("names", "[b", "+", { by: "LEX" }), ["b", "c", "d"]);
      assertEquals(await db.zrange("names", "(c", "-", { by: "LEX", rev: true }), ["b", "a"]);
      assertEquals(await db.zrangeByLex("names", "(a", "[c"), ["b", "c"]);
      assertEquals(await db.zrangeByLex("names", "-", "+", { limit: { offset: 1, count: 2 } }), [
        "b",
        "c",
      ]);
      assertEquals(await db.zrevRangeByLex("names", "+", "(b"), ["d", "c"]);
      assertEquals(await db.zlexCount("names", "-", "(c"), 2);
      assertEquals(await db.zremRangeByLex("names", "[a", "[b"), 2);
      assertEquals(await db.zremRangeByRank("names", -1, -1), 1);
      assertEquals(await db.zrange("names", 0, -1), ["c"]);
      assertEquals(await db.zremRangeByScore("board", -Infinity, "(0"), 1);
      assertEquals(await db.zrem("board", "ada", "nope"), 1);
      assertEquals(await db.zrange("board", 0, -1), ["bob", "eve"]);

      // Binary members, and the bytes view.
      const member = new Uint8Array([0, 255, 10]);
      assertEquals(await db.zadd("bin", [{ member, score: 1.25 }]), 1);
      assertEquals(await db.bytes.zrange("bin", 0, -1, { withScores: true }), [
        { member, score: 1.25 },
      ]);
      assertEquals(await db.bytes.zrange("board", 0, 0), [text.encode("bob")]);

      await assertRejects(
        () => db.zadd("board", { x: Number.NaN }),
        replyError("ERR value is not a valid float"),
      );
      await assertRejects(
        () => db.zadd("board", { x: 1 }, { nx: true, xx: true }),
        replyError("ERR XX and NX options at the same time are not compatible"),
      );
      await assertRejects(
        () => db.zadd("board", { x: 1, y: 2 }, { incr: true }),
        replyError("ERR INCR option supports a single increment-element pair"),
      );
      await assertRejects(() => db.zadd("board", {}), TypeError);
      await db.set("str", "x");
      await assertRejects(() => db.zadd("str", { a: 1 }), replyError(WRONGTYPE));
      await assertRejects(() => db.zrange("str", 0, -1), replyError(WRONGTYPE));
    },
  },
  {
    name: "sorted set helpers pop, combine, sample, scan and wait for members",
    async run({ db, another }) {
      await db.zadd("z", { a: 1, b: 2, c: 3, d: Infinity });
      assertEquals(await db.zpopMin("z"), { member: "a", score: 1 });
      assertEquals(await db.zpopMax("z", 2), [
        { member: "d", score: Infinity },
        { member: "c", score: 3 },
      ]);
      assertEquals(await db.zpopMin("z", 1), [{ member: "b", score: 2 }]);
      assertEquals(await db.zpopMin("z"), null);
      assertEquals(await db.zpopMax("z", 3), []);
      await db.zadd("z", { a: 1, b: 2, c: 3 });
      assertEquals(await db.zmpop(["none", "z"], "MAX", 2), {
        key: "z",
        members: [{ member: "c", score: 3 }, { member: "b", score: 2 }],
      });
      assertEquals(await db.zmpop(["none"], "MIN"), null);

      await db.zadd("w1", { ada: 10, bob: 3 });
      await db.zadd("w2", { ada: 5, eve: 1 });
      assertEquals(await db.zunion(["w1", "w2"]), ["eve", "bob", "ada"]);
      assertEquals(await db.zunion(["w1", "w2"], { weights: [1, 2], withScores: true }), [
        { member: "eve", score: 2 },
        { member: "bob", score: 3 },
        { member: "ada", score: 20 },
      ]);
      assertEquals(await db.zinter(["w1", "w2"], { aggregate: "MIN", withScores: true }), [
        { member: "ada", score: 5 },
      ]);
      assertEquals(await db.zinter(["w1", "w2"]), ["ada"]);
      assertEquals(await db.zdiff(["w1", "w2"]), ["bob"]);
      assertEquals(await db.zdiff(["w1", "w2"], { withScores: true }), [
        { member: "bob", score: 3 },
      ]);
      assertEquals(await db.zunionStore("u", ["w1", "w2"], { aggregate: "MAX" }), 3);
      assertEquals(await db.zscore("u", "ada"), 10);
      assertEquals(await db.zinterStore("i", ["w1", "w2"], { weights: [2, 1] }), 1);
      assertEquals(await db.zscore("i", "ada"), 25);
      assertEquals(await db.zdiffStore("d", ["w1", "w2"]), 1);
      assertEquals(await db.zinterCard(["w1", "w2", "u"]), 1);
      assertEquals(await db.zinterCard(["w1", "u"], { limit: 1 }), 1);

      assertOk(["ada", "bob"].includes((await db.zrandMember("w1"))!));
      assertEquals(await db.zrandMember("nope"), null);
      assertEquals((await db.zrandMember("w1", 5)).sort(), ["ada", "bob"]);
      const sampled = await db.zrandMember("w1", -3, { withScores: true });
      assertEquals(sampled.length, 3);
      for (const { member, score } of sampled) {
        assertEquals(score, member === "ada" ? 10 : 3);
      }

      // 300 members: past the listpack limit, so ZSCAN walks a real cursor.
      const many: [string, number][] = Array.from({ length: 300 }, (_, i) => [`m${i}`, i / 4]);
      assertEquals(await db.zadd("big", many), 300);
      const seen = new Map<string, number>();
      for await (const { member, score } of db.zscanIterator("big", { count: 10 })) {
        seen.set(member, score);
      }
      assertEquals(seen.size, 300);
      assertEquals(seen.get("m299"), 74.75);
      const step = await db.zscan("w1", 0);
      assertEquals(step.cursor, "0");
      assertEquals(step.members.sort((a, b) => a.score - b.score), [
        { member: "bob", score: 3 },
        { member: "ada", score: 10 },
      ]);

      // Blocking pops: another client waits, this one adds.
      const waiter = await another();
      try {
        const popped = waiter.bzpopMax(["jobs", "other"], 10);
        await blocked(db, 1);
        assertEquals(await db.zadd("other", { low: 1, high: 9 }), 2);
        assertEquals(await popped, { key: "other", member: "high", score: 9 });
        assertEquals(await waiter.bzpopMin("empty", 0.05), null);
        const many = waiter.bzmpop(["q"], "MIN", 10, 2);
        await blocked(db, 1);
        await db.zadd("q", { a: 1, b: 2, c: 3 });
        assertEquals(await many, {
          key: "q",
          members: [{ member: "a", score: 1 }, { member: "b", score: 2 }],
        });
        assertEquals(await waiter.bzpopMin("q", 10), { key: "q", member: "c", score: 3 });
        assertEquals(await waiter.bzmpop(["q"], "MAX", 0.05), null);
      } finally {
        waiter.close();
      }
    },
  },
  {
    name: "bitmap, bit field and HyperLogLog helpers work on the bits of strings",
    async run({ db }) {
      assertEquals(await db.setBit("bits", 7, 1), 0);
      assertEquals(await db.setBit("bits", 9, 1), 0);
      assertEquals(await db.setBit("bits", 7, 1), 1);
      assertEquals(await db.getBit("bits", 7), 1);
      assertEquals(await db.getBit("bits", 1000), 0);
      assertEquals(await db.getBytes("bits"), new Uint8Array([1, 0x40]));
      assertEquals(await db.bitCount("bits"), 2);
      assertEquals(await db.bitCount("bits", { start: 1 }), 1);
      assertEquals(await db.bitCount("bits", { start: 0, end: 7, unit: "BIT" }), 1);
      assertEquals(await db.bitPos("bits", 1), 7);
      assertEquals(await db.bitPos("bits", 1, { start: 1 }), 9);
      assertEquals(await db.bitPos("bits", 0, { start: 7, end: 9, unit: "BIT" }), 8);
      await db.set("ones", new Uint8Array([255]));
      assertEquals(await db.bitPos("ones", 0), 8); // past the end: no explicit end
      assertEquals(await db.bitPos("ones", 0, { start: 0, end: -1 }), -1);
      assertEquals(await db.bitOp("AND", "and", "bits", "ones"), 2);
      assertEquals(await db.getBytes("and"), new Uint8Array([1, 0]));
      assertEquals(await db.bitOp("NOT", "not", "ones"), 1);
      assertEquals(await db.getBytes("not"), new Uint8Array([0]));
      await assertRejects(
        () => db.setBit("bits", 2 ** 32, 1),
        replyError("ERR bit offset is not an integer or out of range"),
      );

      assertEquals(
        await db.bitField("f", [
          { set: "u8", offset: "#0", value: 255 },
          { incrBy: "u8", offset: "#0", increment: 1 },
        ]),
        [0, 0],
      );
      assertEquals(
        await db.bitField("f", [
          { overflow: "SAT" },
          { incrBy: "u8", offset: "#0", increment: 300 },
          { get: "u4", offset: 0 },
        ]),
        [255, 15],
      );
      assertEquals(
        await db.bitField("f", [{ overflow: "FAIL" }, { incrBy: "i8", offset: 8, increment: 200 }]),
        [null],
      );
      assertEquals(
        await db.bitFieldRo("f", [{ get: "u8", offset: "#0" }, { get: "i4", offset: 4 }]),
        [255, -1],
      );

      const users = (from: number, to: number) =>
        Array.from({ length: to - from }, (_, i) => `user:${from + i}`);
      assertEquals(await db.pfadd("mon", ...users(0, 100)), true);
      assertEquals(await db.pfadd("mon", "user:1"), false);
      const monday = await db.pfcount("mon");
      assertOk(Math.abs(monday - 100) <= 3, `PFCOUNT ${monday}`);
      await db.pfadd("tue", ...users(50, 150));
      const both = await db.pfcount("mon", "tue");
      assertOk(Math.abs(both - 150) <= 5, `PFCOUNT ${both}`);
      assertEquals(await db.pfmerge("week", "mon", "tue"), "OK");
      assertEquals(await db.pfcount("week"), both);
      assertEquals((await db.getBytes("week"))!.subarray(0, 4), text.encode("HYLL"));
      await assertRejects(
        () => db.pfadd("bits", "x"),
        replyError("WRONGTYPE Key is not a valid HyperLogLog string value."),
      );
    },
  },
  {
    name: "LCS and SORT helpers compare strings and sort lists, sets and sorted sets",
    async run({ db }) {
      await db.mset({ a: "ohmytext", b: "mynewtext" });
      assertEquals(await db.lcs("a", "b"), "mytext");
      assertEquals(await db.bytes.lcs("a", "b"), text.encode("mytext"));
      assertEquals(await db.lcs("a", "missing"), "");
      assertEquals(await db.lcs("a", "b", { len: true }), 6);
      assertEquals(await db.lcs("a", "b", { idx: true }), {
        matches: [
          { first: [4, 7], second: [5, 8], length: 4 },
          { first: [2, 3], second: [0, 1], length: 2 },
        ],
        len: 6,
      });
      assertEquals(await db.lcs("a", "b", { idx: true, minMatchLen: 4 }), {
        matches: [{ first: [4, 7], second: [5, 8], length: 4 }],
        len: 6,
      });

      await db.rpush("ids", "3", "1", "2");
      assertEquals(await db.sort("ids"), ["1", "2", "3"]);
      assertEquals(await db.sort("ids", { order: "DESC", limit: { offset: 0, count: 2 } }), [
        "3",
        "2",
      ]);
      await db.mset({ "w:1": "30", "w:2": "10", "w:3": "20", "name:1": "Ada", "name:3": "Eve" });
      await db.hset("h:2", { n: "Bob" });
      assertEquals(await db.sort("ids", { by: "w:*", get: ["#", "name:*", "h:*->n"] }), [
        "2",
        null,
        "Bob",
        "3",
        "Eve",
        null,
        "1",
        "Ada",
        null,
      ]);
      assertEquals(await db.sort("ids", { by: "nosort", store: "copy" }), 3);
      assertEquals(await db.lrange("copy", 0, -1), ["3", "1", "2"]);
      assertEquals(await db.sortRo("ids", { order: "DESC" }), ["3", "2", "1"]);
      await db.sadd("tags", "redis", "deno", "hermes");
      assertEquals(await db.sort("tags", { alpha: true }), ["deno", "hermes", "redis"]);
      await db.zadd("scores", { x: 3, y: 1 });
      assertEquals(await db.sort("scores", { by: "nosort" }), ["y", "x"]);
      await db.rpush("words", "b", "a");
      await assertRejects(
        () => db.sort("words"),
        replyError("ERR One or more scores can't be converted into double"),
      );
    },
  },
];
