/**
 * SCAN cursors over a ShardedMap. A JavaScript Map iterator is live: it skips entries deleted
 * before it reaches them and still visits every entry that stays, even across rehashing. So
 * each scan keeps its iterator here, keyed by the cursor handed to the client; that gives
 * Redis's guarantee that every key present for the whole scan is returned.
 *
 * A cursor also encodes (shard, offset within the shard, scan id), so a cursor whose iterator
 * was evicted (many abandoned scans) or was used twice still resumes by position, best effort.
 */
import { SHARD_COUNT, type ShardedMap } from "./sharded_map.ts";

/** Iterators kept at once per database; the oldest is dropped past this. */
const MAX_OPEN_SCANS = 1024;
const ID_SPACE = 65536n;
const SHARDS = BigInt(SHARD_COUNT);

interface Walk {
  id: number;
  shard: number;
  offset: number;
  iter: Iterator<string>;
}

export class ScanCursors {
  #open = new Map<bigint, Walk>();
  #lastId = 0;

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
    let visited = 0;
    while (visited < count) {
      const next = walk.iter.next();
      if (next.done) {
        walk.shard++;
        if (walk.shard >= SHARD_COUNT) return [0n, keys];
        walk.offset = 0;
        walk.iter = map.shards[walk.shard].keys();
        continue;
      }
      walk.offset++;
      visited++;
      if (accept(next.value)) keys.push(next.value);
    }
    const nextCursor = (BigInt(walk.offset) * SHARDS + BigInt(walk.shard)) * ID_SPACE +
      BigInt(walk.id);
    this.#open.set(nextCursor, walk);
    if (this.#open.size > MAX_OPEN_SCANS) {
      this.#open.delete(this.#open.keys().next().value!);
    }
    return [nextCursor, keys];
  }

  #walkFor(map: ShardedMap<unknown>, cursor: bigint): Walk {
    if (cursor === 0n) {
      this.#lastId = this.#lastId % (Number(ID_SPACE) - 1) + 1;
      return { id: this.#lastId, shard: 0, offset: 0, iter: map.shards[0].keys() };
    }
    const open = this.#open.get(cursor);
    if (open) {
      this.#open.delete(cursor);
      return open;
    }
    const id = Number(cursor % ID_SPACE);
    const position = cursor / ID_SPACE;
    const shard = Number(position % SHARDS);
    const offset = Number(position / SHARDS);
    const iter = map.shards[shard].keys();
    for (let i = 0; i < offset; i++) if (iter.next().done) break;
    return { id, shard, offset, iter };
  }
}
