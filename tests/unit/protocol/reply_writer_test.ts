/**
 * The reply encoder: every method's exact bytes in RESP2 and in RESP3 (after HELLO 3), the
 * buffer mechanics (take, recycle, truncate, growth) and the over-limit hook.
 */
import { assertEquals, assertOk } from "../../helpers/assert.ts";
import { formatDouble, NOT_CAPTURED, ReplyWriter } from "../../../src/protocol/reply_writer.ts";
import { bytesToLatin1, latin1ToBytes } from "../../../src/protocol/latin1.ts";
import { BufferPool } from "../../../src/protocol/buffer_pool.ts";

/** What `write` encodes with a fresh writer speaking `protocol`, as a one-byte string. */
function encode(protocol: 2 | 3, write: (out: ReplyWriter) => void): string {
  const out = new ReplyWriter();
  out.protocol = protocol;
  write(out);
  return bytesToLatin1(out.take());
}

/** Checks the bytes of `write` in both protocols. */
function check(write: (out: ReplyWriter) => void, resp2: string, resp3: string): void {
  assertEquals(encode(2, write), resp2, "RESP2");
  assertEquals(encode(3, write), resp3, "RESP3");
}

Deno.test("ok and pong are the same simple strings in both protocols", () => {
  check((o) => o.ok(), "+OK\r\n", "+OK\r\n");
  check((o) => o.pong(), "+PONG\r\n", "+PONG\r\n");
});

Deno.test("simple strings and errors are one line: CR and LF become spaces", () => {
  check((o) => o.simple("QUEUED"), "+QUEUED\r\n", "+QUEUED\r\n");
  check((o) => o.simple(""), "+\r\n", "+\r\n");
  check((o) => o.simple("a\r\nb"), "+a  b\r\n", "+a  b\r\n");
  check((o) => o.error("ERR syntax error"), "-ERR syntax error\r\n", "-ERR syntax error\r\n");
  check(
    (o) => o.error("ERR unknown command 'a\r\n+OK'"),
    "-ERR unknown command 'a  +OK'\r\n",
    "-ERR unknown command 'a  +OK'\r\n",
  );
});

Deno.test("integers are written in decimal, including negatives and int64 edges", () => {
  check((o) => o.integer(0), ":0\r\n", ":0\r\n");
  check((o) => o.integer(1), ":1\r\n", ":1\r\n");
  check((o) => o.integer(7), ":7\r\n", ":7\r\n");
  check((o) => o.integer(-1), ":-1\r\n", ":-1\r\n");
  check((o) => o.integer(1234567890), ":1234567890\r\n", ":1234567890\r\n");
  check((o) => o.integer(-9007199254740991), ":-9007199254740991\r\n", ":-9007199254740991\r\n");
  check((o) => o.integer(2 ** 60), ":1152921504606846976\r\n", ":1152921504606846976\r\n");
  check(
    (o) => o.integerText("9223372036854775807"),
    ":9223372036854775807\r\n",
    ":9223372036854775807\r\n",
  );
});

Deno.test("integers at every digit-count edge and the int32 edge read back as they were", () => {
  const edges = [2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 53 - 1];
  for (let power = 10; power <= 1e15; power *= 10) edges.push(power - 1, power, power + 1);
  for (const value of edges) {
    for (const n of [value, -value]) {
      assertEquals(encode(2, (o) => o.integer(n)), `:${n}\r\n`);
      // Lengths go through the same digits (array and bulk headers).
      if (n > 0 && n < 2 ** 31) assertEquals(encode(2, (o) => o.arrayHeader(n)), `*${n}\r\n`);
    }
  }
});

Deno.test("bulk strings carry every byte value exactly", () => {
  const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
  check((o) => o.bulk(all), `$256\r\n${all}\r\n`, `$256\r\n${all}\r\n`);
  check((o) => o.bulk(""), "$0\r\n\r\n", "$0\r\n\r\n");
  check((o) => o.bulk("v\r\n"), "$3\r\nv\r\n\r\n", "$3\r\nv\r\n\r\n");
  check((o) => o.bulkBytes(latin1ToBytes(all)), `$256\r\n${all}\r\n`, `$256\r\n${all}\r\n`);
  check((o) => o.bulkBytes(new Uint8Array(0)), "$0\r\n\r\n", "$0\r\n\r\n");
});

Deno.test("nil is $-1 and *-1 in RESP2 and _ in RESP3", () => {
  check((o) => o.nil(), "$-1\r\n", "_\r\n");
  check((o) => o.nilArray(), "*-1\r\n", "_\r\n");
});

Deno.test("arrays are the same; maps, sets and pushes have their own types in RESP3", () => {
  check((o) => o.arrayHeader(0), "*0\r\n", "*0\r\n");
  check((o) => o.arrayHeader(3), "*3\r\n", "*3\r\n");
  check((o) => o.arrayHeader(12345), "*12345\r\n", "*12345\r\n");
  check((o) => o.mapHeader(2), "*4\r\n", "%2\r\n");
  check((o) => o.mapHeader(0), "*0\r\n", "%0\r\n");
  check((o) => o.setHeader(3), "*3\r\n", "~3\r\n");
  check((o) => o.setHeader(0), "*0\r\n", "~0\r\n");
  check((o) => o.pushHeader(3), "*3\r\n", ">3\r\n");
});

Deno.test("a whole map reply nests the same way in both protocols", () => {
  const hello = (o: ReplyWriter) => {
    o.mapHeader(2);
    o.bulk("proto");
    o.integer(3);
    o.bulk("modules");
    o.arrayHeader(0);
  };
  check(
    hello,
    "*4\r\n$5\r\nproto\r\n:3\r\n$7\r\nmodules\r\n*0\r\n",
    "%2\r\n$5\r\nproto\r\n:3\r\n$7\r\nmodules\r\n*0\r\n",
  );
});

Deno.test("doubles are bulk strings in RESP2 and , frames in RESP3, formatted as %.17g", () => {
  check((o) => o.double(1.5), "$3\r\n1.5\r\n", ",1.5\r\n");
  check((o) => o.double(3), "$1\r\n3\r\n", ",3\r\n");
  check((o) => o.double(0.1), "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n");
  check((o) => o.double(Infinity), "$3\r\ninf\r\n", ",inf\r\n");
  check((o) => o.double(-Infinity), "$4\r\n-inf\r\n", ",-inf\r\n");
  check((o) => o.double(NaN), "$3\r\nnan\r\n", ",nan\r\n");
});

Deno.test("booleans are :1 and :0 in RESP2 and #t and #f in RESP3", () => {
  check((o) => o.boolean(true), ":1\r\n", "#t\r\n");
  check((o) => o.boolean(false), ":0\r\n", "#f\r\n");
});

Deno.test("verbatim text is a bulk string in RESP2 and = with its format in RESP3", () => {
  check((o) => o.verbatim("a:1\r\n"), "$5\r\na:1\r\n\r\n", "=9\r\ntxt:a:1\r\n\r\n");
  check((o) => o.verbatim(""), "$0\r\n\r\n", "=4\r\ntxt:\r\n");
  check((o) => o.verbatim("# x", "mkd"), "$3\r\n# x\r\n", "=7\r\nmkd:# x\r\n");
});

Deno.test("simpleRaw and raw write exactly what they are given", () => {
  check((o) => o.simpleRaw("#t"), "#t\r\n", "#t\r\n");
  check((o) => o.raw(latin1ToBytes("*1\r\n:5\r\n")), "*1\r\n:5\r\n", "*1\r\n:5\r\n");
});

Deno.test("replies queue up in order until taken, and take starts afresh", () => {
  const out = new ReplyWriter();
  out.ok();
  out.integer(42);
  out.bulk("x");
  assertEquals(out.length, 5 + 5 + 7);
  assertEquals(bytesToLatin1(out.take()), "+OK\r\n:42\r\n$1\r\nx\r\n");
  assertEquals(out.length, 0);
  out.nil();
  assertEquals(bytesToLatin1(out.take()), "$-1\r\n");
});

Deno.test("truncate drops what was written after a mark", () => {
  const out = new ReplyWriter();
  out.ok();
  const mark = out.length;
  out.arrayHeader(2);
  out.bulk("half");
  out.truncate(mark);
  out.error("ERR failed");
  assertEquals(bytesToLatin1(out.take()), "+OK\r\n-ERR failed\r\n");
});

Deno.test("a recycled buffer is reused and what was taken before stays intact", () => {
  const pool = new BufferPool(16 * 1024, 4);
  const out = new ReplyWriter(pool);
  assertEquals(out.capacity, 0); // a writer holds no buffer until it has a reply
  out.bulk("first");
  const first = out.take();
  assertEquals(out.capacity, 0);
  out.bulk("second");
  const second = out.take();
  assertOk(second.buffer !== first.buffer, "a buffer still being written was reused");
  assertEquals(bytesToLatin1(first), "$5\r\nfirst\r\n");
  // A buffer given back is the next one filled, so a busy connection allocates nothing.
  out.recycle(first);
  out.bulk("third");
  const third = out.take();
  assertEquals(bytesToLatin1(third), "$5\r\nthird\r\n");
  assertOk(third.buffer === first.buffer, "the recycled buffer was not reused");
  assertEquals(bytesToLatin1(second), "$6\r\nsecond\r\n");
  // An idle writer gives its buffer back.
  out.ok();
  out.truncate(0);
  out.release();
  assertEquals(out.capacity, 0);
  assertEquals(pool.freeCount, 1);
});

Deno.test("the buffer grows for big replies with every byte in place at each boundary", () => {
  // Sizes around the 16 KB initial buffer, so a reply's CRLF lands on the boundary.
  for (let size = 16 * 1024 - 24; size <= 16 * 1024 + 8; size++) {
    for (const useBytes of [false, true]) {
      const out = new ReplyWriter();
      out.integer(1);
      const value = "v".repeat(size);
      if (useBytes) out.bulkBytes(latin1ToBytes(value));
      else out.bulk(value);
      out.ok();
      const expected = `:1\r\n$${size}\r\n${value}\r\n+OK\r\n`;
      assertEquals(bytesToLatin1(out.take()), expected, `size ${size} bytes=${useBytes}`);
    }
  }
  const out = new ReplyWriter();
  const big = "x".repeat(3 * 1024 * 1024);
  out.bulk(big);
  assertEquals(out.length, big.length + 2 + String(big.length).length + 3);
});

Deno.test("growing past limitBytes calls onOverLimit, and staying under does not", () => {
  const out = new ReplyWriter();
  let calls = 0;
  out.onOverLimit = () => calls++;
  out.limitBytes = 100 * 1024;
  for (let i = 0; i < 50; i++) out.bulk("x".repeat(1024));
  assertEquals(calls, 0);
  for (let i = 0; i < 100; i++) out.bulk("x".repeat(1024));
  assertOk(calls >= 1);
  assertEquals(out.length, 150 * (1024 + 9)); // $1024 CRLF value CRLF
});

Deno.test("formatDouble matches C's %.17g as Redis 7.0 sends it", () => {
  // Expected texts from printf("%.17g") (and ZSCORE on redis-server 7.0.15).
  const cases: [number, string][] = [
    [0, "0"],
    [-0, "-0"],
    [3, "3"],
    [-1.5, "-1.5"],
    [0.1, "0.10000000000000001"],
    [0.3, "0.29999999999999999"],
    [1 / 3, "0.33333333333333331"],
    [4.35, "4.3499999999999996"],
    [123456789.123, "123456789.123"],
    [0.0001, "0.0001"],
    [-0.0001, "-0.0001"],
    [0.00001, "1.0000000000000001e-05"],
    [1e16, "10000000000000000"],
    [1e17, "1e+17"],
    [2 ** 56, "72057594037927936"],
    [9.999999999999999e16, "99999999999999984"],
    [1e21, "1e+21"],
    [1.5e300, "1.5000000000000001e+300"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [5e-324, "4.9406564584124654e-324"],
    // Exactly halfway at the 17th digit: C rounds to even, toExponential would round up.
    [2 ** -25, "2.9802322387695312e-08"],
    [-(2 ** -25), "-2.9802322387695312e-08"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "nan"],
  ];
  for (const [value, text] of cases) assertEquals(formatDouble(value), text, String(value));
});

Deno.test("a position mark stays valid while earlier bytes are taken, in full or in part", () => {
  const out = new ReplyWriter();
  const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);
  out.simple("first");
  const first = out.position;
  out.simple("second");
  const second = out.position;
  out.simple("third");
  assertEquals(out.before(first), 8);
  assertEquals(text(out.takeFirst(out.before(first))), "+first\r\n");
  assertEquals(out.before(first), 0);
  assertEquals(out.before(second), 9);
  out.consume(4); // copied out elsewhere
  assertEquals(text(out.takeFirst(out.before(second))), "ond\r\n");
  assertEquals(text(out.take()), "+third\r\n");
  assertEquals(out.position, second + 8);
});

Deno.test("while capturing, a first bulk or nil is kept as a value; anything after encodes it first, in order", () => {
  for (const protocol of [2, 3] as const) {
    const nil = protocol === 3 ? "_\r\n" : "$-1\r\n";
    const out = new ReplyWriter();
    out.protocol = protocol;
    out.capturing = true;
    out.bulk("v\xff");
    assertEquals(out.length, 0);
    assertEquals(out.takeCaptured(), "v\xff");
    assertEquals(out.takeCaptured(), NOT_CAPTURED);
    out.nil();
    assertEquals(out.captured, null);
    // A write after it: the kept nil goes first, then the write, both encoded.
    out.integer(7);
    assertEquals(out.captured, NOT_CAPTURED);
    assertEquals(bytesToLatin1(out.take()), `${nil}:7\r\n`);
    // Only a first reply is kept: after bytes, bulks are encoded.
    out.integer(1);
    out.bulk("x");
    assertEquals(out.captured, NOT_CAPTURED);
    assertEquals(bytesToLatin1(out.take()), ":1\r\n$1\r\nx\r\n");
    // An aggregate's items are encoded with their header.
    out.arrayHeader(2);
    out.bulk("a");
    out.nil();
    assertEquals(bytesToLatin1(out.take()), `*2\r\n$1\r\na\r\n${nil}`);
    // A truncation to the start drops a kept value, as it drops bytes.
    out.bulk("gone");
    out.truncate(0);
    assertEquals(out.captured, NOT_CAPTURED);
    // encodeCaptured writes a kept value as bytes (a reply that must wait for a round).
    out.bulk("later");
    out.encodeCaptured();
    assertEquals(bytesToLatin1(out.take()), "$5\r\nlater\r\n");
    // Not capturing: nothing is kept.
    out.capturing = false;
    out.bulk("y");
    assertEquals(out.captured, NOT_CAPTURED);
    assertEquals(bytesToLatin1(out.take()), "$1\r\ny\r\n");
  }
});

Deno.test("deferred messages count as their bytes and are encoded, in order, before anything reads or follows them", () => {
  const head = latin1ToBytes("*3\r\n$7\r\nmessage\r\n");
  const frame = (channel: string, payload: string) =>
    `*3\r\n$7\r\nmessage\r\n$${channel.length}\r\n${channel}\r\n$${payload.length}\r\n${payload}\r\n`;
  const long = "p".repeat(1234);
  const out = new ReplyWriter();
  out.integer(7);
  const start = out.position;
  out.deferMessage(head, "news", "hello");
  out.deferMessage(head, "", long);
  out.deferMessage(head, "c".repeat(10), "");
  const expected = ":7\r\n" + frame("news", "hello") + frame("", long) + frame("c".repeat(10), "");
  // Marks taken now (a round's seal) already cover them.
  assertEquals(out.length, expected.length);
  assertEquals(out.position - start, expected.length - 4);
  const mark = out.position;
  out.ok(); // follows them
  assertEquals(bytesToLatin1(out.takeFirst(out.before(mark))), expected);
  assertEquals(bytesToLatin1(out.take()), "+OK\r\n");

  // Reading first encodes them too; discarding drops them.
  const other = new ReplyWriter();
  other.deferMessage(head, "a", "b");
  assertEquals(bytesToLatin1(other.peek()), frame("a", "b"));
  other.deferMessage(head, "x", "y");
  other.discard();
  assertEquals(other.length, 0);
  assertEquals(other.take().length, 0);

  // A writer keeping its first bulk reply as a value does not keep one that follows messages.
  const kept = new ReplyWriter();
  kept.capturing = true;
  kept.deferMessage(head, "a", "b");
  kept.bulk("value");
  assertEquals(kept.captured, NOT_CAPTURED);
  assertEquals(bytesToLatin1(kept.take()), frame("a", "b") + "$5\r\nvalue\r\n");
});
