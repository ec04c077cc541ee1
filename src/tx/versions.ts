/**
 * Per-key versions for BEGIN transactions' optimistic validation: a global change sequence, the
 * sequence of the last change of each key, and of each database as a whole (for range reads and
 * FLUSHDB/SWAPDB). A transaction records the sequence at which it read something; COMMIT checks
 * that nothing it read changed after that.
 *
 * The table listens to the change stream only while a BEGIN transaction is open, so it costs
 * nothing otherwise. It is keyed by database NUMBER, as clients name databases: SWAPDB counts as
 * a change of every key in both databases. Entries no open transaction can need (changed before
 * the oldest open transaction began) are trimmed; if the table still outgrows its cap, it is
 * cleared and a floor is raised: reads older than the floor then count as conflicts, so memory
 * stays bounded and validation stays safe.
 */
import type { ChangeSink } from "../store/journal.ts";
import type { Value } from "../store/value.ts";

/** Keys tracked at most: past half of it after a trim, the table is cleared and the floor raised. */
export const MAX_TRACKED_KEYS = 1 << 20;
/** Size below which the table is never trimmed. */
const MIN_TRIM_SIZE = 1024;

/** The last change of one database. */
interface DbChange {
  seq: number;
  /** The key changed last, or null for FLUSHDB/FLUSHALL/SWAPDB. */
  key: string | null;
}

export class VersionTable implements ChangeSink {
  /** Sequence of the last change seen. */
  seq = 0;
  /** db -> key -> sequence of its last change. */
  readonly #keys = new Map<number, Map<string, number>>();
  #tracked = 0;
  /** db -> its last change of any kind. */
  readonly #dbs = new Map<number, DbChange>();
  /** db -> sequence of its last FLUSHDB or SWAPDB. */
  readonly #resets = new Map<number, number>();
  /** Sequence of the last FLUSHALL (a flush of db -1). */
  #allReset = 0;
  /** Reads at or before this sequence may have missed changes (the table was cleared). */
  #floor = 0;
  #trimAt = MIN_TRIM_SIZE;
  /** The start sequence of the oldest open transaction (set by the owner). */
  oldestOpen: () => number = () => this.seq;

  /** Keys with a tracked version. */
  get tracked(): number {
    return this.#tracked;
  }

  /** Whether `key` of `db` may have changed after sequence `since`. */
  keyChangedSince(db: number, key: string, since: number): boolean {
    if (since < this.#floor || this.#allReset > since) return true;
    if ((this.#resets.get(db) ?? 0) > since) return true;
    return (this.#keys.get(db)?.get(key) ?? 0) > since;
  }

  /**
   * The last change to database `db` after sequence `since`, or null when there was none: a
   * range read (KEYS, SCAN, DBSIZE, RANDOMKEY) is validated against any change to its database.
   */
  dbChangedSince(db: number, since: number): DbChange | null {
    if (since < this.#floor || this.#allReset > since) return { seq: this.seq, key: null };
    const last = this.#dbs.get(db);
    return last !== undefined && last.seq > since ? last : null;
  }

  /** Forgets everything (no transaction is open any more). */
  clear(): void {
    this.#keys.clear();
    this.#dbs.clear();
    this.#resets.clear();
    this.#tracked = 0;
    this.#trimAt = MIN_TRIM_SIZE;
  }

  #changed(db: number, key: string): void {
    const seq = ++this.seq;
    let byKey = this.#keys.get(db);
    if (byKey === undefined) this.#keys.set(db, byKey = new Map());
    const size = byKey.size;
    byKey.set(key, seq);
    if (byKey.size !== size && ++this.#tracked > this.#trimAt) this.#trim();
    const last = this.#dbs.get(db);
    if (last === undefined) this.#dbs.set(db, { seq, key });
    else {
      last.seq = seq;
      last.key = key;
    }
  }

  #reset(db: number): void {
    const seq = ++this.seq;
    if (db < 0) this.#allReset = seq;
    else {
      this.#resets.set(db, seq);
      this.#dbs.set(db, { seq, key: null });
    }
  }

  /** Drops versions no open transaction can need; clears all past the cap. */
  #trim(): void {
    const oldest = this.oldestOpen();
    for (const [db, byKey] of this.#keys) {
      for (const [key, seq] of byKey) {
        if (seq <= oldest) {
          byKey.delete(key);
          this.#tracked--;
        }
      }
      if (byKey.size === 0) this.#keys.delete(db);
    }
    // Still half full of versions some open transaction may need: give up on them rather than
    // scan again soon (the next trim comes after as many new keys as are kept, so trimming
    // costs O(1) per change and the table never passes the cap).
    if (this.#tracked > MAX_TRACKED_KEYS / 2) {
      this.#keys.clear();
      this.#tracked = 0;
      this.#floor = this.seq;
    }
    this.#trimAt = Math.max(MIN_TRIM_SIZE, this.#tracked * 2);
  }

  // --- ChangeSink: registered only while a BEGIN transaction is open ---

  set(db: number, key: string, _value: Value, _expireAtMs: number): void {
    this.#changed(db, key);
  }

  delete(db: number, key: string): void {
    this.#changed(db, key);
  }

  expire(db: number, key: string, _expireAtMs: number): void {
    this.#changed(db, key);
  }

  op(db: number, key: string, _code: number, _args: readonly string[]): void {
    this.#changed(db, key);
  }

  flush(db: number): void {
    this.#reset(db);
  }

  swap(a: number, b: number): void {
    this.#reset(a);
    this.#reset(b);
  }

  commandEnd(): void {}

  /** Changes were taken back unreported: every read so far conflicts, as after a FLUSHALL. */
  rollback(): void {
    this.#reset(-1);
  }
}
