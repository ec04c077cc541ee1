/**
 * The hash of a key, computed in JavaScript so that no V8 Map has to: V8 hashes a string the
 * first time it is used as a Map key, and for a string that is not internalized (every key read
 * off the wire) that includes a probe of the isolate's string table, which misses cache (about
 * 30% of the server's CPU under redis-benchmark MSET). KeyMap buckets by this hash and
 * ShardedMap picks shards by it.
 *
 * The hash is HalfSipHash-1-3 (SipHash's 32-bit variant, with the rounds the Linux kernel uses
 * for its hash tables) under a random 64-bit key drawn per process: a keyed function, so a
 * client who does not know the key cannot make up keys that pile into one probe run (hash
 * flooding), as Redis's SipHash keeps its dicts safe. Every char counts, however long the key.
 * Keys are one-byte strings (latin1.ts), taken four chars to a word.
 */

/** The process's secret key, two 32-bit words. */
const [KEY0, KEY1] = crypto.getRandomValues(new Int32Array(2));

/**
 * The last two keys hashed and their hashes: a command hashes its key once, though the keyspace
 * looks it up in several tables (values, deadlines, access clocks) and then stores it; two, so a
 * command on a collection can go between its key and a member (HSET: the key, the field, the key
 * again to store, the field again) without hashing either twice.
 */
let lastKey = "";
let lastHash = computeHash("");
let previousKey = "";
let previousHash = lastHash;

/**
 * Hashes computed ahead, by {@linkcode hashAhead}, for keys about to be used in this order
 * (MSET's keys, a pipelined batch's keys and members, after their table entries were warmed:
 * store/batch_warmer.ts): each is taken once, when its key comes, instead of computed again.
 */
export const AHEAD_MAX = 64;
/** Longer keys are not kept ahead (nor held on to after their command). */
export const AHEAD_MAX_LENGTH = 256;
const aheadKeys: string[] = new Array(AHEAD_MAX).fill("");
const aheadHashes = new Int32Array(AHEAD_MAX);
let aheadNext = 0;
let aheadCount = 0;

/**
 * Hashes keys[0..count) (count at most AHEAD_MAX, no key longer than AHEAD_MAX_LENGTH: the
 * caller keeps to both) into `out`, and keeps them for the {@linkcode hashKey} calls that come
 * for them in the same order (one may be passed over: its key was among the last two hashed).
 */
export function hashAhead(keys: readonly string[], count: number, out: Int32Array): void {
  for (let i = 0; i < count; i++) {
    const key = keys[i];
    aheadKeys[i] = key;
    out[i] = aheadHashes[i] = computeHash(key);
  }
  aheadNext = 0;
  aheadCount = count;
}

/** The 32-bit hash of `key` (equal strings, equal hashes, within this process). */
export function hashKey(key: string): number {
  if (key === lastKey) return lastHash;
  if (key === previousKey) return previousHash;
  let hash: number;
  const next = aheadNext;
  if (next < aheadCount && key === aheadKeys[next]) {
    hash = aheadHashes[next];
    aheadNext = next + 1;
  } else if (next + 1 < aheadCount && key === aheadKeys[next + 1]) {
    hash = aheadHashes[next + 1];
    aheadNext = next + 2;
  } else {
    hash = computeHash(key);
  }
  // rememberHash's steps, written out: this runs for every key of every command.
  previousKey = lastKey;
  previousHash = lastHash;
  lastKey = key;
  lastHash = hash;
  return hash;
}

/**
 * Makes `key` the last key hashed, with `hash`: hashKey's own memo, and how an eviction hands
 * over the hash a table kept for a key it found by walking the table (hashing it would read
 * every char of a string nothing else touched lately).
 */
export function rememberHash(key: string, hash: number): void {
  previousKey = lastKey;
  previousHash = lastHash;
  lastKey = key;
  lastHash = hash;
}

/**
 * HalfSipHash-1-3 of `key` under the key (k0, k1), 32-bit output: one SipRound per four chars,
 * one for the last word (the remaining chars and the length), three to finish.
 */
export function halfSipHash13(key: string, k0: number, k1: number): number {
  const n = key.length;
  let v0 = k0;
  let v1 = k1;
  let v2 = 0x6c796765 ^ k0;
  let v3 = 0x74656462 ^ k1;
  const whole = n & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    const m = key.charCodeAt(i) | key.charCodeAt(i + 1) << 8 | key.charCodeAt(i + 2) << 16 |
      key.charCodeAt(i + 3) << 24;
    v3 ^= m;
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
    v0 ^= m;
  }
  // The last word: the length in the top byte, the 0-3 chars left below it.
  let m = n << 24;
  const left = n - whole;
  if (left > 2) m |= key.charCodeAt(i + 2) << 16;
  if (left > 1) m |= key.charCodeAt(i + 1) << 8;
  if (left > 0) m |= key.charCodeAt(i);
  v3 ^= m;
  // The round again (one loop writing it once, with branches for the last word and the finish,
  // measured 11-15% slower).
  for (let round = 0; round < 4; round++) {
    // Round 0 takes the last word in; rounds 1-3 finish.
    if (round === 1) {
      v0 ^= m;
      v2 ^= 0xff;
    }
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
  }
  return v1 ^ v3;
}

/** The hash under the process's key. */
function computeHash(key: string): number {
  return halfSipHash13(key, KEY0, KEY1);
}
