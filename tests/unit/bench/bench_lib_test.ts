/**
 * The pure parts of the benchmark suite (bench/lib): reading redis-benchmark's CSV, medians,
 * case selection, the bulk loader's RESP bytes and the CPU profile summary. The benchmarks
 * themselves print figures and are never asserted on.
 */
import { assertEquals, assertOk, assertThrows } from "../../helpers/assert.ts";
import { parseBenchmarkCsv } from "../../../bench/lib/redis_benchmark.ts";
import { median, ratio, roundOrder } from "../../../bench/lib/stats.ts";
import { GROUPS, selectCases } from "../../../bench/lib/cases.ts";
import { keyName, setCommands, valueOf } from "../../../bench/lib/bulk_load.ts";
import { type CpuProfile, summarizeProfile } from "../../../bench/lib/cpu_profile.ts";
import { FrameReader } from "../../../src/protocol/frame_reader.ts";

const CSV_7_0 = [
  '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",' +
  '"p99_latency_ms","max_latency_ms"',
  '"SET","425531.94","1.815","0.480","1.743","2.903","3.351","3.583"',
  '"MSET (10 keys)","185185.19","4.028","0.728","3.575","7.367","10.767","11.079"',
  "",
].join("\n");

Deno.test("the redis-benchmark CSV gives ops/s and p50/p99 latency per test", () => {
  assertEquals(parseBenchmarkCsv(CSV_7_0), [
    { test: "SET", opsPerSec: 425531.94, p50Ms: 1.743, p99Ms: 3.351 },
    { test: "MSET (10 keys)", opsPerSec: 185185.19, p50Ms: 3.575, p99Ms: 10.767 },
  ]);
});

Deno.test("the CSV reader ignores progress redrawn with carriage returns", () => {
  const output = 'SET: rps=0.0 (overall: nan) avg_msec=nan\r"test","rps"\n"GET","1000.5"\n';
  assertEquals(parseBenchmarkCsv(output), [
    { test: "GET", opsPerSec: 1000.5, p50Ms: NaN, p99Ms: NaN },
  ]);
});

Deno.test("the CSV reader refuses output without a header", () => {
  assertThrows(() => parseBenchmarkCsv("ERROR: connection refused\n"), /CSV header/);
});

Deno.test("median takes the middle of an odd count and the mean of the middle two", () => {
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(median([4, 1, 3, 2]), 2.5);
  assertEquals(median([5, NaN, 1]), 3); // failed rounds (NaN) are left out
  assertOk(Number.isNaN(median([])));
  assertOk(Number.isNaN(ratio(1, 0)));
});

Deno.test("cases are selected by group, test name, case id or section", () => {
  const all = selectCases(undefined);
  assertEquals(all.groups.map((g) => g.id), GROUPS.map((g) => g.id));
  assertEquals([...all.sections], ["memory", "micro"]);

  const some = selectCases("p16,get-p1,memory");
  assertEquals(some.groups.map((g) => [g.id, g.tests.map((t) => t.id)]), [
    ["p1", ["get"]],
    ["p16", [
      "ping_inline",
      "set",
      "get",
      "incr",
      "mset",
      "lpush",
      "rpush",
      "lpop",
      "rpop",
      "sadd",
      "hset",
      "spop",
      "lrange_100",
      "lrange_600",
      "zadd",
      "zpopmin",
      "zincrby",
      "zrevrange_top10",
      "zrangebyscore",
      "setbit",
      "bitcount",
      "pfadd",
    ]],
  ]);
  assertEquals([...some.sections], ["memory"]);

  const sets = selectCases("set");
  assertEquals(sets.groups.map((g) => `${g.id}:${g.tests.map((t) => t.id)}`), [
    "p1:set",
    "p16:set",
    "durable:set",
    "latency:set",
  ]);
  assertEquals(sets.sections.size, 0);
});

Deno.test("an unknown case is refused with the valid names", () => {
  assertThrows(() => selectCases("p1,bogus"), /Cannot select cases "bogus": use any of p1, p16/);
});

Deno.test("the bulk loader's bytes decode to SET key:i val:i with 16-byte names and values", () => {
  const reader = new FrameReader({ maxInlineBytes: 65536, maxBulkBytes: 1 << 20, maxArgs: 16 });
  reader.push(setCommands(41, 44));
  const commands: string[][] = [];
  for (let argv = reader.next(); argv !== null; argv = reader.next()) commands.push(argv);
  assertEquals(commands, [41, 42, 43].map((i) => ["SET", keyName(i), valueOf(i)]));
  assertEquals(keyName(42), "key:000000000042");
  assertEquals(valueOf(123456789012).length, 16);
});

Deno.test("the profile summary splits time into self and total per function", () => {
  const frame = (functionName: string, lineNumber = 0) => ({
    functionName,
    url: functionName.startsWith("(") ? "" : "file:///x/src/a.ts",
    lineNumber,
    columnNumber: 0,
  });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)"), children: [2, 4] },
      { id: 2, callFrame: frame("outer", 9), children: [3] },
      { id: 3, callFrame: frame("inner", 19) },
      { id: 4, callFrame: frame("(idle)") },
    ],
    // outer runs 1 ms itself, inner 3 ms under it, and 6 ms are idle.
    samples: [2, 3, 3, 3, 4, 4],
    timeDeltas: [1000, 1000, 1000, 1000, 3000, 3000],
  };
  const summary = summarizeProfile(profile);
  assertEquals(summary.totalMs, 10);
  assertEquals(summary.idleMs, 6);
  const byName = new Map(summary.functions.map((f) => [f.where, f]));
  assertEquals(byName.get("inner (src/a.ts:20)"), {
    where: "inner (src/a.ts:20)",
    selfMs: 3,
    totalMs: 3,
  });
  assertEquals(byName.get("outer (src/a.ts:10)"), {
    where: "outer (src/a.ts:10)",
    selfMs: 1,
    totalMs: 4,
  });
});

Deno.test("roundOrder rotates the items one place per round, back to the start after all", () => {
  const items = ["a", "b", "c"];
  assertEquals([1, 2, 3, 4].map((round) => roundOrder(items, round).join("")), [
    "abc",
    "bca",
    "cab",
    "abc",
  ]);
});
