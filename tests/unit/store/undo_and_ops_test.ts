import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { Keyspace } from "../../../src/store/keyspace.ts";
import { type ChangeSink, Journal } from "../../../src/store/journal.ts";
import { type Collection, snapshotEpoch, type Value } from "../../../src/store/value.ts";
import { type OpSpec, OpTable } from "../../../src/store/ops.ts";
import { UndoLog } from "../../../src/store/undo_log.ts";
import { Databases } from "../../../src/store/databases.ts";
import { Persistence, Schema } from "../../../src/store/partition.ts";

/** A toy list type, enough to exercise the op path without depending on a real type. */
class ToyList implements Collection {
  readonly type = "list" as const;
  epoch = snapshotEpoch.current;
  constructor(readonly items: string[] = []) {}
  get size(): number {
    return this.items.length;
  }
  clone(): ToyList {
    return new ToyList([...this.items]);
  }
  encoding(): string {
    return "toy";
  }
  memoryBytes(): number {
    return 32 + 24 * this.items.length;
  }
}

const PUSH: OpSpec = {
  code: 1,
  command: "rpush",
  type: "list",
  apply(current, args) {
    const list = (current as ToyList | undefined) ?? new ToyList();
    list.items.push(...args);
    return list;
  },
};
const POP: OpSpec = {
  code: 2,
  command: "lpop",
  type: "list",
  apply(current, args) {
    if (current === undefined) return undefined;
    (current as ToyList).items.splice(0, Number(args[0]));
    return current;
  },
  undo(current, args) {
    const taken = (current as ToyList).items.slice(0, Number(args[0]));
    return (after) => {
      (after as ToyList).items.unshift(...taken);
      return after;
    };
  },
};
const TABLE = new OpTable([PUSH, POP], []);

class Recorder implements ChangeSink {
  calls: unknown[][] = [];
  set(db: number, key: string, value: Value, at: number) {
    this.calls.push(["set", db, key, typeof value === "string" ? value : "<obj>", at]);
  }
  delete(db: number, key: string) {
    this.calls.push(["delete", db, key]);
  }
  expire(db: number, key: string, at: number) {
    this.calls.push(["expire", db, key, at]);
  }
  op(db: number, key: string, code: number, args: readonly string[]) {
    this.calls.push(["op", db, key, code, ...args]);
  }
  flush(db: number) {
    this.calls.push(["flush", db]);
  }
  swap(a: number, b: number) {
    this.calls.push(["swap", a, b]);
  }
  commandEnd() {
    this.calls.push(["end"]);
  }
}

function fresh() {
  const journal = new Journal();
  const sink = new Recorder();
  journal.durable = sink;
  const db = new Keyspace(0, journal, { expiredKeys: 0 }, TABLE);
  return { journal, sink, db };
}

function items(db: Keyspace, key: string): string[] | undefined {
  return (db.get(key, 0) as ToyList | undefined)?.items;
}

Deno.test("an op creates its collection, is journaled, and an emptied collection is deleted", () => {
  const { db, sink } = fresh();
  db.op("l", PUSH.code, ["a", "b"]);
  assertEquals(items(db, "l"), ["a", "b"]);
  db.setDeadline("l", 5000);
  db.op("l", POP.code, ["2"]);
  assertEquals(db.get("l", 0), undefined);
  assertEquals(db.deadline("l"), 0);
  assertEquals(db.op("l", POP.code, ["1"]), undefined);
  assertEquals(sink.calls, [
    ["op", 0, "l", 1, "a", "b"],
    ["expire", 0, "l", 5000],
    ["op", 0, "l", 2, "2"],
  ]);
});

Deno.test("an op on a value of another type is refused as a bug, changing nothing", () => {
  const { db } = fresh();
  db.set("s", "text");
  assertThrows(() => db.op("s", PUSH.code, ["x"]), TypeError);
  assertThrows(() => db.op("s", 99, ["x"]), TypeError);
  assertEquals(db.get("s", 0), "text");
});

Deno.test("rolling back the undo log restores values, deadlines, collections and flushes", () => {
  const { db, journal } = fresh();
  db.set("a", "1", 9000);
  db.set("b", "2");
  db.op("l", PUSH.code, ["x", "y", "z"]);
  db.setDeadline("l", 7000);
  const undo = new UndoLog();
  journal.undo = undo;
  db.set("a", "changed");
  db.delete("b");
  db.set("c", "new", 100);
  db.op("l", POP.code, ["3"]); // empties and deletes the list (undo via the op's own undo)
  db.op("m", PUSH.code, ["fresh"]);
  db.setDeadline("a", 1234);
  db.flush();
  db.set("d", "after flush");
  journal.undo = null;
  undo.rollback();
  assertEquals(db.get("a", 0), "1");
  assertEquals(db.deadline("a"), 9000);
  assertEquals(db.get("b", 0), "2");
  assertEquals(db.get("c", 0), undefined);
  assertEquals(db.get("d", 0), undefined);
  assertEquals(items(db, "l"), ["x", "y", "z"]);
  assertEquals(db.deadline("l"), 7000);
  assertEquals(db.get("m", 0), undefined);
  assertEquals(db.size, 3);
  assertEquals(db.volatileCount, 2);
});

Deno.test("an op without its own undo is undone from a clone of the collection", () => {
  const { db, journal } = fresh();
  db.op("l", PUSH.code, ["x"]);
  const undo = new UndoLog();
  journal.undo = undo;
  db.op("l", PUSH.code, ["y", "z"]);
  const mark = undo.length;
  db.op("l", PUSH.code, ["w"]);
  undo.rollback(mark);
  assertEquals(items(db, "l"), ["x", "y", "z"]);
  undo.rollback();
  assertEquals(items(db, "l"), ["x"]);
});

Deno.test("SWAPDB is undone by swapping back", () => {
  const journal = new Journal();
  const store = new Databases(journal);
  store.dbs[0].set("k", "zero");
  const undo = new UndoLog();
  journal.undo = undo;
  store.swap(0, 1);
  assertEquals(store.dbs[1].get("k", 0), "zero");
  undo.rollback();
  assertEquals(store.dbs[0].get("k", 0), "zero");
  assertEquals(store.dbs[0].index, 0);
  assertEquals(store.dbs[1].index, 1);
});

Deno.test("while captured, changes reach only the capture sink and commandEnd seals nothing", () => {
  const { db, journal, sink } = fresh();
  const captured = new Recorder();
  journal.capture = captured;
  db.set("k", "v");
  db.op("l", PUSH.code, ["a"]);
  journal.commandEnd();
  journal.capture = null;
  assertEquals(sink.calls, []);
  assertEquals(captured.calls, [["set", 0, "k", "v", 0], ["op", 0, "l", 1, "a"]]);
});

Deno.test("a held unit ignores commandEnd until released", () => {
  const { db, journal, sink } = fresh();
  journal.hold();
  db.set("a", "1");
  journal.commandEnd();
  db.set("b", "2");
  journal.release();
  journal.commandEnd();
  assertEquals(sink.calls.filter((c) => c[0] === "end").length, 1);
});

Deno.test("beforeMutate sees a collection from before the current snapshot epoch, once", () => {
  const { db, journal } = fresh();
  db.op("old", PUSH.code, ["a"]);
  const epoch = ++snapshotEpoch.current;
  db.op("new", PUSH.code, ["b"]);
  const seen: string[] = [];
  journal.beforeMutate = (_ks, key, value) => {
    seen.push(key);
    value.epoch = epoch;
  };
  db.op("old", PUSH.code, ["c"]);
  db.op("old", PUSH.code, ["d"]);
  db.op("new", PUSH.code, ["e"]);
  journal.beforeMutate = null;
  assertEquals(seen, ["old"]);
});

Deno.test("forgetting the oldest steps keeps the changes and later marks valid", () => {
  const { db, journal } = fresh();
  const undo = new UndoLog();
  journal.undo = undo;
  db.set("a", "1");
  db.set("b", "1");
  const second = undo.length;
  db.set("a", "2");
  db.set("c", "2");
  const third = undo.length;
  db.set("b", "3");
  undo.forget(second); // the first round was made durable
  assertThrows(() => undo.rollback(0), RangeError);
  undo.rollback(third);
  assertEquals([db.get("a", 0), db.get("b", 0), db.get("c", 0)], ["2", "1", "2"]);
  undo.rollback(second);
  assertEquals([db.get("a", 0), db.get("b", 0), db.get("c", 0)], ["1", "1", undefined]);
  undo.rollback(); // nothing left to undo: the forgotten round stays
  assertEquals(db.get("a", 0), "1");
  journal.undo = null;
});

/** A store with a NONE partition "cache", recording into a fresh undo log. */
function withMemoryOnlyPartition() {
  const journal = new Journal();
  const store = new Databases(journal);
  const cache = store.createPartition({
    name: "cache",
    schema: Schema.any,
    persistence: Persistence.none,
    createdAtMs: 0,
  });
  const undo = new UndoLog();
  journal.undo = undo;
  return { journal, store, cache, undo };
}

Deno.test("a log that does not cover memory-only partitions leaves their changes final", () => {
  const { journal, store, cache, undo } = withMemoryOnlyPartition();
  undo.coversUnlogged = false;
  cache.keyspace.set("final", "x");
  store.dbs[0].set("logged", "y");
  assertEquals(undo.touchedUnlogged(cache.id), false);
  undo.coversUnlogged = true; // a command whose reply waits for the log (MOVE from db 0)
  cache.keyspace.set("undone", "z");
  assertEquals(undo.touchedUnlogged(cache.id), true);
  undo.rollback();
  assertEquals(cache.keyspace.get("final", 0), "x");
  assertEquals(cache.keyspace.get("undone", 0), undefined);
  assertEquals(store.dbs[0].get("logged", 0), undefined);
  assertEquals(undo.touchedUnlogged(cache.id), false);
  journal.undo = null;
});

Deno.test("a rollback tells the log and every listener, and counts for snapshots", () => {
  const journal = new Journal();
  const seen: string[] = [];
  class Told extends Recorder {
    constructor(readonly label: string) {
      super();
    }
    rollback() {
      seen.push(this.label);
    }
  }
  journal.addSink(new Told("sink"));
  journal.durable = new Told("durable");
  const before = journal.rollbacks;
  journal.rolledBack();
  assertEquals(seen, ["durable", "sink"]);
  assertEquals(journal.rollbacks, before + 1);
});

Deno.test("a memory-only partition is held back only while its newest recorded step may still be undone", () => {
  const { journal, store, cache, undo } = withMemoryOnlyPartition();
  cache.keyspace.set("moved", "x"); // a command that waits for the log (covers by default)
  const nextRound = undo.length;
  store.dbs[0].set("later", "y"); // a later round, still pending
  assertEquals(undo.touchedUnlogged(cache.id), true);
  undo.forget(nextRound); // the first round was made durable
  assertEquals(undo.touchedUnlogged(cache.id), false);
  cache.keyspace.set("again", "z");
  assertEquals(undo.touchedUnlogged(cache.id), true);
  undo.rollback(nextRound);
  assertEquals(undo.touchedUnlogged(cache.id), false);
  journal.undo = null;
});
