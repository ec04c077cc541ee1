/**
 * The on-disk format of the write-ahead log, and its encoder and decoder.
 *
 * # Files
 *
 * The data directory (`--dir`) holds:
 *
 * - `hermes.lock`: locked by the running server (a second server refuses to start); holds its pid.
 * - `hermes-<gen>.snapshot`: every live key at the moment log `<gen>` was started.
 * - `hermes-<gen>.log`: every change made since then, in order.
 * - `hermes-<gen>.snapshot.tmp`: a snapshot being written; ignored and removed at start.
 * - `*.broken-<time>`: originals set aside by `--repair`.
 *
 * `<gen>` is a generation number, eight or more decimal digits. The data set is the snapshot with
 * the highest generation G (or nothing, before the first compaction) followed by every log with
 * generation G or higher, in order, with no gaps. Older files are left over from a compaction
 * and are removed.
 *
 * # File layout
 *
 * Every file starts with a 20-byte header, then records until the end of the file. Integers in
 * headers are little-endian.
 *
 * | offset | size | field                                               |
 * | ------ | ---- | --------------------------------------------------- |
 * | 0      | 8    | magic: the ASCII bytes `HERMESWL`                   |
 * | 8      | 2    | format version, u16 (this is version 1)             |
 * | 10     | 1    | kind: 1 = log, 2 = snapshot                         |
 * | 11     | 1    | reserved, 0                                         |
 * | 12     | 4    | generation, u32 (the number in the file name)       |
 * | 16     | 4    | CRC-32C of bytes 0 to 15                            |
 *
 * A record is a 9-byte header and a payload of `n` bytes:
 *
 * | offset | size | field                                                          |
 * | ------ | ---- | -------------------------------------------------------------- |
 * | 0      | 4    | payload length `n`, u32                                        |
 * | 4      | 4    | CRC-32C of the length bytes (0-3), the type and the payload    |
 * | 8      | 1    | record type                                                    |
 * | 9      | n    | payload                                                        |
 *
 * A record whose bytes end early or whose checksum fails is bad. A bad record with nothing valid
 * after it is a torn tail (a crash cut the last write short): it is dropped. A bad record
 * followed by a valid one is corruption: the server refuses to start unless told to `--repair`.
 *
 * Record types:
 *
 * - 1 `CHANGES`: everything one command changed, as a list of operations. A record is applied
 *   whole or not at all, so a multi-key command (MSET, RENAME) survives a crash atomically.
 *   One with no operations is a probe the log wrote to test the disk after a failed write.
 *   Snapshots are written as `CHANGES` records holding many `SET` operations each.
 * - 2 `SNAPSHOT_END`: the last record of every snapshot; payload: the key count (varint). A
 *   snapshot without it is incomplete, which is corruption (snapshots are renamed into place
 *   only after being written and synced).
 *
 * Operations state results, never the commands that produced them: INCR logs the new value,
 * every deadline is absolute (Unix ms). `OP` and `RENAME` (below) state changes that are exact
 * given the state the records before them built. Each operation is an opcode byte followed by
 * its fields; integers are unsigned LEB128 varints (up to 2^53), and strings are a varint length
 * followed by the raw bytes (keys and values are byte strings, never re-encoded):
 *
 * | opcode | operation  | fields                                             |
 * | ------ | ---------- | -------------------------------------------------- |
 * | 1      | `SET`      | db, key, value, deadline (Unix ms; 0 = none)       |
 * | 2      | `DELETE`   | db, key                                            |
 * | 3      | `EXPIRE`   | db, key, deadline (0 = persist)                    |
 * | 4      | `FLUSHDB`  | db                                                 |
 * | 5      | `FLUSHALL` | (none)                                             |
 * | 6      | `SWAPDB`   | db, db                                             |
 * | 7      | `OP`       | db, key, op code, argument count, arguments        |
 * | 8      | `CREATE_PARTITION` | id, name, schema, persistence, created-at (Unix ms) |
 * | 9      | `DROP_PARTITION`   | id                                         |
 * | 10     | `NEXT_PARTITION_ID` | id                                        |
 * | 11     | `REPLPOS`  | replication id, offset, stream db                  |
 * | 12     | `RENAME`   | db, from key, to db, to key                        |
 * | 13     | `COPY`     | db, from key, to db, to key                        |
 *
 * `db` is a database number: 0-15 for the numbered databases, 16 and up for partitions (named
 * keyspaces, src/store/partition.ts). `CREATE_PARTITION` defines partition `id` with its name
 * (a string), schema (varint: 1 INT, 2 STRING, 3 ANY) and persistence (varint: 1 WAL, 2 NONE);
 * operations on that id may follow it. `DROP_PARTITION` removes the partition and its keys;
 * its id is never handed out again (clients may select a partition by id). Operations on a
 * NONE partition are never written: its definition is, so it comes back after a restart,
 * empty. A snapshot starts with `NEXT_PARTITION_ID` (the id the next partition will get, so
 * the ids of partitions dropped before the snapshot stay retired) and a `CREATE_PARTITION`
 * for every partition, before any key. Replay hands out ids above the highest it has seen.
 *
 * `OP` applies an operation of the op table (src/store/ops.ts) to the collection at the key:
 * a deterministic Redis write such as `HSET key f v` or `LPOP key 2`, identified by its code.
 * A whole collection (a snapshot entry, RESTORE) is written as `DELETE`, the `OP`s that build
 * it, then `EXPIRE` when it has a deadline, all in one record.
 *
 * `RENAME` moves the value at `from` and its deadline to `to` in `to db` (replacing what `to`
 * held), as the RENAME and MOVE commands do: a few bytes whatever the value's size. It is never
 * written while a snapshot is being made (a fuzzy snapshot may hold neither key: the move is then
 * written as the `SET` and the `DELETE` it stands for); a `from` that is not there moves nothing.
 * `COPY` gives `to` a copy of `from`'s value and deadline (replacing what `to` held), on the
 * same terms.
 *
 * `REPLPOS` is written by a replica in the record of each command it applied from its primary:
 * the primary's replication id, the stream offset just after that command and the database the
 * stream had selected. After a restart the replica resumes from the last one (PSYNC).
 *
 * Replay applies deadlines as they are and drops the keys whose deadline has passed only at the
 * end, because a later record may still change a deadline (PERSIST).
 */
import { Buffer } from "node:buffer";
import { crc32c } from "./crc32c.ts";
import { writeLatin1 } from "../protocol/latin1.ts";

export const MAGIC = "HERMESWL";
export const FORMAT_VERSION = 1;
export const FILE_HEADER_BYTES = 20;
export const RECORD_HEADER_BYTES = 9;
/** Largest payload the 32-bit length field can describe. */
export const MAX_PAYLOAD_BYTES = 0xffff_ffff;

export const FileKind = { log: 1, snapshot: 2 } as const;
export type FileKind = typeof FileKind[keyof typeof FileKind];

export const RecordType = { changes: 1, snapshotEnd: 2 } as const;

export const Op = {
  set: 1,
  delete: 2,
  expire: 3,
  flushDb: 4,
  flushAll: 5,
  swapDb: 6,
  op: 7,
  createPartition: 8,
  dropPartition: 9,
  nextPartitionId: 10,
  replPosition: 11,
  rename: 12,
  copy: 13,
} as const;

/** A partition definition as a record holds it (see the table above). */
export interface PartitionRecord {
  id: number;
  name: string;
  schema: number;
  persistence: number;
  createdAtMs: number;
}

/** A record or header that cannot be read, with the reason in plain words. */
export class FormatError extends Error {
  override name = "FormatError";
}

export interface FileHeader {
  version: number;
  kind: FileKind;
  generation: number;
}

/** The 20 header bytes of a new file. */
export function encodeFileHeader(kind: FileKind, generation: number): Uint8Array {
  const bytes = new Uint8Array(FILE_HEADER_BYTES);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  view.setUint16(8, FORMAT_VERSION, true);
  bytes[10] = kind;
  view.setUint32(12, generation, true);
  view.setUint32(16, crc32c(bytes, 0, 16), true);
  return bytes;
}

/** Reads a file header; throws {@linkcode FormatError} saying what is wrong with it. */
export function decodeFileHeader(bytes: Uint8Array): FileHeader {
  if (bytes.length < FILE_HEADER_BYTES) throw new FormatError("incomplete file header");
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC.charCodeAt(i)) {
      throw new FormatError("not a Hermes log file (bad magic)");
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, FILE_HEADER_BYTES);
  if (view.getUint32(16, true) !== crc32c(bytes, 0, 16)) {
    throw new FormatError("file header checksum mismatch");
  }
  const version = view.getUint16(8, true);
  if (version !== FORMAT_VERSION) {
    throw new FormatError(
      `unsupported format version ${version} (this Hermes reads version ${FORMAT_VERSION})`,
    );
  }
  const kind = bytes[10];
  if (kind !== FileKind.log && kind !== FileKind.snapshot) {
    throw new FormatError(`unknown file kind ${kind}`);
  }
  return { version, kind, generation: view.getUint32(12, true) };
}

const INITIAL_BYTES = 64 * 1024;

/**
 * Builds records into one growing buffer, so a whole round of commands becomes one write.
 * Operations go into the open `CHANGES` record (opened by the first operation); {@linkcode end}
 * seals it, filling in its length and checksum.
 */
export class RecordEncoder {
  bytes = new Uint8Array(INITIAL_BYTES);
  /** Bytes of sealed records (plus the open record, if any). */
  length = 0;
  /** Records sealed since this encoder was made. */
  sealed = 0;
  #open = -1;

  /** Whether operations were added since the last {@linkcode end}. */
  get hasOpenRecord(): boolean {
    return this.#open >= 0;
  }

  /** Forgets every byte; the buffer is reused. */
  reset(): void {
    this.length = 0;
    this.#open = -1;
  }

  set(db: number, key: string, value: string, expireAtMs: number): void {
    this.#begin(key.length + value.length + 24);
    this.bytes[this.length++] = Op.set;
    this.#varint(db);
    this.#string(key);
    this.#string(value);
    this.#varint(expireAtMs);
  }

  delete(db: number, key: string): void {
    this.#begin(key.length + 12);
    this.bytes[this.length++] = Op.delete;
    this.#varint(db);
    this.#string(key);
  }

  expire(db: number, key: string, expireAtMs: number): void {
    this.#begin(key.length + 20);
    this.bytes[this.length++] = Op.expire;
    this.#varint(db);
    this.#string(key);
    this.#varint(expireAtMs);
  }

  flushDb(db: number): void {
    this.#begin(8);
    this.bytes[this.length++] = Op.flushDb;
    this.#varint(db);
  }

  flushAll(): void {
    this.#begin(1);
    this.bytes[this.length++] = Op.flushAll;
  }

  op(db: number, key: string, code: number, args: readonly string[]): void {
    let bytes = key.length + 32;
    for (let i = 0; i < args.length; i++) bytes += args[i].length + 10;
    this.#begin(bytes);
    this.bytes[this.length++] = Op.op;
    this.#varint(db);
    this.#string(key);
    this.#varint(code);
    this.#varint(args.length);
    for (let i = 0; i < args.length; i++) this.#string(args[i]);
  }

  rename(db: number, from: string, toDb: number, to: string): void {
    this.#transfer(Op.rename, db, from, toDb, to);
  }

  copy(db: number, from: string, toDb: number, to: string): void {
    this.#transfer(Op.copy, db, from, toDb, to);
  }

  /** A RENAME (MOVE) or COPY record: both name a key and where its value goes. */
  #transfer(op: number, db: number, from: string, toDb: number, to: string): void {
    this.#begin(from.length + to.length + 32);
    this.bytes[this.length++] = op;
    this.#varint(db);
    this.#string(from);
    this.#varint(toDb);
    this.#string(to);
  }

  /** Where in its primary's stream a replica is (see REPLPOS above). */
  replPosition(replid: string, offset: number, db: number): void {
    this.#begin(replid.length + 24);
    this.bytes[this.length++] = Op.replPosition;
    this.#string(replid);
    this.#varint(offset);
    this.#varint(db);
  }

  swapDb(a: number, b: number): void {
    this.#begin(12);
    this.bytes[this.length++] = Op.swapDb;
    this.#varint(a);
    this.#varint(b);
  }

  createPartition(partition: PartitionRecord): void {
    this.#begin(partition.name.length + 40);
    this.bytes[this.length++] = Op.createPartition;
    this.#varint(partition.id);
    this.#string(partition.name);
    this.#varint(partition.schema);
    this.#varint(partition.persistence);
    this.#varint(partition.createdAtMs);
  }

  dropPartition(id: number): void {
    this.#begin(12);
    this.bytes[this.length++] = Op.dropPartition;
    this.#varint(id);
  }

  nextPartitionId(id: number): void {
    this.#begin(12);
    this.bytes[this.length++] = Op.nextPartitionId;
    this.#varint(id);
  }

  /** Seals the open record; returns false when there was none. */
  end(): boolean {
    const start = this.#open;
    if (start < 0) return false;
    this.#open = -1;
    this.#seal(start, RecordType.changes);
    return true;
  }

  /**
   * Appends a `CHANGES` record with no operations (after sealing any open record): the log
   * writes one to test the disk after a failed write. Replay applies nothing for it.
   */
  emptyRecord(): void {
    this.end();
    this.#reserve(RECORD_HEADER_BYTES);
    const start = this.length;
    this.length += RECORD_HEADER_BYTES;
    this.#seal(start, RecordType.changes);
  }

  /** Appends the `SNAPSHOT_END` record (after sealing any open record). */
  snapshotEnd(keys: number): void {
    this.end();
    this.#reserve(RECORD_HEADER_BYTES + 10);
    const start = this.length;
    this.length += RECORD_HEADER_BYTES;
    this.#varint(keys);
    this.#seal(start, RecordType.snapshotEnd);
  }

  #begin(extra: number): void {
    if (this.#open < 0) {
      this.#reserve(RECORD_HEADER_BYTES + extra);
      this.#open = this.length;
      this.length += RECORD_HEADER_BYTES;
    } else {
      this.#reserve(extra);
    }
  }

  #seal(start: number, type: number): void {
    const bytes = this.bytes;
    const payload = this.length - start - RECORD_HEADER_BYTES;
    if (payload > MAX_PAYLOAD_BYTES) {
      throw new RangeError(`Cannot log a record of ${payload} bytes: over ${MAX_PAYLOAD_BYTES}`);
    }
    bytes[start] = payload & 0xff;
    bytes[start + 1] = (payload >>> 8) & 0xff;
    bytes[start + 2] = (payload >>> 16) & 0xff;
    bytes[start + 3] = payload >>> 24;
    bytes[start + 8] = type;
    const crc = crc32c(bytes, start + 8, this.length, crc32c(bytes, start, start + 4));
    bytes[start + 4] = crc & 0xff;
    bytes[start + 5] = (crc >>> 8) & 0xff;
    bytes[start + 6] = (crc >>> 16) & 0xff;
    bytes[start + 7] = crc >>> 24;
    this.sealed++;
  }

  #string(text: string): void {
    const n = text.length;
    this.#varint(n);
    this.#reserve(n);
    writeLatin1(text, this.bytes, this.length);
    this.length += n;
  }

  #varint(value: number): void {
    const bytes = this.bytes;
    let at = this.length;
    if (value < 0x8000_0000) {
      while (value >= 0x80) {
        bytes[at++] = (value & 0x7f) | 0x80;
        value >>>= 7;
      }
    } else {
      while (value >= 0x80) {
        bytes[at++] = (value % 0x80) | 0x80;
        value = Math.floor(value / 0x80);
      }
    }
    bytes[at++] = value;
    this.length = at;
  }

  /** Makes room for `extra` more bytes (plus slack for the varints written around them). */
  #reserve(extra: number): void {
    const needed = this.length + extra + 16;
    if (needed <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

/** Receives the operations of a record, in order. */
export interface OpVisitor {
  set(db: number, key: string, value: string, expireAtMs: number): void;
  delete(db: number, key: string): void;
  expire(db: number, key: string, expireAtMs: number): void;
  flushDb(db: number): void;
  flushAll(): void;
  swapDb(a: number, b: number): void;
  op(db: number, key: string, code: number, args: string[]): void;
  rename(db: number, from: string, toDb: number, to: string): void;
  copy(db: number, from: string, toDb: number, to: string): void;
  createPartition(partition: PartitionRecord): void;
  dropPartition(id: number): void;
  nextPartitionId(id: number): void;
  /** A replica's position in its primary's stream (absent from logs of primaries). */
  replPosition?(replid: string, offset: number, db: number): void;
}

/**
 * Reads the operations of a `CHANGES` payload (`bytes[start..end)`) and hands each to
 * `visitor`. Throws {@linkcode FormatError} on a malformed payload; operations before the bad
 * one have then been delivered already.
 */
export function decodeChanges(
  bytes: Uint8Array,
  start: number,
  end: number,
  visitor: OpVisitor,
): number {
  const reader = new PayloadReader(bytes, start, end);
  let ops = 0;
  while (reader.at < end) {
    const op = bytes[reader.at++];
    switch (op) {
      case Op.set: {
        const db = reader.varint();
        const key = reader.string();
        const value = reader.string();
        visitor.set(db, key, value, reader.varint());
        break;
      }
      case Op.delete: {
        const db = reader.varint();
        visitor.delete(db, reader.string());
        break;
      }
      case Op.expire: {
        const db = reader.varint();
        const key = reader.string();
        visitor.expire(db, key, reader.varint());
        break;
      }
      case Op.flushDb:
        visitor.flushDb(reader.varint());
        break;
      case Op.flushAll:
        visitor.flushAll();
        break;
      case Op.swapDb: {
        const a = reader.varint();
        visitor.swapDb(a, reader.varint());
        break;
      }
      case Op.op: {
        const db = reader.varint();
        const key = reader.string();
        const code = reader.varint();
        const count = reader.varint();
        if (count > end - reader.at) {
          throw new FormatError("op argument count runs past its record");
        }
        const args = new Array<string>(count);
        for (let i = 0; i < count; i++) args[i] = reader.string();
        visitor.op(db, key, code, args);
        break;
      }
      case Op.rename:
      case Op.copy: {
        const db = reader.varint();
        const from = reader.string();
        const toDb = reader.varint();
        const to = reader.string();
        if (op === Op.rename) visitor.rename(db, from, toDb, to);
        else visitor.copy(db, from, toDb, to);
        break;
      }
      case Op.createPartition: {
        const id = reader.varint();
        const name = reader.string();
        const schema = reader.varint();
        const persistence = reader.varint();
        visitor.createPartition({ id, name, schema, persistence, createdAtMs: reader.varint() });
        break;
      }
      case Op.dropPartition:
        visitor.dropPartition(reader.varint());
        break;
      case Op.nextPartitionId:
        visitor.nextPartitionId(reader.varint());
        break;
      case Op.replPosition: {
        const replid = reader.string();
        const offset = reader.varint();
        visitor.replPosition?.(replid, offset, reader.varint());
        break;
      }
      default:
        throw new FormatError(`unknown operation ${op} at payload byte ${reader.at - 1 - start}`);
    }
    ops++;
  }
  return ops;
}

/** Reads the key count of a `SNAPSHOT_END` payload. */
export function decodeSnapshotEnd(bytes: Uint8Array, start: number, end: number): number {
  const reader = new PayloadReader(bytes, start, end);
  const keys = reader.varint();
  if (reader.at !== end) throw new FormatError("malformed snapshot end record");
  return keys;
}

class PayloadReader {
  at: number;
  readonly #bytes: Uint8Array;
  readonly #end: number;

  constructor(bytes: Uint8Array, start: number, end: number) {
    this.#bytes = bytes;
    this.at = start;
    this.#end = end;
  }

  varint(): number {
    const bytes = this.#bytes;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.at >= this.#end) throw new FormatError("operation cut short");
      const byte = bytes[this.at++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new FormatError("varint too long");
  }

  string(): string {
    const n = this.varint();
    const start = this.at;
    if (n > this.#end - start) throw new FormatError("string runs past the end of its record");
    this.at = start + n;
    return latin1String(this.#bytes, start, start + n);
  }
}

/**
 * The one-byte string of `bytes[start..end)` (char code = byte), made by the native latin1
 * decoder: flat, one byte per char, and faster than building it in JS from 8 bytes up.
 */
export function latin1String(bytes: Uint8Array, start: number, end: number): string {
  if (bytes !== viewedBytes) {
    viewedBytes = bytes;
    view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Latin1Buffer;
  }
  return view.latin1Slice(start, end);
}

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };
/** The view over the last buffer decoded from; replay decodes millions of strings from one. */
let viewedBytes: Uint8Array | null = null;
let view: Latin1Buffer;

/** Drops the cached view, so a large read buffer can be collected once replay is done. */
export function forgetLatin1View(): void {
  viewedBytes = null;
  view = undefined as unknown as Latin1Buffer;
}
