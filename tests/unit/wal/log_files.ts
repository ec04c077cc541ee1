/** Builds log and snapshot files for the WAL tests. */
import { encodeFileHeader, FileKind, RecordEncoder } from "../../../src/wal/codec.ts";
import { fileName } from "../../../src/wal/data_dir.ts";

export type RecordWriter = (encoder: RecordEncoder) => void;

/** The bytes of a file of `kind` holding one record per writer; with each record's offset. */
export function buildFile(
  kind: "log" | "snapshot",
  generation: number,
  records: RecordWriter[],
): { bytes: Uint8Array; offsets: number[] } {
  const header = encodeFileHeader(kind === "log" ? FileKind.log : FileKind.snapshot, generation);
  const encoder = new RecordEncoder();
  const offsets: number[] = [];
  for (const write of records) {
    offsets.push(header.length + encoder.length);
    write(encoder);
    encoder.end();
  }
  const bytes = new Uint8Array(header.length + encoder.length);
  bytes.set(header);
  bytes.set(encoder.bytes.subarray(0, encoder.length), header.length);
  return { bytes, offsets };
}

/** Writes the file into `dir` under its data-set name; returns its path and record offsets. */
export async function writeDataFile(
  dir: string,
  kind: "log" | "snapshot",
  generation: number,
  records: RecordWriter[],
): Promise<{ path: string; offsets: number[]; size: number }> {
  const { bytes, offsets } = buildFile(kind, generation, records);
  const path = `${dir}/${fileName(kind, generation)}`;
  await Deno.writeFile(path, bytes);
  return { path, offsets, size: bytes.length };
}

/** A record setting `key` to `value` in db 0. */
export const set = (key: string, value: string, deadline = 0, db = 0): RecordWriter => (e) =>
  e.set(db, key, value, deadline);

/** A snapshot's closing record. */
export const snapshotEnd = (keys: number): RecordWriter => (e) => e.snapshotEnd(keys);
