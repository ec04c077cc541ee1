import { assertEquals, assertOk } from "../../helpers/assert.ts";
import { MAX_OPEN_SCANS, ScanCursors } from "../../../src/store/scan_cursors.ts";
import { ShardedMap } from "../../../src/store/sharded_map.ts";

const all = () => true;

function filled(n: number, prefix = "key:"): ShardedMap<number> {
  const map = new ShardedMap<number>();
  for (let i = 0; i < n; i++) map.set(`${prefix}${i}`, i);
  return map;
}

/** Runs a whole scan, calling `between` after each step; returns every key handed out. */
function fullScan(
  cursors: ScanCursors,
  map: ShardedMap<number>,
  count: number,
  between: (step: number) => void = () => {},
): string[] {
  const seen: string[] = [];
  let cursor = 0n;
  let steps = 0;
  do {
    const [next, keys] = cursors.step(map, cursor, count, all);
    seen.push(...keys);
    cursor = next;
    between(steps++);
    assertOk(steps < 1_000_000, "the scan must end");
  } while (cursor !== 0n);
  return seen;
}

Deno.test("a scan without changes returns every key exactly once, whatever the count", () => {
  const map = filled(5000);
  for (const count of [1, 7, 10, 100, 4999, 5000, 5001, 100_000]) {
    const seen = fullScan(new ScanCursors(), map, count);
    assertEquals(seen.length, 5000, `count ${count}`);
    assertEquals(new Set(seen).size, 5000, `count ${count}`);
  }
});

Deno.test("a scan over an empty map ends at once", () => {
  assertEquals(new ScanCursors().step(new ShardedMap(), 0n, 10, all), [0n, []]);
});

Deno.test("a scan that has seen every key returns cursor 0 without an empty last page", () => {
  const map = filled(10);
  const [cursor, keys] = new ScanCursors().step(map, 0n, 10, all);
  assertEquals(cursor, 0n);
  assertEquals(keys.length, 10);
});

Deno.test("the filter drops keys but still counts them as visited", () => {
  const map = filled(100);
  const cursors = new ScanCursors();
  const [cursor, keys] = cursors.step(map, 0n, 50, (key) => key.endsWith("7"));
  assertOk(cursor !== 0n);
  assertOk(keys.every((key) => key.endsWith("7")));
  assertOk(keys.length < 50);
});

Deno.test("keys present for the whole scan are returned despite inserts and deletes", () => {
  // Interleaved, so deleting the oldest "gone" keys shifts every later position: a cursor
  // that only remembered a position would skip keys.
  const map = new ShardedMap<number>();
  for (let i = 0; i < 10_000; i++) {
    map.set(`stay:${i}`, i);
    map.set(`gone:${i}`, i);
  }
  let added = 0;
  let deleted = 0;
  const seen = new Set(
    fullScan(new ScanCursors(), map, 100, (step) => {
      // Enough churn to make the shards grow past double (V8 rehashes them) mid-scan.
      for (let i = 0; i < 250; i++) map.set(`new:${step}:${i}`, i);
      added += 250;
      for (let i = 0; i < 100 && deleted < 10_000; i++) map.delete(`gone:${deleted++}`);
    }),
  );
  assertOk(added > 40_000, `${added} keys added`);
  assertEquals(deleted, 10_000);
  for (let i = 0; i < 10_000; i++) assertOk(seen.has(`stay:${i}`), `stay:${i} was missed`);
});

Deno.test("a key read ahead and deleted before the next step is not returned", () => {
  const map = filled(30);
  const cursors = new ScanCursors();
  const [cursor, first] = cursors.step(map, 0n, 10, all);
  // The next key in iteration order is the one the look-ahead holds.
  const rest = [...map.keys()].filter((key) => !first.includes(key));
  map.delete(rest[0]);
  const [, second] = cursors.step(map, cursor, 5, all);
  assertEquals(second.includes(rest[0]), false);
  assertEquals(second.length, 5);
});

Deno.test("an evicted cursor resumes by position and the scan still completes", () => {
  const map = filled(3000);
  const cursors = new ScanCursors();
  const [firstCursor, firstKeys] = cursors.step(map, 0n, 100, all);
  // Abandoned scans push the first one's iterator out of the table.
  for (let i = 0; i < MAX_OPEN_SCANS + 10; i++) cursors.step(map, 0n, 5, all);
  assertEquals(cursors.openCount, MAX_OPEN_SCANS);
  const seen = [...firstKeys];
  let cursor = firstCursor;
  while (cursor !== 0n) {
    const [next, keys] = cursors.step(map, cursor, 100, all);
    seen.push(...keys);
    cursor = next;
  }
  assertEquals(seen.length, 3000);
  assertEquals(new Set(seen).size, 3000);
});

Deno.test("a cursor used twice continues both times", () => {
  const map = filled(500);
  const cursors = new ScanCursors();
  const [cursor, firstKeys] = cursors.step(map, 0n, 100, all);
  const finish = (from: bigint) => {
    const seen = [...firstKeys];
    let at = from;
    while (at !== 0n) {
      const [next, keys] = cursors.step(map, at, 100, all);
      seen.push(...keys);
      at = next;
    }
    return new Set(seen);
  };
  assertEquals(finish(cursor).size, 500);
  assertEquals(finish(cursor).size, 500); // second time without the kept iterator
});

Deno.test("a made-up cursor never fails and leads to the end", () => {
  const map = filled(1000);
  for (const cursor of [1n, 65536n, 2n ** 40n + 3n, 2n ** 64n - 1n]) {
    let at = cursor;
    let steps = 0;
    do {
      at = new ScanCursors().step(map, at, 1000, all)[0];
      steps++;
    } while (at !== 0n && steps < 100);
    assertEquals(at, 0n);
  }
});

Deno.test("a scan interrupted by clearing the map ends cleanly", () => {
  const map = filled(1000);
  const cursors = new ScanCursors();
  const [cursor] = cursors.step(map, 0n, 10, all);
  map.clear();
  cursors.clear();
  const [next, keys] = cursors.step(map, cursor, 10, all);
  assertEquals(next, 0n);
  assertEquals(keys, []);
});
