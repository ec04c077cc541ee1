/**
 * What a BEGIN transaction read, and when: each key looked up (found or missing) with the
 * change sequence at its first read, and each database whose key set it read as a whole (KEYS,
 * SCAN, DBSIZE, RANDOMKEY). COMMIT succeeds only if none of it changed since (see versions.ts).
 *
 * Bounded: past {@linkcode MAX_KEYS_PER_DB} keys read in one database, they are folded into one
 * range read of that database from the earliest of their sequences (coarser, still safe).
 */
import type { ReadObserver } from "../store/journal.ts";
import type { Databases } from "../store/databases.ts";
import type { VersionTable } from "./versions.ts";

/** Keys remembered one by one per database before they are folded into a range read. */
export const MAX_KEYS_PER_DB = 65536;

/** What changed under a transaction's feet: a key it read, or a database it listed. */
export type Conflict =
  | { kind: "key"; db: number; key: string }
  | { kind: "range"; db: number; key: string | null }
  | { kind: "dropped"; db: number };

export class ReadSet implements ReadObserver {
  /** db -> key -> sequence at the first read. */
  readonly #keys = new Map<number, Map<string, number>>();
  /** db -> sequence at the first range read. */
  readonly #ranges = new Map<number, number>();
  /**
   * Sequence -> the clock (Unix ms) when a statement first read at it. Nothing changes during
   * a statement, so every read of one statement has one sequence; several statements may share
   * one, and the earliest time is kept (which can only add conflicts, never hide one).
   */
  readonly #times = new Map<number, number>();
  readonly #versions: VersionTable;

  constructor(versions: VersionTable) {
    this.#versions = versions;
  }

  /** A statement starts at `now`: its reads happen then. */
  statementAt(now: number): void {
    const seq = this.#versions.seq;
    if (!this.#times.has(seq)) this.#times.set(seq, now);
  }

  key(db: number, key: string): void {
    // A range read of the database since covers any later read of one of its keys.
    if (this.#ranges.has(db)) return;
    let byKey = this.#keys.get(db);
    if (byKey === undefined) this.#keys.set(db, byKey = new Map());
    else if (byKey.has(key)) return;
    byKey.set(key, this.#versions.seq);
    if (byKey.size > MAX_KEYS_PER_DB) this.#fold(db, byKey);
  }

  range(db: number): void {
    if (!this.#ranges.has(db)) this.#ranges.set(db, this.#versions.seq);
  }

  /** Every key read so far in `db`, folded into one range read from the earliest of them. */
  #fold(db: number, byKey: Map<string, number>): void {
    let earliest = this.#versions.seq;
    for (const seq of byKey.values()) earliest = Math.min(earliest, seq);
    this.#keys.delete(db);
    this.#ranges.set(db, Math.min(earliest, this.#ranges.get(db) ?? earliest));
  }

  /**
   * The first thing read that has changed since it was read, or null when the reads still
   * hold. With `store` and `now` (at COMMIT), a key read alive whose deadline has passed since
   * counts as changed too, while a key that had already expired when read does not.
   */
  validate(store?: Databases, now = 0): Conflict | null {
    const versions = this.#versions;
    for (const [db, byKey] of this.#keys) {
      const keyspace = store?.keyspace(db);
      for (const [key, seq] of byKey) {
        if (versions.keyChangedSince(db, key, seq)) return { kind: "key", db, key };
        if (keyspace === undefined || !keyspace.data.has(key)) continue;
        // Unchanged since the read, so it had this deadline then: alive then, gone now?
        const deadline = keyspace.deadline(key);
        if (deadline > 0 && now > deadline && deadline >= (this.#times.get(seq) ?? 0)) {
          return { kind: "key", db, key };
        }
      }
    }
    for (const [db, seq] of this.#ranges) {
      const change = versions.dbChangedSince(db, seq);
      if (change !== null) return { kind: "range", db, key: change.key };
    }
    return null;
  }
}
