/**
 * The string family end to end: a real server over TCP, checked against Redis 7's replies,
 * error texts and TTL behaviour. TTLs are observed through PEXPIRETIME (a deadline kept, cleared
 * or set), with absolute times already past, and by waiting until a reported deadline has passed;
 * a value is read before its deadline only in the same pipeline as the write, with a second to
 * spare, so no check races a loaded machine's scheduling.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { farDeadline, sleepPast } from "../helpers/deadlines.ts";
import type { Client } from "../../src/client/mod.ts";
import { ReplyError } from "../../src/client/mod.ts";

/** The error text of a reply, or a marker that it was not an error. */
function errorText(reply: unknown): string {
  return reply instanceof ReplyError ? reply.message : `not an error: ${String(reply)}`;
}

async function assertError(client: Client, args: string[], expected: string): Promise<void> {
  assertEquals(errorText(await client.call(...args)), expected, args.join(" "));
}

const SYNTAX = "ERR syntax error";
const NOT_INTEGER = "ERR value is not an integer or out of range";
const NOT_FLOAT = "ERR value is not a valid float";
const OVERFLOW = "ERR increment or decrement would overflow";
const TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

/** Every byte value, CR and LF included. */
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const ALL_BYTES_TEXT = String.fromCharCode(...ALL_BYTES);

Deno.test("string commands", async (t) => {
  await withHermes(async (server) => {
    const c = await server.connect();
    let n = 0;
    /** A fresh key name per step, so steps do not see each other's data. */
    const key = () => `key:${++n}`;

    await t.step("GET of a missing key is nil and SET then GET returns the value", async () => {
      const k = key();
      assertEquals(await c.send("GET", k), null);
      assertEquals(await c.send("SET", k, "hello"), "OK");
      assertEquals(await c.send("GET", k), "hello");
      assertEquals(await c.send("SET", k, "again"), "OK");
      assertEquals(await c.send("GET", k), "again");
    });

    await t.step("an empty string is a value, distinct from a missing key", async () => {
      const k = key();
      assertEquals(await c.send("SET", k, ""), "OK");
      assertEquals(await c.send("GET", k), "");
      assertEquals(await c.send("STRLEN", k), 0);
      assertEquals(await c.send("SET", k, "x", "NX"), null);
    });

    await t.step("binary values and keys with every byte value round-trip exactly", async () => {
      const binaryKey = new Uint8Array([0, 13, 10, 255, 32]);
      assertEquals(await c.send("SET", binaryKey, ALL_BYTES), "OK");
      assertEquals(await c.send("GET", binaryKey), ALL_BYTES_TEXT);
      assertEquals(await c.send("STRLEN", binaryKey), 256);
      assertEquals(await c.send("APPEND", binaryKey, new Uint8Array([13, 10, 0])), 259);
      assertEquals(await c.send("GETRANGE", binaryKey, "-3", "-1"), "\r\n\0");
      assertEquals(await c.send("MGET", binaryKey, "missing"), [ALL_BYTES_TEXT + "\r\n\0", null]);
      // The exact bytes on the wire: a bulk reply of 259 raw bytes.
      await c.writeRaw('GETRANGE "\\x00\\r\\n\\xff " 0 4\r\n');
      const { raw } = await c.readDecoded();
      assertEquals(Array.from(raw), [0x24, 0x35, 13, 10, 0, 1, 2, 3, 4, 13, 10]);
    });

    await t.step("SET NX writes only a missing key and SET XX only an existing one", async () => {
      const k = key();
      assertEquals(await c.send("SET", k, "a", "XX"), null);
      assertEquals(await c.send("GET", k), null);
      assertEquals(await c.send("SET", k, "b", "nx"), "OK");
      assertEquals(await c.send("SET", k, "c", "NX"), null);
      assertEquals(await c.send("GET", k), "b");
      assertEquals(await c.send("SET", k, "d", "xx"), "OK");
      assertEquals(await c.send("GET", k), "d");
      assertEquals(await c.send("SET", k, "e", "NX", "NX"), null);
    });

    await t.step("SET GET answers the old value, also when NX or XX refuses", async () => {
      const k = key();
      assertEquals(await c.send("SET", k, "1", "GET"), null);
      assertEquals(await c.send("SET", k, "2", "GET"), "1");
      assertEquals(await c.send("SET", k, "3", "NX", "GET"), "2");
      assertEquals(await c.send("GET", k), "2");
      const missing = key();
      assertEquals(await c.send("SET", missing, "x", "XX", "GET"), null);
      assertEquals(await c.send("GET", missing), null);
      assertEquals(await c.send("SET", missing, "y", "GET", "NX"), null);
      assertEquals(await c.send("GET", missing), "y");
    });

    await t.step("SET refuses conflicting, unknown or incomplete options", async () => {
      const k = key();
      for (
        const options of [
          ["NX", "XX"],
          ["XX", "NX"],
          ["EX", "10", "PX", "100"],
          ["EX", "10", "KEEPTTL"],
          ["KEEPTTL", "PXAT", "10"],
          ["EXAT", "10", "PXAT", "10"],
          ["EX"],
          ["PX"],
          ["NX", "EX"],
          ["FOO"],
          ["PERSIST"],
          ["EX", "10", "10"],
        ]
      ) {
        await assertError(c, ["SET", k, "v", ...options], SYNTAX);
      }
      assertEquals(await c.send("GET", k), null);
    });

    await t.step("SET with EX rejects a zero, negative or overflowing TTL", async () => {
      const k = key();
      for (
        const options of [
          ["EX", "0"],
          ["EX", "-1"],
          ["PX", "0"],
          ["PX", "-100"],
          ["EXAT", "0"],
          ["PXAT", "-5"],
          ["EX", "9223372036854775"],
          ["EX", "9223372036854775807"],
          ["PX", "9223372036854775807"],
          ["EXAT", "9223372036854776"],
        ]
      ) {
        await assertError(
          c,
          ["SET", k, "v", ...options],
          "ERR invalid expire time in 'set' command",
        );
      }
      for (const options of [["EX", "1.5"], ["PX", "abc"], ["EX", "9223372036854775808"]]) {
        await assertError(c, ["SET", k, "v", ...options], NOT_INTEGER);
      }
      assertEquals(await c.send("GET", k), null);
      // Huge absolute deadlines are valid; only the last of repeated times is read.
      assertEquals(await c.send("SET", k, "v", "PXAT", "9223372036854775807"), "OK");
      assertEquals(await c.send("SET", k, "v", "EX", "abc", "EX", "100"), "OK");
    });

    await t.step("SET with PX expires the key after that many milliseconds", async () => {
      const k = key();
      const before = Date.now();
      const [ok, value, at] = await c.pipeline([
        ["SET", k, "v", "PX", "1000"],
        ["GET", k],
        ["PEXPIRETIME", k],
      ]) as [string, string, number];
      assertEquals([ok, value], ["OK", "v"]);
      assertOk(at >= before + 1000 && at <= Date.now() + 1000, `PEXPIRETIME ${at}`);
      await sleepPast(at);
      assertEquals(await c.send("GET", k), null);
    });

    await t.step(
      "SET with EXAT or PXAT in the past stores a key that is already gone",
      async () => {
        const k = key();
        assertEquals(await c.send("SET", k, "old"), "OK");
        assertEquals(await c.send("SET", k, "v", "PXAT", "1", "GET"), "old");
        assertEquals(await c.send("GET", k), null);
        assertEquals(await c.send("SET", k, "v", "EXAT", "1"), "OK");
        assertEquals(await c.send("GET", k), null);
        assertEquals(await c.send("SET", k, "v", "XX"), null);
      },
    );

    await t.step("SET clears an existing TTL unless KEEPTTL is given", async () => {
      const plain = key();
      const kept = key();
      const at = farDeadline();
      const replies = await c.pipeline([
        ["SET", plain, "1", "PXAT", String(at)],
        ["SET", plain, "2"],
        ["SET", kept, "1", "PXAT", String(at)],
        ["SET", kept, "2", "KEEPTTL"],
        ["SET", kept, "3", "KEEPTTL", "XX", "GET"],
        ["PEXPIRETIME", plain],
        ["PEXPIRETIME", kept],
      ]);
      assertEquals(replies, ["OK", "OK", "OK", "OK", "2", -1, at]);
      // KEEPTTL on a key without a TTL, or a missing key, stores it without one.
      const fresh = key();
      assertEquals(await c.send("SET", fresh, "v", "KEEPTTL"), "OK");
      assertEquals(await c.send("GET", fresh), "v");
    });

    await t.step("PUT is SET under another name, with the same option grammar", async () => {
      const k = key();
      assertEquals(await c.send("PUT", k, "1"), "OK");
      assertEquals(await c.send("put", k, "2", "NX"), null);
      assertEquals(await c.send("PUT", k, "3", "XX", "GET"), "1");
      assertEquals(await c.send("GET", k), "3");
      await assertError(c, ["PUT", k, "v", "NX", "XX"], SYNTAX);
      await assertError(c, ["PUT", k, "v", "EX", "0"], "ERR invalid expire time in 'put' command");
      await assertError(c, ["PUT", k], "ERR wrong number of arguments for 'put' command");
      assertEquals(await c.send("PUT", k, "4", "PXAT", "1"), "OK");
      assertEquals(await c.send("GET", k), null);
    });

    await t.step("SETNX answers 1 when it writes and 0 when the key exists", async () => {
      const k = key();
      assertEquals(await c.send("SETNX", k, "a"), 1);
      assertEquals(await c.send("SETNX", k, "b"), 0);
      assertEquals(await c.send("GET", k), "a");
    });

    await t.step("SETEX and PSETEX set a value with a TTL and check the time", async () => {
      const k = key();
      assertEquals(await c.send("SETEX", k, "100", "v"), "OK");
      assertEquals(await c.send("GET", k), "v");
      await assertError(c, ["SETEX", k, "0", "v"], "ERR invalid expire time in 'setex' command");
      await assertError(c, ["SETEX", k, "abc", "v"], NOT_INTEGER);
      await assertError(c, ["PSETEX", k, "-5", "v"], "ERR invalid expire time in 'psetex' command");
      await assertError(c, ["SETEX", k, "v"], "ERR wrong number of arguments for 'setex' command");
      assertEquals(await c.send("GET", k), "v");
      const before = Date.now();
      const [ok, value, at] = await c.pipeline([
        ["PSETEX", k, "100000", "w"],
        ["GET", k],
        ["PEXPIRETIME", k],
      ]) as [string, string, number];
      assertEquals([ok, value], ["OK", "w"]);
      assertOk(at >= before + 100_000 && at <= Date.now() + 100_000, `PEXPIRETIME ${at}`);
    });

    await t.step("GETSET answers the old value and clears the TTL", async () => {
      const k = key();
      assertEquals(await c.send("GETSET", k, "1"), null);
      const replies = await c.pipeline([
        ["SET", k, "2", "PXAT", String(farDeadline())],
        ["GETSET", k, "3"],
        ["PEXPIRETIME", k],
      ]);
      assertEquals(replies, ["OK", "2", -1]);
      assertEquals(await c.send("GET", k), "3");
    });

    await t.step("GETDEL answers the value and deletes the key", async () => {
      const k = key();
      assertEquals(await c.send("GETDEL", k), null);
      await c.send("SET", k, "v");
      assertEquals(await c.send("GETDEL", k), "v");
      assertEquals(await c.send("GET", k), null);
      assertEquals(await c.send("GETDEL", k), null);
    });

    await t.step("GETEX sets or removes the TTL and answers the value", async () => {
      const k = key();
      await c.send("SET", k, "v");
      assertEquals(await c.send("GETEX", k), "v");
      // The key had no deadline, so GETEX answers the value however late it runs; the deadline
      // it sets is at most 100 ms after its reply.
      assertEquals(await c.send("GETEX", k, "PX", "100"), "v");
      await sleepPast(Date.now() + 100);
      assertEquals(await c.send("GET", k), null);

      const persisted = key();
      const replies = await c.pipeline([
        ["SET", persisted, "v", "PXAT", String(farDeadline())],
        ["GETEX", persisted, "PERSIST"],
        ["PEXPIRETIME", persisted],
      ]);
      assertEquals(replies, ["OK", "v", -1]);
      assertEquals(await c.send("GET", persisted), "v");
    });

    await t.step("GETEX with an absolute time already past answers and deletes", async () => {
      const k = key();
      await c.send("SET", k, "v");
      assertEquals(await c.send("GETEX", k, "PXAT", "1"), "v");
      assertEquals(await c.send("GET", k), null);
      await c.send("SET", k, "w");
      assertEquals(
        await c.send("GETEX", k, "EXAT", String(Math.floor(Date.now() / 1000) - 10)),
        "w",
      );
      assertEquals(await c.send("GET", k), null);
    });

    await t.step("GETEX checks its options, but a missing key is nil before the time", async () => {
      const k = key();
      assertEquals(await c.send("GETEX", k, "EX", "0"), null);
      assertEquals(await c.send("GETEX", k, "EX", "abc"), null);
      await assertError(c, ["GETEX", k, "FOO"], SYNTAX);
      await c.send("SET", k, "v");
      for (
        const options of [
          ["PERSIST", "EX", "10"],
          ["EX", "10", "PERSIST"],
          ["NX"],
          ["KEEPTTL"],
          ["GET"],
          ["EX"],
          ["EX", "1", "PX", "1"],
        ]
      ) {
        await assertError(c, ["GETEX", k, ...options], SYNTAX);
      }
      await assertError(c, ["GETEX", k, "EX", "0"], "ERR invalid expire time in 'getex' command");
      await assertError(c, ["GETEX", k, "PX", "1.5"], NOT_INTEGER);
      assertEquals(await c.send("GETEX", k, "PERSIST", "PERSIST"), "v");
    });

    await t.step("MGET answers each key's value or nil, in order", async () => {
      const [a, b] = [key(), key()];
      await c.send("SET", a, "1");
      await c.send("SET", b, "");
      assertEquals(await c.send("MGET", a, "missing", b, a), ["1", null, "", "1"]);
    });

    await t.step("MSET stores every pair, the last duplicate winning", async () => {
      const [a, b] = [key(), key()];
      assertEquals(await c.send("MSET", a, "1", b, "2", a, "3"), "OK");
      assertEquals(await c.send("MGET", a, b), ["3", "2"]);
      await assertError(c, ["MSET", a, "1", b], "ERR wrong number of arguments for 'mset' command");
      await assertError(c, ["MSET", a], "ERR wrong number of arguments for 'mset' command");
      assertEquals(await c.send("MGET", a, b), ["3", "2"]);
    });

    await t.step("MSET clears the TTL of keys it overwrites", async () => {
      const k = key();
      assertEquals(
        await c.pipeline([
          ["SET", k, "1", "PXAT", String(farDeadline())],
          ["MSET", k, "2"],
          ["PEXPIRETIME", k],
        ]),
        ["OK", "OK", -1],
      );
      assertEquals(await c.send("GET", k), "2");
    });

    await t.step("MSETNX writes all keys or none", async () => {
      const [a, b, existing] = [key(), key(), key()];
      await c.send("SET", existing, "old");
      assertEquals(await c.send("MSETNX", a, "1", existing, "new"), 0);
      assertEquals(await c.send("MGET", a, existing), [null, "old"]);
      assertEquals(await c.send("MSETNX", a, "1", b, "2"), 1);
      assertEquals(await c.send("MGET", a, b), ["1", "2"]);
      await assertError(
        c,
        ["MSETNX", a, "1", b],
        "ERR wrong number of arguments for 'msetnx' command",
      );
    });

    await t.step(
      "APPEND creates or extends a value, answers the length, keeps the TTL",
      async () => {
        const k = key();
        assertEquals(await c.send("APPEND", k, "Hello"), 5);
        assertEquals(await c.send("APPEND", k, " World"), 11);
        assertEquals(await c.send("APPEND", k, ""), 11);
        assertEquals(await c.send("GET", k), "Hello World");
        const empty = key();
        assertEquals(await c.send("APPEND", empty, ""), 0);
        assertEquals(await c.send("GET", empty), "");
        const volatile = key();
        const at = farDeadline();
        assertEquals(
          await c.pipeline([
            ["SET", volatile, "a", "PXAT", String(at)],
            ["APPEND", volatile, "b"],
            ["PEXPIRETIME", volatile],
          ]),
          ["OK", 2, at],
        );
        assertEquals(await c.send("GET", volatile), "ab");
      },
    );

    await t.step("STRLEN counts bytes and is 0 for a missing key", async () => {
      const k = key();
      assertEquals(await c.send("STRLEN", k), 0);
      await c.send("SET", k, new Uint8Array([0xc3, 0xa9, 0]));
      assertEquals(await c.send("STRLEN", k), 3);
    });

    await t.step("GETRANGE and SUBSTR take inclusive, clamped, end-relative ranges", async () => {
      const k = key();
      await c.send("SET", k, "This is a string");
      const cases: [string, string, string][] = [
        ["0", "3", "This"],
        ["-3", "-1", "ing"],
        ["0", "-1", "This is a string"],
        ["10", "100", "string"],
        ["5", "3", ""],
        ["-1", "-5", ""],
        ["0", "-100", "T"],
        ["-100", "-100", "T"],
        ["16", "20", ""],
        ["0", "9223372036854775807", "This is a string"],
        ["-9223372036854775807", "-9223372036854775808", ""],
        ["-9223372036854775808", "-9223372036854775807", "T"],
      ];
      for (const [start, end, expected] of cases) {
        assertEquals(await c.send("GETRANGE", k, start, end), expected, `GETRANGE ${start} ${end}`);
      }
      assertEquals(await c.send("SUBSTR", k, "5", "6"), "is");
      assertEquals(await c.send("GETRANGE", key(), "0", "10"), "");
      await assertError(c, ["GETRANGE", k, "a", "1"], NOT_INTEGER);
      await assertError(c, ["GETRANGE", k, "0", "9223372036854775808"], NOT_INTEGER);
    });

    await t.step("SETRANGE overwrites at an offset, padding with zero bytes", async () => {
      const k = key();
      await c.send("SET", k, "Hello World");
      assertEquals(await c.send("SETRANGE", k, "6", "Redis"), 11);
      assertEquals(await c.send("GET", k), "Hello Redis");
      assertEquals(await c.send("SETRANGE", k, "9", "Hermes"), 15);
      assertEquals(await c.send("GET", k), "Hello RedHermes");
      const padded = key();
      assertEquals(await c.send("SETRANGE", padded, "3", "ab"), 5);
      assertEquals(await c.send("GET", padded), "\0\0\0ab");
      assertEquals(await c.send("SETRANGE", k, "100", ""), 15);
      const missing = key();
      assertEquals(await c.send("SETRANGE", missing, "0", ""), 0);
      assertEquals(await c.send("GET", missing), null);
      await assertError(c, ["SETRANGE", k, "-1", "x"], "ERR offset is out of range");
      await assertError(c, ["SETRANGE", missing, "-1", ""], "ERR offset is out of range");
      await assertError(c, ["SETRANGE", k, "x", "x"], NOT_INTEGER);
      await assertError(c, ["SETRANGE", k, "536870912", "x"], TOO_LONG);
      await assertError(c, ["SETRANGE", k, "9223372036854775807", "x"], TOO_LONG);
      assertEquals(await c.send("GET", k), "Hello RedHermes");
    });

    await t.step("SETRANGE keeps the TTL", async () => {
      const k = key();
      const at = farDeadline();
      assertEquals(
        await c.pipeline([
          ["SET", k, "abc", "PXAT", String(at)],
          ["SETRANGE", k, "1", "X"],
          ["PEXPIRETIME", k],
        ]),
        ["OK", 3, at],
      );
      assertEquals(await c.send("GET", k), "aXc");
    });

    await t.step("INCR, DECR, INCRBY and DECRBY count from 0 and store the result", async () => {
      const k = key();
      assertEquals(await c.send("INCR", k), 1);
      assertEquals(await c.send("INCRBY", k, "41"), 42);
      assertEquals(await c.send("DECR", k), 41);
      assertEquals(await c.send("DECRBY", k, "50"), -9);
      assertEquals(await c.send("GET", k), "-9");
      assertEquals(await c.send("DECRBY", key(), "-5"), 5);
      assertEquals(await c.send("INCRBY", k, "0"), -9);
    });

    await t.step("INCR refuses values that are not strict 64-bit integers", async () => {
      const k = key();
      for (
        const stored of ["abc", "", " 1", "1 ", "+1", "01", "-0", "1.0", "9223372036854775808"]
      ) {
        await c.send("SET", k, stored);
        await assertError(c, ["INCR", k], NOT_INTEGER);
        assertEquals(await c.send("GET", k), stored);
      }
      await c.send("SET", k, "1");
      for (const delta of ["x", "1.5", "+1", "9223372036854775808", ""]) {
        await assertError(c, ["INCRBY", k, delta], NOT_INTEGER);
        await assertError(c, ["DECRBY", k, delta], NOT_INTEGER);
      }
      assertEquals(await c.send("GET", k), "1");
    });

    await t.step("INCR is exact across 2^53 and up to the int64 edges", async () => {
      const k = key();
      await c.send("SET", k, "9007199254740992");
      assertEquals(await c.send("INCR", k), 9007199254740993n);
      assertEquals(await c.send("GET", k), "9007199254740993");
      await c.send("SET", k, "9223372036854775806");
      assertEquals(await c.send("INCR", k), 9223372036854775807n);
      await assertError(c, ["INCR", k], OVERFLOW);
      await assertError(c, ["INCRBY", k, "1"], OVERFLOW);
      await assertError(c, ["DECRBY", k, "-1"], OVERFLOW);
      assertEquals(await c.send("GET", k), "9223372036854775807");
      assertEquals(await c.send("INCRBY", k, "-9223372036854775807"), 0);
      await c.send("SET", k, "-9223372036854775807");
      assertEquals(await c.send("DECR", k), -9223372036854775808n);
      await assertError(c, ["DECR", k], OVERFLOW);
      await assertError(c, ["INCRBY", k, "-1"], OVERFLOW);
      assertEquals(await c.send("INCRBY", k, "9223372036854775807"), -1);
      await assertError(c, ["DECRBY", k, "-9223372036854775808"], "ERR decrement would overflow");
      await assertError(c, ["INCRBY", k, "-9223372036854775808"], OVERFLOW);
      await c.send("SET", k, "0");
      assertEquals(await c.send("INCRBY", k, "-9223372036854775808"), -9223372036854775808n);
    });

    await t.step("an int64 counter reply carries the exact digits", async () => {
      const k = key();
      await c.send("SET", k, "-9223372036854775807");
      await c.writeRaw(`DECR ${k}\r\n`);
      const { raw } = await c.readDecoded();
      assertEquals(new TextDecoder().decode(raw), ":-9223372036854775808\r\n");
    });

    await t.step("INCR keeps the TTL", async () => {
      const k = key();
      const at = farDeadline();
      assertEquals(
        await c.pipeline([["SET", k, "1", "PXAT", String(at)], ["INCR", k], ["PEXPIRETIME", k]]),
        ["OK", 2, at],
      );
      assertEquals(await c.send("GET", k), "2");
    });

    await t.step("INCRBYFLOAT formats results as Redis does", async () => {
      const k = key();
      assertEquals(await c.send("INCRBYFLOAT", k, "10.5"), "10.5");
      assertEquals(await c.send("INCRBYFLOAT", k, "0.1"), "10.6");
      // Redis computes in x87 long double, and so does Hermes: the residue shows at 17 digits.
      assertEquals(await c.send("INCRBYFLOAT", k, "-5.0e3"), "-4989.39999999999999991");
      assertEquals(await c.send("GET", k), "-4989.39999999999999991");
      const cases: [string, string][] = [
        ["5.0e3", "5000"],
        ["3.0", "3"],
        ["0x10", "16"],
        ["-1e-20", "0"],
        ["1.23456789012345678901", "1.23456789012345679"],
        ["123456789012345678901234567890", "123456789012345678899921813504"],
        [".5", "0.5"],
        ["+5.", "5"],
        ["0.000003814697265625", "0.00000381469726562"],
      ];
      for (const [increment, expected] of cases) {
        assertEquals(await c.send("INCRBYFLOAT", key(), increment), expected, increment);
      }
      const sum = key();
      await c.send("INCRBYFLOAT", sum, "0.1");
      assertEquals(await c.send("INCRBYFLOAT", sum, "0.2"), "0.3");
      const integer = key();
      await c.send("SET", integer, "10");
      assertEquals(await c.send("INCRBYFLOAT", integer, "1.5e1"), "25");
    });

    await t.step("INCRBYFLOAT refuses bad floats and NaN or infinite results", async () => {
      const k = key();
      await c.send("SET", k, "1");
      for (const increment of ["abc", "", " 1", "1 ", "nan", "1e", "0x", "1e5000", "1e-5000"]) {
        await assertError(c, ["INCRBYFLOAT", k, increment], NOT_FLOAT);
      }
      for (const increment of ["inf", "-Infinity", "+INF"]) {
        await assertError(
          c,
          ["INCRBYFLOAT", k, increment],
          "ERR increment would produce NaN or Infinity",
        );
      }
      await c.send("SET", k, "one");
      await assertError(c, ["INCRBYFLOAT", k, "1"], NOT_FLOAT);
      await c.send("SET", k, "1e4932");
      await assertError(
        c,
        ["INCRBYFLOAT", k, "1e4932"],
        "ERR increment would produce NaN or Infinity",
      );
      assertEquals(await c.send("GET", k), "1e4932");
    });

    await t.step("INCRBYFLOAT keeps the TTL", async () => {
      const k = key();
      const at = farDeadline();
      assertEquals(
        await c.pipeline([
          ["SET", k, "1", "PXAT", String(at)],
          ["INCRBYFLOAT", k, "0.5"],
          ["PEXPIRETIME", k],
        ]),
        ["OK", "1.5", at],
      );
    });

    await t.step("refusals are exact error lines on the wire", async () => {
      await c.writeRaw("SET k v NX XX\r\nINCR\r\nSET k v EX -1\r\n");
      const lines: string[] = [];
      for (let i = 0; i < 3; i++) lines.push(new TextDecoder().decode((await c.readDecoded()).raw));
      assertEquals(lines, [
        "-ERR syntax error\r\n",
        "-ERR wrong number of arguments for 'incr' command\r\n",
        "-ERR invalid expire time in 'set' command\r\n",
      ]);
    });

    c.close();
  });
});

Deno.test("APPEND and SETRANGE refuse results longer than max-bulk", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    const big = "x".repeat(2000);
    assertEquals(await c.send("SET", "k", big), "OK");
    await assertError(c, ["APPEND", "k", "y".repeat(49)], TOO_LONG);
    assertEquals(await c.send("APPEND", "k", "y".repeat(48)), 2048);
    await assertError(c, ["SETRANGE", "k", "2048", "z"], TOO_LONG);
    await assertError(c, ["SETRANGE", "missing", "2040", "123456789"], TOO_LONG);
    assertEquals(await c.send("SETRANGE", "k", "2047", "z"), 2048);
    assertEquals(await c.send("STRLEN", "k"), 2048);
    assertEquals(await c.send("GET", "missing"), null);
    c.close();
  }, ["--max-bulk", "2048"]);
});
