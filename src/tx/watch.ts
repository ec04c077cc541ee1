/**
 * WATCH as Redis 7.0 has it: a client's next EXEC fails (null reply) when any key it watches was
 * changed by anyone after WATCH, including by expiry, FLUSHDB/FLUSHALL and SWAPDB.
 *
 * The registry listens to the change stream only while some key is watched (zero cost
 * otherwise). Watches are kept by database NUMBER, as the change stream reports them and as
 * Redis keeps them: after SWAPDB a client still watches "key k of db 0", whose contents changed.
 *
 * Expiry follows Redis 7.0 (multi.c): a key already expired (but not yet removed) when it is
 * watched is flagged; its later removal is no change (the flag is cleared), while a key that
 * expires after WATCH makes EXEC fail, whether it was removed meanwhile or not.
 */
import type { ChangeSink, Journal } from "../store/journal.ts";
import type { Databases } from "../store/databases.ts";
import type { Keyspace } from "../store/keyspace.ts";
import type { Value } from "../store/value.ts";

/** One key watched by one client. */
interface WatchedKey {
  readonly db: number;
  readonly key: string;
  /** The key was already expired (still stored, past its deadline) when watched. */
  expired: boolean;
  readonly watcher: Watcher;
}

/** One client's watches. */
class Watcher {
  readonly keys: WatchedKey[] = [];
  /** db number -> keys watched there, to ignore a key watched twice. */
  readonly names = new Map<number, Set<string>>();
  /** A watched key changed: the next EXEC fails. */
  dirty = false;
}

/** Whether `key` is stored in `db` but past its deadline (Redis's keyIsExpired). */
function storedButExpired(db: Keyspace | undefined, key: string, now: number): boolean {
  if (db === undefined || !db.data.has(key)) return false;
  const deadline = db.deadline(key);
  return deadline > 0 && now > deadline;
}

export class WatchRegistry<S extends object> implements ChangeSink {
  /** db number -> key -> the watches on it. */
  readonly #byDb = new Map<number, Map<string, Set<WatchedKey>>>();
  readonly #watchers = new Map<S, Watcher>();
  readonly #journal: Journal;
  readonly #store: Databases;
  readonly #clock: () => number;
  #total = 0;

  constructor(journal: Journal, store: Databases, clock: () => number) {
    this.#journal = journal;
    this.#store = store;
    this.#clock = clock;
  }

  /** Keys watched by all clients together. */
  get totalKeys(): number {
    return this.#total;
  }

  /** Clients that watch keys (or whose watched keys already changed). */
  get clients(): number {
    return this.#watchers.size;
  }

  /**
   * Watches `keys` of database `db` for `owner`. Returns false, watching nothing more, when the
   * client would then watch more than `limit` keys. A client whose watches already fired gains
   * nothing by watching more, so nothing is added (as Redis 7.0 does).
   */
  watch(owner: S, db: number, keys: readonly string[], now: number, limit: number): boolean {
    let watcher = this.#watchers.get(owner);
    if (watcher?.dirty) return true;
    const known = watcher?.names.get(db);
    const fresh = new Set<string>();
    for (const key of keys) if (!known?.has(key)) fresh.add(key);
    if ((watcher?.keys.length ?? 0) + fresh.size > limit) return false;
    if (fresh.size === 0) return true;
    if (watcher === undefined) {
      watcher = new Watcher();
      this.#watchers.set(owner, watcher);
    }
    if (this.#total === 0) this.#journal.addSink(this);
    const keyspace = this.#store.keyspace(db);
    let names = watcher.names.get(db);
    if (names === undefined) watcher.names.set(db, names = new Set());
    let byKey = this.#byDb.get(db);
    if (byKey === undefined) this.#byDb.set(db, byKey = new Map());
    for (const key of fresh) {
      const entry: WatchedKey = {
        db,
        key,
        expired: storedButExpired(keyspace, key, now),
        watcher,
      };
      watcher.keys.push(entry);
      names.add(key);
      let entries = byKey.get(key);
      if (entries === undefined) byKey.set(key, entries = new Set());
      entries.add(entry);
      this.#total++;
    }
    return true;
  }

  /**
   * Whether `owner`'s EXEC must fail: a watched key changed, or expired after WATCH without
   * being removed yet (Redis's isWatchedKeyExpired).
   */
  isDirty(owner: S, now: number): boolean {
    const watcher = this.#watchers.get(owner);
    if (watcher === undefined) return false;
    if (watcher.dirty) return true;
    for (const entry of watcher.keys) {
      if (!entry.expired && storedButExpired(this.#store.keyspace(entry.db), entry.key, now)) {
        return true;
      }
    }
    return false;
  }

  /** Forgets `owner`'s watches (UNWATCH, EXEC, DISCARD, disconnect). */
  unwatch(owner: S): void {
    const watcher = this.#watchers.get(owner);
    if (watcher === undefined) return;
    this.#drop(watcher);
    this.#watchers.delete(owner);
  }

  /** Removes a watcher's keys from the index; it stays known (and dirty) until unwatched. */
  #drop(watcher: Watcher): void {
    for (const entry of watcher.keys) {
      const byKey = this.#byDb.get(entry.db)!;
      const entries = byKey.get(entry.key)!;
      entries.delete(entry);
      if (entries.size === 0) byKey.delete(entry.key);
      if (byKey.size === 0) this.#byDb.delete(entry.db);
      this.#total--;
    }
    watcher.keys.length = 0;
    watcher.names.clear();
    if (this.#total === 0) this.#journal.removeSink(this);
  }

  /** Marks the client dirty and drops its watches, which have served their purpose. */
  #fire(watcher: Watcher): void {
    watcher.dirty = true;
    this.#drop(watcher);
  }

  /** A key changed (Redis's touchWatchedKey, called after the change). */
  #touch(db: number, key: string): void {
    const entries = this.#byDb.get(db)?.get(key);
    if (entries === undefined) return;
    const stored = this.#store.keyspace(db)?.data.has(key) ?? false;
    const fired: Watcher[] = [];
    for (const entry of entries) {
      // An already-expired key that is now gone was removed, which changes nothing logically.
      if (entry.expired && !stored) entry.expired = false;
      else fired.push(entry.watcher);
    }
    for (const watcher of fired) this.#fire(watcher);
  }

  /**
   * Database `db` is about to be emptied (`replacedWith` null), or to take the contents of
   * `replacedWith` (SWAPDB): Redis's touchAllWatchedKeysInDb.
   */
  #touchAll(db: number, emptied: Keyspace, replacedWith: Keyspace | null): void {
    const byKey = this.#byDb.get(db);
    if (byKey === undefined) return;
    const now = this.#clock();
    const fired = new Set<Watcher>();
    for (const [key, entries] of byKey) {
      const existed = emptied.data.has(key);
      const incoming = replacedWith !== null && replacedWith.data.has(key);
      if (!existed && !incoming) continue;
      for (const entry of entries) {
        if (entry.expired) {
          // An expired key that goes away changes nothing; one replaced by another expired
          // key stays expired.
          if (!incoming) {
            entry.expired = false;
            continue;
          }
          if (storedButExpired(replacedWith!, key, now)) continue;
        } else if (!existed && storedButExpired(replacedWith!, key, now)) {
          entry.expired = true; // a missing key replaced by an expired one
          continue;
        }
        fired.add(entry.watcher);
      }
    }
    for (const watcher of fired) this.#fire(watcher);
  }

  // --- ChangeSink: registered only while some key is watched ---

  set(db: number, key: string, _value: Value, _expireAtMs: number): void {
    this.#touch(db, key);
  }

  delete(db: number, key: string): void {
    this.#touch(db, key);
  }

  expire(db: number, key: string, _expireAtMs: number): void {
    this.#touch(db, key);
  }

  op(db: number, key: string, _code: number, _args: readonly string[]): void {
    this.#touch(db, key);
  }

  /** Called before the keys go (see ChangeSink.flush); -1 is every database and partition. */
  flush(db: number): void {
    const one = db >= 0 ? this.#store.keyspace(db) : undefined;
    if (one !== undefined) return this.#touchAll(db, one, null);
    if (db >= 0) return;
    for (const keyspace of this.#store.keyspaces()) this.#touchAll(keyspace.index, keyspace, null);
  }

  /** Called after the swap: database `a` now holds what `b` held, and the other way round. */
  swap(a: number, b: number): void {
    const dbs = this.#store.dbs;
    this.#touchAll(a, dbs[b], dbs[a]);
    this.#touchAll(b, dbs[a], dbs[b]);
  }

  commandEnd(): void {}

  /** Changes were taken back unreported: any watched key may differ from what was watched. */
  rollback(): void {
    for (const watcher of this.#watchers.values()) {
      if (watcher.keys.length !== 0) this.#fire(watcher);
    }
  }
}
