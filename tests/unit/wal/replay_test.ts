import type { Value } from "../../../src/store/value.ts";
import { assertEquals, assertMatch, assertOk, assertRejects } from "../../helpers/assert.ts";
import { Databases } from "../../../src/store/databases.ts";
import { CorruptionError, replay } from "../../../src/wal/replay.ts";
import { DataDirError } from "../../../src/wal/data_dir.ts";
import type { RecordEncoder } from "../../../src/wal/codec.ts";
import { set, snapshotEnd, writeDataFile } from "./log_files.ts";
import { CaptureLogger } from "./capture_logger.ts";

const NOW = 1_800_000_000_000;

async function load(dir: string, repair = false) {
  const store = new Databases();
  const log = new CaptureLogger();
  const result = await replay({ dir, store, repair, log, now: () => NOW });
  return { store, log, result };
}

/** Every key of db `index` with its value and deadline, sorted. */
function contents(store: Databases, index = 0): [string, Value, number][] {
  const db = store.dbs[index];
  const rows: [string, Value, number][] = [];
  for (const shard of db.data.shards) {
    for (const [key, value] of shard) rows.push([key, value, db.deadline(key)]);
  }
  return rows.sort((a, b) => a[0] < b[0] ? -1 : 1);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hermes-replay-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("replay applies a snapshot and the logs after it in order", async () => {
  await withDir(async (dir) => {
    await writeDataFile(dir, "snapshot", 3, [set("a", "snap"), set("b", "snap"), snapshotEnd(2)]);
    await writeDataFile(dir, "log", 3, [set("a", "log3"), (e) => e.delete(0, "b")]);
    await writeDataFile(dir, "log", 4, [set("c", "log4", 0, 2)]);
    // Leftovers of an earlier compaction must not be applied.
    await writeDataFile(dir, "log", 2, [set("a", "stale"), set("z", "stale")]);
    await writeDataFile(dir, "snapshot", 2, [set("y", "stale"), snapshotEnd(1)]);
    await Deno.writeFile(`${dir}/hermes-00000004.snapshot.tmp`, new Uint8Array(10));
    const { store, result } = await load(dir);
    assertEquals(contents(store), [["a", "log3", 0]]);
    assertEquals(contents(store, 2), [["c", "log4", 0]]);
    assertEquals(result.records, 6);
    assertEquals(result.keys, 2);
    assertEquals(result.logs.map((l) => l.file.name), [
      "hermes-00000003.log",
      "hermes-00000004.log",
    ]);
    assertEquals(result.obsolete.map((p) => p.slice(dir.length + 1)).sort(), [
      "hermes-00000002.log",
      "hermes-00000002.snapshot",
      "hermes-00000004.snapshot.tmp",
    ]);
  });
});

Deno.test("a deadline that passed mid-log does not drop a key a later record persisted", async () => {
  await withDir(async (dir) => {
    await writeDataFile(dir, "log", 1, [
      set("persisted", "v", NOW - 5000),
      (e) => e.expire(0, "persisted", 0),
      set("expired", "v", NOW - 1),
      set("later", "v", NOW + 2000),
      set("exactly-now", "v", NOW),
    ]);
    const { store, result } = await load(dir);
    assertEquals(contents(store), [
      ["exactly-now", "v", NOW],
      ["later", "v", NOW + 2000],
      ["persisted", "v", 0],
    ]);
    assertEquals(result.expired, 1);
  });
});

Deno.test("SWAPDB, FLUSHDB and FLUSHALL records replay as they happened", async () => {
  await withDir(async (dir) => {
    await writeDataFile(dir, "log", 1, [
      set("in0", "x", 0, 0),
      set("in1", "y", 0, 1),
      (e) => e.swapDb(0, 1),
      set("gone", "z", 0, 5),
      (e) => e.flushDb(5),
      set("kept", "k", 0, 6),
      (e) => e.flushAll(),
      set("after", "a", 0, 6),
    ]);
    assertEquals(contents((await load(dir)).store, 6), [["after", "a", 0]]);
    await writeDataFile(dir, "log", 1, [
      set("in0", "x", 0, 0),
      set("in1", "y", 0, 1),
      (e) => e.swapDb(0, 1),
      set("gone", "z", 0, 5),
      (e) => e.flushDb(5),
    ]);
    const { store } = await load(dir);
    assertEquals([contents(store, 0), contents(store, 1), contents(store, 5)], [
      [["in1", "y", 0]],
      [["in0", "x", 0]],
      [],
    ]);
  });
});

const MULTI = (e: RecordEncoder) => {
  e.set(0, "m1", "1", 0);
  e.set(0, "m2", "2", 0);
  e.delete(0, "a");
};

Deno.test("the newest log cut at every byte of its last record loads the records before it", async () => {
  await withDir(async (dir) => {
    const { path, offsets, size } = await writeDataFile(dir, "log", 1, [set("a", "1"), MULTI]);
    const original = await Deno.readFile(path);
    let checked = 0;
    for (let cut = offsets[1] + 1; cut < size; cut++) {
      await Deno.writeFile(path, original.subarray(0, cut));
      const { store, log, result } = await load(dir);
      // The multi-key record is all or nothing.
      assertEquals(contents(store), [["a", "1", 0]], `cut at ${cut}`);
      assertEquals((await Deno.stat(path)).size, offsets[1], `cut at ${cut}`);
      assertEquals(result.logs[0].bytes, offsets[1]);
      assertEquals(log.warnings().length, 1);
      assertMatch(
        log.warnings()[0],
        new RegExp(
          `torn tail of .*hermes-00000001\\.log at offset ${offsets[1]}: dropping ${
            cut - offsets[1]
          } bytes`,
        ),
      );
      checked++;
    }
    assertEquals(checked, size - offsets[1] - 1);
    await Deno.writeFile(path, original);
    assertEquals(contents((await load(dir)).store), [["m1", "1", 0], ["m2", "2", 0]]);
  });
});

Deno.test("a bad record followed by good ones refuses to start, naming the file and offset", async () => {
  await withDir(async (dir) => {
    const { path, offsets } = await writeDataFile(dir, "log", 1, [
      set("a", "1"),
      set("b", "2"),
      set("c", "3"),
    ]);
    const bytes = await Deno.readFile(path);
    bytes[offsets[1] + 12] ^= 0x40;
    await Deno.writeFile(path, bytes);
    await assertRejects(() => load(dir), (e: Error) => {
      assertOk(e instanceof CorruptionError);
      assertMatch(
        e.message,
        new RegExp(
          `hermes-00000001\\.log is damaged at offset ${offsets[1]} \\(checksum mismatch\\), ` +
            `followed by valid data at offset ${offsets[2]}.*--repair`,
        ),
      );
      return true;
    });
    // Nothing was changed by the refusal.
    assertEquals(await Deno.readFile(path), bytes);
  });
});

Deno.test("--repair keeps the records before the damage, backs up the original and sets later logs aside", async () => {
  await withDir(async (dir) => {
    const first = await writeDataFile(dir, "log", 1, [set("a", "1"), set("b", "2"), set("c", "3")]);
    await writeDataFile(dir, "log", 2, [set("d", "4")]);
    const bytes = await Deno.readFile(first.path);
    bytes[first.offsets[1] + 10] ^= 0x01;
    await Deno.writeFile(first.path, bytes);
    const { store, log } = await load(dir, true);
    assertEquals(contents(store), [["a", "1", 0]]);
    assertEquals((await Deno.stat(first.path)).size, first.offsets[1]);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names.length, 3);
    assertEquals(names[0], "hermes-00000001.log");
    assertMatch(names[1], /^hermes-00000001\.log\.broken-/);
    assertMatch(names[2], /^hermes-00000002\.log\.broken-/);
    assertEquals(await Deno.readFile(`${dir}/${names[1]}`), bytes);
    assertOk(log.warnings().some((w) => w.includes("set") && w.includes("hermes-00000002.log")));
    // The repaired data set now loads cleanly.
    assertEquals(contents((await load(dir)).store), [["a", "1", 0]]);
  });
});

Deno.test("a damaged log that is not the newest is corruption even with nothing valid after it", async () => {
  await withDir(async (dir) => {
    const first = await writeDataFile(dir, "log", 1, [set("a", "1"), set("b", "2")]);
    await writeDataFile(dir, "log", 2, [set("c", "3")]);
    const bytes = await Deno.readFile(first.path);
    await Deno.writeFile(first.path, bytes.subarray(0, bytes.length - 3));
    await assertRejects(() => load(dir), /hermes-00000001\.log is damaged .*newer files follow it/);
  });
});

Deno.test("a torn tail followed only by an empty newer log (a compaction about to switch) is cut off", async () => {
  await withDir(async (dir) => {
    const first = await writeDataFile(dir, "log", 1, [set("a", "1"), set("b", "2")]);
    await writeDataFile(dir, "log", 2, []);
    const bytes = await Deno.readFile(first.path);
    await Deno.writeFile(first.path, bytes.subarray(0, bytes.length - 3));
    const { store, log, result } = await load(dir);
    assertEquals(contents(store), [["a", "1", 0]]);
    assertEquals((await Deno.stat(first.path)).size, first.offsets[1]);
    assertEquals(result.logs.map((l) => l.file.generation), [1, 2]);
    assertMatch(log.warnings()[0], /torn tail of .*hermes-00000001\.log/);
  });
});

Deno.test("a snapshot without its end record refuses to start", async () => {
  await withDir(async (dir) => {
    await writeDataFile(dir, "snapshot", 2, [set("a", "1")]);
    await writeDataFile(dir, "log", 2, []);
    await assertRejects(() => load(dir), /snapshot has no end record/);
  });
});

Deno.test("a gap in the log sequence refuses to start", async () => {
  await withDir(async (dir) => {
    await writeDataFile(dir, "log", 1, [set("a", "1")]);
    await writeDataFile(dir, "log", 3, [set("b", "2")]);
    await assertRejects(() => load(dir), DataDirError);
    await assertRejects(() => load(dir), /hermes-00000002\.log is missing/);
  });
});

Deno.test("a record naming a database or partition the server lacks refuses to start", async () => {
  await withDir(async (dir) => {
    await writeDataFile(dir, "log", 1, [set("a", "1", 0, 40)]);
    await assertRejects(() => load(dir), /uses partition 40, which no earlier record defines/);
  });
});

Deno.test("partition records replay in order; a key of an undefined partition refuses to start", async () => {
  const define = (id: number, name: string, persistence = 1) => (e: RecordEncoder) =>
    e.createPartition({ id, name, schema: 3, persistence, createdAtMs: 5 });
  await withDir(async (dir) => {
    await writeDataFile(dir, "snapshot", 1, [
      define(16, "a"),
      define(17, "b"),
      set("x", "in-a", 0, 16),
      snapshotEnd(1),
    ]);
    await writeDataFile(dir, "log", 1, [
      (e) => e.dropPartition(17),
      define(20, "b"),
      set("y", "in-new-b", 0, 20),
    ]);
    const { store } = await load(dir);
    assertEquals(store.partitionsByName().map((p) => [p.name, p.id, p.keyspace.size]), [
      ["a", 16, 1],
      ["b", 20, 1],
    ]);
    assertEquals(
      store.createPartition({ name: "c", schema: 3, persistence: 1, createdAtMs: 6 }).id,
      21,
    );
  });
  await withDir(async (dir) => {
    await writeDataFile(dir, "log", 1, [define(16, "a"), set("x", "1", 0, 17)]);
    await assertRejects(() => load(dir), /uses partition 17, which no earlier record defines/);
  });
  await withDir(async (dir) => {
    await writeDataFile(dir, "log", 1, [define(16, "a"), define(17, "a"), set("x", "1")]);
    await assertRejects(() => load(dir), /partition 17 "a" is defined twice/);
  });
});

Deno.test("a replication position is the data set's last word only when nothing follows it and nothing expired", async () => {
  const position = (e: RecordEncoder) => e.replPosition("f".repeat(40), 1234, 0);
  const cases: [string, ((e: RecordEncoder) => void)[], boolean][] = [
    ["ends with it", [set("a", "1"), position], true],
    ["a change after it", [set("a", "1"), position, set("b", "2")], false],
    ["none", [set("a", "1")], false],
    ["a key expired while down", [set("old", "v", NOW - 1), position], false],
  ];
  for (const [name, records, last] of cases) {
    await withDir(async (dir) => {
      await writeDataFile(dir, "log", 1, records);
      const { result } = await load(dir);
      assertEquals(result.positionIsLast, last, name);
      if (last) assertEquals(result.position, { replid: "f".repeat(40), offset: 1234, db: 0 });
    });
  }
});
