/**
 * A map from strings that can hold more entries than one table: a chain of KeyMaps
 * (store/key_map.ts: hashed without asking V8, so a member fresh off the wire costs no string
 * table probe), where new keys go to the last one, replaced by a fresh one once it holds
 * {@linkcode CHAIN_MAP_LIMIT} keys. With fewer keys (nearly always) it is one table and every
 * call takes its fast path.
 *
 * The tables are exposed (read-only) so a scan can walk them with live iterators
 * (store/collection_scans.ts).
 */
import { KeyMap } from "../key_map.ts";

/** Keys per table before a new one is started (well below a KeyMap's cap). */
export const CHAIN_MAP_LIMIT = 1 << 23;

export class ChainedMap<V> {
  readonly maps: KeyMap<V>[] = [new KeyMap<V>()];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(key: string): V | undefined {
    const maps = this.maps;
    if (maps.length === 1) return maps[0].get(key);
    for (let i = 0; i < maps.length; i++) {
      const value = maps[i].get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** {@linkcode KeyMap.replace} in whichever table holds `key`. */
  replace(key: string, value: V): string | undefined {
    const maps = this.maps;
    for (let i = 0; i < maps.length; i++) {
      const stored = maps[i].replace(key, value);
      if (stored !== undefined) return stored;
    }
    return undefined;
  }

  has(key: string): boolean {
    const maps = this.maps;
    if (maps.length === 1) return maps[0].has(key);
    for (let i = 0; i < maps.length; i++) if (maps[i].has(key)) return true;
    return false;
  }

  /** Adds `key` or replaces its value; returns true when it was added. */
  set(key: string, value: V): boolean {
    const maps = this.maps;
    for (let i = 0; i < maps.length - 1; i++) {
      if (maps[i].has(key)) {
        maps[i].set(key, value);
        return false;
      }
    }
    let last = maps[maps.length - 1];
    const before = last.size;
    if (before >= CHAIN_MAP_LIMIT && !last.has(key)) maps.push(last = new KeyMap<V>());
    last.set(key, value);
    if (last.size === before) return false;
    this.#size++;
    return true;
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: string): boolean {
    const maps = this.maps;
    for (let i = 0; i < maps.length; i++) {
      if (!maps[i].delete(key)) continue;
      this.#size--;
      if (maps.length > 1 && maps[i].size === 0) maps.splice(i, 1);
      return true;
    }
    return false;
  }

  /** Every entry, table by table. */
  *entries(): Generator<[string, V]> {
    for (const map of this.maps) yield* map;
  }
}
