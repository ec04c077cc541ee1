/**
 * One database: keys, values and deadlines, as plain synchronous code with no knowledge of
 * sockets, queues or the wire format. Time is an input: every call that can observe expiry
 * takes `now` (Unix ms), read once per command by the caller.
 *
 * A key is expired when `now > deadline`, as in Redis. Expired keys are removed lazily when
 * touched, and by {@linkcode Keyspace.expireSample}, which the active expiry cycle calls.
 */
import { type Journal, NO_JOURNAL } from "./journal.ts";
import { SHARD_COUNT, ShardedMap, shardOf } from "./sharded_map.ts";
import { ScanCursors } from "./scan_cursors.ts";

/** A stored value. Only strings exist so far; other types will be objects. */
export type Value = string;

/** The type name TYPE and SCAN TYPE report for a value. */
export function valueType(_value: Value): string {
  return "string";
}

/** An independent copy of a value (COPY). Strings are immutable, so they are shared. */
export function cloneValue(value: Value): Value {
  return value;
}

/** Counters shared by all databases (INFO stats). */
export interface KeyspaceStats {
  expiredKeys: number;
}

export class Keyspace {
  /** Database number; changes when SWAPDB swaps two keyspaces. */
  index: number;
  readonly data = new ShardedMap<Value>();
  /** Deadlines in Unix ms, only for keys that have one. */
  readonly expires = new ShardedMap<number>();
  readonly #journal: Journal;
  readonly #stats: KeyspaceStats;
  readonly #cursors = new ScanCursors();
  #expiryShard = 0;
  #expiryIter: Iterator<[string, number]> | null = null;
  #randomIter: (Iterator<string> | null)[] = new Array(SHARD_COUNT).fill(null);

  constructor(
    index: number,
    journal: Journal = NO_JOURNAL,
    stats: KeyspaceStats = { expiredKeys: 0 },
  ) {
    this.index = index;
    this.#journal = journal;
    this.#stats = stats;
  }

  /** Number of keys, including expired ones not yet removed (as Redis's DBSIZE). */
  get size(): number {
    return this.data.size;
  }

  /** Number of keys with a deadline. */
  get volatileCount(): number {
    return this.expires.size;
  }

  /** The live value of `key`, removing it first if it has expired. */
  get(key: string, now: number): Value | undefined {
    // Both maps shard by the same hash: compute it once for keys that may have a deadline.
    const shard = shardOf(key);
    const value = this.data.shards[shard].get(key);
    if (value === undefined) return undefined;
    if (this.expires.size !== 0) {
      const deadline = this.expires.shards[shard].get(key);
      if (deadline !== undefined && now > deadline) {
        this.#removeExpired(key);
        return undefined;
      }
    }
    return value;
  }

  /** Whether `key` exists and has not expired. */
  has(key: string, now: number): boolean {
    return this.get(key, now) !== undefined;
  }

  /** Stores `value`; `expireAtMs` is the new deadline (0 = none, clearing any old one). */
  set(key: string, value: Value, expireAtMs = 0): void {
    this.data.set(key, value);
    if (expireAtMs > 0) this.expires.set(key, expireAtMs);
    else if (this.expires.size !== 0) this.expires.delete(key);
    this.#journal.set(this.index, key, value, expireAtMs);
  }

  /** Stores `value` keeping the key's current deadline (SET KEEPTTL, APPEND, INCR, ...). */
  update(key: string, value: Value): void {
    this.set(key, value, this.deadline(key));
  }

  /** Removes `key`; returns whether it existed (expired or not, so callers check `get` first). */
  delete(key: string): boolean {
    if (!this.data.delete(key)) return false;
    if (this.expires.size !== 0) this.expires.delete(key);
    this.#journal.delete(this.index, key);
    return true;
  }

  /** The deadline of `key` in Unix ms, or 0 when it has none. */
  deadline(key: string): number {
    if (this.expires.size === 0) return 0;
    return this.expires.get(key) ?? 0;
  }

  /** Sets the deadline of an existing key (0 removes it). */
  setDeadline(key: string, expireAtMs: number): void {
    if (expireAtMs > 0) this.expires.set(key, expireAtMs);
    else this.expires.delete(key);
    this.#journal.expire(this.index, key, expireAtMs);
  }

  /** Removes every key. */
  flush(): void {
    this.data.clear();
    this.expires.clear();
    this.#cursors.clear();
    this.#expiryIter = null;
    this.#randomIter.fill(null);
    this.#journal.flush(this.index);
  }

  /**
   * One step of a SCAN: up to about `count` live keys accepted by `accept`, and the cursor to
   * continue from (0 when done). Every key present for the whole scan is returned at least once.
   */
  scan(
    cursor: bigint,
    count: number,
    now: number,
    accept: (key: string) => boolean,
  ): [bigint, string[]] {
    return this.#cursors.step(this.data, cursor, count, (key) => {
      if (this.expires.size !== 0 && this.#expireIfDue(key, now)) return false;
      return accept(key);
    });
  }

  /**
   * Every live key that `accept` keeps (all when it is omitted), for KEYS. The filter runs
   * first, so only keys it keeps are checked for expiry; expired ones met are removed.
   */
  liveKeys(now: number, accept?: (key: string) => boolean): string[] {
    const keys: string[] = [];
    for (const shard of this.data.shards) {
      for (const key of shard.keys()) {
        if (accept !== undefined && !accept(key)) continue;
        if (this.expires.size !== 0 && this.#expireIfDue(key, now)) continue;
        keys.push(key);
      }
    }
    return keys;
  }

  /**
   * A random live key, or undefined when the database has none. Expired keys drawn are removed
   * and the draw repeated, as Redis does, so the loop ends: each retry shrinks the database.
   */
  randomKey(now: number): string | undefined {
    while (this.data.size > 0) {
      const key = this.#pickKey();
      if (key === undefined) return undefined;
      if (this.expires.size !== 0 && this.#expireIfDue(key, now)) continue;
      return key;
    }
    return undefined;
  }

  /**
   * Active expiry: checks up to `sample` keys that have deadlines, continuing where the last
   * call stopped, and removes the expired ones. Returns [checked, removed].
   */
  expireSample(now: number, sample: number): [number, number] {
    let checked = 0;
    let removed = 0;
    let emptyShards = 0;
    while (checked < sample && this.expires.size > 0 && emptyShards <= SHARD_COUNT) {
      this.#expiryIter ??= this.expires.shards[this.#expiryShard].entries();
      const next = this.#expiryIter.next();
      if (next.done) {
        this.#expiryShard = (this.#expiryShard + 1) % SHARD_COUNT;
        this.#expiryIter = null;
        emptyShards++;
        continue;
      }
      emptyShards = 0;
      checked++;
      const [key, deadline] = next.value;
      if (now > deadline) {
        this.#removeExpired(key);
        removed++;
      }
    }
    return [checked, removed];
  }

  #expireIfDue(key: string, now: number): boolean {
    const deadline = this.expires.get(key);
    if (deadline === undefined || now <= deadline) return false;
    this.#removeExpired(key);
    return true;
  }

  /** Expiry is not journaled: deadlines are absolute, so replay drops the key by itself. */
  #removeExpired(key: string): void {
    this.data.delete(key);
    this.expires.delete(key);
    this.#stats.expiredKeys++;
  }

  /**
   * A key from a random shard, weighted by shard size. Small shards are walked to a uniformly
   * random position; large ones advance a remembered iterator by a random step, so the cost
   * stays bounded on huge databases (the pick is then spread, not uniform).
   */
  #pickKey(): string | undefined {
    let target = Math.floor(Math.random() * this.data.size);
    let shardIndex = 0;
    while (shardIndex < SHARD_COUNT - 1 && target >= this.data.shards[shardIndex].size) {
      target -= this.data.shards[shardIndex].size;
      shardIndex++;
    }
    const shard = this.data.shards[shardIndex];
    if (shard.size === 0) return undefined;
    if (shard.size <= 4096) {
      for (const key of shard.keys()) if (target-- === 0) return key;
      return undefined;
    }
    let steps = 1 + Math.floor(Math.random() * 256);
    let iter = this.#randomIter[shardIndex] ?? shard.keys();
    let key: string | undefined;
    while (steps-- > 0) {
      let next = iter.next();
      if (next.done) {
        iter = shard.keys();
        next = iter.next();
        if (next.done) return undefined;
      }
      key = next.value;
    }
    this.#randomIter[shardIndex] = iter;
    return key;
  }
}
