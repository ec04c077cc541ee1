/**
 * A string-keyed hash table with the parts of the JavaScript Map interface the keyspace uses,
 * hashing keys with key_hash.ts instead of asking V8 (see there for why: a V8 Map lookup with a
 * key fresh off the wire probes the string table).
 *
 * Entries are appended in insertion order to `slots` (key and value side by side) and `hashes`;
 * a deletion leaves a hole. `index`, twice as long as the table's capacity (so at most half
 * full), is an open-addressed (linear probing) table of entry numbers, each tagged with the top
 * bits of its key's hash: a lookup reads one index line, then the entry's key, then that key's
 * chars, three dependent memory reads (a V8 Map's bucket chain takes four to five, and the
 * server runs them cold). A table found full on an insert is rebuilt without holes (and without
 * the deleted marks in its index), twice as large when three quarters of it are live; a table
 * less than a quarter live after a deletion is rebuilt half as large. Costs: 28 bytes per slot
 * of capacity (KEY_MAP_SLOT_BYTES), as a V8 Map.
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
/** Bytes per slot of capacity: a key and a value (16), a hash (4), two index words (8). */
export const KEY_MAP_SLOT_BYTES = 28;
/** Bytes per slot of capacity of the column {@linkcode KeyMap.keepAux} adds. */
export const KEY_MAP_AUX_BYTES = 4;
/** The largest capacity: entry numbers take 26 bits of an index word (see `index`). */
export const KEY_MAP_MAX_CAPACITY = 1 << 25;
/** An empty table's objects: the KeyMap (10 fields), its slots array, hashes, index and epoch. */
export const KEY_MAP_BYTES = objectBytes(10) + ARRAY_BYTES + 2 * TYPED_ARRAY_BYTES + objectBytes(3);

/** Bytes of a KeyMap holding `size` entries when it only grew (capacity a power of two). */
export function keyMapBytes(size: number): number {
  let capacity = KEY_MAP_MIN_CAPACITY;
  while (capacity < size) capacity *= 2;
  return KEY_MAP_BYTES + capacity * KEY_MAP_SLOT_BYTES;
}

/**
 * The hash's low bits pick a ShardedMap shard, so within one table they are all alike; index
 * positions are taken from the bits above them.
 */
const SHARD_BITS = 4;
/**
 * An index word: 0 is empty, 1 is a deleted entry's mark; otherwise the entry number plus 2 in
 * the low ENTRY_BITS bits and the top bits of the entry's hash above them (its tag).
 */
const ENTRY_BITS = 26;
const ENTRY_MASK = (1 << ENTRY_BITS) - 1;
const EMPTY = 0;
const DELETED = 1;
const ENTRY_BIAS = 2;

/** The entry number an index word (not empty, not deleted) names. */
function entryOf(word: number): number {
  return (word & ENTRY_MASK) - ENTRY_BIAS;
}

/** The one table of a chain of them (DenseMap, ChainedMap), or null when there are several. */
export function soleTable<V>(maps: readonly KeyMap<V>[] | undefined): KeyMap<V> | null {
  return maps !== undefined && maps.length === 1 ? maps[0] : null;
}

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
  // Set by #allocate.
  /** Key of entry i at 2i (undefined: a hole), its value at 2i + 1. */
  #slots!: unknown[];
  /** Hash of entry i, kept for rebuilds. */
  #hashes!: Int32Array;
  /** Index words (see ENTRY_BITS), 2 x capacity of them. */
  #index!: Int32Array;
  #mask!: number;
  #capacity!: number;
  /** A number per entry beside its value (the keyspace's access clocks), or null. */
  #aux: Int32Array | null = null;
  /** What a new entry's number is until it is set. */
  #auxFill = 0;
  /** Positions used so far, holes included. */
  #used = 0;
  #size = 0;
  #epoch: Epoch = openEpoch();

  constructor() {
    this.#allocate(KEY_MAP_MIN_CAPACITY);
  }

  get size(): number {
    return this.#size;
  }

  /** Entries the table has room for before it is rebuilt (memory accounting). */
  get capacity(): number {
    return this.#capacity;
  }

  /** The index position holding `key`, or -1. */
  #probe(key: string, hash: number): number {
    const index = this.#index;
    const slots = this.#slots;
    const mask = this.#mask;
    let p = (hash >>> SHARD_BITS) & mask;
    while (true) {
      const word = index[p];
      if (word === EMPTY) return -1;
      // Same tag (the top bits of the hash): compare the keys themselves.
      if ((word ^ hash) >>> ENTRY_BITS === 0 && word !== DELETED) {
        if (slots[2 * entryOf(word)] === key) return p;
      }
      p = (p + 1) & mask;
    }
  }

  /** The entry the index word at position `p` names. */
  #entryAt(p: number): number {
    return entryOf(this.#index[p]);
  }

  /**
   * Keeps a 32-bit number per entry from now on (4 bytes a slot instead of a second table):
   * `fill` for every entry there is and every entry added until {@linkcode setAux} sets its own.
   */
  keepAux(fill: number): void {
    this.#auxFill = fill;
    this.#aux = new Int32Array(this.#capacity).fill(fill);
  }

  dropAux(): void {
    this.#aux = null;
  }

  get keepsAux(): boolean {
    return this.#aux !== null;
  }

  /** `key`'s number, or undefined when it is absent or no numbers are kept. */
  auxOf(key: string): number | undefined {
    const aux = this.#aux;
    if (aux === null) return undefined;
    const p = this.#probe(key, hashKey(key));
    return p < 0 ? undefined : aux[this.#entryAt(p)];
  }

  /** Sets `key`'s number (nothing when it is absent or no numbers are kept). */
  setAux(key: string, value: number): void {
    const aux = this.#aux;
    if (aux === null) return;
    const p = this.#probe(key, hashKey(key));
    if (p >= 0) aux[this.#entryAt(p)] = value;
  }

  /**
   * The index word of the first entry a lookup of a key hashed `hash` will compare (its tag
   * matches), or EMPTY: for store/batch_warmer.ts, which then warms that entry.
   */
  indexWord(hash: number): number {
    const index = this.#index;
    const mask = this.#mask;
    let p = (hash >>> SHARD_BITS) & mask;
    while (true) {
      const word = index[p];
      if (word === EMPTY || ((word ^ hash) >>> ENTRY_BITS === 0 && word !== DELETED)) return word;
      p = (p + 1) & mask;
    }
  }

  /**
   * Reads the entry an index word names and its key's header, as a lookup will (see
   * store/batch_warmer.ts); returns a number so that the reads are not optimized away.
   */
  touchEntry(word: number): number {
    if (word === EMPTY || word === DELETED) return 0;
    const key = this.#slots[2 * entryOf(word)];
    return typeof key === "string" ? key.length : 0;
  }

  /** The value of the entry an index word names (undefined for an empty or deleted word). */
  valueOfWord(word: number): V | undefined {
    if (word === EMPTY || word === DELETED) return undefined;
    return this.#slots[2 * entryOf(word) + 1] as V;
  }

  /** {@linkcode get} of a key whose hash the caller has (it does not go through hashKey). */
  getHashed(key: string, hash: number): V | undefined {
    const p = this.#probe(key, hash);
    return p < 0 ? undefined : this.#slots[2 * this.#entryAt(p) + 1] as V;
  }

  get(key: string): V | undefined {
    return this.getHashed(key, hashKey(key));
  }

  has(key: string): boolean {
    return this.#probe(key, hashKey(key)) >= 0;
  }

  set(key: string, value: V): this {
    this.swap(key, value);
    return this;
  }

  /** Sets `key` to `value` and returns what it held before (undefined: it is new). */
  swap(key: string, value: V): V | undefined {
    const hash = hashKey(key);
    const p = this.#probe(key, hash);
    if (p >= 0) {
      const at = 2 * this.#entryAt(p) + 1;
      const old = this.#slots[at] as V;
      this.#slots[at] = value;
      return old;
    }
    if (this.#used === this.#capacity) {
      // Only a mostly live table grows; else its holes are squeezed out in place, so a table
      // under churn (a cache that evicts) stays up to three quarters live instead of doubling.
      const live = this.#size >= this.#capacity - (this.#capacity >> 2);
      this.#rebuild(live ? this.#capacity * 2 : this.#capacity);
    }
    const j = this.#used++;
    this.#slots[2 * j] = key;
    this.#slots[2 * j + 1] = value;
    this.#hashes[j] = hash;
    this.#place(hash, j);
    this.#size++;
    return undefined;
  }

  /** Writes entry `j`'s index word at the first free position (empty or deleted) from its own. */
  #place(hash: number, j: number): void {
    const index = this.#index;
    const mask = this.#mask;
    let p = (hash >>> SHARD_BITS) & mask;
    for (let word = index[p]; word !== EMPTY && word !== DELETED; word = index[p]) {
      p = (p + 1) & mask;
    }
    index[p] = (hash & ~ENTRY_MASK) | (j + ENTRY_BIAS);
  }

  delete(key: string): boolean {
    const p = this.#probe(key, hashKey(key));
    if (p < 0) return false;
    const i = this.#entryAt(p);
    this.#index[p] = DELETED;
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
    if (capacity > KEY_MAP_MAX_CAPACITY) {
      throw new RangeError(`A KeyMap holds at most ${KEY_MAP_MAX_CAPACITY} entries`);
    }
    this.#capacity = capacity;
    this.#slots = new Array(2 * capacity);
    this.#hashes = new Int32Array(capacity);
    this.#index = new Int32Array(2 * capacity);
    this.#mask = 2 * capacity - 1;
    // Positions are used once between rebuilds, so an entry added later finds the fill there.
    if (this.#aux !== null) this.#aux = new Int32Array(capacity).fill(this.#auxFill);
  }

  /** Moves the live entries, in order, into fresh arrays of `capacity` slots. */
  #rebuild(capacity: number): void {
    const slots = this.#slots;
    const hashes = this.#hashes;
    const aux = this.#aux;
    const used = this.#used;
    const holes = used - this.#size;
    const removed = holes === 0 ? NO_HOLES : new Int32Array(holes);
    this.#allocate(capacity);
    const toSlots = this.#slots;
    const toHashes = this.#hashes;
    const toAux = this.#aux;
    let n = 0;
    let r = 0;
    for (let i = 0; i < used; i++) {
      const key = slots[2 * i];
      if (key === undefined) {
        removed[r++] = i;
        continue;
      }
      const hash = hashes[i];
      toSlots[2 * n] = key;
      toSlots[2 * n + 1] = slots[2 * i + 1];
      toHashes[n] = hash;
      if (toAux !== null) toAux[n] = aux![i];
      this.#place(hash, n);
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
