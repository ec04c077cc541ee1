/**
 * A string-keyed map split over a fixed number of V8 Maps. One V8 Map holds at most 2^24
 * (about 16.7 million) entries and throws past that; sixteen shards lift the cap to about
 * 268 million while each operation stays one hash plus one Map access.
 */

export const SHARD_COUNT = 16;

/** Keys up to this length are hashed on every char. */
const FULL_HASH_CHARS = 65536;
/** Chars taken from each end of a longer key, and samples spread over its middle. */
const END_CHARS = 4096;
const MIDDLE_SAMPLES = 4096;

/**
 * Picks the shard of `key`. Every char of a key up to 64 KiB counts, so keys that differ
 * anywhere spread evenly (a key family may vary only in the middle); that costs about what
 * reading the key off the wire did. Longer keys are hashed on their ends, their length and
 * samples of the middle, which keeps the cost bounded; the spread only needs to keep every
 * shard far below the per-Map cap.
 */
export function shardOf(key: string): number {
  const n = key.length;
  let h = n;
  if (n <= FULL_HASH_CHARS) {
    for (let i = 0; i < n; i++) h = Math.imul(h, 31) + key.charCodeAt(i) | 0;
  } else {
    for (let i = 0; i < END_CHARS; i++) h = Math.imul(h, 31) + key.charCodeAt(i) | 0;
    const stride = Math.ceil((n - 2 * END_CHARS) / MIDDLE_SAMPLES);
    for (let i = END_CHARS; i < n - END_CHARS; i += stride) {
      h = Math.imul(h, 31) + key.charCodeAt(i) | 0;
    }
    for (let i = n - END_CHARS; i < n; i++) h = Math.imul(h, 31) + key.charCodeAt(i) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  h ^= h >>> 16;
  return h & (SHARD_COUNT - 1);
}

export class ShardedMap<V> {
  /** The shards; iterate them in order for a full walk. Do not modify directly. */
  readonly shards: Map<string, V>[] = Array.from({ length: SHARD_COUNT }, () => new Map());
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(key: string): V | undefined {
    return this.shards[shardOf(key)].get(key);
  }

  has(key: string): boolean {
    return this.shards[shardOf(key)].has(key);
  }

  set(key: string, value: V): void {
    const shard = this.shards[shardOf(key)];
    const before = shard.size;
    shard.set(key, value);
    this.#size += shard.size - before;
  }

  delete(key: string): boolean {
    if (!this.shards[shardOf(key)].delete(key)) return false;
    this.#size--;
    return true;
  }

  clear(): void {
    for (const shard of this.shards) shard.clear(); // keeps live SCAN iterators valid (they end)
    this.#size = 0;
  }

  /** Hands over every entry in O(1), leaving this map empty (undo of a flush keeps them). */
  detach(): { shards: Map<string, V>[]; size: number } {
    const taken = { shards: this.shards.slice(), size: this.#size };
    for (let i = 0; i < this.shards.length; i++) this.shards[i] = new Map();
    this.#size = 0;
    return taken;
  }

  /** Puts back what {@linkcode detach} took, replacing the current entries. */
  attach(taken: { shards: Map<string, V>[]; size: number }): void {
    for (let i = 0; i < this.shards.length; i++) this.shards[i] = taken.shards[i];
    this.#size = taken.size;
  }

  *keys(): IterableIterator<string> {
    for (const shard of this.shards) yield* shard.keys();
  }
}
