/**
 * A string-keyed map split over a fixed number of KeyMaps (key_map.ts). Splitting keeps each
 * table's rebuild (when it grows or shrinks) a sixteenth of the keyspace, and each operation
 * stays one hash (of the key, computed once per command: key_hash.ts) plus one table access.
 */

import { hashKey } from "./key_hash.ts";
import { KEY_MAP_MIN_CAPACITY, KEY_MAP_SLOT_BYTES, KeyMap } from "./key_map.ts";

export const SHARD_COUNT = 16;

/** Picks the shard of `key`: the low bits of its hash (KeyMap buckets by the bits above). */
export function shardOf(key: string): number {
  return hashKey(key) & (SHARD_COUNT - 1);
}

/** Told how many bytes a map's hash tables gained or lost (memory accounting). */
export interface ByteCounter {
  addBytes(delta: number): void;
}

/** Bytes of the hash tables of a freshly made or cleared ShardedMap. */
export const EMPTY_TABLES_BYTES = SHARD_COUNT * KEY_MAP_MIN_CAPACITY * KEY_MAP_SLOT_BYTES;

export class ShardedMap<V> {
  /** The shards; iterate them in order for a full walk. Do not modify directly. */
  readonly shards: KeyMap<V>[] = Array.from({ length: SHARD_COUNT }, () => new KeyMap<V>());
  #size = 0;
  /** Told when a table grows or shrinks; null when nobody accounts for this map. */
  counter: ByteCounter | null = null;

  get size(): number {
    return this.#size;
  }

  /** Bytes of the shards' hash tables (not of the keys and values they point to). */
  get tableBytes(): number {
    let slots = 0;
    for (let i = 0; i < SHARD_COUNT; i++) slots += this.shards[i].capacity;
    return slots * KEY_MAP_SLOT_BYTES;
  }

  /** The table bytes one entry of shard `index` takes on average (MEMORY USAGE). */
  entryBytes(index: number): number {
    const shard = this.shards[index];
    return shard.size === 0
      ? KEY_MAP_SLOT_BYTES
      : Math.round(shard.capacity * KEY_MAP_SLOT_BYTES / shard.size);
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
    const capacity = shard.capacity;
    shard.set(key, value);
    if (shard.size === before) return false;
    this.#size++;
    if (shard.capacity !== capacity) this.#resized(capacity, shard.capacity);
    return true;
  }

  delete(key: string): boolean {
    return this.deleteIn(shardOf(key), key);
  }

  /** {@linkcode delete} with the key's shard already computed. */
  deleteIn(index: number, key: string): boolean {
    const shard = this.shards[index];
    const capacity = shard.capacity;
    if (!shard.delete(key)) return false;
    this.#size--;
    if (shard.capacity !== capacity) this.#resized(capacity, shard.capacity);
    return true;
  }

  #resized(before: number, after: number): void {
    this.counter?.addBytes((after - before) * KEY_MAP_SLOT_BYTES);
  }

  clear(): void {
    const before = this.tableBytes;
    for (const shard of this.shards) shard.clear(); // keeps live SCAN iterators valid (they end)
    this.#size = 0;
    this.counter?.addBytes(EMPTY_TABLES_BYTES - before);
  }

  /** Hands over every entry in O(1), leaving this map empty (undo of a flush keeps them). */
  detach(): DetachedShards<V> {
    const before = this.tableBytes;
    const taken = { shards: this.shards.slice(), size: this.#size };
    for (let i = 0; i < this.shards.length; i++) this.shards[i] = new KeyMap<V>();
    this.#size = 0;
    this.counter?.addBytes(EMPTY_TABLES_BYTES - before);
    return taken;
  }

  /** Puts back what {@linkcode detach} took, replacing the current entries. */
  attach(taken: DetachedShards<V>): void {
    const before = this.tableBytes;
    for (let i = 0; i < this.shards.length; i++) this.shards[i] = taken.shards[i];
    this.#size = taken.size;
    this.counter?.addBytes(this.tableBytes - before);
  }

  *keys(): IterableIterator<string> {
    for (const shard of this.shards) yield* shard.keys();
  }
}

/** The entries {@linkcode ShardedMap.detach} took. */
export interface DetachedShards<V> {
  shards: KeyMap<V>[];
  size: number;
}
