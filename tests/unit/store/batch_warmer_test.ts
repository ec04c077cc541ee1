import { assertEquals } from "../../helpers/assert.ts";
import { BatchWarmer } from "../../../src/store/batch_warmer.ts";
import { AHEAD_MAX, AHEAD_MAX_LENGTH, hashKey } from "../../../src/store/key_hash.ts";
import { Keyspace } from "../../../src/store/keyspace.ts";
import { Journal } from "../../../src/store/journal.ts";
import { HashValue } from "../../../src/store/types/hash.ts";

const NOW = 1_700_000_000_000;

/** A copy of `text` that is a different string object (as each request's key is). */
function copy(text: string): string {
  return String.fromCharCode(...[...text].map((c) => c.charCodeAt(0)));
}

function keyspaceWithABigAndASmallHash(): { db: Keyspace; big: HashValue; small: HashValue } {
  const db = new Keyspace(0, new Journal(), { expiredKeys: 0 });
  for (let i = 0; i < 3000; i++) db.set(`k${i}`, `v${i}`);
  const big = new HashValue();
  for (let i = 0; i < 2000; i++) big.set(`f${i}`, `${i}`);
  const small = new HashValue();
  small.set("a", "1");
  db.set("big", big);
  db.set("small", small);
  return { db, big, small };
}

Deno.test("memberTable: a big hash has one table to warm, a compact one none", () => {
  const { big, small } = keyspaceWithABigAndASmallHash();
  assertEquals(big.encoding(), "hashtable");
  assertEquals(big.memberTable()?.size, 2000);
  assertEquals(small.memberTable(), null);
  // A table entry of the big hash leads to its field's value (its length is read).
  const table = big.memberTable()!;
  assertEquals(big.touchValueOfEntry(table.get("f42")), 2);
  assertEquals(big.touchValueOfEntry(undefined), 0);
  assertEquals(small.touchValueOfEntry(0), 0);
});

for (const keyValues of [true, false]) {
  Deno.test(`BatchWarmer only reads${keyValues ? "" : " (the keys' values left cold)"}: every lookup after it answers as before, hashes included`, () => {
    const { db, big } = keyspaceWithABigAndASmallHash();
    const warmer = new BatchWarmer();
    const long = "L".repeat(AHEAD_MAX_LENGTH + 1);
    // Keys present and absent, members of a big hash, of a compact one, of a string, of nothing.
    const items: [string, string | null][] = [
      ["k1", null],
      ["big", "f7"],
      ["nokey", "f7"],
      ["small", "a"],
      ["k2", "not-a-collection"],
      ["big", "missing-field"],
      [long, null],
      ["big", long],
      ["k2999", null],
    ];
    const names = items.flatMap(([key, member]) => member === null ? [key] : [key, member]);
    const truth = new Map(names.map((name) => [name, hashKey(copy(name))]));
    for (const [key, member] of items) warmer.add(copy(key), member === null ? null : copy(member));
    warmer.run(db, keyValues);
    // Some in the order they were noted, some out of it, each a fresh string: the same hashes.
    for (const name of [...names.slice(0, 4), ...names.slice(4).reverse()]) {
      assertEquals(hashKey(copy(name)), truth.get(name), name);
    }
    assertEquals(db.size, 3002);
    assertEquals(db.get("k1", NOW), "v1");
    assertEquals(db.get("nokey", NOW), undefined);
    assertEquals(big.get("f7"), "7");
    assertEquals(big.get("missing-field"), undefined);
    assertEquals(db.get("k2999", NOW), "v2999");
  });
}

Deno.test("BatchWarmer notes AHEAD_MAX names at most and starts empty after each run", () => {
  const { db } = keyspaceWithABigAndASmallHash();
  const warmer = new BatchWarmer();
  let noted = 0;
  while (!warmer.full) {
    warmer.add(`k${noted}`, `m${noted}`);
    noted += 2;
  }
  assertEquals(noted <= AHEAD_MAX, true);
  warmer.add("one-too-many", null); // ignored, not an error
  warmer.run(db);
  assertEquals(warmer.full, false);
  warmer.run(db); // nothing noted: nothing to do
  for (let i = 0; i < 100; i++) assertEquals(db.get(`k${i}`, NOW), `v${i}`);
});

Deno.test("BatchWarmer notes a key named again in a row once, and warms each of its members", () => {
  const { db, big } = keyspaceWithABigAndASmallHash();
  const warmer = new BatchWarmer();
  // HSET big f0 ..., HSET big f1 ...: one key item, then a member item per command.
  let members = 0;
  while (!warmer.full) warmer.add(copy("big"), copy(`f${members++}`));
  assertEquals(members, AHEAD_MAX - 2);
  const truth = Array.from({ length: members }, (_, i) => hashKey(`f${i}`));
  warmer.run(db);
  for (let i = 0; i < members; i++) {
    assertEquals(hashKey(copy("big")), hashKey("big"));
    assertEquals(hashKey(copy(`f${i}`)), truth[i]);
    assertEquals(big.get(copy(`f${i}`)), `${i}`);
  }
});
