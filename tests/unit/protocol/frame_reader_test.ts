/**
 * The frame reader as a pure function over bytes: the same commands whatever the split, exact
 * protocol errors, limits checked before anything is allocated, and random garbage that never
 * makes it throw anything but a ProtocolError or hold more memory than its limits allow.
 */
import { assertEquals, assertOk, assertThrows } from "../../helpers/assert.ts";
import {
  type FrameLimits,
  FrameReader,
  IDLE_BUFFER_BYTES,
  parseInteger,
} from "../../../src/protocol/frame_reader.ts";
import { BufferPool } from "../../../src/protocol/buffer_pool.ts";
import { ProtocolError } from "../../../src/protocol/protocol_error.ts";
import { bytesToLatin1, latin1ToBytes } from "../../../src/protocol/latin1.ts";

const LIMITS: FrameLimits = {
  maxInlineBytes: 64 * 1024,
  maxBulkBytes: 512 * 1024 * 1024,
  maxArgs: 1024 * 1024,
};

/** Every byte value 0..255 once, as a one-byte string. */
const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));

function bytes(text: string): Uint8Array {
  return latin1ToBytes(text);
}

/** Feeds `chunks` one by one and collects every command; rethrows what next() throws. */
function readAll(chunks: Uint8Array[], limits: FrameLimits = LIMITS): string[][] {
  const reader = new FrameReader(limits);
  const commands: string[][] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    let argv: string[] | null;
    while ((argv = reader.next()) !== null) commands.push(argv);
  }
  return commands;
}

/** The error next() throws for `input` fed in one piece (commands before it are skipped). */
function protocolError(input: string, limits: FrameLimits = LIMITS): string {
  const reader = new FrameReader(limits);
  reader.push(bytes(input));
  try {
    while (reader.next() !== null) { /* commands before the error */ }
  } catch (error) {
    if (error instanceof ProtocolError) return error.reply;
    throw error;
  }
  throw new Error(`No protocol error for ${JSON.stringify(input)}`);
}

function multibulk(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
}

// A stream mixing everything the reader understands.
const MIXED_STREAM = [
  "PING\r\n",
  "  SET \"a b\"   'c d'  \r\n",
  "\r\n",
  "\n",
  "ECHO bare-newline\n",
  "*0\r\n",
  "*-1\r\n",
  multibulk("SET", ALL_BYTES, ALL_BYTES),
  multibulk("ECHO", ""),
  'ECHO "\\x41\\x42\\n" x\r\n',
  multibulk("MSET", "k1", "\r\n", "k2", "*1\r\n$4\r\nPING\r\n"),
  "*1\r\n$4\r\nPING\r\n",
].join("");

const MIXED_COMMANDS = [
  ["PING"],
  ["SET", "a b", "c d"],
  ["ECHO", "bare-newline"],
  ["SET", ALL_BYTES, ALL_BYTES],
  ["ECHO", ""],
  ["ECHO", "AB\n", "x"],
  ["MSET", "k1", "\r\n", "k2", "*1\r\n$4\r\nPING\r\n"],
  ["PING"],
];

Deno.test("the mixed stream in one piece gives the expected commands", () => {
  assertEquals(readAll([bytes(MIXED_STREAM)]), MIXED_COMMANDS);
});

Deno.test("the mixed stream split at every byte position gives the same commands", () => {
  const whole = bytes(MIXED_STREAM);
  let splits = 0;
  for (let at = 0; at <= whole.length; at++) {
    assertEquals(readAll([whole.subarray(0, at), whole.subarray(at)]), MIXED_COMMANDS, `at ${at}`);
    splits++;
  }
  assertEquals(splits, whole.length + 1);
});

Deno.test("the mixed stream split at every pair of positions gives the same commands", () => {
  const whole = bytes(MIXED_STREAM);
  let splits = 0;
  for (let a = 0; a <= whole.length; a += 7) {
    for (let b = a; b <= whole.length; b += 5) {
      const chunks = [whole.subarray(0, a), whole.subarray(a, b), whole.subarray(b)];
      assertEquals(readAll(chunks), MIXED_COMMANDS, `at ${a} and ${b}`);
      splits++;
    }
  }
  assertOk(splits > 1000, `only ${splits} splits`);
});

Deno.test("the mixed stream fed one byte at a time gives the same commands", () => {
  const whole = bytes(MIXED_STREAM);
  const chunks = Array.from(whole, (_, i) => whole.subarray(i, i + 1));
  assertEquals(readAll(chunks), MIXED_COMMANDS);
});

Deno.test("every byte value round-trips in multibulk arguments, alone and together", () => {
  const commands = [];
  for (let b = 0; b < 256; b++) {
    commands.push(["SET", String.fromCharCode(b), `x${String.fromCharCode(b)}y`]);
  }
  commands.push(["SET", ALL_BYTES, ALL_BYTES.split("").reverse().join("")]);
  const stream = commands.map((argv) => multibulk(...argv)).join("");
  const read = readAll([bytes(stream)]);
  assertEquals(read, commands);
  // What comes out is flat one-byte strings: char code = byte value.
  assertEquals(
    Array.from(read[256][1], (c) => c.charCodeAt(0)),
    Array.from({ length: 256 }, (_, i) => i),
  );
});

Deno.test("a command is returned only once its last byte has arrived", () => {
  const reader = new FrameReader(LIMITS);
  const whole = bytes(multibulk("SET", "key", "value"));
  for (let i = 0; i < whole.length - 1; i++) {
    reader.push(whole.subarray(i, i + 1));
    assertEquals(reader.next(), null, `after byte ${i}`);
  }
  reader.push(whole.subarray(whole.length - 1));
  assertEquals(reader.next(), ["SET", "key", "value"]);
  assertEquals(reader.next(), null);
  assertEquals(reader.bufferedBytes, 0);
});

Deno.test("reading straight into writable() and commit() works like push()", () => {
  const reader = new FrameReader(LIMITS);
  const value = "v".repeat(100_000);
  const whole = bytes(multibulk("SET", "k", value) + "PING\r\n");
  let offset = 0;
  const commands: string[][] = [];
  while (offset < whole.length) {
    const space = reader.writable();
    assertOk(space.length > 0);
    const n = Math.min(space.length, 3000, whole.length - offset);
    space.set(whole.subarray(offset, offset + n));
    reader.commit(n);
    offset += n;
    let argv;
    while ((argv = reader.next()) !== null) commands.push(argv);
  }
  assertEquals(commands, [["SET", "k", value], ["PING"]]);
});

Deno.test("empty lines, *0 and negative counts are skipped without a command", () => {
  assertEquals(readAll([bytes("\r\n\n \t \r\n*0\r\n*-1\r\n*-5\r\n")]), []);
  assertEquals(readAll([bytes("\n\n\nPING\n")]), [["PING"]]);
});

Deno.test("the two bytes after a bulk are skipped without being checked, as Redis does", () => {
  assertEquals(readAll([bytes("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n")]), [["PING"], ["PING"]]);
});

Deno.test("a line starting with $ outside a multibulk is an inline command", () => {
  assertEquals(readAll([bytes("$4\r\nPING\r\n")]), [["$4"], ["PING"]]);
});

Deno.test("commands before a protocol error are returned before it is thrown", () => {
  const reader = new FrameReader(LIMITS);
  reader.push(bytes('PING\r\n*1\r\n$4\r\nECHO\r\nSET a "b\r\nPING\r\n'));
  assertEquals(reader.next(), ["PING"]);
  assertEquals(reader.next(), ["ECHO"]);
  assertThrows(() => reader.next(), ProtocolError);
});

Deno.test("malformed requests raise Redis's protocol errors", () => {
  const cases: [string, string][] = [
    ['SET a "b\r\n', "unbalanced quotes in request"],
    ["ECHO 'a'b\r\n", "unbalanced quotes in request"],
    ["*x\r\n", "invalid multibulk length"],
    ["*\r\n", "invalid multibulk length"],
    ["*+1\r\n", "invalid multibulk length"],
    ["*-0\r\n", "invalid multibulk length"],
    ["*01\r\n", "invalid multibulk length"],
    ["* 1\r\n", "invalid multibulk length"],
    ["*1048577\r\n", "invalid multibulk length"],
    ["*99999999999999999999\r\n", "invalid multibulk length"],
    ["*1\r\n$x\r\n", "invalid bulk length"],
    ["*1\r\n$-1\r\n", "invalid bulk length"],
    ["*1\r\n$-0\r\n", "invalid bulk length"],
    ["*1\r\n$+4\r\n", "invalid bulk length"],
    ["*1\r\n$\r\n", "invalid bulk length"],
    ["*1\r\n$536870913\r\n", "invalid bulk length"],
    ["*1\r\nX4\r\nPING\r\n", "expected '$', got 'X'"],
    ["*2\r\n$4\r\nECHO\r\n*1\r\n", "expected '$', got '*'"],
    ["*1\r\n:4\r\n", "expected '$', got ':'"],
  ];
  for (const [input, message] of cases) {
    assertEquals(protocolError(input), `ERR Protocol error: ${message}`, JSON.stringify(input));
  }
});

Deno.test("an inline line longer than max-inline is refused, with or without its newline", () => {
  const limits = { ...LIMITS, maxInlineBytes: 100 };
  const expected = "ERR Protocol error: too big inline request";
  assertEquals(protocolError("A".repeat(101), limits), expected);
  assertEquals(protocolError("ECHO " + "A".repeat(96) + "\r\n", limits), expected);
  // Exactly at the limit is fine.
  assertEquals(readAll([bytes("ECHO " + "A".repeat(95) + "\r\n")], limits), [[
    "ECHO",
    "A".repeat(95),
  ]]);
  // Without a newline the reader waits until the limit is passed.
  const reader = new FrameReader(limits);
  reader.push(bytes("A".repeat(100)));
  assertEquals(reader.next(), null);
});

Deno.test("a multibulk count or bulk length with no line end is refused past 64 KB", () => {
  assertEquals(
    protocolError("*" + "1".repeat(70_000)),
    "ERR Protocol error: too big mbulk count string",
  );
  assertEquals(
    protocolError("*1\r\n$" + "1".repeat(70_000)),
    "ERR Protocol error: too big bulk count string",
  );
});

Deno.test("counts and lengths at their limits are accepted and past them refused", () => {
  const limits = { maxInlineBytes: 1024, maxBulkBytes: 2048, maxArgs: 16 };
  assertEquals(readAll([bytes(multibulk(..."x".repeat(16).split("")))], limits).length, 1);
  assertEquals(protocolError("*17\r\n", limits), "ERR Protocol error: invalid multibulk length");
  assertEquals(readAll([bytes(multibulk("ECHO", "v".repeat(2048)))], limits).length, 1);
  assertEquals(
    protocolError("*2\r\n$4\r\nECHO\r\n$2049\r\n", limits),
    "ERR Protocol error: invalid bulk length",
  );
});

Deno.test("new limits apply to the next header read", () => {
  const limits = { ...LIMITS };
  const reader = new FrameReader(limits);
  reader.push(bytes("*1\r\n$4\r\nPING\r\n"));
  assertEquals(reader.next(), ["PING"]);
  limits.maxArgs = 16; // the live config object, as CONFIG SET changes it
  reader.push(bytes("*17\r\n"));
  assertThrows(() => reader.next(), /invalid multibulk length/);
  const other = new FrameReader(LIMITS);
  other.setLimits({ ...LIMITS, maxBulkBytes: 1024 });
  other.push(bytes("*1\r\n$1025\r\n"));
  assertThrows(() => other.next(), /invalid bulk length/);
});

Deno.test("a header promising 512 MB reserves about 1 MB until the data arrives", () => {
  const reader = new FrameReader(LIMITS);
  reader.push(bytes("*2\r\n$3\r\nSET\r\n$536870912\r\n"));
  assertEquals(reader.next(), null);
  const space = reader.writable();
  assertOk(reader.capacityBytes <= 2 * 1024 * 1024, `capacity ${reader.capacityBytes}`);
  assertOk(space.length <= 2 * 1024 * 1024);
  // And a count of a million arguments allocates nothing for them up front.
  const many = new FrameReader(LIMITS);
  many.push(bytes("*1048576\r\n"));
  assertEquals(many.next(), null);
  assertOk(many.capacityBytes <= 64 * 1024);
});

Deno.test("a buffer grown for a big argument is given back afterwards", () => {
  const value = "x".repeat(5 * 1024 * 1024);
  const whole = bytes(multibulk("SET", "k", value) + "*1\r\n$4\r\nPI");
  // Fed as the server feeds it: a read, then next(), so the bulk's length is known early.
  const reader = new FrameReader(LIMITS);
  const commands: string[][] = [];
  for (let offset = 0; offset < whole.length; offset += 64 * 1024) {
    reader.push(whole.subarray(offset, offset + 64 * 1024));
    let argv;
    while ((argv = reader.next()) !== null) commands.push(argv);
    // Grown to fit the bulk, not to the next power of two past it.
    assertOk(reader.capacityBytes < 5.5 * 1024 * 1024, `grown to ${reader.capacityBytes}`);
  }
  assertEquals(commands, [["SET", "k", value]]);
  // A partial command stayed buffered after the big one; once it is read too, the buffer goes.
  reader.push(bytes("NG\r\n"));
  assertEquals(reader.next(), ["PING"]);
  assertEquals(reader.next(), null);
  assertOk(reader.capacityBytes <= 64 * 1024, `kept ${reader.capacityBytes}`);
  // With nothing left over, the buffer is given back at once.
  const alone = new FrameReader(LIMITS);
  alone.push(bytes(multibulk("SET", "k", value)));
  assertEquals(alone.next(), ["SET", "k", value]);
  assertEquals(alone.next(), null);
  assertOk(alone.capacityBytes <= 64 * 1024, `kept ${alone.capacityBytes}`);
});

Deno.test("parseInteger accepts what Redis's string2ll accepts and nothing else", () => {
  const parse = (text: string) => parseInteger(bytes(text), 0, text.length);
  assertEquals(parse("0"), 0);
  assertEquals(parse("7"), 7);
  assertEquals(parse("-7"), -7);
  assertEquals(parse("1048576"), 1048576);
  assertEquals(parse("999999999999999"), 999999999999999);
  assertOk((parse("-999999999999999999") ?? 0) < 0); // huge negative counts are ignored
  for (
    const bad of [
      "",
      "-",
      "-0",
      "00",
      "01",
      "+1",
      " 1",
      "1 ",
      "1a",
      "0x10",
      "1.0",
      "99999999999999999999",
    ]
  ) {
    assertEquals(parse(bad), null, JSON.stringify(bad));
  }
});

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bytes that steer the reader into every path: markers, digits, line ends, quotes. */
const INTERESTING = bytes("*$-+0123456789\r\n\r\n \"'\\x\tA");

Deno.test("random garbage only ever raises ProtocolError and stays within the limits", () => {
  const random = prng(20240611);
  const limits = { maxInlineBytes: 1024, maxBulkBytes: 4096, maxArgs: 64 };
  // Whatever arrives, the buffer holds at most a read past the largest thing being framed.
  const capacityBound = 4 * (64 * 1024 + 4096 + 1024);
  const CASES = 3000;
  let cases = 0;
  let errors = 0;
  let commands = 0;
  for (let c = 0; c < CASES; c++) {
    const length = Math.floor(random() * 600);
    const input = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const r = random();
      input[i] = r < 0.6
        ? INTERESTING[Math.floor(random() * INTERESTING.length)]
        : Math.floor(random() * 256);
    }
    // Sometimes start with a plausible header so the multibulk paths are reached often.
    if (random() < 0.5) {
      input.set(
        bytes(`*${Math.floor(random() * 5)}\r\n$${Math.floor(random() * 9)}\r\n`).subarray(
          0,
          length,
        ),
      );
    }
    const reader = new FrameReader(limits);
    try {
      let offset = 0;
      while (offset < length) {
        const n = 1 + Math.floor(random() * 64);
        reader.push(input.subarray(offset, offset + n));
        offset += n;
        let argv;
        while ((argv = reader.next()) !== null) {
          commands++;
          assertOk(argv.length > 0 && argv.length <= limits.maxArgs);
        }
        assertOk(reader.capacityBytes <= capacityBound, `capacity ${reader.capacityBytes}`);
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) {
        throw new Error(`Case ${c} (${JSON.stringify(bytesToLatin1(input))}) threw ${error}`);
      }
      errors++;
    }
    cases++;
  }
  assertEquals(cases, CASES);
  // The garbage reached both outcomes often, so the test exercised the reader.
  assertOk(errors > CASES / 10, `${errors} errors`);
  assertOk(commands > CASES / 10, `${commands} commands`);
});

Deno.test("random valid streams split at random points always give back the same commands", () => {
  const random = prng(7);
  const CASES = 500;
  let cases = 0;
  for (let c = 0; c < CASES; c++) {
    const expected: string[][] = [];
    let stream = "";
    const count = 1 + Math.floor(random() * 8);
    for (let k = 0; k < count; k++) {
      const argc = 1 + Math.floor(random() * 4);
      const argv: string[] = [];
      for (let a = 0; a < argc; a++) {
        const len = Math.floor(random() * (random() < 0.1 ? 3000 : 12));
        let arg = "";
        for (let i = 0; i < len; i++) arg += String.fromCharCode(Math.floor(random() * 256));
        argv.push(arg);
      }
      expected.push(argv);
      stream += multibulk(...argv);
      if (random() < 0.3) {
        stream += "PING\r\n";
        expected.push(["PING"]);
      }
    }
    const whole = bytes(stream);
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < whole.length;) {
      const n = 1 + Math.floor(random() * 200);
      chunks.push(whole.subarray(offset, offset + n));
      offset += n;
    }
    assertEquals(readAll(chunks), expected, `case ${c}`);
    cases++;
  }
  assertEquals(cases, CASES);
});

Deno.test("an idle reader keeps only its 1 KB buffer; a read that fills it moves to a pooled one, kept while batches are bigger than 1 KB", () => {
  const pool = new BufferPool(16 * 1024, 4);
  const reader = new FrameReader(LIMITS, pool);
  assertEquals(reader.capacityBytes, IDLE_BUFFER_BYTES);
  // A small request is read and parsed in the idle buffer.
  let space = reader.writable();
  assertEquals(space.length, IDLE_BUFFER_BYTES);
  const ping = bytes(multibulk("PING"));
  space.set(ping);
  reader.commit(ping.length);
  assertEquals(reader.next(), ["PING"]);
  assertEquals(reader.next(), null);
  assertEquals(reader.capacityBytes, IDLE_BUFFER_BYTES);
  // A read that fills the space offered: more is coming, so the next read gets a pooled buffer.
  const pipeline = bytes(
    Array.from({ length: 100 }, (_, i) => multibulk("SET", `k${i}`, "v")).join(""),
  );
  space = reader.writable();
  space.set(pipeline.subarray(0, space.length));
  reader.commit(space.length);
  let offset = space.length;
  const commands: string[][] = [];
  let argv;
  while ((argv = reader.next()) !== null) commands.push(argv);
  space = reader.writable();
  assertEquals(reader.capacityBytes, 16 * 1024);
  space.set(pipeline.subarray(offset));
  reader.commit(pipeline.length - offset);
  offset = pipeline.length;
  while ((argv = reader.next()) !== null) commands.push(argv);
  assertEquals(commands.length, 100);
  // The batch was bigger than the idle buffer: a pipelining client's next one will be too, so
  // the pooled buffer stays for it (one read instead of two).
  assertEquals(reader.capacityBytes, 16 * 1024);
  space = reader.writable();
  assertEquals(space.length, 16 * 1024);
  space.set(pipeline);
  reader.commit(pipeline.length);
  while ((argv = reader.next()) !== null) commands.push(argv);
  assertEquals(commands.length, 200);
  assertEquals(reader.capacityBytes, 16 * 1024);
  // A small request after it: the burst is over, the pooled buffer goes back.
  space = reader.writable();
  space.set(ping);
  reader.commit(ping.length);
  assertEquals(reader.next(), ["PING"]);
  assertEquals(reader.next(), null);
  assertEquals(reader.capacityBytes, IDLE_BUFFER_BYTES);
  assertEquals(pool.freeCount, 1);
});

Deno.test("the buffer pool keeps what a steady load uses and lets go of what a burst left", () => {
  const pool = new BufferPool(1024, 8);
  const taken = Array.from({ length: 6 }, () => pool.take());
  for (const buffer of taken) pool.give(buffer);
  pool.give(new Uint8Array(100)); // another size: not kept
  assertEquals(pool.freeCount, 6);
  pool.sweep(); // the period of the burst: all six were in use, all are kept
  assertEquals(pool.freeCount, 6);
  // A steady load of two buffers at a time over the next period: two are kept.
  for (let i = 0; i < 3; i++) {
    const a = pool.take();
    const b = pool.take();
    pool.give(a);
    pool.give(b);
  }
  pool.sweep();
  assertEquals(pool.freeCount, 2);
  pool.sweep(); // a quiet period: they go too
  assertEquals(pool.freeCount, 0);
  for (let i = 0; i < 20; i++) pool.give(new Uint8Array(1024));
  assertEquals(pool.freeCount, 8); // bounded
});

Deno.test("command names that follow each other decode right, whether they repeat or not", () => {
  const wire = (...argv: string[]) =>
    `*${argv.length}\r\n` + argv.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
  const names = ["SET", "SET", "GET", "set", "SET", "\xffET", "SETRANGE", "SET", "", ""];
  const commands = readAll([bytes(names.map((name) => wire(name, "k")).join(""))]);
  assertEquals(commands.map((argv) => argv[0]), names);
});
