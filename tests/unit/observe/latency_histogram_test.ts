import { assertEquals, assertOk } from "../../helpers/assert.ts";
import {
  bucketOf,
  bucketUpperNs,
  LATENCY_BUCKETS,
  LatencyHistogram,
} from "../../../src/observe/latency_histogram.ts";
import { seededRandom } from "../../durability/workload.ts";

Deno.test("histogram buckets tile every nanosecond value from 0 to 2^31 - 1 without gaps", () => {
  assertEquals(bucketOf(0), 0);
  assertEquals(bucketUpperNs(LATENCY_BUCKETS - 1), 0x7fffffff);
  for (let bucket = 0; bucket < LATENCY_BUCKETS - 1; bucket++) {
    const upper = bucketUpperNs(bucket);
    assertEquals(bucketOf(upper), bucket, `upper end of bucket ${bucket}`);
    assertEquals(bucketOf(upper + 1), bucket + 1, `value after bucket ${bucket}`);
  }
});

Deno.test("percentiles are within 1/16 above the exact value over random durations", () => {
  const next = seededRandom(14);
  let cases = 0;
  for (let round = 0; round < 50; round++) {
    const histogram = new LatencyHistogram();
    // Log-uniform durations from 0.1 µs to 100 ms.
    const values = Array.from({ length: 500 }, () => 10 ** (next() * 6 - 1));
    for (const us of values) histogram.record(us);
    const sorted = values.map((us) => Math.round(us * 1000) / 1000).sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9, 100]) {
      const rank = Math.max(1, Math.round(p / 100 * sorted.length));
      const exact = sorted[rank - 1];
      const reported = histogram.percentileUs(p);
      assertOk(reported >= exact - 0.001, `p${p}: ${reported} below ${exact}`);
      assertOk(reported <= exact * (1 + 1 / 16) + 0.001, `p${p}: ${reported} far above ${exact}`);
      cases++;
    }
  }
  assertEquals(cases, 250);
});

Deno.test("an empty histogram reports 0 and durations past 2.1 s count as 2.1 s", () => {
  const histogram = new LatencyHistogram();
  assertEquals(histogram.percentileUs(50), 0);
  assertEquals(histogram.cumulativeByPowerOfTwo(), []);
  histogram.record(10_000_000); // 10 s
  histogram.record(-5);
  assertEquals(histogram.total, 2);
  assertEquals(histogram.percentileUs(100), 0x7fffffff / 1000);
  assertEquals(histogram.percentileUs(1), 0);
});

Deno.test("LATENCY HISTOGRAM rows use Redis's labels and cumulative counts", () => {
  const histogram = new LatencyHistogram();
  histogram.record(0.5); // under 1024 ns: counted with the first row
  histogram.record(1.5);
  histogram.record(1.5);
  histogram.record(40); // between 32768 and 65536 ns
  histogram.record(5000);
  assertEquals(histogram.cumulativeByPowerOfTwo(), [[1, 1], [2, 3], [66, 4], [8454, 5]]);

  // Every power-of-two label, as Redis's HDR histogram prints them.
  const all = new LatencyHistogram();
  for (let power = 10; power <= 30; power++) all.record(2 ** power / 1000);
  assertEquals(all.cumulativeByPowerOfTwo().map(([label]) => label), [
    1,
    2,
    4,
    8,
    16,
    33,
    66,
    132,
    264,
    528,
    1056,
    2113,
    4227,
    8454,
    16908,
    33816,
    67633,
    135266,
    270532,
    541065,
    1082130,
  ]);
});

Deno.test("clearing a histogram forgets every count", () => {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < 100; i++) histogram.record(i);
  histogram.clear();
  assertEquals(histogram.total, 0);
  assertEquals(histogram.counts.every((c) => c === 0), true);
});
