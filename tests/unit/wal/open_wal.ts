/**
 * A write-ahead log over a fresh store, as the WAL tests build it: the journal wired to the
 * store, a capturing logger, and settings that never compact on their own unless told to.
 */
import { Journal } from "../../../src/store/journal.ts";
import { Databases } from "../../../src/store/databases.ts";
import { WalJournal } from "../../../src/wal/wal_journal.ts";
import {
  type WalOptions,
  type WalSettings,
  WriteAheadLog,
} from "../../../src/wal/write_ahead_log.ts";
import { CaptureLogger } from "./capture_logger.ts";

export interface OpenedWal {
  wal: WriteAheadLog;
  store: Databases;
  journal: WalJournal;
  log: CaptureLogger;
}

/** Opens (replays) the log in `dir` with `settings` over defaults, and `extra` options. */
export async function openWal(
  dir: string,
  settings: Partial<WalSettings> = {},
  extra: Partial<WalOptions> = {},
): Promise<OpenedWal> {
  const journal = new WalJournal();
  const changes = new Journal();
  changes.durable = journal;
  const store = new Databases(changes);
  const log = new CaptureLogger();
  const wal = await WriteAheadLog.open({
    dir,
    settings: {
      fsync: "always",
      compactMinBytes: 1 << 30,
      compactGrowth: 2,
      repair: false,
      ...settings,
    },
    store,
    journal,
    log,
    clock: Date.now,
    ...extra,
  });
  return { wal, store, journal, log };
}
