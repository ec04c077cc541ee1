/**
 * Redis's eviction pool: the best candidates seen so far across samplings, sorted by "idle"
 * score ascending (a higher score is a better candidate: idle time for LRU, 255 minus the
 * frequency for LFU, the closeness of the deadline for volatile-ttl). A sample is inserted
 * when a slot is free or it beats the worst entry kept, which is then dropped. Eviction takes
 * the best entry; entries are not removed when their key goes, so the taker checks that the
 * key still exists ("ghosts" are skipped).
 *
 * A key sampled again keeps one entry. Samples are told apart by where they were found (the table
 * and the position in it), not by their keys: comparing a sampled key's text would read a string
 * nothing else touches, a cache miss per sample (it was 11% of a server evicting on every SET).
 * A table rebuilt between two samples may put another key at a position: that key's entry is
 * then replaced (one candidate lost), or a key gets two entries (the second is a ghost later).
 */
import type { Keyspace } from "../store/keyspace.ts";

/** EVPOOL_SIZE. */
export const POOL_SIZE = 16;

export interface PoolEntry {
  key: string;
  keyspace: Keyspace;
  idle: number;
  /** Where the sample was found: a table of the keyspace, and the position in it. */
  table: object;
  position: number;
}

export class EvictionPool {
  /** Ascending by idle; at most POOL_SIZE. */
  readonly entries: PoolEntry[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Offers a key sampled at `position` of `table` (one of `keyspace`'s) with its score. */
  offer(key: string, keyspace: Keyspace, idle: number, table: object, position: number): void {
    const entries = this.entries;
    // A key sampled again keeps one entry, with its newer score.
    for (let i = 0; i < entries.length; i++) {
      if (entries[i].position === position && entries[i].table === table) {
        entries.splice(i, 1);
        break;
      }
    }
    // The first entry with a score not below ours: we go before it.
    let at = 0;
    while (at < entries.length && entries[at].idle < idle) at++;
    if (entries.length === POOL_SIZE) {
      if (at === 0) return; // worse than everything kept
      entries.shift(); // drop the worst; our place moves one left
      at--;
    }
    entries.splice(at, 0, { key, keyspace, idle, table, position });
  }

  /** Removes and returns the best entry, or undefined when empty. */
  takeBest(): PoolEntry | undefined {
    return this.entries.pop();
  }

  clear(): void {
    this.entries.length = 0;
  }
}
