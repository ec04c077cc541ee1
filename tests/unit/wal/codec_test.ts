import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import {
  decodeChanges,
  decodeFileHeader,
  decodeSnapshotEnd,
  encodeFileHeader,
  FileKind,
  FormatError,
  type OpVisitor,
  RECORD_HEADER_BYTES,
  RecordEncoder,
  RecordType,
} from "../../../src/wal/codec.ts";
import { crc32c } from "../../../src/wal/crc32c.ts";

/** Decodes every record in `bytes` into readable operation lists. */
function decodeAll(bytes: Uint8Array): unknown[][] {
  const records: unknown[][] = [];
  let at = 0;
  while (at < bytes.length) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at);
    const len = view.getUint32(0, true);
    const stored = view.getUint32(4, true);
    const end = at + RECORD_HEADER_BYTES + len;
    assertEquals(crc32c(bytes, at + 8, end, crc32c(bytes, at, at + 4)), stored);
    const type = bytes[at + 8];
    const ops: unknown[] = [];
    if (type === RecordType.snapshotEnd) {
      ops.push(["end", decodeSnapshotEnd(bytes, at + RECORD_HEADER_BYTES, end)]);
    } else {
      decodeChanges(bytes, at + RECORD_HEADER_BYTES, end, recorder(ops));
    }
    records.push(ops);
    at = end;
  }
  return records;
}

function recorder(ops: unknown[]): OpVisitor {
  return {
    set: (db, key, value, at) => ops.push(["set", db, key, value, at]),
    delete: (db, key) => ops.push(["delete", db, key]),
    expire: (db, key, at) => ops.push(["expire", db, key, at]),
    flushDb: (db) => ops.push(["flushDb", db]),
    flushAll: () => ops.push(["flushAll"]),
    swapDb: (a, b) => ops.push(["swapDb", a, b]),
    op: (db, key, code, args) => ops.push(["op", db, key, code, ...args]),
    rename: (db, from, toDb, to) => ops.push(["rename", db, from, toDb, to]),
    copy: (db, from, toDb, to) => ops.push(["copy", db, from, toDb, to]),
    createPartition: (p) =>
      ops.push(["createPartition", p.id, p.name, p.schema, p.persistence, p.createdAtMs]),
    dropPartition: (id) => ops.push(["dropPartition", id]),
    nextPartitionId: (id) => ops.push(["nextPartitionId", id]),
  };
}

Deno.test("every operation survives encoding and decoding, grouped by record", () => {
  const encoder = new RecordEncoder();
  encoder.set(0, "k", "v", 0);
  encoder.end();
  encoder.set(3, "a", "1", 1_700_000_000_123);
  encoder.delete(3, "b");
  encoder.expire(15, "c", 0);
  encoder.flushDb(7);
  encoder.flushAll();
  encoder.swapDb(1, 2);
  encoder.rename(4, "from", 4, "to");
  encoder.rename(4, "moved", 300, "moved");
  encoder.copy(2, "source", 7, "copy");
  encoder.createPartition({
    id: 16,
    name: "users:v2",
    schema: 1,
    persistence: 2,
    createdAtMs: 1_700_000_000_456,
  });
  encoder.set(16, "u", "7", 0);
  encoder.dropPartition(300_000);
  encoder.nextPartitionId(300_001);
  encoder.end();
  encoder.snapshotEnd(42);
  assertEquals(encoder.sealed, 3);
  assertEquals(decodeAll(encoder.bytes.subarray(0, encoder.length)), [
    [["set", 0, "k", "v", 0]],
    [
      ["set", 3, "a", "1", 1_700_000_000_123],
      ["delete", 3, "b"],
      ["expire", 15, "c", 0],
      ["flushDb", 7],
      ["flushAll"],
      ["swapDb", 1, 2],
      ["rename", 4, "from", 4, "to"],
      ["rename", 4, "moved", 300, "moved"],
      ["copy", 2, "source", 7, "copy"],
      ["createPartition", 16, "users:v2", 1, 2, 1_700_000_000_456],
      ["set", 16, "u", "7", 0],
      ["dropPartition", 300_000],
      ["nextPartitionId", 300_001],
    ],
    [["end", 42]],
  ]);
});

Deno.test("keys and values keep every byte value exactly, with no UTF-8 round trip", () => {
  const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
  const encoder = new RecordEncoder();
  encoder.set(0, all, all + all, 0);
  encoder.set(0, "", "", 0);
  encoder.end();
  const bytes = encoder.bytes.subarray(0, encoder.length);
  // One byte per char on disk: 256-byte key, 512-byte value, plus framing.
  assertEquals(bytes.length < 256 + 512 + 40, true);
  assertEquals(decodeAll(bytes), [[["set", 0, all, all + all, 0], ["set", 0, "", "", 0]]]);
});

Deno.test("varints hold every size from 0 to 2^53 - 1", () => {
  const values = [0, 1, 127, 128, 16_383, 16_384, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1];
  const encoder = new RecordEncoder();
  for (const value of values) encoder.expire(value % 1000, "k", value);
  encoder.end();
  assertEquals(
    decodeAll(encoder.bytes.subarray(0, encoder.length)),
    [values.map((value) => ["expire", value % 1000, "k", value])],
  );
});

Deno.test("a large value grows the buffer and stays intact", () => {
  const value = "x".repeat(3 * 1024 * 1024) + "\xff";
  const encoder = new RecordEncoder();
  encoder.set(1, "big", value, 5);
  encoder.end();
  const [[op]] = decodeAll(encoder.bytes.subarray(0, encoder.length)) as unknown[][][];
  assertEquals(op, ["set", 1, "big", value, 5]);
});

Deno.test("end without operations writes nothing, and reset forgets the buffer", () => {
  const encoder = new RecordEncoder();
  assertEquals(encoder.end(), false);
  assertEquals(encoder.length, 0);
  encoder.delete(0, "k");
  assertEquals(encoder.hasOpenRecord, true);
  encoder.reset();
  assertEquals([encoder.length, encoder.hasOpenRecord, encoder.end()], [0, false, false]);
});

Deno.test("a payload with an unknown opcode or a string past its end is a FormatError", () => {
  const ops: unknown[] = [];
  assertThrows(() => decodeChanges(Uint8Array.of(99), 0, 1, recorder(ops)), FormatError);
  // SET db=0, key length 5 but only 2 bytes follow.
  assertThrows(
    () => decodeChanges(Uint8Array.of(1, 0, 5, 0x61, 0x62), 0, 5, recorder(ops)),
    FormatError,
  );
  assertThrows(() => decodeChanges(Uint8Array.of(2, 0x80), 0, 2, recorder(ops)), FormatError);
});

Deno.test("file headers round-trip and refuse bad magic, checksum, version and kind", () => {
  const header = encodeFileHeader(FileKind.snapshot, 123456);
  assertEquals(decodeFileHeader(header), {
    version: 1,
    kind: FileKind.snapshot,
    generation: 123456,
  });
  assertThrows(() => decodeFileHeader(header.subarray(0, 19)), /incomplete file header/);
  const badMagic = header.slice();
  badMagic[0] = 0x58;
  assertThrows(() => decodeFileHeader(badMagic), /bad magic/);
  const badCrc = header.slice();
  badCrc[13] ^= 1;
  assertThrows(() => decodeFileHeader(badCrc), /checksum mismatch/);
  const future = header.slice();
  future[8] = 9;
  new DataView(future.buffer).setUint32(16, crc32c(future, 0, 16), true);
  assertThrows(() => decodeFileHeader(future), /unsupported format version 9/);
});
