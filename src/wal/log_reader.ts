/**
 * Reads the records of one log or snapshot file, checking every length and checksum, and tells
 * the three endings apart: a clean end, a torn tail (a bad record with nothing valid after it)
 * and corruption (a bad record followed by a valid one).
 */
import { crc32c } from "./crc32c.ts";
import {
  decodeFileHeader,
  FILE_HEADER_BYTES,
  type FileHeader,
  FormatError,
  RECORD_HEADER_BYTES,
  RecordType,
} from "./codec.ts";

/** Receives each valid record: its type, payload `bytes[start..end)` and file offset. */
export type RecordHandler = (
  type: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  offset: number,
) => void;

export interface ScanProblem {
  /** Where the bad record (or header) starts. */
  offset: number;
  reason: string;
  /** Offset of the first valid record after the bad one; -1 when there is none (a torn tail). */
  nextValid: number;
}

export interface ScanResult {
  header: FileHeader | null;
  /** File size in bytes. */
  size: number;
  records: number;
  /** Offset just past the last good record: where a torn tail would be cut. */
  goodBytes: number;
  problem: ScanProblem | null;
}

export interface ScanOptions {
  /** Called about once a second with the bytes read so far. */
  onProgress?: (bytesRead: number, size: number) => void;
}

const CHUNK_BYTES = 8 * 1024 * 1024;
const PROGRESS_EVERY_MS = 1000;

/**
 * Scans `path` from start to end, calling `onRecord` for every valid record until the first
 * bad one. A {@linkcode FormatError} thrown by `onRecord` (a payload that cannot be decoded)
 * makes that record the bad one.
 */
export async function scanFile(
  path: string,
  onRecord: RecordHandler,
  options: ScanOptions = {},
): Promise<ScanResult> {
  const file = await Deno.open(path, { read: true });
  try {
    const size = (await file.stat()).size;
    const result: ScanResult = { header: null, size, records: 0, goodBytes: 0, problem: null };
    const head = new Uint8Array(FILE_HEADER_BYTES);
    const got = await readFully(file, head);
    try {
      result.header = decodeFileHeader(head.subarray(0, got));
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      result.problem = await problemAt(file, size, 0, error.message);
      return result;
    }
    result.goodBytes = FILE_HEADER_BYTES;
    await readRecords(file, size, result, onRecord, options);
    return result;
  } finally {
    file.close();
  }
}

async function readRecords(
  file: Deno.FsFile,
  size: number,
  result: ScanResult,
  onRecord: RecordHandler,
  options: ScanOptions,
): Promise<void> {
  let buf = new Uint8Array(Math.min(CHUNK_BYTES, Math.max(size, 64)));
  /** File offset of buf[0]. */
  let base = FILE_HEADER_BYTES;
  let lo = 0;
  let hi = 0;
  let eof = false;
  let lastProgress = performance.now();

  while (true) {
    // Decode every complete record in the buffer.
    while (hi - lo >= RECORD_HEADER_BYTES) {
      const len = (buf[lo] | buf[lo + 1] << 8 | buf[lo + 2] << 16 | buf[lo + 3] << 24) >>> 0;
      const end = lo + RECORD_HEADER_BYTES + len;
      if (end > hi) break;
      const offset = base + lo;
      const stored = (buf[lo + 4] | buf[lo + 5] << 8 | buf[lo + 6] << 16 | buf[lo + 7] << 24) >>>
        0;
      const type = buf[lo + 8];
      if (crc32c(buf, lo + 8, end, crc32c(buf, lo, lo + 4)) !== stored) {
        result.problem = await problemAt(file, size, offset, "checksum mismatch");
        return;
      }
      if (type !== RecordType.changes && type !== RecordType.snapshotEnd) {
        result.problem = await problemAt(file, size, offset, `unknown record type ${type}`);
        return;
      }
      try {
        onRecord(type, buf, lo + RECORD_HEADER_BYTES, end, offset);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        result.problem = await problemAt(file, size, offset, error.message);
        return;
      }
      result.records++;
      lo = end;
      result.goodBytes = base + lo;
    }
    if (eof) {
      if (hi > lo) {
        const offset = base + lo;
        const reason = hi - lo < RECORD_HEADER_BYTES
          ? `incomplete record header (${hi - lo} bytes)`
          : "record cut short by the end of the file";
        result.problem = await problemAt(file, size, offset, reason);
      }
      return;
    }
    // Keep the partial record, make room for all of it, and read on.
    const pending = hi - lo;
    let wanted = RECORD_HEADER_BYTES;
    if (pending >= RECORD_HEADER_BYTES) {
      wanted += (buf[lo] | buf[lo + 1] << 8 | buf[lo + 2] << 16 | buf[lo + 3] << 24) >>> 0;
    }
    const remaining = size - (base + lo);
    if (wanted > remaining) wanted = remaining; // a length past the end: read what is there
    if (lo > 0) {
      buf.copyWithin(0, lo, hi);
      base += lo;
      hi = pending;
      lo = 0;
    }
    if (wanted > buf.length) {
      const grown = new Uint8Array(wanted);
      grown.set(buf.subarray(0, hi));
      buf = grown;
    }
    while (hi < buf.length) {
      const n = await file.read(buf.subarray(hi));
      if (n === null) {
        eof = true;
        break;
      }
      hi += n;
    }
    if (base + hi >= size) eof = true;
    if (options.onProgress && performance.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = performance.now();
      options.onProgress(base + lo, size);
    }
  }
}

/** A problem at `offset`, with the offset of the next valid record found after it, if any. */
async function problemAt(
  file: Deno.FsFile,
  size: number,
  offset: number,
  reason: string,
): Promise<ScanProblem> {
  return { offset, reason, nextValid: await findValidRecord(file, size, offset + 1) };
}

const SEARCH_WINDOW = 1024 * 1024;

/**
 * The offset of the first position at or after `from` where a complete record with a valid
 * checksum starts, or -1. Garbage rarely looks like a record header (a known type and a length
 * that fits), so few positions need a checksum.
 */
export async function findValidRecord(
  file: Deno.FsFile,
  size: number,
  from: number,
): Promise<number> {
  const window = new Uint8Array(SEARCH_WINDOW);
  let start = Math.max(from, FILE_HEADER_BYTES);
  while (start + RECORD_HEADER_BYTES <= size) {
    await file.seek(start, Deno.SeekMode.Start);
    const got = await readFully(file, window);
    const last = got - RECORD_HEADER_BYTES;
    for (let p = 0; p <= last; p++) {
      const type = window[p + 8];
      if (type !== RecordType.changes && type !== RecordType.snapshotEnd) continue;
      const len = (window[p] | window[p + 1] << 8 | window[p + 2] << 16 | window[p + 3] << 24) >>>
        0;
      if (len === 0 && type === RecordType.changes) continue;
      const at = start + p;
      if (at + RECORD_HEADER_BYTES + len > size) continue;
      let record: Uint8Array;
      let r = p;
      if (p + RECORD_HEADER_BYTES + len <= got) {
        record = window;
      } else {
        record = new Uint8Array(RECORD_HEADER_BYTES + len);
        await file.seek(at, Deno.SeekMode.Start);
        await readFully(file, record);
        r = 0;
      }
      const stored =
        (record[r + 4] | record[r + 5] << 8 | record[r + 6] << 16 | record[r + 7] << 24) >>> 0;
      const end = r + RECORD_HEADER_BYTES + len;
      if (crc32c(record, r + 8, end, crc32c(record, r, r + 4)) === stored) return at;
    }
    if (got < window.length) break;
    start += last + 1;
  }
  return -1;
}

/** Reads until `buf` is full or the file ends; returns the bytes read. */
async function readFully(file: Deno.FsFile, buf: Uint8Array): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return got;
}
