/**
 * Per-key access data for the LRU and LFU eviction policies, as Redis keeps it in the 24 bits
 * of an object's `lru` field:
 *
 * - LRU: the time of the last access in units of 10 ms, modulo 2^30 (a clock that wraps after
 *   124 days; idle times are computed across one wrap, as Redis does). Redis counts whole
 *   seconds in 24 bits (194 days); a value here is a small integer either way, stored in the
 *   Map entry at no extra cost, and the finer clock tells apart keys used within the same
 *   second, which matters when a cache turns over in seconds. OBJECT IDLETIME still answers
 *   whole seconds.
 * - LFU: 16 bits of "last decrement time" in minutes and an 8-bit logarithmic counter: each
 *   access increments it with probability 1 / ((counter - 5) * lfu-log-factor + 1), and it
 *   loses one per lfu-decay-time minutes without access. New keys start at 5.
 *
 * The value is a small integer, which V8 stores inside the Map entry (no allocation), in a
 * ShardedMap beside the keyspace's own. The map exists only while an LRU or LFU policy is set
 * (Keyspace.clocks is null otherwise, and commands pay one field test). A key with no entry
 * was last touched before tracking started: it counts as accessed at `accessClock.sinceMs`
 * (for LFU: with the initial counter then), as a key loaded at start does in Redis.
 */
import { type ShardedMap, shardOf } from "../store/sharded_map.ts";
import type { KeyMap } from "../store/key_map.ts";

/** The LRU clock's unit, in ms (Redis's LRU_CLOCK_RESOLUTION is 1000). */
export const LRU_RESOLUTION_MS = 10;
/** LRU_CLOCK_MAX: the clock counts units modulo 2^30 (a small integer on every V8). */
export const LRU_CLOCK_MAX = (1 << 30) - 1;
/**
 * An LRU clock at most this far ahead of the time it is read at (10 ms units: one minute) was
 * set just now: commands and the keyspace read the time apart (a round's Date.now plus the
 * monotonic time since, or Date.now itself), and a millisecond's difference across a unit's
 * edge must read as no idle time, not as a whole turn of the clock (124 days).
 */
const LRU_AHEAD_UNITS = 6_000;
/** The same for LFU's minute clock: a minute ahead is now. */
const LFU_AHEAD_MINUTES = 1;
/** LFU_INIT_VAL: the counter of a new key, so it survives a few samplings. */
export const LFU_INIT_VAL = 5;

export const AccessKind = { none: 0, lru: 1, lfu: 2 } as const;
export type AccessKind = typeof AccessKind[keyof typeof AccessKind];

/**
 * What is tracked and how, copied from the settings by the eviction layer (as encodingLimits
 * is), so the store reads plain numbers.
 */
export const accessClock = {
  kind: AccessKind.none as AccessKind,
  /** lfu-log-factor. */
  lfuLogFactor: 10,
  /** lfu-decay-time, in minutes (0: counters never decay). */
  lfuDecayTime: 1,
  /** When tracking started (Unix ms): the access time of keys with no entry. */
  sinceMs: 0,
  /** The random source of the logarithmic increment (tests replace it). */
  random: Math.random,
};

/** The LRU clock at `nowMs`: 10 ms units modulo 2^30. */
export function lruClock(nowMs: number): number {
  return Math.floor(nowMs / LRU_RESOLUTION_MS) & LRU_CLOCK_MAX;
}

/** LFUGetTimeInMinutes: minutes modulo 2^16. */
function minutes(nowMs: number): number {
  return Math.floor(nowMs / 60_000) & 0xffff;
}

/** A new key's clock. */
export function initialClock(nowMs: number): number {
  return accessClock.kind === AccessKind.lfu
    ? (minutes(nowMs) << 8) | LFU_INIT_VAL
    : lruClock(nowMs);
}

/** The clock of a key with no entry (last touched before tracking started). */
export function baselineClock(): number {
  return initialClock(accessClock.sinceMs);
}

/** The clock after an access at `nowMs` to a key whose clock was `clock`. */
export function accessedClock(clock: number, nowMs: number): number {
  if (accessClock.kind !== AccessKind.lfu) return lruClock(nowMs);
  return (minutes(nowMs) << 8) | lfuIncrement(lfuDecayed(clock, nowMs));
}

/**
 * The clock RESTORE's IDLETIME (seconds, or -1) and FREQ (0-255, or -1) give a key under the
 * policy in force, as Redis's objectSetLRUOrLFU; null when they say nothing for it.
 */
export function restoredClock(idleSeconds: number, freq: number, nowMs: number): number | null {
  if (accessClock.kind === AccessKind.lfu && freq >= 0) return (minutes(nowMs) << 8) | freq;
  if (accessClock.kind === AccessKind.lru && idleSeconds >= 0) {
    return lruClock(Math.max(0, nowMs - idleSeconds * 1000));
  }
  return null;
}

/** LFULogIncr: the counter after one access. */
export function lfuIncrement(counter: number): number {
  if (counter === 255) return 255;
  const base = counter < LFU_INIT_VAL ? 0 : counter - LFU_INIT_VAL;
  return accessClock.random() < 1 / (base * accessClock.lfuLogFactor + 1) ? counter + 1 : counter;
}

/** LFUDecrAndReturn: the counter of `clock` once the periods elapsed since its time are taken. */
export function lfuDecayed(clock: number, nowMs: number): number {
  const counter = clock & 0xff;
  const decay = accessClock.lfuDecayTime;
  if (decay === 0) return counter;
  const then = clock >>> 8;
  const now = minutes(nowMs);
  const ahead = (then - now) & 0xffff;
  if (ahead !== 0 && ahead <= LFU_AHEAD_MINUTES) return counter;
  const elapsed = now >= then ? now - then : 0xffff - then + now;
  const periods = Math.floor(elapsed / decay);
  return periods > counter ? 0 : counter - periods;
}

/** estimateObjectIdleTime: ms since the access an LRU clock records. */
export function idleMs(clock: number, nowMs: number): number {
  const now = lruClock(nowMs);
  const ahead = (clock - now) & LRU_CLOCK_MAX;
  if (ahead !== 0 && ahead <= LRU_AHEAD_UNITS) return 0;
  return (now >= clock ? now - clock : now + (LRU_CLOCK_MAX - clock)) * LRU_RESOLUTION_MS;
}

/**
 * One keyspace's clocks: a 32-bit number beside each value in the keyspace's own tables
 * (ShardedMap.keepAux), 4 bytes a slot, found by the lookup that found the value (the entry's
 * index line and key are in cache by then). A key's clock goes with its entry.
 */
export class AccessClocks {
  readonly #map: ShardedMap<unknown>;

  /** Starts keeping clocks in `map`: every key there counts as accessed at the baseline. */
  constructor(map: ShardedMap<unknown>) {
    this.#map = map;
    map.keepAux(baselineClock());
  }

  /** Stops keeping clocks (their bytes leave with them). */
  stop(): void {
    this.#map.keepAux(null);
  }

  /** The clock of `key` (its baseline when it has none). */
  clockOf(key: string): number {
    return this.#map.auxOf(key) ?? baselineClock();
  }

  /**
   * The clock of the entry at `position` of `table`, one of this keyspace's shards (an eviction
   * sample found it by walking the table: no lookup by key).
   */
  clockAt(table: KeyMap<unknown>, position: number): number {
    return table.auxAt(position) ?? baselineClock();
  }

  /** A read or write touched `key` in shard `shard`. */
  touch(shard: number, key: string, nowMs: number): void {
    if (accessClock.kind === AccessKind.lru) {
      this.#map.setAuxIn(shard, key, lruClock(nowMs));
      return;
    }
    const clock = this.#map.shards[shard].auxOf(key) ?? baselineClock();
    this.#map.setAuxIn(shard, key, accessedClock(clock, nowMs));
  }

  /**
   * `key`'s value was replaced or changed in place by a write: an LRU clock moves to now; an
   * LFU counter stays as it is, as Redis's dbSetValue keeps it, because the write's own lookup
   * of the key counted the access (Keyspace.get, or Keyspace.touch for a write that does not
   * read the key first): one access per command, not two.
   */
  rewritten(shard: number, key: string, nowMs: number): void {
    if (accessClock.kind === AccessKind.lru) this.#map.setAuxIn(shard, key, lruClock(nowMs));
  }

  /** Sets `key`'s clock as given (RESTORE's IDLETIME and FREQ). */
  set(key: string, clock: number): void {
    this.#map.setAuxIn(shardOf(key), key, clock);
  }

  /** `key` was created in shard `shard` (its entry is there already). */
  created(shard: number, key: string, nowMs: number): void {
    this.#map.setAuxIn(shard, key, initialClock(nowMs));
  }
}
