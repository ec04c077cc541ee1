import { assertEquals, assertOk, assertRejects } from "../../helpers/assert.ts";
import type { Databases } from "../../../src/store/databases.ts";
import { StoreActor } from "../../../src/store/actor.ts";
import type { WalSettings, WriteAheadLog } from "../../../src/wal/write_ahead_log.ts";
import { DataDirError, dataFile } from "../../../src/wal/data_dir.ts";
import { LogFile } from "../../../src/wal/log_file.ts";
import type { CaptureLogger } from "./capture_logger.ts";
import { openWal } from "./open_wal.ts";

interface Harness {
  wal: WriteAheadLog;
  store: Databases;
  log: CaptureLogger;
  /** Runs `fn` as one command inside the actor and waits until its round is committed. */
  change(fn: (store: Databases) => void): Promise<void>;
  /** When set, runs as a command right before each task the log runs in the actor. */
  beforeTask: ((store: Databases) => void) | null;
}

async function open(dir: string, settings: Partial<WalSettings> = {}): Promise<Harness> {
  const { wal, store, journal, log } = await openWal(dir, settings);
  const actor = new StoreActor<null>(
    () => true,
    (_sessions, release) => wal.commitRound(undefined, () => release()),
  );
  const harness = { beforeTask: null } as Harness;
  wal.start((task) =>
    actor.run(() => {
      if (harness.beforeTask) {
        harness.beforeTask(store);
        journal.commandEnd();
      }
      task();
    })
  );
  // Commands reach the actor from socket reads, one event-loop turn apart; a loop of bare
  // microtasks would starve the compaction's file writes (and is not what a server sees).
  const change = async (fn: (store: Databases) => void) => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await actor.run(() => {
      fn(store);
      journal.commandEnd();
    });
  };
  return Object.assign(harness, { wal, store, log, change });
}

/** Every key of every database with its value and deadline, sorted. */
function dump(store: Databases): string[] {
  const rows: string[] = [];
  store.dbs.forEach((db, index) => {
    for (const shard of db.data.shards) {
      for (const [key, value] of shard) rows.push(`${index}|${key}|${value}|${db.deadline(key)}`);
    }
  });
  return rows.sort();
}

function info(wal: WriteAheadLog): Record<string, string | number> {
  return Object.fromEntries(wal.info());
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hermes-wal-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("committed rounds are replayed by the next open, each command as one record", async () => {
  await withDir(async (dir) => {
    const first = await open(dir);
    await first.change((s) => s.dbs[0].set("a", "1"));
    await first.change((s) => {
      s.dbs[0].set("b", "2", Date.now() + 60_000);
      s.dbs[3].set("c", "\x00\xff");
      s.dbs[0].delete("a");
    });
    const expected = dump(first.store);
    assertEquals(info(first.wal).aof_fsyncs, 2);
    await first.wal.close();
    const second = await open(dir);
    assertEquals(dump(second.store), expected);
    assertOk(second.log.lines.some((l) => l.includes("Loaded 2 records from 1 files: 2 keys")));
    await second.wal.close();
  });
});

Deno.test("a second log on the same directory in the same process is refused while the first holds the lock", async () => {
  await withDir(async (dir) => {
    const first = await open(dir);
    await assertRejects(
      () => open(dir),
      (e: Error) => e instanceof DataDirError && /this process already has it open/.test(e.message),
    );
    await first.wal.close();
    const again = await open(dir);
    await again.wal.close();
  });
});

Deno.test("compaction while changes keep arriving (SWAPDB and FLUSHDB included) loses nothing", async () => {
  await withDir(async (dir) => {
    const h = await open(dir);
    const future = Date.now() + 3_600_000;
    await h.change((s) => {
      for (let i = 0; i < 30_000; i++) {
        s.dbs[i % 4].set(`key:${i}`, `value:${i}`.repeat(3), i % 5 === 0 ? future + i : 0);
      }
    });
    assertEquals(h.wal.requestCompaction(), "started");
    assertEquals(h.wal.requestCompaction(), "in-progress");
    // A command runs between every two slices of the snapshot.
    let during = 0;
    h.beforeTask = (s) => {
      const n = during++;
      s.dbs[n % 4].set(`key:${n * 7}`, `changed:${n}`);
      s.dbs[(n + 1) % 4].delete(`key:${n * 11 + 1}`);
      s.dbs[0].setDeadline(`key:${n * 5}`, n % 2 ? 0 : future);
      if (n === 3) s.swap(0, 1);
      if (n === 6) s.dbs[2].flush();
      if (n === 9) s.swap(1, 3);
      if (n === 12) s.dbs[3].set("late", "new key");
    };
    // The next log is created in the background; a round's hook then switches to it.
    const busy = () => {
      const stats = info(h.wal);
      return stats.aof_rewrite_in_progress === 1 || stats.aof_rewrite_scheduled === 1;
    };
    while (busy()) await new Promise((resolve) => setTimeout(resolve, 5));
    h.beforeTask = null;
    assertOk(during > 20, `only ${during} changes ran during the compaction`);
    const expected = dump(h.store);
    const stats = info(h.wal);
    assertEquals([stats.aof_rewrites, stats.aof_last_bgrewrite_status], [1, "ok"]);
    await h.wal.close();
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, ["hermes-00000002.log", "hermes-00000002.snapshot", "hermes.lock"]);
    const reopened = await open(dir);
    assertEquals(dump(reopened.store), expected);
    await reopened.wal.close();
  });
});

Deno.test("a crash after the next log was created, before the switch, loses nothing", async () => {
  await withDir(async (dir) => {
    const h = await open(dir);
    await h.change((s) => s.dbs[0].set("a", "1"));
    await h.change((s) => s.dbs[2].set("b", "2"));
    await h.wal.close();
    // What a compaction leaves when the process dies between creating its log and switching.
    const next = await LogFile.create(dataFile(dir, "log", 2));
    await next.close();
    const reopened = await open(dir);
    assertEquals(dump(reopened.store), ["0|a|1|0", "2|b|2|0"]);
    await reopened.change((s) => s.dbs[0].set("c", "3"));
    await reopened.wal.close();
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, ["hermes-00000001.log", "hermes-00000002.log", "hermes.lock"]);
    const last = await open(dir);
    assertEquals(dump(last.store), ["0|a|1|0", "0|c|3|0", "2|b|2|0"]);
    await last.wal.close();
  });
});

Deno.test("closing while the next log is being created removes it and keeps the data set", async () => {
  await withDir(async (dir) => {
    const h = await open(dir);
    await h.change((s) => s.dbs[0].set("a", "1"));
    assertEquals(h.wal.requestCompaction(), "started");
    await h.wal.close(); // before any round could switch
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, ["hermes-00000001.log", "hermes.lock"]);
    const reopened = await open(dir);
    assertEquals(dump(reopened.store), ["0|a|1|0"]);
    await reopened.wal.close();
  });
});

Deno.test("under everysec a compaction syncs the old log before switching and loses nothing", async () => {
  await withDir(async (dir) => {
    const h = await open(dir, { fsync: "everysec" });
    await h.change((s) => {
      for (let i = 0; i < 5_000; i++) s.dbs[0].set(`key:${i}`, `value:${i}`);
    });
    const syncsBefore = Number(info(h.wal).aof_fsyncs);
    assertEquals(h.wal.requestCompaction(), "started");
    while (info(h.wal).aof_rewrites === 0) {
      await h.change((s) => s.dbs[1].set("tick", String(Date.now())));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The old log was written but not yet synced: the switch synced it.
    assertOk(Number(info(h.wal).aof_fsyncs) > syncsBefore, "the old log was never synced");
    const expected = dump(h.store);
    await h.wal.close();
    const reopened = await open(dir);
    assertEquals(dump(reopened.store), expected);
    await reopened.wal.close();
  });
});

Deno.test("the log compacts by itself once past the minimum size and growth factor", async () => {
  await withDir(async (dir) => {
    const h = await open(dir, { compactMinBytes: 64 * 1024, compactGrowth: 2 });
    for (let round = 0; round < 40; round++) {
      await h.change((s) => {
        for (let i = 0; i < 50; i++) s.dbs[0].set(`k${i}`, `round ${round} `.repeat(10));
      });
    }
    for (let i = 0; i < 100 && info(h.wal).aof_rewrites === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const stats = info(h.wal);
    assertOk(Number(stats.aof_rewrites) >= 1, "no compaction happened");
    assertOk(Number(stats.aof_base_size) > 0);
    assertOk(Number(stats.aof_current_size) < 64 * 1024 * 2);
    const expected = dump(h.store);
    await h.wal.close();
    const reopened = await open(dir);
    assertEquals(dump(reopened.store), expected);
    await reopened.wal.close();
  });
});

Deno.test("closing during a compaction cancels it and keeps the previous files complete", async () => {
  await withDir(async (dir) => {
    const h = await open(dir);
    await h.change((s) => {
      for (let i = 0; i < 50_000; i++) s.dbs[0].set(`key:${i}`, "v".repeat(20));
    });
    h.wal.requestCompaction();
    await h.change((s) => s.dbs[1].set("during", "yes"));
    const expected = dump(h.store);
    await h.wal.close();
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assertOk(!names.some((n) => n.endsWith(".tmp")), `left a temp file: ${names}`);
    const reopened = await open(dir);
    assertEquals(dump(reopened.store), expected);
    await reopened.wal.close();
  });
});

/** Partitions with their keys: `name:schema:persistence|key|value`, sorted. */
function dumpPartitions(store: Databases): string[] {
  const rows: string[] = [];
  for (const p of store.partitions()) {
    rows.push(`${p.name}:${p.schema}:${p.persistence}:${p.id}:${p.createdAtMs}`);
    for (const shard of p.keyspace.data.shards) {
      for (const [key, value] of shard) rows.push(`${p.name}|${key}|${value}`);
    }
  }
  return rows.sort();
}

Deno.test("partition definitions survive reopening and compaction; NONE partitions come back empty", async () => {
  await withDir(async (dir) => {
    const h = await open(dir);
    let ids: number[] = [];
    await h.change((s) => {
      ids = [
        s.createPartition({ name: "logged", schema: 3, persistence: 1, createdAtMs: 11 }).id,
        s.createPartition({ name: "memory", schema: 2, persistence: 2, createdAtMs: 12 }).id,
        s.createPartition({ name: "gone", schema: 1, persistence: 1, createdAtMs: 13 }).id,
      ];
    });
    await h.change((s) => {
      for (let i = 0; i < 2000; i++) {
        s.keyspace(ids[i % 3])!.set(`k${i}`, String(i));
        s.dbs[1].set(`d${i}`, "x");
      }
    });
    const fsyncsBefore = info(h.wal).aof_fsyncs as number;
    await h.change((s) => s.keyspace(ids[1])!.set("only-memory", "v"));
    assertEquals(info(h.wal).aof_fsyncs, fsyncsBefore, "a NONE-only round is never fsynced");
    assertEquals(h.wal.requestCompaction(), "started");
    h.beforeTask = (s) => s.keyspace(ids[0])!.set(`during:${Math.random()}`, "1");
    while (info(h.wal).aof_rewrites !== 1) await new Promise((r) => setTimeout(r, 5));
    h.beforeTask = null;
    await h.change((s) => s.dropPartition(ids[2]));
    await h.change((s) => {
      s.createPartition({ name: "late", schema: 1, persistence: 2, createdAtMs: 14 });
      s.dropPartition(
        s.createPartition({ name: "brief", schema: 3, persistence: 1, createdAtMs: 15 }).id,
      );
    });
    // A second compaction: the log no longer mentions the dropped ids.
    assertEquals(h.wal.requestCompaction(), "started");
    while (info(h.wal).aof_rewrites !== 2) await new Promise((r) => setTimeout(r, 5));
    const expected = dumpPartitions(h.store).filter((row) => !row.startsWith("memory|"));
    const numbered = dump(h.store);
    await h.wal.close();

    const reopened = await open(dir);
    assertEquals(dumpPartitions(reopened.store), expected);
    assertEquals(dump(reopened.store), numbered);
    assertEquals(reopened.store.partitionNamed("memory")!.keyspace.size, 0);
    assertEquals(reopened.store.partitionNamed("gone"), undefined);
    // Ids of dropped partitions stay retired after a restart, even once the log forgot them.
    let next = 0;
    await reopened.change((s) => {
      next = s.createPartition({ name: "new", schema: 3, persistence: 1, createdAtMs: 16 }).id;
    });
    assertEquals(next, ids[2] + 3);
    await reopened.wal.close();
  });
});
