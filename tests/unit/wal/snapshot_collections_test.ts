import { assertEquals, assertOk } from "../../helpers/assert.ts";
import { dumpStore } from "../../helpers/store_dump.ts";
import { Databases } from "../../../src/store/databases.ts";
import { Journal } from "../../../src/store/journal.ts";
import { WalJournal } from "../../../src/wal/wal_journal.ts";
import { SnapshotFreeze, writeSnapshot } from "../../../src/wal/snapshot_writer.ts";
import { decodeChanges, encodeFileHeader, FileKind, RecordType } from "../../../src/wal/codec.ts";
import { scanFile } from "../../../src/wal/log_reader.ts";
import { storeApplier } from "../../../src/wal/replay.ts";
import { HashOp } from "../../../src/store/types/hash.ts";
import { ListOp } from "../../../src/store/types/list.ts";
import { SetOp } from "../../../src/store/types/set.ts";
import { ZSetOp } from "../../../src/store/types/zset.ts";

/** A store whose changes are encoded like the server's log. */
function loggedStore() {
  const log = new WalJournal();
  log.muted = false;
  const journal = new Journal();
  journal.durable = log;
  return { store: new Databases(journal), journal, log };
}

/** Replays a snapshot file and then log bytes into a fresh store. */
async function restore(snapshotPath: string, logBytes: Uint8Array, dir: string) {
  const store = new Databases();
  const applier = storeApplier(store);
  const logPath = `${dir}/after.log`;
  const header = encodeFileHeader(FileKind.log, 2);
  const file = new Uint8Array(header.length + logBytes.length);
  file.set(header);
  file.set(logBytes, header.length);
  await Deno.writeFile(logPath, file);
  let sawEnd = false;
  for (const path of [snapshotPath, logPath]) {
    const scan = await scanFile(path, (type, bytes, start, end) => {
      if (type === RecordType.snapshotEnd) sawEnd = true;
      else decodeChanges(bytes, start, end, applier);
    });
    assertEquals(scan.problem, null);
  }
  assertOk(sawEnd, "the snapshot ends with SNAPSHOT_END");
  return store;
}

/** Every numbered database of `store` as a snapshot source, under its own number. */
const everyDatabase = (store: Databases) =>
  store.dbs.map((keyspace, index) => ({ keyspace, index }));

/** Snapshots every database in slices of `sliceBudgetMs`, calling `between` after each. */
function snapshotWithChanges(
  store: Databases,
  freeze: SnapshotFreeze,
  path: string,
  sliceBudgetMs: number,
  between: () => void,
) {
  return writeSnapshot({
    path,
    generation: 2,
    sources: everyDatabase(store),
    freeze,
    runInStore: (task) => {
      task();
      between();
      return Promise.resolve();
    },
    now: () => 1_000,
    cancelled: () => false,
    sliceBudgetMs,
  });
}

const element = (i: number) => `element:${i}:${"x".repeat(i % 23)}`;

Deno.test("a snapshot writes big collections over many slices and, with changes between slices, replays to the live state", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-snapshot-collections-" });
  try {
    const { store, journal, log } = loggedStore();
    const db = store.dbs[0];
    for (let i = 0; i < 60_000; i += 1000) {
      db.op("list", ListOp.rpush, Array.from({ length: 1000 }, (_, k) => element(i + k)));
      const pairs: string[] = [];
      for (let k = i; k < i + 1000; k++) pairs.push(`field:${k}`, element(k));
      db.op("hash", HashOp.hset, pairs);
      db.op("set", SetOp.sadd, Array.from({ length: 1000 }, (_, k) => element(i + k)));
      const scored: string[] = [];
      for (let k = i; k < i + 1000; k++) scored.push(String(k % 977), element(k));
      db.op("zset", ZSetOp.zadd, scored);
    }
    db.op("small", ListOp.rpush, ["a", "b"]);
    db.setDeadline("hash", 4_000_000_000_000);
    store.dbs[3].op("other", SetOp.sadd, ["1", "2", "3"]);
    store.dbs[0].set("text", "plain");
    journal.commandEnd();
    log.encoder.reset();

    // The switch: from here on, changes are the new log's.
    const freeze = new SnapshotFreeze(journal, everyDatabase(store));
    let slices = 0;
    const change = (round: number) => {
      // Pushes, pops and field changes on collections that may be half written.
      db.op("list", ListOp.lpush, [`new-head-${round}`]);
      db.op("list", ListOp.rpop, ["3"]);
      db.op("hash", HashOp.hset, [`field:${round * 7}`, `changed-${round}`, `added-${round}`, "v"]);
      db.op("hash", HashOp.hdel, [`field:${round * 11 + 1}`]);
      db.op("set", SetOp.srem, [element(round * 13)]);
      db.op("zset", ZSetOp.zadd, ["-1.5", element(round * 17), "inf", `new-${round}`]);
      db.op("zset", ZSetOp.zremrangebyrank, ["0", "2"]);
      db.op("small", ListOp.rpush, [`more-${round}`]);
      journal.commandEnd();
    };
    const path = `${dir}/snap.tmp`;
    const result = await snapshotWithChanges(store, freeze, path, 1, () => {
      slices++;
      if (slices % 3 === 0) change(slices);
    });
    assertOk(slices > 6, `the big collections took several slices (${slices})`);
    assertEquals(result.keys, 7);
    const logBytes = log.encoder.bytes.slice(0, log.encoder.length);
    const restored = await restore(path, logBytes, dir);
    assertEquals(dumpStore(restored), dumpStore(store));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RENAMEs and COPYs while a snapshot is written are logged as results and replay to the live state; after it, as themselves", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-snapshot-renames-" });
  try {
    const { store, journal, log } = loggedStore();
    const db = store.dbs[0];
    const KEYS = 3000;
    for (let i = 0; i < KEYS; i++) db.set(`key:${i}`, `value:${i}:${"y".repeat(i % 50)}`);
    for (let i = 0; i < 20; i++) {
      db.op(`hash:${i}`, HashOp.hset, Array.from({ length: 400 }, (_, k) => `f${k}`));
    }
    journal.commandEnd();
    log.encoder.reset();

    const freeze = new SnapshotFreeze(journal, everyDatabase(store));
    // Keys far apart in the walk's order swap names while it runs: a key renamed onto one the
    // walk has passed, from one it has not reached, is in the snapshot under neither name.
    let round = 0;
    const renameSome = () => {
      for (let n = 0; n < 40; n++, round++) {
        const from = `key:${(round * 7919) % KEYS}`;
        if (db.data.has(from)) db.rename(from, `renamed:${round}`);
        journal.commandEnd();
      }
      const hash = `hash:${round % 20}`;
      if (db.data.has(hash)) {
        // A copy of a key the walk may not have reached, onto one it may have passed.
        db.copyTo(hash, `hash:copied:${round}`, db);
        db.rename(hash, `hash:moved:${round}`);
      }
      journal.commandEnd();
    };
    const path = `${dir}/snap.tmp`;
    await snapshotWithChanges(store, freeze, path, 0.05, renameSome);
    assertOk(round > 200, `renames ran between slices (${round})`);
    db.set("fresh", "made after the snapshot");
    journal.commandEnd();
    const during = log.encoder.length;
    // The snapshot is done: a rename and a copy are one operation each again.
    db.rename("fresh", "after-the-snapshot");
    db.copyTo("after-the-snapshot", "copied-after", store.dbs[2]);
    journal.commandEnd();
    const ops: string[] = [];
    decodeChanges(log.encoder.bytes, during + 9, log.encoder.length, {
      set: () => ops.push("set"),
      delete: () => ops.push("delete"),
      expire: () => ops.push("expire"),
      flushDb: () => ops.push("flushDb"),
      flushAll: () => ops.push("flushAll"),
      swapDb: () => ops.push("swapDb"),
      op: () => ops.push("op"),
      rename: (_db, from, _toDb, to) => ops.push(`rename ${from} ${to}`),
      copy: (_db, from, _toDb, to) => ops.push(`copy ${from} ${to}`),
      createPartition: () => ops.push("createPartition"),
      dropPartition: () => ops.push("dropPartition"),
      nextPartitionId: () => ops.push("nextPartitionId"),
    });
    assertEquals(ops, ["rename fresh after-the-snapshot", "copy after-the-snapshot copied-after"]);
    const restored = await restore(path, log.encoder.bytes.slice(0, log.encoder.length), dir);
    assertEquals(dumpStore(restored), dumpStore(store));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
