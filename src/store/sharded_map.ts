/**
 * A string-keyed map split over a fixed number of KeyMaps (key_map.ts). Splitting keeps each
 * table's rebuild (when it grows or shrinks) a sixteenth of the keyspace, and each operation
 * stays one hash (of the key, computed once per command: key_hash.ts) plus one table access.
 */

import { hashKey } from "./key_hash.ts";
import { KEY_MAP_AUX_BYTES, KEY_MAP_MIN_CAPACITY, KeyMap, keyTableBytes } from "./key_map.ts";
import type { Rewritten } from "./small_values.ts";

export const SHARD_COUNT = 16;

/** Picks the shard of `key`: the low bits of its hash (a KeyMap uses only the bits above). */
export function shardOf(key: string): number {
  return hashKey(key) & (SHARD_COUNT - 1);
}

/** Told how many bytes a map's hash tables gained or lost (memory accounting). */
export interface ByteCounter {
  addBytes(delta: number): void;
}

/** Bytes of the hash tables of a freshly made or cleared ShardedMap. */
export const EMPTY_TABLES_BYTES = SHARD_COUNT * keyTableBytes(KEY_MAP_MIN_CAPACITY);

export class ShardedMap<V> {
  /** The shards; iterate them in order for a full walk. Do not modify directly. */
  readonly shards: KeyMap<V>[] = Array.from({ length: SHARD_COUNT }, () => new KeyMap<V>());
  #size = 0;
  /** Told when a table grows or shrinks; null when nobody accounts for this map. */
  counter: ByteCounter | null = null;
  /** The fill of the per-entry numbers every shard keeps (KeyMap.keepAux), or null for none. */
  #auxFill: number | null = null;
  /**
   * Counts the times the tables were handed over or back ({@linkcode detach},
   * {@linkcode attach}): something that walks a shard checks this instead of holding its table,
   * which would keep a flushed database's keys and values alive.
   */
  generation = 0;
  /** Whether the shards keep short values in cells (see keepSmallStrings). */
  #smallStrings = false;

  get size(): number {
    return this.#size;
  }

  /** Bytes of the shards' hash tables (not of the keys and values they point to). */
  get tableBytes(): number {
    let bytes = 0;
    for (let i = 0; i < SHARD_COUNT; i++) bytes += keyTableBytes(this.shards[i].capacity);
    return bytes;
  }

  /** Bytes of the per-entry numbers the shards keep (access clocks), 0 when none are kept. */
  get auxBytes(): number {
    if (this.#auxFill === null) return 0;
    let slots = 0;
    for (let i = 0; i < SHARD_COUNT; i++) slots += this.shards[i].capacity;
    return slots * KEY_MAP_AUX_BYTES;
  }

  /**
   * Every shard keeps a number per entry from now on, `fill` for the entries there are; null
   * drops the numbers.
   */
  keepAux(fill: number | null): void {
    const before = this.auxBytes;
    this.#auxFill = fill;
    for (const shard of this.shards) {
      if (fill === null) shard.dropAux();
      else shard.keepAux(fill);
    }
    this.counter?.addBytes(this.auxBytes - before);
  }

  /** `key`'s number (see {@linkcode keepAux}), or undefined. */
  auxOf(key: string): number | undefined {
    return this.shards[shardOf(key)].auxOf(key);
  }

  /** Sets `key`'s number in shard `index` (nothing when the key is absent). */
  setAuxIn(index: number, key: string, value: number): void {
    this.shards[index].setAux(key, value);
  }

  /** The table bytes one entry of shard `index` takes on average (MEMORY USAGE). */
  entryBytes(index: number): number {
    const shard = this.shards[index];
    const bytes = keyTableBytes(shard.capacity);
    return shard.size === 0 ? Math.round(bytes / shard.capacity) : Math.round(bytes / shard.size);
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

  /** {@linkcode setIn} that returns what the key held before (undefined: it is new). */
  swapIn(index: number, key: string, value: V): V | undefined {
    return this.swapOrRewriteIn(index, key, value, true) as V | undefined;
  }

  /** {@linkcode swapIn} as KeyMap.swapOrRewrite: REWRITTEN when a short value took a cell over. */
  swapOrRewriteIn(
    index: number,
    key: string,
    value: V,
    oldNeeded: boolean,
  ): V | undefined | Rewritten {
    const shard = this.shards[index];
    const capacity = shard.capacity;
    const old = shard.swapOrRewrite(key, value, oldNeeded);
    if (old !== undefined) return old;
    this.#size++;
    if (shard.capacity !== capacity) this.#resized(capacity, shard.capacity);
    return undefined;
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
    const aux = this.#auxFill === null ? 0 : KEY_MAP_AUX_BYTES * (after - before);
    this.counter?.addBytes(keyTableBytes(after) - keyTableBytes(before) + aux);
  }

  /** Bytes of the tables and their per-entry numbers, for a change's before and after. */
  get #allBytes(): number {
    return this.tableBytes + this.auxBytes;
  }

  clear(): void {
    const before = this.#allBytes;
    for (const shard of this.shards) shard.clear(); // keeps live SCAN iterators valid (they end)
    this.#size = 0;
    this.counter?.addBytes(this.#allBytes - before);
  }

  /** A fresh shard, keeping numbers as the others do. */
  #freshShard(): KeyMap<V> {
    const shard = new KeyMap<V>();
    if (this.#auxFill !== null) shard.keepAux(this.#auxFill);
    if (this.#smallStrings) shard.keepSmallStrings();
    return shard;
  }

  /**
   * Every shard, and every shard made from now on, keeps short string values in cells
   * (KeyMap.keepSmallStrings): for an empty map whose values are never numbers.
   */
  keepSmallStrings(): void {
    this.#smallStrings = true;
    for (const shard of this.shards) shard.keepSmallStrings();
  }

  /** Hands over every entry in O(1), leaving this map empty (undo of a flush keeps them). */
  detach(): DetachedShards<V> {
    const before = this.#allBytes;
    const taken = { shards: this.shards.slice(), size: this.#size };
    for (let i = 0; i < this.shards.length; i++) this.shards[i] = this.#freshShard();
    this.generation++;
    this.#size = 0;
    this.counter?.addBytes(this.#allBytes - before);
    return taken;
  }

  /** Puts back what {@linkcode detach} took, replacing the current entries. */
  attach(taken: DetachedShards<V>): void {
    const before = this.#allBytes;
    const fill = this.#auxFill;
    for (let i = 0; i < this.shards.length; i++) {
      const shard = taken.shards[i];
      // Numbers as this map keeps them now (a map loaded apart kept none; tracking may have
      // started or stopped since a detach): the entries without their own get the fill.
      if (fill === null) shard.dropAux();
      else if (!shard.keepsAux) shard.keepAux(fill);
      this.shards[i] = shard;
    }
    this.generation++;
    this.#size = taken.size;
    this.counter?.addBytes(this.#allBytes - before);
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
