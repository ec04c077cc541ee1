/** The RDB codec's pure parts: CRC-64 as Redis computes it, LZF, strings, whole files, DUMP. */
import { assertEquals, assertMatch, assertOk, assertThrows } from "../../helpers/assert.ts";
import { Crc64, crc64 } from "../../../src/rdb/crc64.ts";
import { lzfCompress, lzfDecompress } from "../../../src/rdb/lzf.ts";
import { RdbEncoder } from "../../../src/rdb/rdb_encoder.ts";
import { RdbDecoder, type RdbEntry, readRdb } from "../../../src/rdb/rdb_decoder.ts";
import { RdbError } from "../../../src/rdb/format.ts";
import { dumpPayload, restorePayload } from "../../../src/rdb/dump_payload.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("CRC-64 matches Redis's check value, in one call or fed in pieces", () => {
  assertEquals(crc64(text("123456789")), 0xe9c6d914c4b8d9can);
  assertEquals(crc64(new Uint8Array(0)), 0n);
  const data = new Uint8Array(1000).map((_, i) => (i * 131 + 7) & 0xff);
  const whole = crc64(data);
  // A byte at a time (no eight-byte steps) gives the same result.
  const slow = new Crc64();
  for (let i = 0; i < data.length; i++) slow.update(data, i, i + 1);
  assertEquals(slow.value, whole);
  for (const cut of [1, 7, 8, 9, 500, 999]) {
    const crc = new Crc64();
    crc.update(data, 0, cut);
    crc.update(data, cut);
    assertEquals(crc.value, whole, `cut at ${cut}`);
  }
});

Deno.test("LZF round-trips random and repetitive data of every small length", () => {
  let cases = 0;
  for (let n = 0; n < 300; n++) {
    for (const kind of ["random", "repeat", "mixed"]) {
      const input = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        input[i] = kind === "random"
          ? Math.floor(Math.random() * 256)
          : kind === "repeat"
          ? i % 7
          : (i % 50 < 25 ? 65 : Math.floor(Math.random() * 4));
      }
      const packed = lzfCompress(input, n + 64);
      if (packed === null) {
        assertOk(n < 4, `no output for ${kind} ${n}`);
        continue;
      }
      assertEquals(lzfDecompress(packed, n), input);
      cases++;
    }
  }
  assertOk(cases > 800, `${cases} cases`);
  const big = text("abc".repeat(100_000));
  const packed = lzfCompress(big)!;
  assertOk(packed.length < big.length / 10);
  assertEquals(lzfDecompress(packed, big.length), big);
});

Deno.test("LZF refuses input that decodes to another length or points before the start", () => {
  const packed = lzfCompress(text("hello hello hello hello"))!;
  assertThrows(() => lzfDecompress(packed, 5));
  assertThrows(() => lzfDecompress(new Uint8Array([0x20, 0x05]), 3));
});

Deno.test("strings are written integer-encoded, compressed or raw, and read back", () => {
  const samples = [
    "",
    "0",
    "-1",
    "127",
    "-128",
    "128",
    "32767",
    "-32769",
    "2147483647",
    "-2147483648",
    "2147483648",
    "007",
    "+1",
    "1.5",
    "x".repeat(20),
    "y".repeat(21),
    "abcdefghijklmnopqrstuvwxyz".repeat(40),
    "\x00\xff\x80binary",
  ];
  for (const sample of samples) {
    const encoder = new RdbEncoder();
    encoder.string(sample);
    const bytes = encoder.take();
    assertEquals(new RdbDecoder(bytes).string(), sample, JSON.stringify(sample));
  }
  const encoder = new RdbEncoder();
  encoder.string("1000");
  assertEquals([...encoder.take()], [0xc1, 0xe8, 0x03]);
  encoder.string("z".repeat(100));
  assertEquals(encoder.take()[0], 0xc3);
});

/** A whole RDB file with the given keys. */
function rdbOf(entries: RdbEntry[]): Uint8Array {
  const encoder = new RdbEncoder();
  encoder.header();
  encoder.aux("redis-ver", "7.0.15");
  const parts: Uint8Array[] = [];
  for (const db of [...new Set(entries.map((e) => e.db))]) {
    encoder.selectDb(db);
    const mine = entries.filter((e) => e.db === db);
    encoder.resizeDb(mine.length, mine.filter((e) => e.expireAtMs > 0).length);
    for (const e of mine) encoder.entry(e.key, e.value, e.expireAtMs);
    parts.push(encoder.take());
  }
  parts.push(encoder.take(), encoder.finish());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

Deno.test("an RDB file round-trips keys, databases and deadlines", async () => {
  const entries: RdbEntry[] = [
    { db: 0, key: "a", value: "1", expireAtMs: 0 },
    { db: 0, key: "big", value: "q".repeat(5000), expireAtMs: 1_900_000_000_123 },
    { db: 3, key: "k\x00\xff", value: "v", expireAtMs: 0 },
  ];
  const bytes = rdbOf(entries);
  const read: RdbEntry[] = [];
  const info = await readRdb(bytes, (entry) => read.push(entry));
  assertEquals(read, entries);
  assertEquals(info.aux.get("redis-ver"), "7.0.15");
  assertOk(info.checksummed);
});

Deno.test("a truncated RDB, a wrong checksum or an unknown type is refused", async () => {
  const bytes = rdbOf([{ db: 0, key: "a", value: "hello", expireAtMs: 0 }]);
  let cuts = 0;
  for (let n = 0; n < bytes.length; n++) {
    let failed = false;
    try {
      await readRdb(bytes.subarray(0, n), () => {});
    } catch (error) {
      failed = error instanceof RdbError;
    }
    assertOk(failed, `a cut at ${n} was accepted`);
    cuts++;
  }
  assertEquals(cuts, bytes.length);
  const flipped = bytes.slice();
  flipped[15] ^= 1;
  let message = "";
  try {
    await readRdb(flipped, () => {});
  } catch (error) {
    message = String(error);
  }
  assertMatch(message, /checksum mismatch/);
});

Deno.test("DUMP payloads are byte for byte Redis's and RESTORE checks their footer", () => {
  // redis-server 7.0.15: DUMP of "v" is 00 01 76 0a 00 + CRC-64.
  const payload = dumpPayload("v");
  const bytes = [...payload].map((c) => c.charCodeAt(0));
  assertEquals(bytes.slice(0, 5), [0x00, 0x01, 0x76, 0x0a, 0x00]);
  assertEquals(bytes.slice(5), [0x91, 0x08, 0xce, 0xb2, 0x19, 0x38, 0x8a, 0xce]);
  assertEquals(restorePayload(payload), "v");
  for (const value of ["12345", "x".repeat(300), ""]) {
    assertEquals(restorePayload(dumpPayload(value)), value);
  }
  const broken = payload.slice(0, -1) + String.fromCharCode(payload.charCodeAt(14) ^ 1);
  assertThrows(() => restorePayload(broken), /version or checksum/);
  assertThrows(() => restorePayload("short"), /version or checksum/);
});
