/**
 * The request decoder on the shapes redis-benchmark and client libraries send: inline lines,
 * multibulk SET and GET, and a pipelined batch of 16 SETs decoded from one read.
 *
 *   deno bench --allow-all bench/micro/frame_reader.bench.ts
 */
import { FrameReader } from "../../src/protocol/frame_reader.ts";

const LIMITS = { maxInlineBytes: 64 * 1024, maxBulkBytes: 512 * 2 ** 20, maxArgs: 1024 * 1024 };
const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const multibulk = (...args: string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join("")}`;

const KEY = "key:000000012345";
const INLINE_PING = bytes("PING\r\n");
const INLINE_SET = bytes(`SET ${KEY} xyz\r\n`);
const SET = bytes(multibulk("SET", KEY, "xyz"));
const GET = bytes(multibulk("GET", KEY));
const SET_X16 = bytes(
  Array.from(
    { length: 16 },
    (_, i) => multibulk("SET", `key:${String(i).padStart(12, "0")}`, "xyz"),
  )
    .join(""),
);

const reader = new FrameReader(LIMITS);

/** Feeds one read's bytes and decodes every command in it, as the connection loop does. */
function decode(input: Uint8Array, expected: number): void {
  reader.push(input);
  let commands = 0;
  while (reader.next() !== null) commands++;
  if (commands !== expected) throw new Error(`Decoded ${commands} commands, expected ${expected}`);
}

Deno.bench("inline PING", { group: "frame reader" }, () => decode(INLINE_PING, 1));
Deno.bench("inline SET key value", { group: "frame reader" }, () => decode(INLINE_SET, 1));
Deno.bench("multibulk SET", { group: "frame reader", baseline: true }, () => decode(SET, 1));
Deno.bench("multibulk GET", { group: "frame reader" }, () => decode(GET, 1));
Deno.bench(
  "pipelined batch of 16 SETs (per batch)",
  { group: "frame reader" },
  () => decode(SET_X16, 16),
);
