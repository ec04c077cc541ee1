/**
 * All databases (0-15 by default) and the counters they share. Owned by the store actor.
 */
import { emptyJournal, type Journal } from "./journal.ts";
import { Keyspace, type KeyspaceStats } from "./keyspace.ts";

export const DATABASE_COUNT = 16;

export interface StoreStats extends KeyspaceStats {
  keyspaceHits: number;
  keyspaceMisses: number;
}

export class Databases {
  readonly dbs: Keyspace[];
  readonly stats: StoreStats = { expiredKeys: 0, keyspaceHits: 0, keyspaceMisses: 0 };
  readonly journal: Journal;

  constructor(journal: Journal = emptyJournal(), count = DATABASE_COUNT) {
    this.journal = journal;
    this.dbs = Array.from({ length: count }, (_, i) => new Keyspace(i, journal, this.stats));
  }

  get count(): number {
    return this.dbs.length;
  }

  /** Swaps the contents of databases `a` and `b` (SWAPDB). */
  swap(a: number, b: number): void {
    if (a === b) return;
    this.#exchange(a, b);
    this.journal.undo?.push(() => this.#exchange(a, b));
    this.journal.swap(a, b);
  }

  #exchange(a: number, b: number): void {
    const first = this.dbs[a];
    this.dbs[a] = this.dbs[b];
    this.dbs[b] = first;
    this.dbs[a].index = a;
    this.dbs[b].index = b;
  }

  /** Empties every database. */
  flushAll(): void {
    for (const db of this.dbs) db.flush();
  }

  /** Total keys over all databases. */
  get totalKeys(): number {
    let total = 0;
    for (const db of this.dbs) total += db.size;
    return total;
  }
}
