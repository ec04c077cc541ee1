/**
 * A string-keyed hash table with the parts of the JavaScript Map interface the keyspace uses,
 * hashing keys with key_hash.ts instead of asking V8 (see there for why: a V8 Map lookup with a
 * key fresh off the wire probes the string table).
 *
 * Entries are appended in insertion order to `slots` (key and value side by side) and `hashes`;
 * a deletion leaves a hole. `index`, 4/3 as long as the entries' capacity (so at most three
 * quarters full, holes included), is an open-addressed (linear probing) table of entry numbers,
 * each tagged with six bits of its key's hash: a lookup reads one index line, then the entry's
 * key, then that key's chars, three dependent memory reads (a V8 Map's bucket chain takes four
 * to five, and the server runs them cold).
 *
 * The entries and the index are sized apart, so the entries stay dense: a table found full on
 * an insert is rebuilt without holes (and without the deleted marks in its index), twice as large
 * when it only grew, else with room for a quarter more than its live entries, so a table under
 * churn (a cache that evicts as it adds) stays four fifths live instead of wherever its last
 * doubling left it. A table less than a quarter live after a deletion is rebuilt the
 * same way, smaller. Costs (see {@linkcode keyTableBytes}): 20 bytes per entry of capacity (a key
 * and a value, a hash) and 4 per index word: 25 to 51 bytes per live entry while a table grows,
 * 32 under churn (the table before, whose index was twice its capacity: 28 to 56, and 37 to 75).
 *
 * A table may keep short string values in cells outside V8's heap (keepSmallStrings: the
 * keyspace's do; see store/small_values.ts), a value slot then holding the cell's number, which
 * every method that hands a value out turns back into its string.
 *
 * Iterators are live as a Map's: they skip holes, reach entries appended after they started,
 * and survive rebuilds. Each rebuild closes the table's epoch with the positions of the holes
 * it removed; an iterator still on an older epoch moves its position back by the holes that
 * were before it (a cleared table sends it back to the start).
 */
import { hashKey } from "./key_hash.ts";
import { fitsCell, REWRITTEN, type Rewritten, SmallValueCells } from "./small_values.ts";
import { ARRAY_BYTES, objectBytes, TYPED_ARRAY_BYTES } from "../memory/costs.ts";

/** Capacity of a new or cleared table (V8 starts a Map at 4 as well). */
export const KEY_MAP_MIN_CAPACITY = 4;
/** Bytes per entry of capacity: a key and a value (16) and a hash (4). */
const ENTRY_BYTES = 20;
/** Bytes per index word. */
const INDEX_WORD_BYTES = 4;
/** Bytes per entry of capacity of the column {@linkcode KeyMap.keepAux} adds. */
export const KEY_MAP_AUX_BYTES = 4;
/** The largest capacity: entry numbers take 26 bits of an index word (see `index`). */
export const KEY_MAP_MAX_CAPACITY = 1 << 25;
/** An empty table's objects: the KeyMap (10 fields), its slots array, hashes, index and epoch. */
export const KEY_MAP_BYTES = objectBytes(10) + ARRAY_BYTES + 2 * TYPED_ARRAY_BYTES + objectBytes(3);

/**
 * Index words for `capacity` entries: at most three quarters used, a multiple of 8 (not a power
 * of two, so the index grows with the entries instead of by doublings: see {@linkcode home}).
 */
function indexLength(capacity: number): number {
  return (Math.ceil(capacity * 4 / 3) + 7) & ~7;
}

const TWO_TO_MINUS_22 = 1 / 4194304;

/**
 * Where a key hashed `hash` starts probing in an index of `length` words: the hash's top 22 bits
 * scaled to the length (two float multiplies instead of a mask, so any length works: about 5 ns
 * more per lookup in a tight loop, nothing measurable in the server). Indexes longer than 2^22
 * words (tables of more than 3 million entries) start at every length / 2^22-th word and probe a
 * little further.
 */
function home(hash: number, length: number): number {
  return ((hash >>> 10) * length * TWO_TO_MINUS_22) | 0;
}

/**
 * An index word's tag: bits 4 to 9 of the hash (the bits below are the ShardedMap's shard, the
 * bits above the position), in the word's top bits.
 */
function tagOf(hash: number): number {
  return (hash << 22) & ~ENTRY_MASK;
}

/** Bytes of a table's arrays (entries and index, not the per-entry numbers) for `capacity`. */
export function keyTableBytes(capacity: number): number {
  return capacity * ENTRY_BYTES + indexLength(capacity) * INDEX_WORD_BYTES;
}

/**
 * The capacity a full table is rebuilt with: twice as large when it only grew since its last
 * rebuild (no holes), else a quarter more than its live entries (the holes go). A table that
 * loses entries as it gains them (a cache that evicts) so settles four fifths live; doubling it
 * whenever it happened to be nearly all live made a cache's table jump to twice its size, evict
 * for the bytes, and shrink back. (Growth by half saved memory on average but copied each entry
 * a third more often on the way up: a 20M-key load ran a fifth slower.)
 */
function rebuiltCapacity(size: number, capacity: number): number {
  const next = size === capacity ? capacity * 2 : size + (size >> 2);
  return Math.min(KEY_MAP_MAX_CAPACITY, Math.max(KEY_MAP_MIN_CAPACITY, next));
}

/** The capacities a table passes through when it only grows (no deletions), ascending. */
const GROWTH: readonly number[] = (() => {
  const steps = [KEY_MAP_MIN_CAPACITY];
  while (steps[steps.length - 1] < KEY_MAP_MAX_CAPACITY) {
    const last = steps[steps.length - 1];
    steps.push(rebuiltCapacity(last, last));
  }
  return steps;
})();

/** The sizes (above `low`, up to `high`) the last {@linkcode keyMapBytes} answer holds for. */
let cachedLow = 0;
let cachedHigh = 0;
let cachedBytes = 0;

/**
 * Bytes of a KeyMap holding `size` entries when it only grew (no deletions). Collections ask
 * before and after each change, mostly at sizes in the same growth step: the last step found is
 * kept (it was 2.5% of HSET on a big hash at pipeline 16 as a search).
 */
export function keyMapBytes(size: number): number {
  if (size > cachedLow && size <= cachedHigh) return cachedBytes;
  let lo = 0;
  let hi = GROWTH.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (GROWTH[mid] < size) lo = mid + 1;
    else hi = mid;
  }
  cachedLow = lo === 0 ? -1 : GROWTH[lo - 1];
  cachedHigh = GROWTH[lo];
  cachedBytes = KEY_MAP_BYTES + keyTableBytes(GROWTH[lo]);
  return cachedBytes;
}

/**
 * An index word: 0 is empty, 1 is a deleted entry's mark; otherwise the entry number plus 2 in
 * the low ENTRY_BITS bits and a tag (see tagOf) above them.
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
  /** Index words (see ENTRY_BITS), indexLength(capacity) of them. */
  #index!: Int32Array;
  #capacity!: number;
  /** A number per entry beside its value (the keyspace's access clocks), or null. */
  #aux: Int32Array | null = null;
  /** What a new entry's number is until it is set. */
  #auxFill = 0;
  /** Positions used so far, holes included. */
  #used = 0;
  #size = 0;
  #epoch: Epoch = openEpoch();
  /**
   * Where short string values are kept (store/small_values.ts), their slots holding cell
   * numbers; null when values are kept as given (always so for a table whose values are numbers).
   */
  #cells: SmallValueCells | null = null;

  constructor() {
    this.#allocate(KEY_MAP_MIN_CAPACITY);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Keeps short string values in cells from now on (store/small_values.ts): for an empty table
   * whose values are never numbers (the keyspace's).
   */
  keepSmallStrings(): void {
    if (this.#used !== 0) throw new Error("Only an empty KeyMap starts keeping cells");
    this.#cells = new SmallValueCells();
  }

  /** Bytes of the cells' pages (0 when no cells are kept). */
  get cellBytes(): number {
    return this.#cells === null ? 0 : this.#cells.bytes;
  }

  /** The value a value slot holding `slot` stands for (a cell's string). */
  #valueOf(slot: unknown): V {
    const cells = this.#cells;
    return (cells !== null && typeof slot === "number" ? cells.read(slot) : slot) as V;
  }

  /** What a value slot that held `old` holds for `value` (a cell it had is rewritten or freed). */
  #slotFor(value: V, old: unknown): unknown {
    const cells = this.#cells;
    if (cells === null) return value;
    if (typeof value === "string" && fitsCell(value)) {
      if (typeof old !== "number") return cells.add(value);
      cells.write(old, value);
      return old;
    }
    if (typeof old === "number") cells.release(old);
    return value;
  }

  /** Entries the table has room for before it is rebuilt (memory accounting). */
  get capacity(): number {
    return this.#capacity;
  }

  /** The index position holding `key`, or -1. */
  #probe(key: string, hash: number): number {
    const index = this.#index;
    const slots = this.#slots;
    const length = index.length;
    const tag = tagOf(hash);
    let p = home(hash, length);
    while (true) {
      const word = index[p];
      if (word === EMPTY) return -1;
      // Same tag: compare the keys themselves.
      if ((word ^ tag) >>> ENTRY_BITS === 0 && word !== DELETED) {
        if (slots[2 * entryOf(word)] === key) return p;
      }
      if (++p === length) p = 0;
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
    const length = index.length;
    const tag = tagOf(hash);
    let p = home(hash, length);
    while (true) {
      const word = index[p];
      if (word === EMPTY || ((word ^ tag) >>> ENTRY_BITS === 0 && word !== DELETED)) return word;
      if (++p === length) p = 0;
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
    return this.#valueOf(this.#slots[2 * entryOf(word) + 1]);
  }

  /**
   * Reads the value of the entry an index word names as a lookup of it will (a string's header,
   * a cell's length byte), for store/batch_warmer.ts; returns a number so that the reads stay.
   */
  touchValue(word: number): number {
    if (word === EMPTY || word === DELETED) return 0;
    const slot = this.#slots[2 * entryOf(word) + 1];
    if (typeof slot === "string") return slot.length;
    return this.#cells !== null && typeof slot === "number" ? this.#cells.lengthOf(slot) : 0;
  }

  /** {@linkcode get} of a key whose hash the caller has (it does not go through hashKey). */
  getHashed(key: string, hash: number): V | undefined {
    const p = this.#probe(key, hash);
    return p < 0 ? undefined : this.#valueOf(this.#slots[2 * this.#entryAt(p) + 1]);
  }

  get(key: string): V | undefined {
    return this.getHashed(key, hashKey(key));
  }

  /**
   * Gives `key`, when present, the value `value`, and returns the string the table keeps as the
   * key (equal to `key`, but maybe another copy); undefined, and nothing set, when absent.
   */
  replace(key: string, value: V): string | undefined {
    const p = this.#probe(key, hashKey(key));
    if (p < 0) return undefined;
    const at = 2 * this.#entryAt(p);
    this.#slots[at + 1] = this.#slotFor(value, this.#slots[at + 1]);
    return this.#slots[at] as string;
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
    return this.swapOrRewrite(key, value, true) as V | undefined;
  }

  /**
   * {@linkcode swap}, except that when `oldNeeded` is false and a short value in a cell is
   * replaced by a short value, the new one is written into that cell without the old one being
   * read, and REWRITTEN is returned (both cost the account the same: store/small_values.ts).
   */
  swapOrRewrite(key: string, value: V, oldNeeded: boolean): V | undefined | Rewritten {
    const hash = hashKey(key);
    const p = this.#probe(key, hash);
    if (p >= 0) {
      const at = 2 * this.#entryAt(p) + 1;
      const slot = this.#slots[at];
      const cells = this.#cells;
      if (
        cells !== null && typeof slot === "number" && typeof value === "string" && fitsCell(value)
      ) {
        // A short value over a short one goes into the same cell, read first only if wanted.
        const old = oldNeeded ? cells.read(slot) as V : REWRITTEN;
        cells.write(slot, value);
        return old;
      }
      // The old value is read before its cell is freed.
      const old = this.#valueOf(slot);
      this.#slots[at] = this.#slotFor(value, slot);
      return old;
    }
    if (this.#used === this.#capacity) {
      if (this.#size === KEY_MAP_MAX_CAPACITY) {
        throw new RangeError(`A KeyMap holds at most ${KEY_MAP_MAX_CAPACITY} entries`);
      }
      this.#rebuild(rebuiltCapacity(this.#size, this.#capacity));
    }
    const j = this.#used++;
    this.#slots[2 * j] = key;
    this.#slots[2 * j + 1] = this.#slotFor(value, undefined);
    this.#hashes[j] = hash;
    this.#place(hash, j);
    this.#size++;
    return undefined;
  }

  /** Writes entry `j`'s index word at the first free position (empty or deleted) from its own. */
  #place(hash: number, j: number): void {
    const index = this.#index;
    const length = index.length;
    let p = home(hash, length);
    for (let word = index[p]; word !== EMPTY && word !== DELETED; word = index[p]) {
      if (++p === length) p = 0;
    }
    index[p] = tagOf(hash) | (j + ENTRY_BIAS);
  }

  delete(key: string): boolean {
    const p = this.#probe(key, hashKey(key));
    if (p < 0) return false;
    const i = this.#entryAt(p);
    this.#index[p] = DELETED;
    const slot = this.#slots[2 * i + 1];
    if (this.#cells !== null && typeof slot === "number") this.#cells.release(slot);
    this.#slots[2 * i] = undefined;
    this.#slots[2 * i + 1] = undefined;
    this.#size--;
    if (this.#size < this.#capacity >> 2 && this.#capacity > KEY_MAP_MIN_CAPACITY) {
      this.#rebuild(rebuiltCapacity(this.#size, this.#capacity));
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
    this.#cells?.clear();
  }

  /** Fresh arrays for `capacity` entries (rebuiltCapacity never passes the cap). */
  #allocate(capacity: number): void {
    this.#capacity = capacity;
    this.#slots = new Array(2 * capacity);
    this.#hashes = new Int32Array(capacity);
    this.#index = new Int32Array(indexLength(capacity));
    // Positions are used once between rebuilds, so an entry added later finds the fill there.
    if (this.#aux !== null) this.#aux = new Int32Array(capacity).fill(this.#auxFill);
  }

  /**
   * Moves the live entries, in order, into fresh arrays of `capacity` slots; or, when the arrays
   * there are have about that capacity (within 1/16 above it), closes the holes in them. A table
   * under churn (as many keys deleted as added: a cache that evicts, keys that expire) fills up
   * with holes at a steady size, and fresh arrays at each rebuild made the old ones garbage for
   * the old generation (about 150 bytes per SET under steady eviction).
   */
  #rebuild(capacity: number): void {
    const slots = this.#slots;
    const hashes = this.#hashes;
    const aux = this.#aux;
    const used = this.#used;
    const holes = used - this.#size;
    const removed = holes === 0 ? NO_HOLES : new Int32Array(holes);
    const current = this.#capacity;
    const inPlace = capacity <= current && current - capacity <= capacity >> 4;
    if (inPlace) this.#index.fill(EMPTY);
    else this.#allocate(capacity);
    // A table that shrinks moves its short values into fresh cells, whose pages fit them.
    const cells = this.#cells;
    const toCells = cells !== null && capacity < current && !inPlace ? new SmallValueCells() : null;
    // In place, an entry only ever moves down (n <= i), so the copy reads before it writes.
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
      const slot = slots[2 * i + 1];
      toSlots[2 * n + 1] = toCells !== null && typeof slot === "number"
        ? toCells.copyFrom(cells!, slot)
        : slot;
      toHashes[n] = hash;
      if (toAux !== null) toAux[n] = aux![i];
      this.#place(hash, n);
      n++;
    }
    if (inPlace) {
      // The positions from n on are unused again: they hold nothing, and aux reads the fill.
      slots.fill(undefined, 2 * n, 2 * used);
      if (aux !== null) aux.fill(this.#auxFill, n, used);
    }
    this.#used = n;
    if (toCells !== null) this.#cells = toCells;
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
   * {@linkcode keyAt} and {@linkcode valueAt}, valid until the table next changes), first passing
   * over `skip` live entries (in one loop: an eviction sample passes over a few keys each time).
   * At the end: -1 - (entries still to pass), so -1 when `skip` is 0.
   */
  advance(cursor: KeyCursor, skip = 0): number {
    if (cursor.epoch !== this.#epoch) heal(cursor);
    const slots = this.#slots;
    const used = this.#used;
    let i = cursor.index;
    for (;; i++) {
      while (i < used && slots[2 * i] === undefined) i++;
      if (i >= used) {
        cursor.index = i;
        return -1 - skip;
      }
      if (skip-- === 0) break;
    }
    cursor.index = i + 1;
    return i;
  }

  keyAt(position: number): string {
    return this.#slots[2 * position] as string;
  }

  valueAt(position: number): V {
    return this.#valueOf(this.#slots[2 * position + 1]);
  }

  /** The hash of the entry at `position` (kept for rebuilds): a caller there need not hash. */
  hashAt(position: number): number {
    return this.#hashes[position];
  }

  /** The number (see {@linkcode keepAux}) of the entry at `position`, or undefined if none kept. */
  auxAt(position: number): number | undefined {
    return this.#aux === null ? undefined : this.#aux[position];
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
