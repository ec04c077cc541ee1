import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { InstantaneousRate } from "../../../src/observe/instantaneous.ts";
import { BucketHistogram } from "../../../src/observe/bucket_histogram.ts";

Deno.test("an instantaneous rate is the mean of the last 16 samples per second", () => {
  const rate = new InstantaneousRate();
  rate.sample(0, 0);
  assertEquals(rate.perSecond, 0);
  // 100 more every 100 ms: 1000/s, but only one of 16 slots is filled yet.
  rate.sample(100, 100);
  assertEquals(rate.perSecond, 1000 / 16);
  let value = 100;
  for (let t = 200; t <= 2000; t += 100) rate.sample(value += 100, t);
  assertEquals(rate.perSecond, 1000);
  // A counter reset (CONFIG RESETSTAT) counts as an idle interval, never as negative.
  rate.sample(0, 2100);
  assertEquals(rate.perSecond, 1000 * 15 / 16);
});

Deno.test("a bucket histogram counts each value in the first bucket whose bound holds it", () => {
  const histogram = new BucketHistogram([1, 2, 4]);
  for (const value of [0.5, 1, 1.5, 4, 4.5, 100]) histogram.observe(value);
  assertEquals([...histogram.counts], [2, 1, 1, 2]);
  assertEquals(histogram.count, 6);
  assertEquals(histogram.sum, 111.5);
  assertThrows(() => new BucketHistogram([1, 1]), RangeError);
});
