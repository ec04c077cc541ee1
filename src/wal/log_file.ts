/**
 * One log file open for appending: writes, fdatasync with timing, and cutting back to a known
 * good size after a failed write (so a half-written record never sits before later ones).
 */
import { encodeFileHeader, FileKind } from "./codec.ts";
import type { DataFile } from "./data_dir.ts";
import type { BucketHistogram } from "../observe/bucket_histogram.ts";
import { type LogHandle, type OpenLogHandle, openRealHandle } from "./file_faults.ts";

/** fdatasync timings, for INFO persistence and /metrics. */
export interface SyncStats {
  count: number;
  totalUs: number;
  lastUs: number;
  maxUs: number;
  /** Every duration in seconds, when kept (hermes_wal_fsync_duration_seconds). */
  seconds?: BucketHistogram;
}

export class LogFile {
  readonly file: DataFile;
  readonly #handle: LogHandle;
  /** Bytes successfully written (the file's size as far as we know). */
  writtenBytes: number;
  /** Bytes made durable by the last successful fdatasync. */
  syncedBytes: number;
  #syncing: Promise<void> | null = null;
  #closed = false;

  private constructor(file: DataFile, handle: LogHandle, size: number) {
    this.file = file;
    this.#handle = handle;
    this.writtenBytes = size;
    this.syncedBytes = size;
  }

  /** Opens an existing log whose valid content is `size` bytes. */
  static async open(
    file: DataFile,
    size: number,
    openHandle: OpenLogHandle = openRealHandle,
  ): Promise<LogFile> {
    const handle = await openHandle(file.path, { append: true });
    return new LogFile(file, handle, size);
  }

  /**
   * Creates a new empty log: writes its header and makes it durable. The caller syncs the
   * directory so the new name survives a crash.
   */
  static async create(
    file: DataFile,
    openHandle: OpenLogHandle = openRealHandle,
  ): Promise<LogFile> {
    const handle = await openHandle(file.path, { append: true, createNew: true });
    try {
      const header = encodeFileHeader(FileKind.log, file.generation);
      let offset = 0;
      while (offset < header.length) offset += await handle.write(header.subarray(offset));
      await handle.syncData();
      return new LogFile(file, handle, header.length);
    } catch (error) {
      handle.close();
      throw error;
    }
  }

  /**
   * Appends all of `bytes`, synchronously: a page-cache write is quick, and doing it in the
   * same turn keeps the round's bytes in order without locking. Throws on failure, leaving
   * {@linkcode writtenBytes} unchanged (the caller cuts the file back).
   */
  appendSync(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) offset += this.#handle.writeSync(bytes.subarray(offset));
    this.writtenBytes += bytes.length;
  }

  /** Cuts the file back to `size` bytes (dropping a partly written record). */
  truncateSync(size: number): void {
    this.#handle.truncateSync(size);
    this.writtenBytes = size;
    if (this.syncedBytes > size) this.syncedBytes = size;
  }

  /** Whether bytes were written since the last successful sync. */
  get dirty(): boolean {
    return this.writtenBytes > this.syncedBytes;
  }

  /** fdatasync in the background; records the time taken in `stats`. Throws on failure. */
  async sync(stats: SyncStats): Promise<void> {
    while (this.#syncing) await this.#syncing.catch(() => {});
    const target = this.writtenBytes;
    const started = performance.now();
    const pending = this.#handle.syncData();
    this.#syncing = pending;
    try {
      await pending;
    } finally {
      this.#syncing = null;
    }
    this.#synced(target, started, stats);
  }

  /** fdatasync, blocking the thread until it is done. Throws on failure. */
  syncNow(stats: SyncStats): void {
    const target = this.writtenBytes;
    const started = performance.now();
    this.#handle.syncDataSync();
    this.#synced(target, started, stats);
  }

  #synced(target: number, started: number, stats: SyncStats): void {
    const us = Math.round((performance.now() - started) * 1000);
    stats.count++;
    stats.totalUs += us;
    stats.lastUs = us;
    if (us > stats.maxUs) stats.maxUs = us;
    stats.seconds?.observe(us / 1e6);
    if (target > this.syncedBytes) this.syncedBytes = target;
  }

  /** Waits for a sync in flight, then closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#syncing) await this.#syncing.catch(() => {});
    try {
      this.#handle.close();
    } catch { /* already closed */ }
  }
}
