import { assertEquals, assertOk } from "../../helpers/assert.ts";
import { Keyspace, type KeyspaceStats } from "../../../src/store/keyspace.ts";
import { type ChangeSink, Journal } from "../../../src/store/journal.ts";
import type { Value } from "../../../src/store/value.ts";
import { Expired } from "../../../src/store/expiry_policy.ts";
import { Databases } from "../../../src/store/databases.ts";
import { Persistence, Schema } from "../../../src/store/partition.ts";

/** A change sink that keeps every call, to check that changes are reported as results. */
class RecordingJournal implements ChangeSink {
  readonly calls: unknown[][] = [];
  set(db: number, key: string, value: Value, expireAtMs: number): void {
    this.calls.push(["set", db, key, value, expireAtMs]);
  }
  delete(db: number, key: string): void {
    this.calls.push(["delete", db, key]);
  }
  expire(db: number, key: string, expireAtMs: number): void {
    this.calls.push(["expire", db, key, expireAtMs]);
  }
  flush(db: number): void {
    this.calls.push(["flush", db]);
  }
  swap(a: number, b: number): void {
    this.calls.push(["swap", a, b]);
  }
  op(db: number, key: string, code: number, args: readonly string[]): void {
    this.calls.push(["op", db, key, code, ...args]);
  }
  commandEnd(): void {
    this.calls.push(["end"]);
  }
}

const NOW = 1_700_000_000_000;

function fresh(): { db: Keyspace; journal: RecordingJournal; stats: KeyspaceStats } {
  const journal = new RecordingJournal();
  const stream = new Journal();
  stream.durable = journal;
  const stats = { expiredKeys: 0 };
  return { db: new Keyspace(3, stream, stats), journal, stats };
}

/** A keyspace of a replica: its primary decides expiry (expiry_policy.ts). */
function replica(): ReturnType<typeof fresh> {
  const made = fresh();
  made.db.expiry.followsPrimary = true;
  return made;
}

Deno.test("Keyspace set, get, update and delete a key", () => {
  const { db } = fresh();
  assertEquals(db.get("k", NOW), undefined);
  db.set("k", "v1");
  assertEquals(db.get("k", NOW), "v1");
  assertEquals(db.has("k", NOW), true);
  db.update("k", "v2");
  assertEquals(db.get("k", NOW), "v2");
  assertEquals(db.size, 1);
  assertEquals(db.delete("k"), true);
  assertEquals(db.delete("k"), false);
  assertEquals(db.get("k", NOW), undefined);
  assertEquals(db.size, 0);
});

Deno.test("prefetch changes nothing: keys set after it land where their own lookups find them", () => {
  const { db } = fresh();
  for (let i = 0; i < 5000; i++) db.set(`k${i}`, `v${i}`);
  const argv = ["MSET"];
  for (let i = 0; i < 200; i++) argv.push(`k${i * 23}`, `w${i}`, `new${i}`, `n${i}`);
  db.prefetch(argv, 1, 2);
  // In order for the keys warmed ahead, then out of order, with other lookups between.
  for (let i = 1; i < argv.length; i += 2) db.set(argv[i], argv[i + 1]);
  db.prefetch(argv, 1, 2);
  assertEquals(db.get("k5", NOW), "v5");
  for (let i = argv.length - 2; i >= 1; i -= 2) assertEquals(db.get(argv[i], NOW), argv[i + 1]);
  assertEquals(db.size, 5200);
  assertEquals(db.get(`k${23 * 3}`, NOW), "w3");
});

Deno.test("Keyspace keeps binary keys and values byte for byte", () => {
  const { db } = fresh();
  const key = "\x00\xff\r\n";
  const value = "\x80\x00\xfe";
  db.set(key, value);
  assertEquals(db.get(key, NOW), value);
  assertEquals(db.liveKeys(NOW), [key]);
});

Deno.test("set without a deadline clears the old one; update keeps it", () => {
  const { db } = fresh();
  db.set("k", "v", NOW + 1000);
  assertEquals(db.deadline("k"), NOW + 1000);
  assertEquals(db.volatileCount, 1);
  db.update("k", "v2");
  assertEquals(db.deadline("k"), NOW + 1000);
  db.set("k", "v3");
  assertEquals(db.deadline("k"), 0);
  assertEquals(db.volatileCount, 0);
  db.setDeadline("k", NOW + 5);
  assertEquals(db.deadline("k"), NOW + 5);
  db.setDeadline("k", 0);
  assertEquals(db.deadline("k"), 0);
  assertEquals(db.deadline("missing"), 0);
});

Deno.test("a key expires only after its deadline has passed", () => {
  const { db, stats } = fresh();
  db.set("k", "v", NOW + 100);
  assertEquals(db.get("k", NOW + 100), "v"); // at the deadline it still lives, as in Redis
  assertEquals(db.size, 1);
  assertEquals(db.get("k", NOW + 101), undefined);
  assertEquals(db.size, 0);
  assertEquals(db.volatileCount, 0);
  assertEquals(stats.expiredKeys, 1);
  // Once removed it stays removed even for an earlier `now`.
  assertEquals(db.get("k", NOW), undefined);
});

Deno.test("size counts expired keys until something removes them", () => {
  const { db } = fresh();
  db.set("a", "1", NOW + 10);
  db.set("b", "2");
  assertEquals(db.size, 2);
  assertEquals(db.has("a", NOW + 11), false);
  assertEquals(db.size, 1);
});

Deno.test("the journal receives each change as a result with an absolute deadline", () => {
  const { db, journal } = fresh();
  db.set("k", "v", NOW + 500);
  db.update("k", "w");
  db.setDeadline("k", NOW + 900);
  db.setDeadline("k", 0);
  db.delete("k");
  db.delete("k"); // nothing happened, nothing reported
  db.flush();
  assertEquals(journal.calls, [
    ["set", 3, "k", "v", NOW + 500],
    ["set", 3, "k", "w", NOW + 500],
    ["expire", 3, "k", NOW + 900],
    ["expire", 3, "k", 0],
    ["delete", 3, "k"],
    ["flush", 3],
  ]);
});

Deno.test("lazy expiry is journaled as a deletion, once, so the log and replicas drop the key", () => {
  const { db, journal, stats } = fresh();
  db.set("k", "v", NOW + 1);
  journal.calls.length = 0;
  assertEquals(db.get("k", NOW + 2), undefined);
  assertEquals(db.liveKeys(NOW + 2), []);
  assertEquals(journal.calls, [["delete", 3, "k"]]);
  assertEquals(stats.expiredKeys, 1);
});

Deno.test("flush removes every key and deadline", () => {
  const { db } = fresh();
  for (let i = 0; i < 100; i++) db.set(`k${i}`, "v", i % 2 ? NOW + 1000 : 0);
  db.flush();
  assertEquals(db.size, 0);
  assertEquals(db.volatileCount, 0);
  assertEquals(db.liveKeys(NOW), []);
  assertEquals(db.randomKey(NOW), undefined);
});

Deno.test("liveKeys lists live keys only and leaves expired ones in place, as Redis 7.0's KEYS", () => {
  const { db, stats, journal } = fresh();
  db.set("live1", "v");
  db.set("live2", "v", NOW + 1000);
  db.set("dead1", "v", NOW - 1);
  db.set("dead2", "v", NOW - 1);
  assertEquals(db.liveKeys(NOW, (key) => key.endsWith("1")).sort(), ["live1"]);
  assertEquals(db.liveKeys(NOW).sort(), ["live1", "live2"]);
  assertEquals(stats.expiredKeys, 0);
  assertEquals(db.size, 4);
  assertEquals(journal.calls.filter((call) => call[0] === "delete"), []);
});

Deno.test("randomKey returns undefined for an empty database and the only key otherwise", () => {
  const { db } = fresh();
  assertEquals(db.randomKey(NOW), undefined);
  db.set("only", "v");
  assertEquals(db.randomKey(NOW), "only");
});

Deno.test("randomKey skips expired keys and removes the ones it draws", () => {
  const { db } = fresh();
  for (let i = 0; i < 1000; i++) db.set(`dead:${i}`, "v", NOW - 1);
  db.set("alive", "v");
  for (let i = 0; i < 20; i++) assertEquals(db.randomKey(NOW), "alive");
  assertOk(db.size < 1001, "drawn expired keys are removed");
});

Deno.test("randomKey returns undefined when every key has expired, emptying the database", () => {
  const { db } = fresh();
  for (let i = 0; i < 500; i++) db.set(`dead:${i}`, "v", NOW - 1);
  assertEquals(db.randomKey(NOW), undefined);
  assertEquals(db.size, 0);
});

Deno.test("randomKey reaches many different keys in a large database", () => {
  const { db } = fresh();
  for (let i = 0; i < 200_000; i++) db.set(`key:${i}`, "v");
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const key = db.randomKey(NOW) ?? "";
    assertOk(key.startsWith("key:"), key);
    seen.add(key);
  }
  assertOk(seen.size > 1500, `${seen.size} distinct keys`);
});

Deno.test("expireSample removes expired keys and resumes where it stopped", () => {
  const { db, stats } = fresh();
  for (let i = 0; i < 100; i++) db.set(`dead:${i}`, "v", NOW - 1);
  for (let i = 0; i < 100; i++) db.set(`later:${i}`, "v", NOW + 60_000);
  for (let i = 0; i < 100; i++) db.set(`plain:${i}`, "v");
  let removed = 0;
  let checkedTotal = 0;
  for (let round = 0; round < 10; round++) {
    const [checked, gone] = db.expireSample(NOW, 20);
    assertOk(checked <= 20);
    checkedTotal += checked;
    removed += gone;
  }
  // Ten samples of 20 cover all 200 keys with deadlines exactly once: no key is sampled twice
  // before the others have had their turn.
  assertEquals(checkedTotal, 200);
  assertEquals(removed, 100);
  assertEquals(stats.expiredKeys, 100);
  assertEquals(db.size, 200);
  assertEquals(db.volatileCount, 100);
  assertEquals(db.expireSample(NOW, 20)[1], 0);
});

Deno.test("expireSample on a database without deadlines checks nothing", () => {
  const { db } = fresh();
  db.set("k", "v");
  assertEquals(db.expireSample(NOW, 20), [0, 0]);
});

Deno.test("scan skips expired keys and removes them", () => {
  const { db } = fresh();
  db.set("live", "v");
  db.set("dead", "v", NOW - 1);
  const [cursor, keys] = db.scan(0n, 100, NOW, () => true);
  assertEquals(cursor, 0n);
  assertEquals(keys, ["live"]);
  assertEquals(db.size, 1);
});

Deno.test("on a replica a key past its deadline reads as missing everywhere but is not removed", () => {
  const { db, stats, journal } = replica();
  db.set("live", "v");
  db.set("later", "v", NOW + 1000);
  db.set("dead", "v", NOW - 1);
  journal.calls.length = 0;
  assertEquals(db.get("dead", NOW), undefined);
  assertEquals(db.has("dead", NOW), false);
  assertEquals(db.liveKeys(NOW).sort(), ["later", "live"]);
  const [cursor, scanned] = db.scan(0n, 100, NOW, () => true);
  assertEquals([cursor, scanned.sort()], [0n, ["later", "live"]]);
  for (let i = 0; i < 50; i++) assertOk(db.randomKey(NOW) !== "dead");
  assertEquals(db.expireSample(NOW, 20), [0, 0]);
  // Still there, counted as Redis's DBSIZE counts it, and no deletion reached the log.
  assertEquals(db.size, 3);
  assertEquals(db.deadline("dead"), NOW - 1);
  assertEquals(stats.expiredKeys, 0);
  assertEquals(journal.calls, []);
  // A deadline in the past is set, not acted on; a snapshot or a restart keeps the key.
  assertEquals(db.expiry.passed(NOW - 5, NOW), false);
  assertEquals(db.expiry.dropsAt(NOW - 5, NOW), false);
});

Deno.test("on a replica the primary's commands see expired keys, and a writable replica's writes remove them", () => {
  const { db, stats, journal } = replica();
  db.set("dead", "v", NOW - 1);
  journal.calls.length = 0;
  db.expiry.action = Expired.keep; // a command from the primary (Redis's master client)
  assertEquals(db.get("dead", NOW), "v");
  assertEquals(db.liveKeys(NOW), []); // KEYS never shows an expired key (keyIsExpired)
  db.expiry.action = Expired.remove; // a write on a writable replica
  assertEquals(db.get("dead", NOW), undefined);
  assertEquals(db.size, 0);
  assertEquals(stats.expiredKeys, 1);
  assertEquals(journal.calls, [["delete", 3, "dead"]]);
  // Promoted: the keyspace decides again.
  db.expiry.followsPrimary = false;
  assertEquals(db.expiry.action, Expired.remove);
  assertEquals(db.expiry.passed(NOW - 5, NOW), true);
});

Deno.test("on a replica randomKey gives up after 100 expired draws when every key has a deadline", () => {
  const { db } = replica();
  for (let i = 0; i < 500; i++) db.set(`dead:${i}`, "v", NOW - 1);
  const key = db.randomKey(NOW);
  assertOk(key?.startsWith("dead:"), String(key));
  assertEquals(db.size, 500);
  db.set("plain", "v");
  for (let i = 0; i < 5; i++) assertEquals(db.randomKey(NOW), "plain");
});

Deno.test("on a replica partitions, which are not replicated, still expire their own keys", () => {
  const store = new Databases();
  store.expiry.followsPrimary = true;
  const partition = store.createPartition({
    name: "local",
    schema: Schema.any,
    persistence: Persistence.wal,
    createdAtMs: NOW,
  });
  partition.keyspace.set("dead", "v", NOW - 1);
  store.dbs[0].set("dead", "v", NOW - 1);
  assertEquals(partition.keyspace.get("dead", NOW), undefined);
  assertEquals(partition.keyspace.size, 0);
  assertEquals(store.dbs[0].get("dead", NOW), undefined);
  assertEquals(store.dbs[0].size, 1);
  assertEquals(store.dbs[15].expiry, store.dbs[0].expiry);
});
