import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import {
  escapeLabelValue,
  ExpositionWriter,
  formatValue,
} from "../../../src/http/prometheus_text.ts";
import { BucketHistogram } from "../../../src/observe/bucket_histogram.ts";
import { infoNumber, infoPairs } from "../../../src/http/metrics.ts";

Deno.test("the exposition writer groups samples under one HELP and TYPE per family", () => {
  const out = new ExpositionWriter();
  out.family("a_total", "counter", "A count\\with a backslash\nand a newline");
  out.family("b", "gauge", "B");
  out.sample("b", 2, { db: "db0" });
  out.sample("a_total", 1);
  out.family("a_total", "gauge", "ignored: declared already");
  out.sample("a_total", 3, { cmd: 'say "hi"\\' });
  out.family("unused", "gauge", "no samples, so not printed");
  assertEquals(
    out.text(),
    "# HELP a_total A count\\\\with a backslash\\nand a newline\n# TYPE a_total counter\n" +
      'a_total 1\na_total{cmd="say \\"hi\\"\\\\"} 3\n' +
      '# HELP b B\n# TYPE b gauge\nb{db="db0"} 2\n',
  );
  assertThrows(() => out.sample("nosuch", 1), TypeError);
});

Deno.test("a histogram is written as cumulative buckets up to +Inf with its sum and count", () => {
  const histogram = new BucketHistogram([0.001, 0.01]);
  for (const value of [0.0005, 0.002, 0.5]) histogram.observe(value);
  const out = new ExpositionWriter();
  out.histogram("h_seconds", "H", histogram);
  assertEquals(
    out.text(),
    "# HELP h_seconds H\n# TYPE h_seconds histogram\n" +
      'h_seconds_bucket{le="0.001"} 1\nh_seconds_bucket{le="0.01"} 2\n' +
      'h_seconds_bucket{le="+Inf"} 3\nh_seconds_sum 0.5025\nh_seconds_count 3\n',
  );
});

Deno.test("values, label escapes and INFO values are read as Prometheus and the exporter read them", () => {
  assertEquals([NaN, Infinity, -Infinity, 0.25, 12].map(formatValue), [
    "NaN",
    "+Inf",
    "-Inf",
    "0.25",
    "12",
  ]);
  assertEquals(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  assertEquals(["ok", "err", "up", "down", "12.5", 7, "", "0.00"].map(infoNumber), [
    1,
    0,
    1,
    0,
    12.5,
    7,
    NaN,
    0,
  ]);
  assertEquals([...infoPairs("keys=3,expires=1,avg_ttl=0")], [
    ["keys", "3"],
    ["expires", "1"],
    ["avg_ttl", "0"],
  ]);
});
