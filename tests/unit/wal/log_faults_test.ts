/**
 * The log when its disk fails, driven round by round with injected faults (file_faults.ts):
 * what each policy answers, what the files hold afterwards, and how it recovers. Undoing a
 * refused round in memory is the ledger's part (round_ledger_test.ts, e2e tests); here the
 * log must simply never keep a refused round, and never lose an acknowledged one.
 */
import { assertEquals, assertMatch, assertOk } from "../../helpers/assert.ts";
import type { Databases } from "../../../src/store/databases.ts";
import type { WalSettings, WriteAheadLog } from "../../../src/wal/write_ahead_log.ts";
import { FileFaults } from "../../../src/wal/file_faults.ts";
import { runLogTool } from "../../../src/wal/log_tools.ts";
import type { CaptureLogger } from "./capture_logger.ts";
import { openWal } from "./open_wal.ts";

interface Harness {
  wal: WriteAheadLog;
  store: Databases;
  log: CaptureLogger;
  faults: FileFaults;
  /** Runs `fn` as one command, then the round's hook; returns the hook's verdict. */
  round(fn: (store: Databases) => void): Promise<boolean>;
  /** When set, runs as a command right before each task the log runs in the store. */
  beforeTask: ((store: Databases) => void) | null;
}

async function open(dir: string, settings: Partial<WalSettings> = {}): Promise<Harness> {
  const faults = new FileFaults("");
  const { wal, store, journal, log } = await openWal(dir, settings, {
    openFile: faults.open,
    tickMs: 10,
  });
  const harness = { beforeTask: null } as Harness;
  const round = (fn: (store: Databases) => void) => {
    fn(store);
    journal.commandEnd();
    return new Promise<boolean>((resolve) => void wal.commitRound(undefined, resolve));
  };
  // A task of the log (a retry, a snapshot slice) runs as a round of its own.
  wal.start(async (task) => {
    if (harness.beforeTask) {
      harness.beforeTask(store);
      journal.commandEnd();
    }
    task();
    await wal.commitRound();
  });
  return Object.assign(harness, { wal, store, log, faults, round });
}

function info(wal: WriteAheadLog): Record<string, string | number> {
  return Object.fromEntries(wal.info());
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** What the directory's data set replays to: every key of database 0, sorted. */
async function replayed(dir: string): Promise<string[]> {
  const h = await open(dir);
  const keys = [...h.store.dbs[0].data.shards.flatMap((shard) => [...shard])]
    .map(([key, value]) => `${key}=${value}`).sort();
  await h.wal.close();
  return keys;
}

/** check-log's verdict on the directory (0: every file sound); it prints its report. */
function checkLog(dir: string): Promise<number> {
  return runLogTool("check-log", [dir]);
}

async function size(path: string): Promise<number> {
  return (await Deno.stat(path)).size;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hermes-faults-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("under always a failed write is refused, its partial record cut off, and a probe ends the failure", async () => {
  await withDir(async (dir) => {
    const h = await open(dir);
    const log1 = `${dir}/hermes-00000001.log`;
    assertEquals(await h.round((s) => s.dbs[0].set("a", "1")), true);
    const good = await size(log1);
    // Writes keep failing until the file is measured: a retry's probe record (every 10 ms
    // here) must not land before that.
    h.faults.replan("fail-write=always");
    assertEquals(await h.round((s) => s.dbs[0].set("b", "x".repeat(1000))), false);
    assertMatch(h.wal.failure ?? "", /injected write failure/);
    assertEquals(await size(log1), good); // the half-written record is gone
    h.faults.replan("");
    await until(() => h.wal.failure === null, "the retry");
    assertOk(h.log.lines.some((l) => /The log is writable again after [\d.]+ seconds/.test(l)));
    assertEquals(await h.round((s) => s.dbs[0].set("c", "3")), true);
    const stats = info(h.wal);
    assertEquals(
      [stats.aof_failures, stats.aof_refused_rounds, stats.aof_last_error],
      [1, 1, "injected write failure"],
    );
    assertEquals(stats.aof_last_write_status, "ok");
    await h.wal.close();
    assertEquals(await replayed(dir), ["a=1", "c=3"]);
    assertEquals(await checkLog(dir), 0);
  });
});

Deno.test("a failed fdatasync is fatal for its log: cut to its last synced size, the log goes on in a new file", async () => {
  await withDir(async (dir) => {
    const h = await open(dir);
    const log1 = `${dir}/hermes-00000001.log`;
    assertEquals(await h.round((s) => s.dbs[0].set("a", "1")), true);
    const synced = await size(log1);
    // The round's fdatasync fails, and so does the first retry's (cutting the old log back).
    h.faults.replan("fail-sync=2");
    assertEquals(await h.round((s) => s.dbs[0].set("b", "2")), false);
    assertMatch(h.wal.failure ?? "", /injected fdatasync failure/);
    assertEquals(await size(log1), synced);
    await until(() => h.wal.failure === null, "the retry");
    assertOk(
      h.log.lines.some((l) =>
        l.includes(
          `hermes-00000001.log ends at its last synced byte (${synced}) and the log continues ` +
            "in hermes-00000002.log",
        )
      ),
      h.log.lines.join("\n"),
    );
    assertEquals(await h.round((s) => s.dbs[0].set("c", "3")), true);
    assertEquals(await size(log1), synced); // never written again
    assertEquals(info(h.wal).aof_last_fsync_status, "ok");
    await h.wal.close();
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, ["hermes-00000001.log", "hermes-00000002.log", "hermes.lock"]);
    assertEquals(await replayed(dir), ["a=1", "c=3"]);
    assertEquals(await checkLog(dir), 0);
  });
});

Deno.test("under everysec a failed write is acknowledged, kept in memory and written by the retry", async () => {
  await withDir(async (dir) => {
    const h = await open(dir, { fsync: "everysec" });
    h.faults.replan("fail-write=1");
    assertEquals(await h.round((s) => s.dbs[0].set("a", "1")), true);
    assertMatch(h.wal.failure ?? "", /injected write failure/);
    assertOk(Number(info(h.wal).aof_buffer_length) > 0);
    assertEquals(info(h.wal).aof_refused_rounds, 0);
    await until(() => h.wal.failure === null, "the retry");
    assertEquals(info(h.wal).aof_buffer_length, 0);
    await h.wal.close();
    assertEquals(await replayed(dir), ["a=1"]);
  });
});

Deno.test("under everysec a failed background fdatasync moves the unsynced records to the next log", async () => {
  await withDir(async (dir) => {
    const h = await open(dir, { fsync: "everysec" });
    h.faults.replan("fail-sync=1");
    assertEquals(await h.round((s) => s.dbs[0].set("a", "1")), true);
    assertEquals(await h.round((s) => s.dbs[0].set("b", "2")), true);
    // The timer's background fdatasync fails: both records were acknowledged, not synced.
    await until(() => h.wal.failure !== null, "the failed fdatasync");
    assertMatch(h.wal.failure ?? "", /injected fdatasync failure/);
    await until(() => h.wal.failure === null, "the retry");
    await h.wal.close();
    assertEquals(await size(`${dir}/hermes-00000001.log`), 20); // its header only
    assertEquals(await replayed(dir), ["a=1", "b=2"]);
    assertEquals(await checkLog(dir), 0);
  });
});

Deno.test("a compaction running when the log moves on keeps the new log in the data set", async () => {
  await withDir(async (dir) => {
    const h = await open(dir);
    await h.round((s) => {
      for (let i = 0; i < 20_000; i++) s.dbs[0].set(`key:${i}`, `value:${i}`);
    });
    assertEquals(h.wal.requestCompaction(), "started");
    let failed = false;
    h.beforeTask = (s) => {
      // Once the snapshot is being written, one round's fdatasync fails (in log 2).
      if (failed || info(h.wal).aof_rewrite_in_progress !== 1) return;
      failed = true;
      h.faults.replan("fail-sync=1");
      s.dbs[0].set("refused", "x");
    };
    await until(() => failed && info(h.wal).aof_rewrite_in_progress === 0, "the compaction");
    await until(() => h.wal.failure === null, "the retry");
    h.beforeTask = null;
    assertEquals(await h.round((s) => s.dbs[0].set("after", "y")), true);
    assertEquals(info(h.wal).aof_last_bgrewrite_status, "ok");
    await h.wal.close();
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, [
      "hermes-00000002.log",
      "hermes-00000002.snapshot",
      "hermes-00000003.log",
      "hermes.lock",
    ]);
    const keys = await replayed(dir);
    assertOk(keys.includes("after=y") && keys.includes("key:19999=value:19999"));
    assertEquals(await checkLog(dir), 0);
  });
});
