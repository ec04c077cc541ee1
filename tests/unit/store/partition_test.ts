import { assertEquals, assertOk, assertThrows } from "../../helpers/assert.ts";
import { Databases } from "../../../src/store/databases.ts";
import { Journal } from "../../../src/store/journal.ts";
import {
  isInt64Text,
  isPartitionName,
  type Partition,
  Persistence,
  Schema,
  SchemaError,
} from "../../../src/store/partition.ts";
import { UndoLog } from "../../../src/store/undo_log.ts";
import { WalJournal } from "../../../src/wal/wal_journal.ts";
import { activeExpireCycle } from "../../../src/store/active_expiry.ts";

function fresh() {
  const wal = new WalJournal();
  wal.muted = false;
  const journal = new Journal();
  journal.durable = wal;
  return { store: new Databases(journal), journal, wal };
}

function create(
  store: Databases,
  name: string,
  schema: Schema = Schema.any,
  persistence: Persistence = Persistence.wal,
): Partition {
  return store.createPartition({ name, schema, persistence, createdAtMs: 1_000 });
}

/** The byte counts a walk over the keys would give, to compare with the kept ones. */
function walked(partition: Partition): [number, number] {
  let keys = 0;
  let values = 0;
  for (const shard of partition.keyspace.data.shards) {
    for (const [key, value] of shard) {
      keys += key.length;
      values += typeof value === "string" ? value.length : 0;
    }
  }
  return [keys, values];
}

Deno.test("partition names take letters, digits, '_', '-' and ':' up to 64 bytes, never a number", () => {
  for (const name of ["users", "a", "users:v2", "Cache_1", "-x", "x-", "9a", "a".repeat(64)]) {
    assertOk(isPartitionName(name), name);
  }
  for (const name of ["", "123", "-5", "0", "a b", "a.b", "é", "a\n", "a".repeat(65), "-"]) {
    assertEquals(isPartitionName(name), false, JSON.stringify(name));
  }
});

Deno.test("INT values are exactly the int64 texts INCR accepts", () => {
  for (const text of ["0", "-1", "42", "9223372036854775807", "-9223372036854775808"]) {
    assertOk(isInt64Text(text), text);
  }
  for (
    const text of [
      "",
      "-",
      "-0",
      "007",
      "+1",
      " 1",
      "1.0",
      "1e3",
      "9223372036854775808",
      "-9223372036854775809",
      "12345678901234567890",
    ]
  ) {
    assertEquals(isInt64Text(text), false, text);
  }
});

Deno.test("partitions get ids from 16 up in order, never reused after a drop, and names for channels", () => {
  const { store } = fresh();
  const a = create(store, "a");
  const b = create(store, "b");
  assertEquals([a.id, b.id], [16, 17]);
  assertEquals(store.keyspace(16), a.keyspace);
  assertEquals(a.keyspace.index, 16);
  assertEquals([store.dbName(3), store.dbName(16), store.dbName(17)], ["3", "a", "b"]);
  store.dropPartition(a.id);
  assertEquals(store.keyspace(16), undefined);
  assertEquals(create(store, "a").id, 18);
  assertEquals(store.partitionsByName().map((p) => p.name), ["a", "b"]);
  assertEquals(store.keyspaces().length, 18);
  assertThrows(() => create(store, "b"), RangeError);
});

Deno.test("a partition keeps its key and value bytes through sets, deletes, expiry, flush and undo", () => {
  const { store, journal } = fresh();
  const p = create(store, "p");
  const db = p.keyspace;
  db.set("alpha", "12345");
  db.set("beta", "xy", 500);
  db.set("alpha", "1");
  assertEquals([p.stats.keyBytes, p.stats.valueBytes], walked(p));
  assertEquals([p.stats.keyBytes, p.stats.valueBytes], [9, 3]);
  db.delete("missing");
  db.delete("alpha");
  assertEquals([p.stats.keyBytes, p.stats.valueBytes], [4, 2]);
  assertEquals(db.get("beta", 1_000), undefined); // expired on access
  assertEquals([p.stats.keyBytes, p.stats.valueBytes, p.stats.expired], [0, 0, 1]);

  // Undo puts back the counts with the data.
  db.set("k1", "aaa");
  journal.undo = new UndoLog();
  db.set("k1", "b");
  db.set("k2", "cc");
  db.delete("k1");
  db.flush();
  assertEquals([p.stats.keyBytes, p.stats.valueBytes], [0, 0]);
  journal.undo.rollback();
  journal.undo = null;
  assertEquals([p.stats.keyBytes, p.stats.valueBytes], walked(p));
  assertEquals([p.stats.keyBytes, p.stats.valueBytes], [2, 3]);
});

Deno.test("random changes keep the kept byte counts equal to a walk over the keys", () => {
  const { store, journal } = fresh();
  const p = create(store, "p");
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let cases = 0;
  for (let round = 0; round < 200; round++) {
    const undo = random() < 0.3 ? new UndoLog() : null;
    journal.undo = undo;
    for (let i = 0; i < 20; i++) {
      const key = `k${Math.floor(random() * 30)}`;
      const choice = random();
      if (choice < 0.5) p.keyspace.set(key, "v".repeat(Math.floor(random() * 10)));
      else if (choice < 0.8) p.keyspace.delete(key);
      else if (choice < 0.95) p.keyspace.set(key, "t", 2_000);
      else p.keyspace.flush();
      cases++;
    }
    p.keyspace.expireSample(3_000, 10);
    if (undo !== null && random() < 0.5) undo.rollback();
    journal.undo = null;
    assertEquals([p.stats.keyBytes, p.stats.valueBytes], walked(p), `round ${round}`);
  }
  assertEquals(cases, 4000);
});

Deno.test("a typed partition's keyspace refuses values its schema does not allow", () => {
  const { store } = fresh();
  const ints = create(store, "ints", Schema.int);
  const strings = create(store, "strings", Schema.string);
  ints.keyspace.set("n", "-12");
  assertThrows(() => ints.keyspace.set("n", "1.5"), SchemaError);
  assertEquals(ints.keyspace.get("n", 0), "-12");
  strings.keyspace.set("s", "anything");
  assertThrows(() => strings.keyspace.op("l", 1, ["x"]), SchemaError);
});

Deno.test("the log drops every change of a NONE partition but keeps its definition", () => {
  const { store, journal, wal } = fresh();
  const cache = create(store, "cache", Schema.any, Persistence.none);
  journal.commandEnd();
  const sealed = wal.sealedRecords;
  cache.keyspace.set("a", "1");
  cache.keyspace.setDeadline("a", 5_000);
  cache.keyspace.delete("a");
  cache.keyspace.flush();
  journal.commandEnd();
  assertEquals(wal.sealedRecords, sealed, "a NONE-only command seals no record");
  const logged = create(store, "logged");
  logged.keyspace.set("b", "2");
  journal.commandEnd();
  assertEquals(wal.sealedRecords, sealed + 1);
});

Deno.test("creating and dropping partitions in a loop leaves no structure behind", () => {
  const { store, journal, wal } = fresh();
  for (let i = 0; i < 5_000; i++) {
    const p = create(store, `p${i % 7}`, Schema.string, i % 2 ? Persistence.none : Persistence.wal);
    p.keyspace.set(`k${i}`, "v", i % 3 === 0 ? 10 : 0);
    journal.commandEnd();
    store.dropPartition(p.id);
    journal.commandEnd();
    wal.encoder.reset();
  }
  assertEquals(store.partitionCount, 0);
  assertEquals(store.keyspaces().length, 16);
  assertEquals(wal.unloggedPartitions, 0);
  assertEquals(store.totalKeys, 0);
  assertEquals(activeExpireCycle(store, () => 100), 0);
});

Deno.test("FLUSHALL empties the partitions too and keeps them", () => {
  const { store } = fresh();
  const p = create(store, "p");
  p.keyspace.set("k", "v");
  store.dbs[0].set("k", "v");
  assertEquals(store.totalKeys, 2);
  store.flushAll();
  assertEquals([store.totalKeys, store.partitionCount, p.stats.keyBytes], [0, 1, 0]);
});

Deno.test("active expiry reaches keys in partitions", () => {
  const { store } = fresh();
  const p = create(store, "p");
  for (let i = 0; i < 50; i++) p.keyspace.set(`k${i}`, "v", 100);
  assertEquals(activeExpireCycle(store, () => 200), 50);
  assertEquals([p.keyspace.size, p.stats.expired, p.stats.keyBytes], [0, 50, 0]);
});
