/**
 * Eviction, as Redis's performEvictions: while used_memory (less replica output and the log's
 * pending bytes) is over maxmemory, keys are picked by the policy and deleted through their
 * keyspace (journaled like any deletion, so the log and replicas drop them, WATCH sees them,
 * and the `evicted` event fires).
 *
 * - LRU, LFU and volatile-ttl sample `maxmemory-samples` keys per database (all keys, or only
 *   those with a deadline) into the eviction pool and evict its best entry that still exists.
 * - The random policies take one key per eviction, visiting the databases in turn.
 *
 * Samples come from a sweep per database: a cursor that walks the keys in their maps' order
 * and resumes where it stopped, passing over a few keys at random between samples, so picking
 * costs O(samples) and needs no index (Redis samples hash buckets from a random place; over a
 * full sweep every key has the same chance to be looked at). The random policies skip more keys
 * between picks, so each key met has the same small chance to go whatever its age.
 *
 * A pass stops once memory is back under the limit, or when its time is up (the tenacity's
 * limit, 500 us by default): the rest goes on in background slices run by the store actor,
 * between other clients' commands, as Redis's evictionTimeProc. Eviction never runs inside a
 * command: the OOM gate runs it before one, and the slices are actor tasks of their own.
 */
import type { Databases } from "../store/databases.ts";
import type { Keyspace } from "../store/keyspace.ts";
import type { ShardedMap } from "../store/sharded_map.ts";
import type { KeyCursor, KeyMap } from "../store/key_map.ts";
import { SHARD_COUNT } from "../store/sharded_map.ts";
import { rememberHash } from "../store/key_hash.ts";
import { accessClock, AccessKind, idleMs, lfuDecayed } from "./access_clocks.ts";
import { EvictionPool } from "./eviction_pool.ts";
import { type PolicyTraits, policyTraits } from "./eviction_policy.ts";
import type { Config } from "../config/settings.ts";

/** What a pass achieved, as Redis's EVICT_OK / EVICT_RUNNING / EVICT_FAIL. */
export const EvictResult = { ok: 0, running: 1, fail: 2 } as const;
export type EvictResult = typeof EvictResult[keyof typeof EvictResult];

/** The settings eviction reads (the live Config, so CONFIG SET applies). */
export type EvictionSettings = Pick<
  Config,
  | "maxmemoryBytes"
  | "maxmemoryPolicy"
  | "maxmemorySamples"
  | "maxmemoryEvictionTenacity"
  | "lfuLogFactor"
  | "lfuDecayTimeMin"
>;

export interface EvictorOptions {
  store: Databases;
  settings: EvictionSettings;
  /** Unix ms (access clocks and deadlines). */
  clock: () => number;
  /** Runs a task in the store actor, between commands (the background slices). */
  schedule: (task: () => void) => void;
  /** False while eviction must not run (a replica that follows its primary's deletions). */
  allowed?: () => boolean;
  /** Told when memory goes over the limit (true) and back under it (false). */
  onCondition?: (over: boolean) => void;
  /** Monotonic ms for the time limit (tests replace it). */
  timer?: () => number;
  /** Runs `fn` soon, after pending I/O (default: a 0 ms timer; tests replace it). */
  defer?: (fn: () => void) => void;
}

/** evictionTimeLimitUs: tenacity 0-10 is 0-500 us; above, 15% more per step; 100 is no limit. */
export function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return 500 * Math.pow(1.15, tenacity - 10);
  return Infinity;
}

/** Most keys a random pick passes over before taking one (uniform in 0..this). */
const RANDOM_SKIP = 64;
/**
 * A sample passes over 0-15 keys before it is taken, so samples spread over the database as
 * random ones would (neighbours in a map were inserted together and are often alike): measured
 * on the Zipf cache of bench/eviction.ts, this took the LFU hit ratio from 1.4-1.9 points below
 * Redis's to 0.6-1.1 above, and LRU's from 1-3 to 3-3.5 above.
 */
const SAMPLE_SKIP = 16;

export class Evictor {
  readonly #store: Databases;
  readonly #settings: EvictionSettings;
  readonly #clock: () => number;
  readonly #schedule: (task: () => void) => void;
  readonly #allowed: () => boolean;
  readonly #onCondition: (over: boolean) => void;
  readonly #timer: () => number;
  readonly #defer: (fn: () => void) => void;
  readonly #pool = new EvictionPool();
  readonly #sweeps = new WeakMap<Keyspace, { all: Sweep; volatile: Sweep }>();
  #traits: PolicyTraits = policyTraits("noeviction");
  #nextDb = 0;
  #backgroundScheduled = false;
  /** Set while a background slice is due (Redis's isEvictionProcRunning). */
  #backgroundRunning = false;
  /** Since when memory has been over the limit (monotonic ms), or -1. */
  #exceededSince = -1;
  /** Total ms spent over the limit before the current stretch (INFO). */
  #exceededTotalMs = 0;

  constructor(options: EvictorOptions) {
    this.#store = options.store;
    this.#settings = options.settings;
    this.#clock = options.clock;
    this.#schedule = options.schedule;
    this.#allowed = options.allowed ?? (() => true);
    this.#onCondition = options.onCondition ?? (() => {});
    this.#timer = options.timer ?? (() => performance.now());
    this.#defer = options.defer ?? ((fn) => setTimeout(fn, 0));
    const memory = this.#store.memory;
    memory.onOverLimit = () => {
      if (this.#allowed()) this.#onCondition(true);
    };
    this.applySettings();
  }

  /** Reads the settings again (at start and after CONFIG SET); lowering the limit evicts at once. */
  applySettings(): void {
    const settings = this.#settings;
    const traits = policyTraits(settings.maxmemoryPolicy);
    accessClock.lfuLogFactor = settings.lfuLogFactor;
    accessClock.lfuDecayTime = settings.lfuDecayTimeMin;
    if (traits.access !== accessClock.kind) {
      // Clocks start over: LRU and LFU read the same numbers differently.
      accessClock.kind = traits.access;
      accessClock.sinceMs = this.#clock();
      this.#store.trackAccess(traits.access !== AccessKind.none);
    }
    if (
      traits.ranking !== this.#traits.ranking || traits.volatileOnly !== this.#traits.volatileOnly
    ) {
      this.#pool.clear();
    }
    this.#traits = traits;
    this.#store.memory.setLimit(settings.maxmemoryBytes);
    this.check();
  }

  /** total_eviction_exceeded_time and current_eviction_exceeded_time, in ms. */
  exceededTimes(): [total: number, current: number] {
    const current = this.#exceededSince < 0 ? 0 : this.#timer() - this.#exceededSince;
    return [Math.floor(this.#exceededTotalMs + current), Math.floor(current)];
  }

  /**
   * Whether the periodic check has anything to do: a limit is set, or memory was over one that
   * was lifted since (the condition must still be ended).
   */
  get watching(): boolean {
    const memory = this.#store.memory;
    return memory.limit !== Infinity || memory.overLimit || this.#exceededSince >= 0;
  }

  /** Whether a background eviction is going on. */
  get running(): boolean {
    return this.#backgroundRunning;
  }

  /**
   * The periodic check (and the one after CONFIG SET): samples the peak, and starts background
   * eviction when memory is over the limit, or lifts the condition when it is not.
   */
  check(): void {
    const memory = this.#store.memory;
    memory.samplePeak();
    if (!this.#allowed()) {
      this.#onCondition(false);
      return;
    }
    if (memory.counted > memory.limit) {
      this.#onCondition(true);
      if (this.#traits.ranking !== "none") this.#startBackground();
    } else if (memory.overLimit || this.#exceededSince >= 0) {
      this.perform();
    }
  }

  /**
   * One eviction pass (run before a command while over the limit, and by the background
   * slices): evicts until under the limit or out of time. FAIL means memory is over the limit
   * and nothing can be evicted (noeviction, or no key the policy may take): denyoom commands
   * are then refused.
   */
  perform(): EvictResult {
    const memory = this.#store.memory;
    if (!this.#allowed() || memory.counted <= memory.limit) {
      this.#under();
      return EvictResult.ok;
    }
    if (this.#traits.ranking === "none") return this.#stillOver(EvictResult.fail);
    const journal = this.#store.journal;
    // Never inside a speculative run (the actor runs us between commands; this guards the
    // invariant). An undo log may be set: under --fsync always the round ledger's records every
    // change of the round, evictions included, so a round the log refuses puts them back.
    if (journal.capture !== null) return this.#stillOver(EvictResult.fail);
    const limitMs = evictionTimeLimitUs(this.#settings.maxmemoryEvictionTenacity) / 1000;
    // The time limit is checked every 16 evictions, from the first check on: a pass of fewer
    // (under a steady load, one key before each write) reads no clock (a read is ~80 ns here).
    let started = -1;
    let evicted = 0;
    while (memory.counted > memory.limit) {
      if (!this.#evictOne()) {
        return this.#stillOver(EvictResult.fail);
      }
      // Each eviction is a unit of its own: one log record, a plain DEL to replicas.
      journal.commandEnd();
      evicted++;
      if (evicted % 16 === 0) {
        const now = this.#timer();
        if (started < 0) started = now;
        else if (now - started > limitMs) {
          this.#startBackground();
          return this.#stillOver(EvictResult.running);
        }
      }
    }
    this.#under();
    return EvictResult.ok;
  }

  /**
   * A pass ends with memory still over the limit: the stretch of exceeded time starts unless it
   * has (Redis's stat_last_eviction_exceeded_time: a pass that gets under the limit counts none).
   */
  #stillOver(result: EvictResult): EvictResult {
    if (this.#exceededSince < 0) this.#exceededSince = this.#timer();
    return result;
  }

  /** Memory is under the limit: the condition ends, and so does any background work. */
  #under(): void {
    const memory = this.#store.memory;
    if (memory.counted > memory.limit) return;
    if (this.#exceededSince >= 0) {
      this.#exceededTotalMs += this.#timer() - this.#exceededSince;
      this.#exceededSince = -1;
    }
    this.#backgroundRunning = false;
    memory.clearOverLimit();
    this.#onCondition(false);
  }

  #startBackground(): void {
    this.#backgroundRunning = true;
    if (this.#backgroundScheduled) return;
    this.#backgroundScheduled = true;
    // A timer first, so the clients' reads get in between slices.
    this.#defer(() => {
      this.#schedule(() => {
        this.#backgroundScheduled = false;
        if (this.perform() !== EvictResult.running) this.#backgroundRunning = false;
      });
    });
  }

  /** Evicts one key by the policy; false when there is none it may take. */
  #evictOne(): boolean {
    return this.#traits.ranking === "random" ? this.#evictRandom() : this.#evictFromPool();
  }

  #evictFromPool(): boolean {
    const traits = this.#traits;
    const pool = this.#pool;
    const samples = this.#settings.maxmemorySamples;
    const now = this.#clock();
    while (true) {
      let candidates = 0;
      for (const keyspace of this.#store.keyspaces()) {
        const source = traits.volatileOnly ? keyspace.expires : keyspace.data;
        if (source.size === 0) continue;
        candidates += source.size;
        this.#populate(keyspace, samples, now);
      }
      if (candidates === 0) return false;
      // Best first; entries whose key went (or lost its deadline) are skipped.
      let entry;
      while ((entry = pool.takeBest()) !== undefined) {
        const { keyspace, key } = entry;
        const source: ShardedMap<unknown> = traits.volatileOnly ? keyspace.expires : keyspace.data;
        // Still where it was sampled (the same string: no chars compared): the table has its
        // hash. (A shard a flush emptied has another table now: the key is looked up.)
        const table = source.shards[entry.shard];
        if (table.keyAt(entry.position) === key) {
          rememberHash(key, table.hashAt(entry.position));
          if (keyspace.evict(key)) return true;
          continue;
        }
        if (source.has(key)) return keyspace.evict(key);
      }
    }
  }

  /** evictionPoolPopulate: `samples` keys of `keyspace` offered to the pool with their score. */
  #populate(keyspace: Keyspace, samples: number, now: number): void {
    const traits = this.#traits;
    const sweeps = this.#sweepsOf(keyspace);
    const volatile = traits.volatileOnly;
    const sweep = volatile ? sweeps.volatile : sweeps.all;
    const source: ShardedMap<unknown> = volatile ? keyspace.expires : keyspace.data;
    const clocks = keyspace.clocks;
    const taken = Math.min(samples, source.size);
    for (let i = 0; i < taken; i++) {
      const at = sweep.next(source, Math.floor(Math.random() * SAMPLE_SKIP));
      if (at < 0) break;
      const table = sweep.table!;
      const key = table.keyAt(at);
      let idle: number;
      if (traits.ranking === "ttl") {
        idle = Number.MAX_SAFE_INTEGER - (table.valueAt(at) as number);
      } else if (clocks === null) {
        idle = 0;
      } else {
        // A key of the main tables has its clock beside it; one of the deadlines' is looked up.
        const clock = volatile ? clocks.clockOf(key) : clocks.clockAt(table, at);
        idle = traits.ranking === "lru" ? idleMs(clock, now) : 255 - lfuDecayed(clock, now);
      }
      this.#pool.offer(key, keyspace, idle, sweep.shard, at);
    }
  }

  #evictRandom(): boolean {
    const keyspaces = this.#store.keyspaces();
    const volatile = this.#traits.volatileOnly;
    for (let i = 0; i < keyspaces.length; i++) {
      const keyspace = keyspaces[this.#nextDb++ % keyspaces.length];
      const source: ShardedMap<unknown> = volatile ? keyspace.expires : keyspace.data;
      if (source.size === 0) continue;
      const sweeps = this.#sweepsOf(keyspace);
      const sweep = volatile ? sweeps.volatile : sweeps.all;
      const skip = Math.floor(Math.random() * (Math.min(RANDOM_SKIP, source.size) + 1));
      const at = sweep.next(source, skip);
      if (at >= 0 && keyspace.evict(sweep.table!.keyAt(at))) return true;
    }
    return false;
  }

  #sweepsOf(keyspace: Keyspace): { all: Sweep; volatile: Sweep } {
    let sweeps = this.#sweeps.get(keyspace);
    if (sweeps === undefined) {
      sweeps = { all: new Sweep(), volatile: new Sweep() };
      this.#sweeps.set(keyspace, sweeps);
    }
    return sweeps;
  }
}

/**
 * A cursor over a ShardedMap's entries that resumes where it stopped, wrapping around, without
 * allocating (KeyMap cursors, which survive the tables' rebuilds). It restarts a shard whose
 * table was replaced (a flush handed the old one over).
 */
export class Sweep {
  #shard = 0;
  #cursor: KeyCursor | null = null;
  /** The map swept last (a keyspace's maps live as long as it does), and its generation then. */
  #source: ShardedMap<unknown> | null = null;
  #generation = -1;

  /** The table of the entry {@linkcode next} found last. */
  get table(): KeyMap<unknown> | null {
    return this.#source === null ? null : this.#source.shards[this.#shard];
  }

  /** The shard of that table. */
  get shard(): number {
    return this.#shard;
  }

  /**
   * Passes over `skip` entries of `source` (wrapping around), moves to the next one and returns
   * its position in {@linkcode table} (valid until the table changes), or -1 when `source` is
   * empty.
   */
  next(source: ShardedMap<unknown>, skip = 0): number {
    if (source.size === 0) return -1;
    if (this.#source !== source) {
      this.#source = source;
      this.#cursor = null;
    }
    // A whole turn comes back to the same entry: at most one wrap is left to make.
    skip %= source.size;
    for (let passed = 0; passed <= 2 * SHARD_COUNT;) {
      const table = source.shards[this.#shard];
      // A table handed over (a flush under a round's undo log) is not walked on: the shard's
      // new one is, from its start. The sweep holds no table (it would keep the flushed keys).
      if (this.#cursor === null || this.#generation !== source.generation) {
        this.#generation = source.generation;
        this.#cursor = table.cursor();
      }
      const at = table.advance(this.#cursor, skip);
      if (at >= 0) return at;
      skip = -1 - at;
      this.#shard = (this.#shard + 1) % SHARD_COUNT;
      this.#cursor = null;
      passed++;
    }
    return -1;
  }
}
