import { assertEquals, assertOk } from "../../helpers/assert.ts";
import { SHARD_COUNT, ShardedMap, shardOf } from "../../../src/store/sharded_map.ts";
import { checkStoresLikeAMap } from "./map_like.ts";

Deno.test("ShardedMap stores, replaces and deletes like a Map", () => {
  checkStoresLikeAMap(new ShardedMap<string>());
});

Deno.test("ShardedMap keeps its size right over many inserts, overwrites and deletes", () => {
  const map = new ShardedMap<number>();
  const mirror = new Map<string, number>();
  let seed = 1;
  for (let i = 0; i < 50_000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    const key = `k${seed % 5000}`;
    if (seed % 3 === 0) {
      assertEquals(map.delete(key), mirror.delete(key));
    } else {
      map.set(key, i);
      mirror.set(key, i);
    }
  }
  assertEquals(map.size, mirror.size);
  let shardTotal = 0;
  for (const shard of map.shards) shardTotal += shard.size;
  assertEquals(shardTotal, mirror.size);
  for (const [key, value] of mirror) assertEquals(map.get(key), value);
});

Deno.test("ShardedMap.keys visits every key exactly once", () => {
  const map = new ShardedMap<boolean>();
  for (let i = 0; i < 10_000; i++) map.set(`key:${i}`, true);
  const seen = [...map.keys()];
  assertEquals(seen.length, 10_000);
  assertEquals(new Set(seen).size, 10_000);
});

Deno.test("ShardedMap.clear empties every shard", () => {
  const map = new ShardedMap<number>();
  for (let i = 0; i < 1000; i++) map.set(String(i), i);
  map.clear();
  assertEquals(map.size, 0);
  assertEquals([...map.keys()], []);
  map.set("again", 1);
  assertEquals(map.size, 1);
});

Deno.test("shardOf is stable and in range for short, long and binary keys", () => {
  const keys = ["", "a", "key:000000000460", "\x00\xff\x80", "x".repeat(64), "y".repeat(5000)];
  for (const key of keys) {
    const shard = shardOf(key);
    assertOk(Number.isInteger(shard) && shard >= 0 && shard < SHARD_COUNT, `${shard}`);
    assertEquals(shardOf(key), shard);
  }
});

Deno.test("shardOf spreads typical key families evenly over the shards", () => {
  // Each shard must stay far below V8's per-Map cap, so no family may pile into one shard.
  const families = [
    (i: number) => `key:${String(i).padStart(12, "0")}`, // redis-benchmark -r
    (i: number) => `user:${i}`,
    (i: number) => `${i}`,
    (i: number) => `session/${i.toString(16)}/data`,
    (i: number) => `${"p".repeat(100)}${i}${"s".repeat(100)}`, // varies in the middle
  ];
  const n = 64_000;
  for (const family of families) {
    const counts = new Array(SHARD_COUNT).fill(0);
    for (let i = 0; i < n; i++) counts[shardOf(family(i))]++;
    const mean = n / SHARD_COUNT;
    for (const count of counts) {
      assertOk(Math.abs(count - mean) < mean * 0.1, `${family(1)}: ${counts.join(",")}`);
    }
  }
});

Deno.test("shardOf spreads very long keys that differ only in the middle", () => {
  const n = 16_000;
  const counts = new Array(SHARD_COUNT).fill(0);
  const head = "h".repeat(1000);
  const tail = "t".repeat(1000);
  for (let i = 0; i < n; i++) counts[shardOf(`${head}${String(i).padStart(8, "0")}${tail}`)]++;
  const mean = n / SHARD_COUNT;
  for (const count of counts) assertOk(Math.abs(count - mean) < mean * 0.15, counts.join(","));
});

Deno.test("ShardedMap's per-entry numbers are counted, and follow a detach and attach", () => {
  const map = new ShardedMap<string>();
  let bytes = map.tableBytes; // the empty tables, counted by whoever made the map
  map.counter = { addBytes: (delta) => bytes += delta };
  for (let i = 0; i < 1000; i++) map.set(`k${i}`, "v");
  const tables = bytes;
  map.keepAux(7);
  assertEquals(bytes - tables, map.auxBytes);
  assertEquals(map.auxOf("k1"), 7);
  map.setAuxIn(shardOf("k1"), "k1", 9);
  const taken = map.detach();
  assertEquals(map.auxBytes > 0, true); // the fresh shards keep numbers too
  map.keepAux(null);
  assertEquals(map.auxBytes, 0);
  map.attach(taken); // taken while numbers were kept, put back while none are
  assertEquals(map.auxOf("k1"), undefined);
  map.keepAux(3);
  map.attach(map.detach());
  assertEquals(map.auxOf("k1"), 3);
  assertEquals(bytes, map.tableBytes + map.auxBytes);
});
