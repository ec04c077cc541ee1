import { assertEquals } from "../../helpers/assert.ts";
import { scanFile } from "../../../src/wal/log_reader.ts";
import { FILE_HEADER_BYTES, type RecordEncoder } from "../../../src/wal/codec.ts";
import { buildFile, set } from "./log_files.ts";

const RECORDS = [
  set("alpha", "one"),
  set("beta", "two", 1_900_000_000_000),
  (e: RecordEncoder) => {
    e.set(0, "gamma", "three", 0);
    e.delete(0, "alpha");
  },
  set("delta", "\x00\xff four"),
];

async function scanBytes(bytes: Uint8Array) {
  const path = await Deno.makeTempFile({ prefix: "hermes-reader-" });
  try {
    await Deno.writeFile(path, bytes);
    const offsets: number[] = [];
    const result = await scanFile(path, (_type, _bytes, _start, _end, offset) => {
      offsets.push(offset);
    });
    return { ...result, offsets };
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("a clean file yields every record and no problem", async () => {
  const { bytes, offsets } = buildFile("log", 1, RECORDS);
  const result = await scanBytes(bytes);
  assertEquals(result.problem, null);
  assertEquals(result.records, 4);
  assertEquals(result.offsets, offsets);
  assertEquals(result.goodBytes, bytes.length);
  assertEquals(result.header?.generation, 1);
});

Deno.test("the last record cut at every byte position is a torn tail ending at the record before", async () => {
  const { bytes, offsets } = buildFile("log", 1, RECORDS);
  const last = offsets[offsets.length - 1];
  let checked = 0;
  for (let cut = last + 1; cut < bytes.length; cut++) {
    const result = await scanBytes(bytes.subarray(0, cut));
    assertEquals(result.records, 3, `cut at ${cut}`);
    assertEquals(result.goodBytes, last, `cut at ${cut}`);
    assertEquals(result.problem?.offset, last, `cut at ${cut}`);
    assertEquals(result.problem?.nextValid, -1, `cut at ${cut}`);
    checked++;
  }
  assertEquals(checked, bytes.length - last - 1);
});

Deno.test("garbage or zeros after the last record are a torn tail", async () => {
  const { bytes } = buildFile("log", 1, RECORDS);
  const tails = [
    new Uint8Array(4096),
    Uint8Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) & 0xff),
    Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1),
  ];
  for (const tail of tails) {
    const damaged = new Uint8Array(bytes.length + tail.length);
    damaged.set(bytes);
    damaged.set(tail, bytes.length);
    const result = await scanBytes(damaged);
    assertEquals(result.records, 4);
    assertEquals(result.goodBytes, bytes.length);
    assertEquals(result.problem?.nextValid, -1);
  }
});

Deno.test("a flipped byte anywhere in a middle record is corruption with the next record found", async () => {
  const { bytes, offsets } = buildFile("log", 1, RECORDS);
  let checked = 0;
  for (let at = offsets[1]; at < offsets[2]; at++) {
    const damaged = bytes.slice();
    damaged[at] ^= 0x10;
    const result = await scanBytes(damaged);
    assertEquals(result.records, 1, `flip at ${at}`);
    assertEquals(result.problem?.offset, offsets[1], `flip at ${at}`);
    assertEquals(result.problem?.nextValid, offsets[2], `flip at ${at}`);
    checked++;
  }
  assertEquals(checked, offsets[2] - offsets[1]);
});

Deno.test("a flipped byte in the last record is a torn tail", async () => {
  const { bytes, offsets } = buildFile("log", 1, RECORDS);
  const damaged = bytes.slice();
  damaged[bytes.length - 2] ^= 0x01;
  const result = await scanBytes(damaged);
  assertEquals(result.problem?.offset, offsets[3]);
  assertEquals(result.problem?.nextValid, -1);
});

Deno.test("a damaged file header is reported at offset 0 with the records after it", async () => {
  const { bytes, offsets } = buildFile("log", 1, RECORDS);
  const damaged = bytes.slice();
  damaged[3] ^= 0xff;
  const result = await scanBytes(damaged);
  assertEquals(result.header, null);
  assertEquals(result.problem?.offset, 0);
  assertEquals(result.problem?.nextValid, offsets[0]);
  const short = await scanBytes(bytes.subarray(0, FILE_HEADER_BYTES - 5));
  assertEquals(short.problem?.reason, "incomplete file header");
  assertEquals(short.problem?.nextValid, -1);
});

Deno.test("records larger than the read buffer are read whole", async () => {
  const big = "v".repeat(9 * 1024 * 1024);
  const { bytes } = buildFile("log", 1, [set("a", "1"), set("big", big), set("b", "2")]);
  const result = await scanBytes(bytes);
  assertEquals([result.records, result.problem], [3, null]);
});
