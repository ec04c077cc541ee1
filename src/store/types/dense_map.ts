/**
 * The big form of hashes and sets (Redis's "hashtable" encoding): the keys, and for hashes their
 * values, kept densely in paged arrays, with a KeyMap (store/key_map.ts) from each key to its
 * slot. Density gives what a plain table cannot: a uniformly random element in O(1) (SPOP,
 * SRANDMEMBER, HRANDFIELD) and a fast walk for HGETALL. A removal moves the last element into the freed slot.
 *
 * Pages of fixed size mean growth never copies a huge array (no stall at a million elements).
 * The index is a chain of tables, so it is not bounded by one table's cap: new keys go to the
 * last, which is replaced by a fresh one once it holds {@linkcode MAP_LIMIT} keys.
 *
 * A hash's values of up to 15 bytes live in cells (store/small_values.ts), the value slot holding
 * the cell's number, for the reason the keyspace keeps them so: a new value then stores no young
 * string into an old page, and one written over a short value goes into its cell unread.
 */

import { ARRAY_BYTES, objectBytes, SLOT_BYTES, stringBytes } from "../../memory/costs.ts";
import { KeyMap, keyMapBytes } from "../key_map.ts";
import { fitsCell, SMALL_VALUE_BYTES, SmallValueCells, storedValueBytes } from "../small_values.ts";

const PAGE_BITS = 10;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
/** A page: a fixed array of PAGE_SIZE slots and its array object. */
const PAGE_BYTES = ARRAY_BYTES + PAGE_SIZE * SLOT_BYTES;
/** Keys per index table before a new one is started (well below a KeyMap's cap). */
export const MAP_LIMIT = 1 << 23;

export class DenseMap {
  /** Key -> slot. Usually one table; see the module comment. */
  readonly maps: KeyMap<number>[] = [new KeyMap<number>()];
  #keys: string[][] = [];
  /** Values by slot (a string, or the number of its cell), or null for a set. */
  #values: (string | number)[][] | null;
  /** Where a hash's short values are kept; null for a set. */
  #cells: SmallValueCells | null;
  #size = 0;
  /** Bytes of the key and value strings held (memory accounting). */
  #stringBytes = 0;

  constructor(withValues: boolean) {
    this.#values = withValues ? [] : null;
    this.#cells = withValues ? new SmallValueCells() : null;
  }

  /** The bytes a value (or what holds it: a cell's number) costs the account. */
  static #valueBytes(value: string | number): number {
    return typeof value === "number" ? SMALL_VALUE_BYTES : storedValueBytes(value);
  }

  /** What a value slot holds for `value`: a fresh cell for a short one, else the string. */
  #held(value: string): string | number {
    return fitsCell(value) ? this.#cells!.add(value) : value;
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes of heap held: pages, index tables and strings (see memory/costs.ts). */
  memoryBytes(): number {
    const pages = this.#keys.length * (this.#values === null ? 1 : 2);
    let tables = 0;
    for (const map of this.maps) {
      tables += keyMapBytes(map.size);
    }
    return objectBytes(4) + 3 * ARRAY_BYTES + pages * (PAGE_BYTES + SLOT_BYTES) + tables +
      this.#stringBytes;
  }

  get hasValues(): boolean {
    return this.#values !== null;
  }

  /** The slot of `key`, or -1. */
  slot(key: string): number {
    const maps = this.maps;
    if (maps.length === 1) return maps[0].get(key) ?? -1;
    for (let i = 0; i < maps.length; i++) {
      const slot = maps[i].get(key);
      if (slot !== undefined) return slot;
    }
    return -1;
  }

  has(key: string): boolean {
    return this.slot(key) >= 0;
  }

  keyAt(slot: number): string {
    return this.#keys[slot >> PAGE_BITS][slot & PAGE_MASK];
  }

  valueAt(slot: number): string {
    const held = this.#values![slot >> PAGE_BITS][slot & PAGE_MASK];
    return typeof held === "number" ? this.#cells!.read(held) : held;
  }

  /**
   * Reads what the value at `slot` (a number from a table entry) is kept in, as a lookup will
   * (a string's header, a cell's length byte), for store/batch_warmer.ts; 0 when there is none.
   */
  touchValueOfEntry(slot: unknown): number {
    if (this.#values === null || typeof slot !== "number" || slot >= this.#size) return 0;
    const held = this.#values[slot >> PAGE_BITS][slot & PAGE_MASK];
    return typeof held === "number" ? this.#cells!.lengthOf(held) : held.length;
  }

  /** The value of `key` (hashes), or undefined. */
  get(key: string): string | undefined {
    const slot = this.slot(key);
    return slot < 0 ? undefined : this.valueAt(slot);
  }

  /** Adds `key` (with `value` for hashes) or replaces its value; returns true when added. */
  set(key: string, value = ""): boolean {
    const slot = this.slot(key);
    if (slot >= 0) {
      if (this.#values !== null) {
        const page = this.#values[slot >> PAGE_BITS];
        const held = page[slot & PAGE_MASK];
        if (typeof held === "number") {
          // A short value over a short one: into its cell, unread, at the same cost.
          if (fitsCell(value)) {
            this.#cells!.write(held, value);
            return false;
          }
          this.#cells!.release(held);
        }
        this.#stringBytes += DenseMap.#valueBytes(value) - DenseMap.#valueBytes(held);
        page[slot & PAGE_MASK] = this.#held(value);
      }
      return false;
    }
    this.#stringBytes += stringBytes(key.length) +
      (this.#values === null ? 0 : DenseMap.#valueBytes(value));
    const at = this.#size++;
    const page = at >> PAGE_BITS;
    if (page === this.#keys.length) {
      // A page is allocated whole: no growth copies, and exactly 8 bytes a slot.
      this.#keys.push(new Array<string>(PAGE_SIZE));
      this.#values?.push(new Array<string>(PAGE_SIZE));
    }
    this.#keys[page][at & PAGE_MASK] = key;
    if (this.#values !== null) this.#values[page][at & PAGE_MASK] = this.#held(value);
    let last = this.maps[this.maps.length - 1];
    if (last.size >= MAP_LIMIT) this.maps.push(last = new KeyMap<number>());
    last.set(key, at);
    return true;
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: string): boolean {
    const maps = this.maps;
    let slot = -1;
    for (let i = 0; i < maps.length; i++) {
      const found = maps[i].get(key);
      if (found !== undefined) {
        slot = found;
        maps[i].delete(key);
        break;
      }
    }
    if (slot < 0) return false;
    let valueBytes = 0;
    if (this.#values !== null) {
      const held = this.#values[slot >> PAGE_BITS][slot & PAGE_MASK];
      valueBytes = DenseMap.#valueBytes(held);
      if (typeof held === "number") this.#cells!.release(held);
    }
    this.#stringBytes -= stringBytes(key.length) + valueBytes;
    const lastSlot = --this.#size;
    const lastPage = lastSlot >> PAGE_BITS;
    const lastAt = lastSlot & PAGE_MASK;
    const movedKey = this.#keys[lastPage][lastAt];
    const movedValue = this.#values?.[lastPage][lastAt];
    this.#keys[lastPage][lastAt] = undefined as unknown as string;
    if (this.#values !== null) this.#values[lastPage][lastAt] = undefined as unknown as string;
    if (slot !== lastSlot) {
      this.#keys[slot >> PAGE_BITS][slot & PAGE_MASK] = movedKey;
      if (this.#values !== null) this.#values[slot >> PAGE_BITS][slot & PAGE_MASK] = movedValue!;
      for (let i = 0; i < maps.length; i++) {
        if (maps[i].has(movedKey)) {
          maps[i].set(movedKey, slot);
          break;
        }
      }
    }
    if (lastAt === 0) {
      this.#keys.pop();
      this.#values?.pop();
    }
    if (this.#size === 0) this.#cells?.clear();
    if (maps.length > 1) {
      for (let i = maps.length - 1; i >= 0 && maps.length > 1; i--) {
        if (maps[i].size === 0) maps.splice(i, 1);
      }
    }
    return true;
  }

  /** A uniformly random slot (the map must not be empty). */
  randomSlot(): number {
    return Math.floor(Math.random() * this.#size);
  }

  /** An independent copy. */
  clone(): DenseMap {
    const copy = new DenseMap(this.#values !== null);
    for (let slot = 0; slot < this.#size; slot++) {
      copy.set(this.keyAt(slot), this.#values === null ? "" : this.valueAt(slot));
    }
    return copy;
  }
}
