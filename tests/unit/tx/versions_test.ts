import { assertEquals } from "../../helpers/assert.ts";
import { MAX_TRACKED_KEYS, VersionTable } from "../../../src/tx/versions.ts";
import { MAX_KEYS_PER_DB, ReadSet } from "../../../src/tx/read_set.ts";

Deno.test("a key or database counts as changed only by changes after the sequence read", () => {
  const versions = new VersionTable();
  versions.set(0, "a", "1", 0);
  const seen = versions.seq;
  assertEquals(versions.keyChangedSince(0, "a", seen), false);
  assertEquals(versions.dbChangedSince(0, seen), null);
  versions.op(0, "b", 1, ["x"]);
  assertEquals(versions.keyChangedSince(0, "a", seen), false);
  assertEquals(versions.keyChangedSince(0, "b", seen), true);
  assertEquals(versions.dbChangedSince(0, seen), { seq: seen + 1, key: "b" });
  assertEquals(versions.dbChangedSince(1, seen), null);
  versions.swap(1, 2);
  assertEquals(versions.keyChangedSince(2, "anything", seen), true);
  assertEquals(versions.dbChangedSince(1, seen)?.key, null);
  const later = versions.seq;
  versions.flush(-1);
  assertEquals(versions.keyChangedSince(7, "z", later), true);
  assertEquals(versions.dbChangedSince(9, later)?.key, null);
});

Deno.test("versions older than the oldest open transaction are trimmed, and past the cap all go behind a floor", () => {
  const versions = new VersionTable();
  let oldest = 0;
  versions.oldestOpen = () => oldest;
  for (let i = 0; i < 5000; i++) versions.set(0, `k${i}`, "v", 0);
  const tracked = versions.tracked;
  oldest = versions.seq; // every transaction that could need them has ended
  versions.set(0, "late", "v", 0);
  for (let i = 0; i < tracked; i++) versions.set(0, `again${i}`, "v", 0);
  assertEquals(versions.tracked < tracked * 2, true);
  assertEquals(versions.keyChangedSince(0, "late", oldest), true);

  // An old transaction keeps every version alive until the cap: then a floor makes its reads
  // conflict rather than letting the table grow.
  oldest = 0;
  const before = versions.seq;
  for (let i = 0; i <= MAX_TRACKED_KEYS; i++) versions.set(1, `n${i}`, "v", 0);
  assertEquals(versions.tracked <= MAX_TRACKED_KEYS, true);
  assertEquals(versions.keyChangedSince(3, "never-written", before), true);
  versions.clear();
  assertEquals(versions.tracked, 0);
});

Deno.test("a read set folds a database's keys into one range read past its per-database limit", () => {
  const versions = new VersionTable();
  const reads = new ReadSet(versions);
  for (let i = 0; i <= MAX_KEYS_PER_DB; i++) reads.key(0, `k${i}`);
  reads.key(1, "other");
  assertEquals(reads.validate(), null);
  versions.set(1, "unrelated", "v", 0); // db 1's reads are still key by key
  assertEquals(reads.validate(), null);
  versions.set(0, "unrelated", "v", 0); // db 0's are now one range read
  assertEquals(reads.validate(), { kind: "range", db: 0, key: "unrelated" });
});
