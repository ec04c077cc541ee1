/**
 * SCAN cursors over a ShardedMap. A JavaScript Map iterator is live: it skips entries deleted
 * before it reaches them and still visits every entry that stays, even across rehashing. So
 * each scan keeps its iterator here, keyed by the cursor handed to the client; that gives
 * Redis's guarantee that every key present for the whole scan is returned.
 *
 * A cursor also encodes (position within the shard, shard, scan id), so a cursor whose iterator
 * was evicted (many abandoned scans), was used twice, or came from before a FLUSHDB or SWAPDB
 * still resumes by position: best effort, since keys deleted meanwhile shift positions.
 */
import { SHARD_COUNT, type ShardedMap } from "./sharded_map.ts";

/** Iterators kept at once per database; the oldest is dropped past this. */
export const MAX_OPEN_SCANS = 1024;
const ID_SPACE = 65536n;
const SHARDS = BigInt(SHARD_COUNT);

interface Walk {
  id: number;
  shard: number;
  /** Keys taken from the current shard's iterator so far, `pending` included. */
  offset: number;
  iter: Iterator<string>;
  /** A key taken from the iterator by a look-ahead and not yet handed out. */
  pending: string | undefined;
}

export class ScanCursors {
  #open = new Map<bigint, Walk>();
  #lastId = 0;

  /** Scans whose iterator is kept (for tests and INFO-style introspection). */
  get openCount(): number {
    return this.#open.size;
  }

  clear(): void {
    this.#open.clear();
  }

  /**
   * Visits about `count` keys from `cursor` on and returns the next cursor (0 when the scan is
   * complete) and the visited keys that `accept` kept.
   */
  step(
    map: ShardedMap<unknown>,
    cursor: bigint,
    count: number,
    accept: (key: string) => boolean,
  ): [bigint, string[]] {
    const walk = this.#walkFor(map, cursor);
    const keys: string[] = [];
    for (let visited = 0; visited < count; visited++) {
      const key = next(map, walk);
      if (key === undefined) return [0n, keys];
      if (accept(key)) keys.push(key);
    }
    // Looking one key ahead lets a scan that has seen everything end now, as Redis's usually
    // does, instead of handing out a cursor that only leads to an empty last page.
    const ahead = next(map, walk);
    if (ahead === undefined) return [0n, keys];
    walk.pending = ahead;
    const position = BigInt(walk.offset - 1) * SHARDS + BigInt(walk.shard);
    const nextCursor = position * ID_SPACE + BigInt(walk.id);
    this.#open.set(nextCursor, walk);
    if (this.#open.size > MAX_OPEN_SCANS) {
      this.#open.delete(this.#open.keys().next().value!);
    }
    return [nextCursor, keys];
  }

  #walkFor(map: ShardedMap<unknown>, cursor: bigint): Walk {
    if (cursor === 0n) {
      this.#lastId = this.#lastId % (Number(ID_SPACE) - 1) + 1;
      const iter = map.shards[0].keys();
      return { id: this.#lastId, shard: 0, offset: 0, iter, pending: undefined };
    }
    const open = this.#open.get(cursor);
    if (open) {
      this.#open.delete(cursor);
      return open;
    }
    const id = Number(cursor % ID_SPACE);
    const position = cursor / ID_SPACE;
    const shard = Number(position % SHARDS);
    const skip = Number(position / SHARDS);
    const iter = map.shards[shard].keys();
    let offset = 0;
    while (offset < skip && !iter.next().done) offset++;
    return { id, shard, offset, iter, pending: undefined };
  }
}

/** The walk's next key still in the map, moving on to later shards; undefined at the end. */
function next(map: ShardedMap<unknown>, walk: Walk): string | undefined {
  const pending = walk.pending;
  if (pending !== undefined) {
    walk.pending = undefined;
    // It was read ahead on an earlier call and may have been deleted since.
    if (map.has(pending)) return pending;
  }
  while (true) {
    const step = walk.iter.next();
    if (!step.done) {
      walk.offset++;
      return step.value;
    }
    if (walk.shard + 1 >= SHARD_COUNT) return undefined;
    walk.shard++;
    walk.offset = 0;
    walk.iter = map.shards[walk.shard].keys();
  }
}
