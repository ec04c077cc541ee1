/**
 * Why the keyspace is a KeyMap and not a V8 Map (store/key_hash.ts): every request brings its
 * key as a string decoded just now, and a V8 Map hashes such a string on first use, probing the
 * isolate's string table as it does. Each iteration here decodes the next of 100,000 keys from
 * bytes (as the frame reader does) and looks it up in a table holding them all: the decode
 * alone, then a V8 Map and a KeyMap lookup of the fresh string.
 *
 *   deno bench --allow-all bench/micro/key_table.bench.ts
 */
import { KeyMap } from "../../src/store/key_map.ts";
import { sliceLatin1 } from "../../src/protocol/latin1.ts";

const KEYS = 100_000;
const KEY_LENGTH = 16;
/** A step coprime with KEYS: visits every key, each far from the last. */
const STRIDE = 7919;

const texts = Array.from({ length: KEYS }, (_, i) => "key:" + String(i).padStart(12, "0"));
const bytes = new Uint8Array(KEYS * KEY_LENGTH);
texts.forEach((text, k) => {
  for (let c = 0; c < KEY_LENGTH; c++) bytes[k * KEY_LENGTH + c] = text.charCodeAt(c);
});

const map = new Map<string, number>();
const keyMap = new KeyMap<number>();
texts.forEach((text, k) => {
  map.set(text, k);
  keyMap.set(text, k);
});

let i = 0;
/** The next key, decoded from its bytes: a string no table has hashed yet. */
function freshKey(): string {
  i = (i + STRIDE) % KEYS;
  return sliceLatin1(bytes, null, i * KEY_LENGTH, (i + 1) * KEY_LENGTH);
}

function check(condition: boolean): void {
  if (!condition) throw new Error("Unexpected table answer");
}

Deno.bench("decode the key only", { group: "lookup of a fresh key", baseline: true }, () => {
  check(freshKey().length === KEY_LENGTH);
});
Deno.bench("V8 Map get", { group: "lookup of a fresh key" }, () => {
  check(map.get(freshKey()) === i);
});
Deno.bench("KeyMap get", { group: "lookup of a fresh key" }, () => {
  check(keyMap.get(freshKey()) === i);
});
