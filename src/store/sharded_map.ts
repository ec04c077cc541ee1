/**
 * A string-keyed map split over a fixed number of V8 Maps. One V8 Map holds at most 2^24
 * (about 16.7 million) entries and throws past that; sixteen shards lift the cap to about
 * 268 million while each operation stays one hash plus one Map access.
 */

import { MAP_INITIAL_CAPACITY, MAP_SLOT_BYTES } from "../memory/costs.ts";

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

/** Told how many bytes a map's hash tables gained or lost (memory accounting). */
export interface ByteCounter {
  addBytes(delta: number): void;
}

/** Bytes of the hash tables of a freshly made or cleared ShardedMap. */
export const EMPTY_TABLES_BYTES = SHARD_COUNT * MAP_INITIAL_CAPACITY * MAP_SLOT_BYTES;

export class ShardedMap<V> {
  /** The shards; iterate them in order for a full walk. Do not modify directly. */
  readonly shards: Map<string, V>[] = Array.from({ length: SHARD_COUNT }, () => new Map());
  #size = 0;
  /**
   * Each shard's hash table capacity, as V8 sizes it (see memory/costs.ts): following it costs
   * one comparison per inserted or removed key, and makes the accounted bytes step when the
   * real table does.
   */
  #capacity: number[] = new Array(SHARD_COUNT).fill(MAP_INITIAL_CAPACITY);
  /** Told when a table grows or shrinks; null when nobody accounts for this map. */
  counter: ByteCounter | null = null;

  get size(): number {
    return this.#size;
  }

  /** Bytes of the shards' hash tables (not of the keys and values they point to). */
  get tableBytes(): number {
    let slots = 0;
    for (let i = 0; i < SHARD_COUNT; i++) slots += this.#capacity[i];
    return slots * MAP_SLOT_BYTES;
  }

  /** The table bytes one entry of shard `index` takes on average (MEMORY USAGE). */
  entryBytes(index: number): number {
    const size = this.shards[index].size;
    return size === 0 ? MAP_SLOT_BYTES : Math.round(this.#capacity[index] * MAP_SLOT_BYTES / size);
  }

  get(key: string): V | undefined {
    return this.shards[shardOf(key)].get(key);
  }

  has(key: string): boolean {
    return this.shards[shardOf(key)].has(key);
  }

  set(key: string, value: V): void {
    this.setIn(shardOf(key), key, value);
  }

  /** {@linkcode set} with the key's shard already computed; returns whether the key is new. */
  setIn(index: number, key: string, value: V): boolean {
    const shard = this.shards[index];
    const before = shard.size;
    shard.set(key, value);
    if (shard.size === before) return false;
    this.#size++;
    if (shard.size > this.#capacity[index]) this.#resize(index, 2);
    return true;
  }

  delete(key: string): boolean {
    return this.deleteIn(shardOf(key), key);
  }

  /** {@linkcode delete} with the key's shard already computed. */
  deleteIn(index: number, key: string): boolean {
    const shard = this.shards[index];
    if (!shard.delete(key)) return false;
    this.#size--;
    if (shard.size < this.#capacity[index] >> 2 && this.#capacity[index] > MAP_INITIAL_CAPACITY) {
      this.#resize(index, 0.5);
    }
    return true;
  }

  #resize(index: number, factor: number): void {
    const before = this.#capacity[index];
    this.#capacity[index] = before * factor;
    this.counter?.addBytes((this.#capacity[index] - before) * MAP_SLOT_BYTES);
  }

  clear(): void {
    for (const shard of this.shards) shard.clear(); // keeps live SCAN iterators valid (they end)
    this.#size = 0;
    this.#resetCapacity();
  }

  #resetCapacity(): void {
    const before = this.tableBytes;
    this.#capacity = new Array(SHARD_COUNT).fill(MAP_INITIAL_CAPACITY);
    this.counter?.addBytes(EMPTY_TABLES_BYTES - before);
  }

  /** Hands over every entry in O(1), leaving this map empty (undo of a flush keeps them). */
  detach(): DetachedShards<V> {
    const taken = { shards: this.shards.slice(), size: this.#size, capacity: this.#capacity };
    for (let i = 0; i < this.shards.length; i++) this.shards[i] = new Map();
    this.#size = 0;
    this.#resetCapacity();
    return taken;
  }

  /** Puts back what {@linkcode detach} took, replacing the current entries. */
  attach(taken: DetachedShards<V>): void {
    const before = this.tableBytes;
    for (let i = 0; i < this.shards.length; i++) this.shards[i] = taken.shards[i];
    this.#size = taken.size;
    this.#capacity = taken.capacity;
    this.counter?.addBytes(this.tableBytes - before);
  }

  *keys(): IterableIterator<string> {
    for (const shard of this.shards) yield* shard.keys();
  }
}

/** The entries {@linkcode ShardedMap.detach} took, with their tables' sizes. */
export interface DetachedShards<V> {
  shards: Map<string, V>[];
  size: number;
  capacity: number[];
}
