/**
 * Redis's eviction pool: the best candidates seen so far across samplings, sorted by "idle"
 * score ascending (a higher score is a better candidate: idle time for LRU, 255 minus the
 * frequency for LFU, the closeness of the deadline for volatile-ttl). A sample is inserted
 * when a slot is free or it beats the worst entry kept, which is then dropped. Eviction takes
 * the best entry; entries are not removed when their key goes, so the taker checks that the
 * key still exists ("ghosts" are skipped).
 *
 * A key sampled again keeps one entry. Samples are told apart by where they were found (the
 * keyspace, the shard and the position in its table), not by their keys: comparing a sampled
 * key's text would read a string nothing else touches, a cache miss per sample (it was 11% of a
 * server evicting on every SET). A table rebuilt between two samples may put another key at a
 * position: that key's entry is then replaced (one candidate lost), or a key gets two entries
 * (the second is a ghost later). Entries name the shard by its number, not its table: a flush
 * under a round's undo log hands the tables over whole, and a pool holding them would keep a
 * flushed database's keys and values alive.
 */
import type { Keyspace } from "../store/keyspace.ts";

/** EVPOOL_SIZE. */
export const POOL_SIZE = 16;

export interface PoolEntry {
  key: string;
  keyspace: Keyspace;
  idle: number;
  /** Where the sample was found: a shard of the keyspace, and the position in its table. */
  shard: number;
  position: number;
}

export class EvictionPool {
  /**
   * Ascending by idle; at most POOL_SIZE. The entry objects are reused (an offer rewrites one
   * that left), so sampling allocates nothing: an entry {@linkcode takeBest} returned is valid
   * until the next offer.
   */
  readonly entries: PoolEntry[] = [];
  /** Entries that left the pool, for the next offers to fill in. */
  readonly #spare: PoolEntry[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Offers a key sampled at `position` of `keyspace`'s shard `shard`, with its score. */
  offer(key: string, keyspace: Keyspace, idle: number, shard: number, position: number): void {
    const entries = this.entries;
    let n = entries.length;
    // A key sampled again keeps one entry, with its newer score.
    for (let i = 0; i < n; i++) {
      const entry = entries[i];
      if (entry.position === position && entry.shard === shard && entry.keyspace === keyspace) {
        for (let j = i + 1; j < n; j++) entries[j - 1] = entries[j];
        entries.length = --n;
        this.#spare.push(entry);
        break;
      }
    }
    // The first entry with a score not below ours: we go before it.
    let at = 0;
    while (at < n && entries[at].idle < idle) at++;
    let entry: PoolEntry;
    if (n === POOL_SIZE) {
      if (at === 0) return; // worse than everything kept
      // The worst entry (first) leaves; the ones up to our place move one left.
      entry = entries[0];
      at--;
      for (let j = 0; j < at; j++) entries[j] = entries[j + 1];
    } else {
      entry = this.#spare.pop() ?? { key, keyspace, idle, shard, position };
      entries.push(entry);
      for (let j = n; j > at; j--) entries[j] = entries[j - 1];
    }
    entry.key = key;
    entry.keyspace = keyspace;
    entry.idle = idle;
    entry.shard = shard;
    entry.position = position;
    entries[at] = entry;
  }

  /**
   * Removes and returns the best entry, or undefined when empty; the entry is valid until the
   * next {@linkcode offer}.
   */
  takeBest(): PoolEntry | undefined {
    const entry = this.entries.pop();
    if (entry !== undefined) this.#spare.push(entry);
    return entry;
  }

  clear(): void {
    // The keys go (a cleared pool must not keep them alive); the objects stay for reuse.
    for (const entry of this.entries) entry.key = "";
    this.#spare.push(...this.entries);
    this.entries.length = 0;
  }
}
