/**
 * A string-keyed hash table with the parts of the JavaScript Map interface the keyspace uses,
 * hashing keys with key_hash.ts instead of asking V8 (see there for why: a V8 Map lookup with a
 * key fresh off the wire probes the string table).
 *
 * The layout is V8's OrderedHashMap's: entries are appended in insertion order to `slots` (key
 * and value side by side) and `links` (hash and the next entry of the same bucket); `buckets`
 * holds each chain's newest entry. A deletion leaves a hole. A table found full on an insert is
 * rebuilt without holes, twice as large when more than half of it is live; a table less than a
 * quarter live after a deletion is rebuilt half as large. Costs: 26 bytes per slot of capacity
 * (KEY_MAP_SLOT_BYTES), against 28 for a V8 Map.
 *
 * Iterators are live as a Map's: they skip holes, reach entries appended after they started,
 * and survive rebuilds. Each rebuild closes the table's epoch with the positions of the holes
 * it removed; an iterator still on an older epoch moves its position back by the holes that
 * were before it (a cleared table sends it back to the start).
 */
import { hashKey } from "./key_hash.ts";
import { ARRAY_BYTES, objectBytes, TYPED_ARRAY_BYTES } from "../memory/costs.ts";

/** Capacity of a new or cleared table (V8 starts a Map at 4 as well). */
export const KEY_MAP_MIN_CAPACITY = 4;
/** Bytes per slot of capacity: a key and a value (16), a hash and a link (8), half a bucket (2). */
export const KEY_MAP_SLOT_BYTES = 26;
/** An empty table's objects: the KeyMap, its slots array, its two typed arrays and its epoch. */
export const KEY_MAP_BYTES = objectBytes(8) + ARRAY_BYTES + 2 * TYPED_ARRAY_BYTES + objectBytes(3);

/** Bytes of a KeyMap holding `size` entries when it only grew (capacity a power of two). */
export function keyMapBytes(size: number): number {
  let capacity = KEY_MAP_MIN_CAPACITY;
  while (capacity < size) capacity *= 2;
  return KEY_MAP_BYTES + capacity * KEY_MAP_SLOT_BYTES;
}

/**
 * The hash's low bits pick a ShardedMap shard, so within one table they are all alike; buckets
 * are chosen by the bits above them.
 */
const SHARD_BITS = 4;

/** A table's generation, closed when the table is rebuilt or cleared. */
interface Epoch {
  next: Epoch | null;
  /** Positions (ascending) of the holes the rebuild that closed this epoch removed. */
  removed: Int32Array | null;
  /** Closed by a clear: iterators start over. */
  cleared: boolean;
}

/** Where an iteration stands: see {@linkcode KeyMap.advance}. */
export interface KeyCursor {
  epoch: Epoch;
  /** The next position to look at. */
  index: number;
}

const NO_HOLES = new Int32Array(0);

function openEpoch(): Epoch {
  return { next: null, removed: null, cleared: false };
}

export class KeyMap<V> {
  /** Key of entry i at 2i (undefined: a hole), its value at 2i + 1. */
  #slots: unknown[];
  /** Hash of entry i at 2i, the next entry in its bucket's chain at 2i + 1 (-1: none). */
  #links: Int32Array;
  #buckets: Int32Array;
  #mask: number;
  #capacity: number;
  /** Positions used so far, holes included. */
  #used = 0;
  #size = 0;
  #epoch: Epoch = openEpoch();

  constructor() {
    this.#capacity = KEY_MAP_MIN_CAPACITY;
    this.#slots = new Array(2 * KEY_MAP_MIN_CAPACITY);
    this.#links = new Int32Array(2 * KEY_MAP_MIN_CAPACITY);
    this.#buckets = new Int32Array(KEY_MAP_MIN_CAPACITY >> 1).fill(-1);
    this.#mask = (KEY_MAP_MIN_CAPACITY >> 1) - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** Entries the table has room for before it is rebuilt (memory accounting). */
  get capacity(): number {
    return this.#capacity;
  }

  #find(key: string, hash: number): number {
    const links = this.#links;
    const slots = this.#slots;
    let i = this.#buckets[(hash >>> SHARD_BITS) & this.#mask];
    while (i >= 0) {
      if (links[2 * i] === hash && slots[2 * i] === key) return i;
      i = links[2 * i + 1];
    }
    return -1;
  }

  get(key: string): V | undefined {
    const i = this.#find(key, hashKey(key));
    return i < 0 ? undefined : this.#slots[2 * i + 1] as V;
  }

  has(key: string): boolean {
    return this.#find(key, hashKey(key)) >= 0;
  }

  set(key: string, value: V): this {
    const hash = hashKey(key);
    const i = this.#find(key, hash);
    if (i >= 0) {
      this.#slots[2 * i + 1] = value;
      return this;
    }
    if (this.#used === this.#capacity) {
      const live = this.#size >= this.#capacity >> 1;
      this.#rebuild(live ? this.#capacity * 2 : this.#capacity);
    }
    const j = this.#used++;
    this.#slots[2 * j] = key;
    this.#slots[2 * j + 1] = value;
    const bucket = (hash >>> SHARD_BITS) & this.#mask;
    this.#links[2 * j] = hash;
    this.#links[2 * j + 1] = this.#buckets[bucket];
    this.#buckets[bucket] = j;
    this.#size++;
    return this;
  }

  delete(key: string): boolean {
    const i = this.#find(key, hashKey(key));
    if (i < 0) return false;
    // The hole stays in its chain (no key matches it) until the next rebuild.
    this.#slots[2 * i] = undefined;
    this.#slots[2 * i + 1] = undefined;
    this.#size--;
    if (this.#size < this.#capacity >> 2 && this.#capacity > KEY_MAP_MIN_CAPACITY) {
      this.#rebuild(this.#capacity >> 1);
    }
    return true;
  }

  clear(): void {
    const closed = this.#epoch;
    closed.cleared = true;
    closed.next = this.#epoch = openEpoch();
    this.#allocate(KEY_MAP_MIN_CAPACITY);
    this.#used = 0;
    this.#size = 0;
  }

  #allocate(capacity: number): void {
    this.#capacity = capacity;
    this.#slots = new Array(2 * capacity);
    this.#links = new Int32Array(2 * capacity);
    this.#buckets = new Int32Array(capacity >> 1).fill(-1);
    this.#mask = (capacity >> 1) - 1;
  }

  /** Moves the live entries, in order, into fresh arrays of `capacity` slots. */
  #rebuild(capacity: number): void {
    const slots = this.#slots;
    const links = this.#links;
    const used = this.#used;
    const holes = used - this.#size;
    const removed = holes === 0 ? NO_HOLES : new Int32Array(holes);
    this.#allocate(capacity);
    const toSlots = this.#slots;
    const toLinks = this.#links;
    const buckets = this.#buckets;
    const mask = this.#mask;
    let n = 0;
    let r = 0;
    for (let i = 0; i < used; i++) {
      const key = slots[2 * i];
      if (key === undefined) {
        removed[r++] = i;
        continue;
      }
      const hash = links[2 * i];
      const bucket = (hash >>> SHARD_BITS) & mask;
      toSlots[2 * n] = key;
      toSlots[2 * n + 1] = slots[2 * i + 1];
      toLinks[2 * n] = hash;
      toLinks[2 * n + 1] = buckets[bucket];
      buckets[bucket] = n;
      n++;
    }
    this.#used = n;
    const closed = this.#epoch;
    closed.removed = removed;
    closed.next = this.#epoch = openEpoch();
  }

  /** A cursor at the first entry, for {@linkcode advance}. */
  cursor(): KeyCursor {
    return { epoch: this.#epoch, index: 0 };
  }

  /**
   * Moves `cursor` past the next live entry and returns that entry's position (for
   * {@linkcode keyAt} and {@linkcode valueAt}, valid until the table next changes), or -1 at
   * the end.
   */
  advance(cursor: KeyCursor): number {
    if (cursor.epoch !== this.#epoch) heal(cursor);
    const slots = this.#slots;
    const used = this.#used;
    let i = cursor.index;
    while (i < used && slots[2 * i] === undefined) i++;
    if (i >= used) {
      cursor.index = i;
      return -1;
    }
    cursor.index = i + 1;
    return i;
  }

  keyAt(position: number): string {
    return this.#slots[2 * position] as string;
  }

  valueAt(position: number): V {
    return this.#slots[2 * position + 1] as V;
  }

  keys(): IterableIterator<string> {
    return new KeyMapIterator(this, (map, i) => map.keyAt(i));
  }

  values(): IterableIterator<V> {
    return new KeyMapIterator(this, (map, i) => map.valueAt(i));
  }

  entries(): IterableIterator<[string, V]> {
    return new KeyMapIterator(this, (map, i) => [map.keyAt(i), map.valueAt(i)]);
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  forEach(visit: (value: V, key: string) => void): void {
    const cursor = this.cursor();
    for (let i = this.advance(cursor); i >= 0; i = this.advance(cursor)) {
      visit(this.valueAt(i), this.keyAt(i));
    }
  }
}

/** Brings a cursor from an older epoch to the current one. */
function heal(cursor: KeyCursor): void {
  let epoch = cursor.epoch;
  let index = cursor.index;
  while (epoch.next !== null) {
    if (epoch.cleared) index = 0;
    else index -= countBelow(epoch.removed!, index);
    epoch = epoch.next;
  }
  cursor.epoch = epoch;
  cursor.index = index;
}

/** How many of the ascending `positions` are below `index`. */
function countBelow(positions: Int32Array, index: number): number {
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid] < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A live iterator over a KeyMap; once it has reported the end it stays there, as a Map's. */
class KeyMapIterator<V, T> implements IterableIterator<T> {
  #map: KeyMap<V> | null;
  #cursor: KeyCursor;
  #read: (map: KeyMap<V>, position: number) => T;

  constructor(map: KeyMap<V>, read: (map: KeyMap<V>, position: number) => T) {
    this.#map = map;
    this.#cursor = map.cursor();
    this.#read = read;
  }

  next(): IteratorResult<T> {
    const map = this.#map;
    if (map !== null) {
      const i = map.advance(this.#cursor);
      if (i >= 0) return { value: this.#read(map, i), done: false };
      this.#map = null;
    }
    return { value: undefined, done: true };
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this;
  }
}
