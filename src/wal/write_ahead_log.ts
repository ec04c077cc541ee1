/**
 * The write-ahead log of a running server: replay at open, group commit after each actor
 * round, the fsync policy, failure handling (refuse writes until the disk works again), and
 * compaction.
 *
 * Group commit: the keyspace's changes of a whole round collect in one buffer (WalJournal).
 * {@linkcode WriteAheadLog.commitRound} runs as the actor's `afterRound` hook: one write, and
 * under `--fsync always` one fdatasync, before any reply of the round is released. The
 * fdatasync blocks the thread, or, pipelined (while a NONE partition exists, so its clients
 * never wait for another client's fdatasync), runs off the thread while the next rounds run:
 * their records are gathered and written as the next group once it completes.
 *
 * Failure under `always`: when the write or the fdatasync of a round fails, the file is cut
 * back to the end of its last good record and the round is refused (the store undoes it in memory
 * and answers its replies with MISCONF, see round_ledger.ts): nothing of it is written later.
 * Every write is then refused until a retry (once a second) works: a small probe record
 * written and synced, or, after a failed fdatasync, a new log (below).
 *
 * Failure under `everysec` and `no`, as in Redis: the round's writes were acknowledged before
 * the disk was touched, so its bytes are kept in memory and written by the retry; writes are
 * refused meanwhile.
 *
 * A failed fdatasync is fatal for its file: the kernel may have dropped the pages it could not
 * write and report the next fdatasync as a success (PostgreSQL's "fsyncgate"). That log is
 * never written again: the retry cuts it back to its last synced size, syncs that, and goes on
 * in a new log (the next generation, replayed after it). Under `everysec` the bytes written
 * since the last good fdatasync are kept in memory until one covers them, so they go to the
 * new log first.
 *
 * Compaction: when the data set has grown past `--compact-min-size` and `--compact-growth`
 * times the last snapshot (or on BGREWRITEAOF), the next log is created and made durable in the
 * background; then a round's hook switches to it (no I/O there under `always`), and a snapshot
 * of the keys is written in slices through the actor; once it is synced and renamed into place
 * the older files are removed. A crash at any point leaves either the old files (maybe with an
 * empty newer log) or the new snapshot plus its log, all complete.
 */
import type { Config } from "../config/settings.ts";
import type { Databases } from "../store/databases.ts";
import type { Clock } from "../store/clock.ts";
import type { Logger } from "../log/logger.ts";
import {
  type DataFile,
  dataFile,
  fileName,
  joinPath,
  lockDataDir,
  reasonOf,
  syncDirectory,
} from "./data_dir.ts";
import { FILE_HEADER_BYTES, type PartitionRecord } from "./codec.ts";
import { FIRST_PARTITION_ID, Persistence } from "../store/partition.ts";
import { LogFile, type SyncStats } from "./log_file.ts";
import { type OpenLogHandle, openRealHandle } from "./file_faults.ts";
import { FailureHistory, KeptBytes } from "./log_failures.ts";
import { replay } from "./replay.ts";
import {
  SnapshotCancelled,
  SnapshotFreeze,
  type SnapshotSource,
  writeSnapshot,
} from "./snapshot_writer.ts";
import type { WalJournal } from "./wal_journal.ts";
import {
  BATCH_SIZE_BOUNDS,
  BucketHistogram,
  FSYNC_SECONDS_BOUNDS,
} from "../observe/bucket_histogram.ts";
import { LatencyEvents, type LatencyMonitor } from "../observe/latency_monitor.ts";

/** The settings the log reads, live (CONFIG SET may change them while it runs). */
export type WalSettings = Pick<Config, "fsync" | "compactMinBytes" | "compactGrowth" | "repair">;

export interface WalOptions {
  dir: string;
  settings: WalSettings;
  store: Databases;
  /** The journal the store reports to; muted during replay, then recording. */
  journal: WalJournal;
  log: Logger;
  clock: Clock;
  /** How log files are opened: the real file system, or a test's fault layer (file_faults.ts). */
  openFile?: OpenLogHandle;
  /** The timer's period in ms (default 1000): tests that inject faults retry sooner. */
  tickMs?: number;
}

/** What BGREWRITEAOF may be told. */
export type CompactionStart = "started" | "in-progress" | "failing";

/** The timer's period: everysec's fsync, and retries after a failure (as Redis's serverCron). */
const TICK_MS = 1000;
/** After a failed compaction, the next automatic one waits this long. */
const COMPACTION_RETRY_MS = 60_000;
/** An fdatasync slower than this is logged: the disk is struggling. */
const SLOW_SYNC_US = 1_000_000;
/**
 * Under `everysec`, bytes written but not yet covered by an fdatasync are kept in memory (a
 * failed fdatasync moves them to the next log). Past this much, a round waits for an
 * fdatasync, as Redis delays writes while its background fsync lags.
 */
const MAX_UNSYNCED_BYTES = 64 * 1024 * 1024;

/** The log's counters for /metrics, beyond the INFO persistence fields. */
export interface WalMetrics {
  /** fdatasync durations in seconds. */
  readonly fsyncSeconds: BucketHistogram;
  /** Records per group commit (rounds that wrote at least one). */
  readonly batchRecords: BucketHistogram;
  /** Bytes appended to log files. */
  bytesWritten: number;
  /** Records handed to the log (one per command that changed data). */
  records: number;
}

/** A log file and its size in the data set. */
interface LogPart {
  file: DataFile;
  bytes: number;
}

interface Compaction {
  generation: number;
  startedMs: number;
  cancelled: boolean;
  done: Promise<void>;
  /** The files its snapshot replaces: removed once it is in place. */
  replaces: { snapshot: DataFile | null; logs: LogPart[] };
}

/** A place in a replication stream: its history id, the offset, the database it selected. */
export type ReplPosition = { replid: string; offset: number; db: number };

export class WriteAheadLog {
  readonly dir: string;
  /** Told when writes start failing (with the cause) and when they work again (null). */
  onHealthChange: (failure: string | null) => void = () => {};
  readonly #settings: WalSettings;
  readonly #store: Databases;
  readonly #journal: WalJournal;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #lock: Deno.FsFile;
  #runInStore: (task: () => void) => Promise<void> = (task) => Promise.resolve(task());
  #current: LogFile;
  #snapshot: { file: DataFile; bytes: number } | null;
  /** Logs of the data set before the current one (after a compaction or a failed fdatasync). */
  #olderLogs: LogPart[];
  readonly metrics: WalMetrics = {
    fsyncSeconds: new BucketHistogram(FSYNC_SECONDS_BOUNDS),
    batchRecords: new BucketHistogram(BATCH_SIZE_BOUNDS),
    bytesWritten: 0,
    records: 0,
  };
  /** Where slow fsyncs, writes and compaction slices are reported (LATENCY); none until set. */
  latency: LatencyMonitor | null = null;
  readonly #syncStats: SyncStats = {
    count: 0,
    totalUs: 0,
    lastUs: 0,
    maxUs: 0,
    seconds: this.metrics.fsyncSeconds,
  };
  /** `encoder.sealed` when the previous round was committed. */
  #sealedBefore = 0;
  readonly #openFile: OpenLogHandle;
  readonly #tickMs: number;
  /** Records acknowledged or read but not yet written (after a failure), in order. */
  readonly #kept = new KeptBytes();
  /** `everysec`: records written since the last good fdatasync (see MAX_UNSYNCED_BYTES). */
  readonly #unsynced = new KeptBytes();
  /** A log whose fdatasync failed: never written again; the retry moves to a new log. */
  #fatal: LogFile | null = null;
  /** The retry in progress, if any. */
  #retrying: Promise<void> | null = null;
  /**
   * Pipelined group commit under `always` (see {@linkcode commitRound}); set by the app before
   * each round. Blocking (false) fdatasyncs in the hook, holding the thread.
   */
  pipelined = false;
  /** The group's fdatasync in flight, if any. */
  #inFlight: Promise<void> | null = null;
  /** The rounds that fdatasync covers, oldest first. */
  #covered: ((ok: boolean) => void)[] = [];
  /** Rounds that ended since, waiting to be written as the next group. */
  #gathered: ((ok: boolean) => void)[] = [];
  readonly #history: FailureHistory;
  #writeError: string | null = null;
  #syncError: string | null = null;
  /** Set by the timer after a failure: the next round's hook retries. */
  #retryWanted = false;
  /** A compaction was asked for: its log is being created, or is ready to switch to. */
  #switchRequested = false;
  /** The next log, created and durable, waiting for a round's hook to switch to it. */
  #prepared: LogFile | null = null;
  /** Creating the next log, while it runs. */
  #preparing: Promise<void> | null = null;
  #compaction: Compaction | null = null;
  #compactions = 0;
  /** No automatic compaction before this time (Unix ms): set after a failed one. */
  #autoCompactAfterMs = 0;
  #lastCompactionOk = true;
  #lastCompactionSec = -1;
  #lastSaveMs: number;
  #background: Promise<void> | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closing: Promise<void> | null = null;

  private constructor(
    options: WalOptions,
    lock: Deno.FsFile,
    current: LogFile,
    snapshot: { file: DataFile; bytes: number } | null,
    olderLogs: LogPart[],
  ) {
    this.dir = options.dir;
    this.#settings = options.settings;
    this.#store = options.store;
    this.#journal = options.journal;
    this.#log = options.log;
    this.#clock = options.clock;
    this.#lock = lock;
    this.#current = current;
    this.#snapshot = snapshot;
    this.#olderLogs = olderLogs;
    this.#lastSaveMs = options.clock();
    this.#sealedBefore = options.journal.encoder.sealed;
    this.#openFile = options.openFile ?? openRealHandle;
    this.#tickMs = options.tickMs ?? TICK_MS;
    this.#history = new FailureHistory(options.clock);
  }

  /**
   * Locks the directory, replays its data set into the store, removes leftovers and opens the
   * newest log for appending. Throws a DataDirError (with a message for the user) when the
   * directory is in use or the data set is damaged.
   */
  static async open(options: WalOptions): Promise<WriteAheadLog> {
    const { dir, log } = options;
    const lock = await lockDataDir(dir);
    try {
      options.journal.muted = true;
      const loaded = await replay({
        dir,
        store: options.store,
        repair: options.settings.repair,
        log,
        now: options.clock,
      });
      const files = loaded.logs.length + (loaded.snapshot ? 1 : 0);
      log.info(
        `Loaded ${loaded.records} records from ${files} files: ${loaded.keys} keys` +
          (loaded.expired > 0 ? ` (${loaded.expired} expired keys dropped)` : "") +
          ` in ${loaded.seconds.toFixed(3)} seconds`,
      );
      for (const path of loaded.obsolete) {
        await Deno.remove(path).catch((error) => log.warn(`Cannot remove ${path}`, error));
      }
      const logs = loaded.logs;
      const last = logs.at(-1);
      let current: LogFile;
      const openFile = options.openFile ?? openRealHandle;
      if (last && last.bytes >= FILE_HEADER_BYTES) {
        current = await LogFile.open(last.file, last.bytes, openFile);
        logs.pop();
      } else {
        if (last) logs.pop(); // its header was torn: start it again
        const generation = last?.file.generation ?? loaded.snapshot?.file.generation ?? 1;
        current = await LogFile.create(dataFile(dir, "log", generation), openFile);
      }
      await syncDirectory(dir);
      options.journal.encoder.reset();
      options.journal.lastPosition = loaded.position;
      options.journal.positionIsLast = loaded.positionIsLast;
      options.journal.partitions = () => options.store.partitions();
      options.journal.muted = false;
      return new WriteAheadLog(options, lock, current, loaded.snapshot, logs);
    } catch (error) {
      lock.close();
      throw error;
    }
  }

  /**
   * Starts the timers (everysec fsync, retries) and gives the log a way to run work inside
   * the store actor (compaction slices).
   */
  start(runInStore: (task: () => void) => Promise<void>): void {
    this.#runInStore = runInStore;
    this.#timer = setInterval(() => this.#tick(), this.#tickMs);
  }

  /** The cause of the current write failure, or null when the log is healthy. */
  get failure(): string | null {
    return this.#writeError ?? this.#syncError;
  }

  /** Unix ms of the last successful compaction, or of the start. */
  get lastSaveMs(): number {
    return this.#lastSaveMs;
  }

  /**
   * The actor's afterRound hook: writes the round's records, and under `always` syncs them,
   * then calls `settle` for the round, exactly once and in round order: true when its replies
   * may go out as they are (made durable as the policy requires, nothing to write, or
   * acknowledged anyway under `everysec`/`no`), false when it is refused: it could not be made
   * durable, nothing of it stays in the log, and the caller must undo it. Only an `undoable`
   * round (the caller can undo it: it ran under `always`) is synced and may be refused.
   *
   * Pipelined ({@linkcode pipelined}), the fdatasync runs off the thread and the actor goes on:
   * a round that ends while one is in flight is not written then but gathered, and written and
   * synced with the others as the next group once it completes; every round is settled when the
   * group that covers it is (a round that wrote nothing, with the group before it). A failed
   * group refuses every pending round, the gathered ones too: they were built on it.
   *
   * Returns a promise when the actor must wait before its next round (a retry after a failure,
   * `everysec` catching up). Never throws or rejects.
   */
  commitRound(
    undoable = this.#settings.fsync === "always",
    settle: (ok: boolean) => void = () => {},
  ): Promise<void> | void {
    const encoder = this.#journal.encoder;
    encoder.end();
    const records = encoder.sealed - this.#sealedBefore;
    if (records > 0) {
      this.#sealedBefore = encoder.sealed;
      this.metrics.records += records;
      this.metrics.batchRecords.observe(records);
    }
    if (this.#inFlight !== null || this.#gathered.length !== 0) {
      this.#gathered.push(settle); // the next group writes its records with the others'
      return;
    }
    const retry = this.failure !== null && this.#retryWanted;
    // A background fsync in flight owns the old log: the switch waits for it (see #tick).
    const switching = this.#prepared !== null && this.#background === null;
    if (encoder.length === 0 && !switching && !retry) return settle(true);
    if (this.failure !== null) return this.#commitWhileFailing(retry).then(() => settle(true));
    if (this.pipelined && undoable && !switching) {
      this.#gathered.push(settle);
      return this.#writeGroup();
    }
    const ok = this.#commitNow(undoable);
    if (!ok) this.#history.refusedRounds++;
    if (this.failure === null && switching) this.#switchLog();
    settle(ok);
    if (ok && this.#unsynced.bytes > MAX_UNSYNCED_BYTES) return this.#catchUp();
  }

  /**
   * Pipelined: writes the gathered rounds' records as one group and starts its fdatasync off
   * the thread; once it completes, settles them and writes the rounds gathered meanwhile.
   */
  #writeGroup(): void {
    const group = this.#gathered;
    this.#gathered = [];
    const encoder = this.#journal.encoder;
    if (encoder.length === 0) {
      for (const settle of group) settle(true); // they wrote nothing after a durable group
      return;
    }
    const file = this.#current;
    const bytes = encoder.bytes.subarray(0, encoder.length);
    const before = file.writtenBytes;
    try {
      file.appendSync(bytes);
      this.metrics.bytesWritten += bytes.length;
    } catch (error) {
      this.#cutBack(file, before);
      encoder.reset();
      this.#failed("write", file, error, true);
      return this.#refuse(group);
    }
    encoder.reset();
    this.#covered = group;
    this.#inFlight = file.sync(this.#syncStats).then(
      () => {
        this.#inFlight = null;
        this.latency?.record(LatencyEvents.fsyncAlways, this.#syncStats.lastUs / 1000);
        this.#warnIfSlow(file);
        const done = this.#covered;
        this.#covered = [];
        for (const settle of done) settle(true);
        this.#checkThreshold();
        if (this.#gathered.length === 0) return;
        if (this.#prepared === null) return this.#writeGroup();
        // A compaction waits to switch: the gathered rounds are synced here, then it switches
        // with nothing pending (the snapshot starts from durable state).
        const gathered = this.#gathered;
        this.#gathered = [];
        const ok = this.#commitNow(true);
        if (!ok) return this.#refuse(gathered);
        this.#switchLog();
        for (const settle of gathered) settle(true);
      },
      (error) => {
        this.#inFlight = null;
        this.#syncFailed(file, error, true);
        this.#journal.encoder.reset(); // the gathered rounds' records: built on the lost ones
        const pending = [...this.#covered, ...this.#gathered];
        this.#covered = [];
        this.#gathered = [];
        this.#refuse(pending);
      },
    );
  }

  /** Refuses pending rounds, oldest first (the first refusal undoes them all). */
  #refuse(rounds: ((ok: boolean) => void)[]): void {
    this.#history.refusedRounds += rounds.length;
    for (const settle of rounds) settle(false);
  }

  /**
   * The blocking path: one write of the whole round, then under `always` one fdatasync that
   * blocks the thread, as Redis's does. It measured faster on durable SET than the pipelined
   * one (bench/durable_set.ts): the requests that arrive during the fdatasync wait in the
   * kernel and all join the next round, where pipelining splits the clients into two groups
   * that alternate, each with fewer writes per fdatasync. everysec and no only write; the
   * fsync happens in the background, or never.
   */
  #commitNow(undoable: boolean): boolean {
    const encoder = this.#journal.encoder;
    if (encoder.length === 0) return true;
    const bytes = encoder.bytes.subarray(0, encoder.length);
    const file = this.#current;
    const before = file.writtenBytes;
    try {
      // Timed only while the latency monitor is on: a clock read per round otherwise saved.
      const latency = this.latency !== null && this.latency.thresholdMs !== 0 ? this.latency : null;
      const started = latency ? performance.now() : 0;
      file.appendSync(bytes);
      this.metrics.bytesWritten += bytes.length;
      latency?.record(LatencyEvents.logWrite, performance.now() - started);
    } catch (error) {
      this.#cutBack(file, before);
      // everysec / no: acknowledged all the same (as Redis does): written by the retry.
      if (!undoable) this.#kept.keep(bytes);
      encoder.reset();
      this.#failed("write", file, error, undoable);
      return !undoable;
    }
    if (undoable) {
      try {
        file.syncNow(this.#syncStats);
        this.latency?.record(LatencyEvents.fsyncAlways, this.#syncStats.lastUs / 1000);
        this.#warnIfSlow(file);
      } catch (error) {
        encoder.reset();
        this.#syncFailed(file, error, true);
        return false;
      }
    } else if (this.#settings.fsync === "everysec") {
      this.#unsynced.keep(bytes, file.writtenBytes);
    }
    encoder.reset();
    this.#checkThreshold();
    return true;
  }

  /**
   * While failing: the round's records (only reads' expiries get here: writes are refused)
   * are kept after the ones waiting, so they are written in order by the retry, which this
   * round may run.
   */
  async #commitWhileFailing(retry: boolean): Promise<void> {
    const encoder = this.#journal.encoder;
    try {
      if (encoder.length > 0) this.#kept.keep(encoder.bytes.subarray(0, encoder.length));
      encoder.reset();
      if (retry) await this.#retry();
    } catch (error) {
      // Not expected (every I/O above is guarded); never let the actor's hook reject.
      this.#log.error("Committing a round failed unexpectedly", error);
      encoder.reset();
    }
  }

  /** `everysec` past MAX_UNSYNCED_BYTES: waits for an fdatasync that covers what was written. */
  async #catchUp(): Promise<void> {
    await this.#background;
    if (this.failure === null && this.#current.dirty) this.#startBackgroundSync();
    await this.#background;
  }

  /**
   * Bytes the log holds in memory: the round's record buffer, the records kept while the disk
   * fails and those written under everysec but not yet covered by an fdatasync (INFO
   * mem_aof_buffer).
   */
  get pendingBytes(): number {
    return this.#journal.encoder.bytes.length + this.#kept.bytes + this.#unsynced.bytes;
  }

  /** Cuts a partly written record off, so later records never follow garbage. */
  #cutBack(file: LogFile, size: number): void {
    try {
      file.truncateSync(size);
    } catch (error) {
      this.#log.warn(`Cannot cut ${file.file.path} back to ${size} bytes`, error);
    }
  }

  /**
   * An fdatasync of `file` failed: what it holds past its last good fdatasync may or may not
   * be on disk, and the kernel may not say so again. The file is cut back now (and for good by
   * the retry) and never written again; under `everysec` the records past that point were
   * acknowledged, so they go to the next log first.
   */
  #syncFailed(file: LogFile, error: unknown, refused: boolean): void {
    if (file === this.#current) this.#fatal = file;
    this.#cutBack(file, file.syncedBytes);
    this.#kept.takeInFront(this.#unsynced);
    this.#failed("fdatasync", file, error, refused);
  }

  /** Records a failure; `refused`: the round is refused (undone, answered with MISCONF). */
  #failed(what: "write" | "fdatasync", file: LogFile, error: unknown, refused: boolean): void {
    const reason = reasonOf(error);
    if (what === "write") this.#writeError = reason;
    else this.#syncError = reason;
    const first = this.#history.failed(reason);
    this.#log.error(
      `Cannot ${what} ${file.file.path}: ${reason}. ` +
        (refused
          ? "The round's changes were undone and its commands refused"
          : `${this.#kept.bytes} bytes of acknowledged writes are kept in memory`) +
        (this.#fatal === file ? `; ${file.file.name} will not be written again` : "") +
        `. Refusing writes until the log can be written again`,
    );
    if (first) this.onHealthChange(reason);
  }

  /**
   * After a failure: moves on from a log whose fdatasync failed, then writes what was kept (or
   * a probe record when nothing was) and syncs it. Success ends the failure.
   */
  #retry(): Promise<void> {
    // One at a time: a second would move on from the fatal log again.
    this.#retrying ??= this.#retryOnce().finally(() => this.#retrying = null);
    return this.#retrying;
  }

  async #retryOnce(): Promise<void> {
    this.#retryWanted = false;
    await this.#background; // a background fdatasync settles first (it may fail this file)
    let moved: string | null = null;
    let file = this.#current;
    let good = file.writtenBytes;
    try {
      if (this.#fatal !== null) moved = await this.#leaveFatal();
      file = this.#current;
      good = file.writtenBytes;
      file.truncateSync(good); // anything past it is a failed attempt
      let bytes: Uint8Array | null = null;
      if (this.#kept.bytes > 0) bytes = this.#kept.concat();
      else if (moved === null) {
        const encoder = this.#journal.encoder;
        encoder.emptyRecord();
        bytes = encoder.bytes.slice(0, encoder.length);
        encoder.reset();
      }
      if (bytes !== null) {
        file.appendSync(bytes);
        this.metrics.bytesWritten += bytes.length;
      }
      await this.#sync(file);
    } catch (error) {
      this.#journal.encoder.reset();
      if (this.#fatal === null) this.#cutBack(file, good);
      this.#log.debug(`Retrying the log failed: ${reasonOf(error)}`);
      return;
    }
    const ms = this.#history.recovered();
    this.#log.info(
      `The log is writable again after ${(ms / 1000).toFixed(3)} seconds of failure ` +
        `(${this.#history.refusedRounds} rounds refused so far; last error: ` +
        `${this.#history.lastError}): ${this.#kept.bytes} kept bytes written` +
        (moved === null ? "" : `, ${moved}`) + `; accepting writes`,
    );
    this.#kept.clear();
    this.#writeError = null;
    this.#syncError = null;
    this.onHealthChange(null);
  }

  /**
   * Leaves the log whose fdatasync failed: cuts it back to its last synced size and makes that
   * durable, then continues in the prepared next log or a new one. Throws when the disk still
   * fails (the retry tries again later). Returns what happened, for the log line.
   */
  async #leaveFatal(): Promise<string> {
    const old = this.#fatal!;
    old.truncateSync(old.syncedBytes);
    await old.sync(this.#syncStats);
    await this.#preparing;
    let next = this.#prepared;
    if (next !== null) {
      // A compaction's next log is ready and durable: continue there; the compaction asks
      // again once the threshold is passed.
      this.#prepared = null;
      this.#switchRequested = false;
    } else {
      const path = dataFile(this.dir, "log", old.file.generation + 1);
      await Deno.remove(path.path).catch(() => {}); // left by a retry that failed after it
      next = await LogFile.create(path, this.#openFile);
      try {
        await syncDirectory(this.dir);
      } catch (error) {
        await next.close();
        throw error;
      }
    }
    this.#olderLogs.push({ file: old.file, bytes: old.syncedBytes });
    this.#current = next;
    this.#fatal = null;
    await old.close();
    return `${old.file.name} ends at its last synced byte (${old.syncedBytes}) and the log ` +
      `continues in ${next.file.name}`;
  }

  async #sync(file: LogFile): Promise<void> {
    await file.sync(this.#syncStats);
    this.#warnIfSlow(file);
  }

  #warnIfSlow(file: LogFile): void {
    if (this.#syncStats.lastUs > SLOW_SYNC_US) {
      this.#log.warn(
        `fdatasync of ${file.file.path} took ${Math.round(this.#syncStats.lastUs / 1000)} ms: ` +
          `the disk is slow`,
      );
    }
  }

  /** Once a second: the everysec fsync, and waking the actor for a retry after a failure. */
  #tick(): void {
    if (this.#closing) return;
    if (this.failure !== null) {
      this.#retryWanted = true;
      this.#runInStore(() => {}); // a round whose hook retries
      return;
    }
    if (this.#settings.fsync !== "everysec" || this.#background || !this.#current.dirty) return;
    this.#startBackgroundSync();
  }

  /** `everysec`: an fdatasync of everything written so far, in the background. */
  #startBackgroundSync(): void {
    const file = this.#current;
    this.#background = this.#sync(file).then(
      () => this.#unsynced.dropThrough(file.syncedBytes),
      (error) => {
        if (file === this.#current) this.#syncFailed(file, error, false);
      },
    ).finally(() => {
      this.#background = null;
      if (this.#prepared) this.#runInStore(() => {}); // a switch waited for this sync
    });
  }

  // --- Compaction ---

  /** Total size of the data set's files. */
  get #dataSetBytes(): number {
    let total = (this.#snapshot?.bytes ?? 0) + this.#current.writtenBytes;
    for (const log of this.#olderLogs) total += log.bytes;
    return total;
  }

  #checkThreshold(): void {
    if (this.#compaction || this.#switchRequested) return;
    if (this.#clock() < this.#autoCompactAfterMs) return; // a recent attempt failed
    const total = this.#dataSetBytes;
    const base = this.#snapshot?.bytes ?? 0;
    if (total < this.#settings.compactMinBytes || total < base * this.#settings.compactGrowth) {
      return;
    }
    this.#log.info(
      `Starting compaction: the data set is ${total} bytes (last snapshot ${base} bytes)`,
    );
    this.#prepareNextLog();
  }

  /**
   * Asks for a compaction (BGREWRITEAOF): the next log is created in the background, a round's
   * hook switches to it and the snapshot follows in the background.
   */
  requestCompaction(): CompactionStart {
    if (this.#compaction || this.#switchRequested) return "in-progress";
    if (this.failure !== null) return "failing";
    this.#prepareNextLog();
    return "started";
  }

  /**
   * Compacts now and resolves once the snapshot is in place (DEBUG RELOAD): first lets a
   * compaction already under way finish, so the new snapshot is taken after this call.
   * Resolves false when the compaction could not start or failed.
   */
  async compactNow(): Promise<boolean> {
    await this.idle();
    const before = this.#compactions;
    if (this.requestCompaction() !== "started") return false;
    await this.idle();
    return this.#compactions > before;
  }

  /** Resolves once no compaction is being prepared, switched to or written. */
  async idle(): Promise<void> {
    while (this.#switchRequested || this.#compaction !== null || this.#preparing !== null) {
      // The switch itself waits for a round's hook; poll until it happened.
      await (this.#compaction?.done ?? this.#preparing ??
        new Promise((resolve) => setTimeout(resolve, 5)));
    }
  }

  /**
   * Creates the next log and makes it and its name durable, outside the actor (three fsyncs
   * that would otherwise stall every client), then wakes the actor for a round that switches.
   * Until the switch the new log is empty, and replay handles an empty newest log.
   */
  #prepareNextLog(): void {
    this.#switchRequested = true;
    const next = dataFile(this.dir, "log", this.#current.file.generation + 1);
    this.#preparing = (async () => {
      let created: LogFile | null = null;
      try {
        created = await LogFile.create(next, this.#openFile);
        await syncDirectory(this.dir);
      } catch (error) {
        this.#log.error(`Cannot start compaction: creating ${next.path} failed`, error);
        await created?.close();
        await Deno.remove(next.path).catch(() => {});
        this.#switchRequested = false;
        this.#compactionFailed();
        return;
      }
      if (this.#closing) {
        await this.#dropPrepared(created);
        return;
      }
      this.#prepared = created;
      this.#runInStore(() => {}); // a round whose hook switches
    })().finally(() => this.#preparing = null);
  }

  /** Closes and removes a prepared log nothing was written to. */
  async #dropPrepared(log: LogFile): Promise<void> {
    await log.close();
    await Deno.remove(log.file.path).catch(() => {});
    await syncDirectory(this.dir).catch(() => {});
  }

  /**
   * Switches to the prepared log at a round boundary (in the round's hook, after its records
   * were committed), then writes the snapshot of the state at that point in the background.
   */
  #switchLog(): void {
    const next = this.#prepared!;
    const old = this.#current;
    if (old.dirty) {
      // everysec / no: the old log must be complete on disk before records follow in a newer
      // one.
      try {
        old.syncNow(this.#syncStats);
        this.#unsynced.clear();
      } catch (error) {
        this.#compactionFailed();
        if (this.#settings.fsync === "everysec") {
          // Fatal for the old log (see #syncFailed): the retry continues in the prepared one.
          this.#syncFailed(old, error, false);
          return;
        }
        // `no` keeps nothing it could move to a new log: as Redis, it goes on as it was.
        this.#log.error(`Cannot start compaction: fdatasync of ${old.file.path} failed`, error);
        this.#prepared = null;
        this.#switchRequested = false;
        this.#dropPrepared(next).catch(() => {});
        return;
      }
    }
    this.#prepared = null;
    this.#switchRequested = false;
    this.#olderLogs.push({ file: old.file, bytes: old.writtenBytes });
    this.#current = next;
    // The keyspaces as they are now, under their numbers now (see snapshot_writer.ts), and
    // every partition's definition (a NONE partition's keys are never logged).
    const sources: SnapshotSource[] = this.#store.dbs.map((keyspace, index) => ({
      keyspace,
      index,
    }));
    const partitions: PartitionRecord[] = [];
    // Only once partitions were ever made: a data set without them stays as it was.
    const nextId = this.#store.nextPartitionId;
    const nextPartitionId = nextId > FIRST_PARTITION_ID ? nextId : undefined;
    for (const partition of this.#store.partitions()) {
      const { id, name, schema, persistence, createdAtMs } = partition;
      partitions.push({ id, name, schema, persistence, createdAtMs });
      if (persistence === Persistence.wal) {
        sources.push({ keyspace: partition.keyspace, index: id });
      }
    }
    // Collections as they are now, for the snapshot (see SnapshotFreeze).
    const freeze = new SnapshotFreeze(this.#store.journal, sources);
    const position = this.#journal.lastPosition;
    const compaction: Compaction = {
      generation: next.file.generation,
      startedMs: Date.now(),
      cancelled: false,
      done: Promise.resolve(),
      replaces: { snapshot: this.#snapshot?.file ?? null, logs: [...this.#olderLogs] },
    };
    this.#compaction = compaction;
    compaction.done = (async () => {
      try {
        await old.close();
        await this.#compact(compaction, sources, partitions, nextPartitionId, freeze, position);
      } finally {
        freeze.end();
      }
    })();
  }

  /** Records a failure and holds off automatic attempts for a while (BGREWRITEAOF still may). */
  #compactionFailed(): void {
    this.#lastCompactionOk = false;
    this.#autoCompactAfterMs = this.#clock() + COMPACTION_RETRY_MS;
  }

  async #compact(
    compaction: Compaction,
    sources: SnapshotSource[],
    partitions: PartitionRecord[],
    nextPartitionId: number | undefined,
    freeze: SnapshotFreeze,
    position: WalJournal["lastPosition"],
  ): Promise<void> {
    const { generation } = compaction;
    const final = dataFile(this.dir, "snapshot", generation);
    const temp = joinPath(this.dir, fileName("snapshot", generation) + ".tmp");
    try {
      const { keys, bytes } = await writeSnapshot({
        path: temp,
        generation,
        sources,
        partitions,
        nextPartitionId,
        freeze,
        position,
        runInStore: (task) => this.#runInStore(task),
        now: this.#clock,
        cancelled: () => compaction.cancelled,
        onSlice: (ms) => this.latency?.record(LatencyEvents.compactionSlice, ms),
      });
      await Deno.rename(temp, final.path);
      await syncDirectory(this.dir);
      // From here on the new snapshot and the logs from its generation on are the data set
      // (a failed fdatasync may have moved the log on meanwhile: those logs stay).
      const { replaces } = compaction;
      const obsolete = [
        ...(replaces.snapshot ? [replaces.snapshot.path] : []),
        ...replaces.logs.map((l) => l.file.path),
      ];
      this.#snapshot = { file: final, bytes };
      this.#olderLogs = this.#olderLogs.filter((l) => !replaces.logs.includes(l));
      for (const path of obsolete) {
        await Deno.remove(path).catch((error) => this.#log.warn(`Cannot remove ${path}`, error));
      }
      await syncDirectory(this.dir).catch(() => {});
      this.#compactions++;
      this.#lastCompactionOk = true;
      this.#lastSaveMs = this.#clock();
      this.#lastCompactionSec = Math.round((Date.now() - compaction.startedMs) / 1000);
      this.#log.info(
        `Compaction done: ${keys} keys in ${final.name} (${bytes} bytes) in ` +
          `${((Date.now() - compaction.startedMs) / 1000).toFixed(3)} seconds`,
      );
    } catch (error) {
      if (error instanceof SnapshotCancelled) {
        this.#log.info("Compaction cancelled");
      } else {
        this.#compactionFailed();
        this.#log.error("Compaction failed; the log keeps growing until the next one", error);
      }
    } finally {
      this.#compaction = null;
    }
  }

  // --- Reporting and shutdown ---

  /** INFO persistence fields (after `loading:0`). */
  info(): [string, string | number][] {
    const stats = this.#syncStats;
    const compaction = this.#compaction;
    return [
      ["aof_enabled", 1],
      ["aof_rewrite_in_progress", compaction ? 1 : 0],
      ["aof_rewrite_scheduled", this.#switchRequested ? 1 : 0],
      ["aof_last_rewrite_time_sec", this.#lastCompactionSec],
      [
        "aof_current_rewrite_time_sec",
        compaction ? Math.round((Date.now() - compaction.startedMs) / 1000) : -1,
      ],
      ["aof_last_bgrewrite_status", this.#lastCompactionOk ? "ok" : "err"],
      ["aof_rewrites", this.#compactions],
      ["aof_last_write_status", this.#writeError === null ? "ok" : "err"],
      ["aof_last_fsync_status", this.#syncError === null ? "ok" : "err"],
      ...this.#history.info(),
      ["aof_current_size", this.#dataSetBytes],
      ["aof_base_size", this.#snapshot?.bytes ?? 0],
      ["aof_buffer_length", this.#kept.bytes],
      ["aof_fsync_policy", this.#settings.fsync],
      ["aof_fsyncs", stats.count],
      ["aof_fsync_last_usec", stats.lastUs],
      ["aof_fsync_avg_usec", stats.count === 0 ? 0 : Math.round(stats.totalUs / stats.count)],
      ["aof_fsync_max_usec", stats.maxUs],
    ];
  }

  /**
   * Stops the log: cancels a compaction in progress, makes everything written durable, closes
   * the file and releases the directory lock.
   */
  /**
   * Writes what is pending and closes the log. `finalPosition`, asked once every round has
   * been written and released, is a replication position to end the log with (a primary's
   * history, so that it resumes after a restart: see replication/manager.ts), or null.
   */
  close(finalPosition?: () => ReplPosition | null): Promise<void> {
    this.#closing ??= this.#close(finalPosition);
    return this.#closing;
  }

  async #close(finalPosition?: () => ReplPosition | null): Promise<void> {
    clearInterval(this.#timer);
    // Pipelined groups complete (each writes the rounds gathered behind it).
    while (this.#inFlight !== null) await this.#inFlight;
    const position = this.failure === null ? finalPosition?.() ?? null : null;
    if (position !== null) {
      this.#journal.writeReplPosition(position.replid, position.offset, position.db);
    }
    const compaction = this.#compaction;
    if (compaction) {
      compaction.cancelled = true;
      await compaction.done;
    }
    await this.#preparing;
    if (this.#prepared) {
      // Nothing was written to it: leave the data set as it was.
      await this.#dropPrepared(this.#prepared);
      this.#prepared = null;
    }
    await (this.#background ?? Promise.resolve());
    const encoder = this.#journal.encoder;
    encoder.end();
    if (this.failure === null) this.#commitNow(this.#settings.fsync === "always");
    if (this.failure !== null) {
      if (encoder.length > 0) this.#kept.keep(encoder.bytes.subarray(0, encoder.length));
      encoder.reset();
      await this.#retry();
      if (this.failure !== null) {
        this.#log.error(
          `Exiting with ${this.#kept.bytes} bytes of kept records not logged: ${this.failure}`,
        );
      }
    } else if (this.#current.dirty) {
      await this.#sync(this.#current).catch((error) =>
        this.#log.error("The final fdatasync failed", error)
      );
    }
    this.#journal.muted = true;
    await this.#current.close();
    this.#lock.close();
  }
}
