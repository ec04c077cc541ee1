/**
 * maxmemory in an embedded store (`open()`): the store evicts as the server does, its limit
 * counts the store's own data (not the host program's heap), and under noeviction writes are
 * refused while reads and deletes go on.
 */
import { open } from "../../mod.ts";
import { assertEquals, assertOk, assertRejects } from "../helpers/assert.ts";

const VALUE = "x".repeat(1000);

function field(info: string, name: string): number {
  const match = new RegExp(`^${name}:(\\d+)\\r?$`, "m").exec(info);
  if (match === null) throw new Error(`INFO has no ${name}`);
  return Number(match[1]);
}

Deno.test("an embedded store evicts to stay within maxmemory, and refuses writes under noeviction", async () => {
  // The host program's own heap (this test runner's) is not the store's: 2 MB is room for
  // about 1,500 of these keys whatever the runner holds.
  await using db = await open({
    persistence: "none",
    maxmemory: "2mb",
    maxmemoryPolicy: "allkeys-lru",
  });
  for (let chunk = 0; chunk < 20; chunk++) {
    const writes = Array.from({ length: 250 }, (_, i) => ["SET", `key:${chunk * 250 + i}`, VALUE]);
    await db.pipeline(writes);
  }
  // A pass that runs out of time leaves the rest to background slices: wait for them.
  const deadline = Date.now() + 30_000;
  while (true) {
    const memory = String(await db.command("INFO", "memory"));
    const counted = field(memory, "used_memory") - field(memory, "mem_not_counted_for_evict");
    if (counted <= field(memory, "maxmemory")) break;
    assertOk(Date.now() < deadline, `used ${counted} bytes after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const [keys, stats] = await db.pipeline([["DBSIZE"], ["INFO", "stats"]]) as [number, string];
  assertOk(keys > 500 && keys < 3_000, `${keys} keys kept of 5,000`);
  assertEquals(field(stats, "evicted_keys"), 5_000 - keys);
  // LRU is approximated by sampling (keys used in the same 10 ms tie), so no single key is
  // promised a place; the newest keys must still far outnumber the oldest among those kept.
  const kept = async (from: number) =>
    (await db.pipeline(Array.from({ length: 1000 }, (_, i) => ["EXISTS", `key:${from + i}`])))
      .filter((found) => found === 1).length;
  const [oldest, newest] = [await kept(0), await kept(4_000)];
  assertOk(newest > 500 && newest > 5 * oldest, `kept ${oldest} of the oldest, ${newest} newest`);
  await db.set("hot", "kept");
  const held = await db.dbsize(); // the write may have evicted one more key first

  await db.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
  await db.command("CONFIG", "SET", "maxmemory", "1");
  await assertRejects(
    () => db.set("more", VALUE),
    /OOM command not allowed when used memory > 'maxmemory'/,
  );
  assertEquals(await db.get("hot"), "kept");
  assertEquals(await db.del("hot"), 1);
  assertEquals(await db.dbsize(), held - 1);
});
