/**
 * HSCAN, SSCAN and ZSCAN cursors over the big form of hashes, sets and sorted sets (any
 * {@linkcode ScanTarget}: a DenseMap, a ChainedMap). As for the keyspace's SCAN
 * (scan_cursors.ts), each scan keeps a live iterator under the cursor it handed out: a KeyMap's
 * iterator, as a Map's, visits every entry that stays in the table, whatever is added or removed
 * meanwhile, which is Redis's guarantee. A cursor also encodes how far the scan got, so
 * a cursor whose iterator was dropped (too many open scans) resumes by position, best effort.
 */
import type { KeyMap } from "./key_map.ts";

/** What a scan walks: a chain of tables whose keys are the elements, and a membership test. */
export interface ScanTarget {
  readonly maps: readonly KeyMap<unknown>[];
  has(key: string): boolean;
}

/** Iterators kept at once, over all collections; the oldest is dropped past this. */
export const MAX_OPEN_COLLECTION_SCANS = 1024;
const ID_SPACE = 65536n;

interface Walk {
  id: number;
  target: ScanTarget;
  /** Which of the target's index maps the iterator walks. */
  map: number;
  /** Keys taken from all maps so far. */
  offset: number;
  iter: Iterator<string>;
  /** A key read ahead and not handed out yet. */
  pending: string | undefined;
}

export class CollectionScans {
  #open = new Map<bigint, Walk>();
  #lastId = 0;

  get openCount(): number {
    return this.#open.size;
  }

  /** About `count` keys of `target` from `cursor` on, and the next cursor (0 when done). */
  step(target: ScanTarget, cursor: bigint, count: number): [bigint, string[]] {
    const walk = this.#walkFor(target, cursor);
    const keys: string[] = [];
    while (keys.length < count) {
      const key = next(walk);
      if (key === undefined) return [0n, keys];
      keys.push(key);
    }
    // Looking one key ahead lets a scan that has seen everything end now.
    const ahead = next(walk);
    if (ahead === undefined) return [0n, keys];
    walk.pending = ahead;
    const nextCursor = BigInt(walk.offset - 1) * ID_SPACE + BigInt(walk.id);
    this.#open.set(nextCursor, walk);
    if (this.#open.size > MAX_OPEN_COLLECTION_SCANS) {
      this.#open.delete(this.#open.keys().next().value!);
    }
    return [nextCursor, keys];
  }

  #walkFor(target: ScanTarget, cursor: bigint): Walk {
    if (cursor !== 0n) {
      const open = this.#open.get(cursor);
      if (open !== undefined && open.target === target) {
        this.#open.delete(cursor);
        return open;
      }
    }
    this.#lastId = this.#lastId % (Number(ID_SPACE) - 1) + 1;
    const walk: Walk = {
      id: cursor === 0n ? this.#lastId : Number(cursor % ID_SPACE),
      target,
      map: 0,
      offset: 0,
      iter: target.maps[0].keys(),
      pending: undefined,
    };
    const skip = Number(cursor / ID_SPACE);
    while (walk.offset < skip && next(walk) !== undefined);
    return walk;
  }
}

function next(walk: Walk): string | undefined {
  const pending = walk.pending;
  if (pending !== undefined) {
    walk.pending = undefined;
    if (walk.target.has(pending)) return pending; // it may have been removed since
  }
  while (true) {
    const step = walk.iter.next();
    if (!step.done) {
      walk.offset++;
      return step.value;
    }
    const maps = walk.target.maps;
    if (walk.map + 1 >= maps.length) return undefined;
    walk.iter = maps[++walk.map].keys();
  }
}

/** The cursors of this process (scans are short-lived; one bounded table serves every db). */
export const collectionScans = new CollectionScans();
