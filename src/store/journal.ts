/**
 * The keyspace reports every change it makes here, stated as a result (the new value, an
 * absolute deadline), never as the operation that caused it, so replaying a change twice gives
 * the same state. The durability layer implements this; without persistence it is a no-op.
 *
 * The dispatcher calls {@linkcode Journal.commandEnd} after each command: the changes since the
 * previous call belong to one command and must be applied all or nothing.
 */
export interface Journal {
  /** `key` now holds `value`, expiring at `expireAtMs` (Unix ms; 0 = never). */
  set(db: number, key: string, value: string, expireAtMs: number): void;
  /** `key` no longer exists. */
  delete(db: number, key: string): void;
  /** `key`'s deadline is now `expireAtMs` (0 = never). */
  expire(db: number, key: string, expireAtMs: number): void;
  /** Database `db` was emptied; -1 means every database. */
  flush(db: number): void;
  /** Databases `a` and `b` swapped contents. */
  swap(a: number, b: number): void;
  /** The changes since the last call form one atomic unit. */
  commandEnd(): void;
}

/** A journal that records nothing (persistence off). */
export const NO_JOURNAL: Journal = {
  set() {},
  delete() {},
  expire() {},
  flush() {},
  swap() {},
  commandEnd() {},
};
