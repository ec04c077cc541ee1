/**
 * BEGIN/COMMIT with sorted sets, bitmaps and HyperLogLogs: a statement sees its own ZADD,
 * ZINCRBY, ZPOPMIN, SETBIT and PFADD (re-applied ops, string ops included), other clients see
 * nothing until COMMIT applies them, and a concurrent change to a key read is a conflict.
 */
import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { inProcess } from "./in_process.ts";

Deno.test("a BEGIN transaction's sorted set, bitmap and HyperLogLog writes show only to it until COMMIT", () => {
  const h = inProcess();
  const a = h.session();
  const b = h.session();
  h.run(b, "ZADD", "board", "1", "x", "2", "y");
  assertEquals(h.run(a, "BEGIN"), ":1\r\n");
  assertEquals(h.run(a, "ZINCRBY", "board", "5", "x"), "$1\r\n6\r\n");
  assertEquals(h.run(a, "ZADD", "board", "3", "z"), ":1\r\n");
  assertEquals(h.run(a, "ZPOPMIN", "board"), "*2\r\n$1\r\ny\r\n$1\r\n2\r\n");
  assertEquals(h.run(a, "SETBIT", "bits", "9", "1"), ":0\r\n");
  assertEquals(h.run(a, "GETBIT", "bits", "9"), ":1\r\n");
  assertEquals(h.run(a, "PFADD", "hll", "a", "b"), ":1\r\n");
  assertEquals(h.run(a, "PFCOUNT", "hll"), ":2\r\n");
  assertEquals(h.run(a, "ZRANGE", "board", "0", "-1"), "*2\r\n$1\r\nz\r\n$1\r\nx\r\n");
  assertEquals(h.run(b, "ZRANGE", "board", "0", "-1"), "*2\r\n$1\r\nx\r\n$1\r\ny\r\n");
  assertEquals(h.run(b, "EXISTS", "bits", "hll"), ":0\r\n");
  assertEquals(h.run(a, "COMMIT"), "+OK\r\n");
  assertEquals(
    h.run(b, "ZRANGE", "board", "0", "-1", "WITHSCORES"),
    "*4\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\nx\r\n$1\r\n6\r\n",
  );
  assertEquals(h.run(b, "GETBIT", "bits", "9"), ":1\r\n");
  assertEquals(h.run(b, "PFCOUNT", "hll"), ":2\r\n");

  assertEquals(h.run(a, "BEGIN"), ":2\r\n");
  assertEquals(h.run(a, "ZSCORE", "board", "x"), "$1\r\n6\r\n");
  h.run(b, "ZADD", "board", "7", "x");
  h.run(a, "ZADD", "board", "1", "w");
  assertMatch(h.run(a, "COMMIT"), /^-CONFLICT transaction 2 not committed: key 'board'/);
  assertEquals(h.run(b, "ZSCORE", "board", "w"), "$-1\r\n");
});
