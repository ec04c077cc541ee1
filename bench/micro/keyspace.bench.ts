/**
 * The keyspace on 100,000 keys: get and set, hit and miss, with and without deadlines, and set
 * while the round ledger's undo log records every change (`--fsync always`).
 *
 * Keys and values are decoded by a FrameReader, as in a running server (lib/wire_strings.ts),
 * and lookups use separate string objects from the stored keys, as every request brings its
 * own. Each benchmark walks the keys in a scattered order, so, as with random client keys, the
 * cost includes cache misses.
 *
 *   deno bench --allow-all bench/micro/keyspace.bench.ts
 */
import { Keyspace } from "../../src/store/keyspace.ts";
import { wireString, wireStrings } from "../lib/wire_strings.ts";
import { Journal } from "../../src/store/journal.ts";
import { UndoLog } from "../../src/store/undo_log.ts";

const KEYS = 100_000;
const NOW = Date.now();
const FAR_DEADLINE = NOW + 3_600_000;

/** `count` keys `<prefix>` + 12 digits. */
function makeKeys(prefix: string, count: number): string[] {
  return wireStrings(Array.from({ length: count }, (_, i) => prefix + String(i).padStart(12, "0")));
}

const stored = makeKeys("key:", KEYS);
const present = makeKeys("key:", KEYS); // equal contents, different string objects
const absent = makeKeys("nok:", KEYS);
const VALUE = wireString("val:000000012345");

const plain = new Keyspace(0);
const volatile = new Keyspace(0);
const journal = new Journal();
const recorded = new Keyspace(0, journal);
for (const key of stored) {
  plain.set(key, VALUE);
  volatile.set(key, VALUE, FAR_DEADLINE);
  recorded.set(key, VALUE);
}
const undo = new UndoLog();
journal.undo = undo;
/** Sets per round: the ledger forgets a round's steps once the log made it durable. */
const ROUND = 50;
let inRound = 0;

/** A step coprime with KEYS: visits every key, each far from the last. */
const STRIDE = 7919;
let i = 0;
const next = () => (i = (i + STRIDE) % KEYS);

function check(condition: boolean): void {
  if (!condition) throw new Error("Unexpected keyspace answer");
}

Deno.bench("get hit", { group: "keyspace, no TTL", baseline: true }, () => {
  check(plain.get(present[next()], NOW) !== undefined);
});
Deno.bench("get miss", { group: "keyspace, no TTL" }, () => {
  check(plain.get(absent[next()], NOW) === undefined);
});
Deno.bench("set existing key", { group: "keyspace, no TTL" }, () => {
  plain.set(present[next()], VALUE);
});
Deno.bench("set new key, then delete it", { group: "keyspace, no TTL" }, () => {
  const key = absent[next()];
  plain.set(key, VALUE);
  plain.delete(key);
});

Deno.bench("get hit", { group: "keyspace, every key with a TTL", baseline: true }, () => {
  check(volatile.get(present[next()], NOW) !== undefined);
});
Deno.bench("get miss", { group: "keyspace, every key with a TTL" }, () => {
  check(volatile.get(absent[next()], NOW) === undefined);
});
Deno.bench("set existing key with a TTL", { group: "keyspace, every key with a TTL" }, () => {
  volatile.set(present[next()], VALUE, FAR_DEADLINE);
});
Deno.bench("set new key with a TTL, then delete it", {
  group: "keyspace, every key with a TTL",
}, () => {
  const key = absent[next()];
  volatile.set(key, VALUE, FAR_DEADLINE);
  volatile.delete(key);
});

Deno.bench("set existing key", { group: "keyspace, undo log", baseline: true }, () => {
  plain.set(present[next()], VALUE);
});
Deno.bench("set existing key, undo recorded (forgotten every 50 sets)", {
  group: "keyspace, undo log",
}, () => {
  recorded.set(present[next()], VALUE);
  if (++inRound === ROUND) {
    undo.forget();
    inRound = 0;
  }
});
