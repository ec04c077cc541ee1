/**
 * The reply encoder: bulk strings of typical sizes, integers, and arrays, written into the
 * per-connection buffer (reset after each reply, so nothing is allocated by the benchmark).
 * Values are decoded by a FrameReader, as in a running server (see lib/wire_strings.ts).
 *
 *   deno bench --allow-all bench/micro/reply_writer.bench.ts
 */
import { ReplyWriter } from "../../src/protocol/reply_writer.ts";
import { wireString, wireStrings } from "../lib/wire_strings.ts";

const out = new ReplyWriter();
const VALUE_3 = wireString("xyz");
const VALUE_16 = wireString("val:000000012345");
const VALUE_1K = wireString("v".repeat(1024));
const TEN_VALUES = wireStrings(
  Array.from({ length: 10 }, (_, i) => `val:${String(i).padStart(12, "0")}`),
);

Deno.bench("OK", { group: "reply writer", baseline: true }, () => {
  out.ok();
  out.truncate(0);
});
Deno.bench("bulk of 3 bytes", { group: "reply writer" }, () => {
  out.bulk(VALUE_3);
  out.truncate(0);
});
Deno.bench("bulk of 16 bytes", { group: "reply writer" }, () => {
  out.bulk(VALUE_16);
  out.truncate(0);
});
Deno.bench("bulk of 1 KiB", { group: "reply writer" }, () => {
  out.bulk(VALUE_1K);
  out.truncate(0);
});
Deno.bench("integer 1 (pre-encoded)", { group: "reply writer" }, () => {
  out.integer(1);
  out.truncate(0);
});
Deno.bench("integer 123456789", { group: "reply writer" }, () => {
  out.integer(123456789);
  out.truncate(0);
});
Deno.bench("array of 10 bulks of 16 bytes (MGET)", { group: "reply writer" }, () => {
  out.arrayHeader(TEN_VALUES.length);
  for (const value of TEN_VALUES) out.bulk(value);
  out.truncate(0);
});
Deno.bench("16 OK replies taken for one write", { group: "reply writer" }, () => {
  for (let i = 0; i < 16; i++) out.ok();
  out.recycle(out.take());
});
