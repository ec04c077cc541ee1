import { assertEquals } from "../../helpers/assert.ts";
import { SlowLog, slowLogArgs } from "../../../src/observe/slow_log.ts";

const numbers = (n: number) => Array.from({ length: n }, (_, i) => String(i));

Deno.test("slow log entries keep 31 arguments and count the rest, as Redis does", () => {
  // Seen from redis-server 7.0.15: RPUSH l 0..39 (42 arguments).
  const args = slowLogArgs(["RPUSH", "l", ...numbers(40)]);
  assertEquals(args.length, 32);
  assertEquals(args.slice(0, 3), ["RPUSH", "l", "0"]);
  assertEquals(args[30], "28");
  assertEquals(args[31], "... (11 more arguments)");
  // 32 arguments fit; 33 do not.
  assertEquals(slowLogArgs(["RPUSH", "l", ...numbers(30)]).length, 32);
  assertEquals(slowLogArgs(["RPUSH", "l", ...numbers(31)])[31], "... (2 more arguments)");
});

Deno.test("slow log arguments longer than 128 bytes are cut and say by how much", () => {
  const [, key, value] = slowLogArgs(["SET", "k".repeat(129), "y".repeat(128)]);
  assertEquals(key, "k".repeat(128) + "... (1 more bytes)");
  assertEquals(value, "y".repeat(128));
  assertEquals(
    slowLogArgs(["SET", "big", "x".repeat(200)])[2],
    "x".repeat(128) + "... (72 more bytes)",
  );
});

Deno.test("the slow log keeps the newest entries up to its length, newest first", () => {
  const log = new SlowLog();
  for (let i = 0; i < 500; i++) log.push(["GET", `k${i}`], i, 1000 + i, "1.2.3.4:5", "n", 128);
  assertEquals(log.length, 128);
  const newest = log.newest(3);
  assertEquals(newest.map((e) => e.id), [499, 498, 497]);
  assertEquals(newest[0], {
    id: 499,
    timeSec: 1499,
    durationUs: 499,
    args: ["GET", "k499"],
    peer: "1.2.3.4:5",
    clientName: "n",
  });
  assertEquals(log.newest(-1).length, 128);
  assertEquals(log.newest(1000).length, 128);
  assertEquals(log.newest(-1).at(-1)!.id, 372);
  assertEquals(log.newest(0), []);
});

Deno.test("a shorter maximum applies at the next entry and ids keep counting after a reset", () => {
  const log = new SlowLog();
  for (let i = 0; i < 10; i++) log.push(["PING"], 1, 1, "a:1", "", 128);
  log.push(["PING"], 1, 1, "a:1", "", 4);
  assertEquals(log.newest(-1).map((e) => e.id), [10, 9, 8, 7]);
  log.reset();
  assertEquals(log.length, 0);
  log.push(["PING"], 1, 1, "a:1", "", 4);
  assertEquals(log.newest(-1).map((e) => e.id), [11]);
  log.push(["PING"], 1, 1, "a:1", "", 0);
  assertEquals(log.length, 0);
  assertEquals(log.nextId, 13);
});
