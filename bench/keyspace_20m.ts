/**
 * Loads 20 million keys into one Keyspace in-process, past V8's 2^24 (16,777,216) entries per
 * Map, then reads every one back and checks its value. Prints load and read times, keys per
 * second and heap/RSS growth. A benchmark, not a test: figures vary from run to run.
 *
 *   deno run --allow-all --v8-flags=--max-old-space-size=16000 bench/keyspace_20m.ts [keys]
 *
 * Keys are 16 bytes (`key:000000000042`) and values 8 bytes (`v0000042`), both decoded from
 * bytes the way the frame reader decodes arguments, so they are flat one-byte strings as in a
 * running server.
 */
import { Keyspace } from "../src/store/keyspace.ts";
import { latin1View } from "../src/protocol/latin1.ts";

const KEYS = Number(Deno.args[0] ?? 20_000_000);
const V8_MAP_CAP = 2 ** 24;
const NOW = Date.now();

const keyBytes = new Uint8Array(16);
keyBytes.set([0x6b, 0x65, 0x79, 0x3a]); // "key:"
const keyView = latin1View(keyBytes);
const valueBytes = new Uint8Array(8);
valueBytes[0] = 0x76; // "v"
const valueView = latin1View(valueBytes);

/** Writes `n` as zero-padded decimal digits into bytes[from, to). */
function writeDigits(bytes: Uint8Array, from: number, to: number, n: number): void {
  for (let i = to - 1; i >= from; i--) {
    bytes[i] = 0x30 + n % 10;
    n = Math.floor(n / 10);
  }
}

function keyOf(i: number): string {
  writeDigits(keyBytes, 4, 16, i);
  return keyView.latin1Slice(0, 16);
}

function valueOf(i: number): string {
  writeDigits(valueBytes, 1, 8, i % 10_000_000);
  return valueView.latin1Slice(0, 8);
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString("en")}/s`;

const before = Deno.memoryUsage();
const db = new Keyspace(0);

console.log(
  `Loading ${KEYS.toLocaleString("en")} keys (V8 Map cap: ${V8_MAP_CAP.toLocaleString("en")})`,
);
const loadStart = performance.now();
for (let i = 0; i < KEYS; i++) {
  db.set(keyOf(i), valueOf(i));
  if ((i + 1) % 5_000_000 === 0) {
    const ms = performance.now() - loadStart;
    console.log(
      `  ${(i + 1).toLocaleString("en")} keys, ${(ms / 1000).toFixed(1)} s, rss ${
        mb(Deno.memoryUsage().rss)
      }`,
    );
  }
}
const loadMs = performance.now() - loadStart;
const loaded = Deno.memoryUsage();
if (db.size !== KEYS) throw new Error(`Expected ${KEYS} keys, found ${db.size}`);

const readStart = performance.now();
let found = 0;
for (let i = 0; i < KEYS; i++) {
  const value = db.get(keyOf(i), NOW);
  if (value !== valueOf(i)) throw new Error(`Wrong value for ${keyOf(i)}: ${value}`);
  found++;
}
const readMs = performance.now() - readStart;

let counted = 0;
for (const shard of db.data.shards) counted += shard.size;
const largestShard = Math.max(...db.data.shards.map((shard) => shard.size));

console.log(`
keys loaded:      ${db.size.toLocaleString("en")} (${
  counted.toLocaleString("en")
} counted over ${db.data.shards.length} shards, largest ${largestShard.toLocaleString("en")})
load:             ${(loadMs / 1000).toFixed(1)} s, ${rate(KEYS, loadMs)}
read all back:    ${(readMs / 1000).toFixed(1)} s, ${rate(found, readMs)}, ${
  found.toLocaleString("en")
} values checked
heap growth:      ${mb(loaded.heapUsed - before.heapUsed)} (${
  ((loaded.heapUsed - before.heapUsed) / KEYS).toFixed(0)
} bytes/key)
RSS growth:       ${mb(loaded.rss - before.rss)} (${
  ((loaded.rss - before.rss) / KEYS).toFixed(0)
} bytes/key)
RSS after reads:  ${mb(Deno.memoryUsage().rss)}`);
