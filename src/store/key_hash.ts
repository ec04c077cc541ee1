/**
 * The hash of a key, computed in JavaScript so that no V8 Map has to: V8 hashes a string the
 * first time it is used as a Map key, and for a string that is not internalized (every key read
 * off the wire) that includes a probe of the isolate's string table, which misses cache (about
 * 30% of the server's CPU under redis-benchmark MSET). KeyMap buckets by this hash and
 * ShardedMap picks shards by it.
 *
 * Seeded per process, so a client cannot choose keys that pile into one bucket chain without
 * seeing the seed; each char goes through a multiply (FNV-1a's step) and the end through
 * MurmurHash3's finalizer, so every bit of the result depends on every char.
 */

/** Keys up to this length are hashed on every char. */
const FULL_HASH_CHARS = 65536;
/** Chars taken from each end of a longer key, and samples spread over its middle. */
const END_CHARS = 4096;
const MIDDLE_SAMPLES = 4096;

const SEED = crypto.getRandomValues(new Uint32Array(1))[0] | 0;

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
 * Every char of a key up to 64 KiB counts, so keys that differ anywhere spread evenly (a key
 * family may vary only in the middle). Longer keys are hashed on their ends, their length and
 * samples of the middle, which keeps the cost bounded; equal keys still hash equal.
 */
function computeHash(key: string): number {
  const n = key.length;
  let h = SEED ^ n;
  if (n <= FULL_HASH_CHARS) {
    for (let i = 0; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  } else {
    for (let i = 0; i < END_CHARS; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    const stride = Math.ceil((n - 2 * END_CHARS) / MIDDLE_SAMPLES);
    for (let i = END_CHARS; i < n - END_CHARS; i += stride) {
      h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    }
    for (let i = n - END_CHARS; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
