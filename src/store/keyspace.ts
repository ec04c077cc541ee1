/**
 * One database: keys, values and deadlines, as plain synchronous code with no knowledge of
 * sockets, queues or the wire format. Time is an input: every call that can observe expiry
 * takes `now` (Unix ms), read once per command by the caller.
 *
 * A key is expired when `now > deadline`, as in Redis. Expired keys are removed lazily when
 * touched, and by {@linkcode Keyspace.expireSample}, which the active expiry cycle calls; on a
 * replica its primary decides instead (see expiry_policy.ts).
 */
import { batchWarmer } from "./batch_warmer.ts";
import { emptyJournal, type Journal } from "./journal.ts";
import {
  type ByteCounter,
  EMPTY_TABLES_BYTES,
  SHARD_COUNT,
  ShardedMap,
  shardOf,
} from "./sharded_map.ts";
import { ScanCursors } from "./scan_cursors.ts";
import { EventClass } from "./events.ts";
import { OPS } from "./types/registry.ts";
import type { OpTable, StringOpSpec } from "./ops.ts";
import { cloneValue, type Collection, snapshotEpoch, type Value, valueBytes } from "./value.ts";
import { isInt64Text, type Partition, Schema, SchemaError } from "./partition.ts";
import { Expired, ExpiryPolicy } from "./expiry_policy.ts";
import type { KeyRestorer, UndoLog } from "./undo_log.ts";
import { type Debtor, MemoryAccount } from "../memory/memory_account.ts";
import { AccessClocks } from "../memory/access_clocks.ts";
import { HEAP_NUMBER_BYTES, objectBytes, stringBytes } from "../memory/costs.ts";
import { REWRITTEN, storedValueBytes } from "./small_values.ts";

export { cloneValue, type Value, valueType } from "./value.ts";

/** Counters shared by all databases (INFO stats). */
export interface KeyspaceStats {
  expiredKeys: number;
  /** Keys removed to stay under maxmemory (counted by {@linkcode Keyspace.evict}). */
  evictedKeys?: number;
}

/** A keyspace object and its fields, before any key (see memory/costs.ts). */
const KEYSPACE_BYTES = objectBytes(20);

/**
 * Bytes `value` holds: a short string's cell (store/small_values.ts: the keyspace keeps them so),
 * another string's characters, or a collection's own estimate.
 */
export function valueMemory(value: Value): number {
  return typeof value === "string" ? storedValueBytes(value) : value.memoryBytes();
}

/** How many released values a keyspace holds before it settles them itself. */
const RELEASE_BATCH = 64;

export class Keyspace implements KeyRestorer, ByteCounter, Debtor {
  /** Database number; changes when SWAPDB swaps two keyspaces. */
  index: number;
  readonly data = new ShardedMap<Value>();
  /** Deadlines in Unix ms, only for keys that have one. */
  readonly expires = new ShardedMap<number>();
  /**
   * Access times or frequencies per key, while an LRU or LFU maxmemory policy is set (see
   * memory/access_clocks.ts); null otherwise, so lookups pay one field test.
   */
  clocks: AccessClocks | null = null;
  readonly #journal: Journal;
  readonly #stats: KeyspaceStats;
  readonly #ops: OpTable;
  readonly #memory: MemoryAccount;
  /** Unix ms, for access clocks of writes (which are not given `now`). */
  readonly #clock: () => number;
  /**
   * Bytes of keys, values and deadlines (memory/costs.ts); hash tables are counted as they
   * resize (ByteCounter). The account is told of every change.
   */
  #contentBytes = 0;
  /** The keyspace was dropped (a partition): its bytes left the account. */
  #retired = false;
  /**
   * Values that left (overwritten, deleted) whose bytes are still counted (see #bytesLeaving):
   * the first #releasedCount slots; a fixed array, so releasing allocates nothing.
   */
  readonly #released: (Value | undefined)[] = new Array(RELEASE_BATCH).fill(undefined);
  #releasedCount = 0;
  /** Registered with the account as owing it bytes (once until it settles us). */
  #owes = false;
  #cursors = new ScanCursors();
  #expiryShard = 0;
  #expiryIter: Iterator<[string, number]> | null = null;
  #randomIter: (Iterator<string> | null)[] = new Array(SHARD_COUNT).fill(null);
  /**
   * What this keyspace may hold: anything for a numbered database; a partition's schema
   * otherwise (checked in {@linkcode set} and {@linkcode op} as a last guard, see
   * partition_rules.ts for the checks made before a command changes anything).
   */
  schema: Schema = Schema.any;
  /** The partition this keyspace belongs to, or null for a numbered database. */
  partition: Partition | null = null;
  /** Who decides that a key expired: this keyspace, or (on a replica) the primary. */
  readonly expiry: ExpiryPolicy;
  /** A partition with persistence NONE: its changes are never logged (see undo_log.ts). */
  memoryOnly = false;

  constructor(
    index: number,
    journal: Journal = emptyJournal(),
    stats: KeyspaceStats = { expiredKeys: 0 },
    ops: OpTable = OPS,
    expiry: ExpiryPolicy = new ExpiryPolicy(),
    memory: MemoryAccount = new MemoryAccount(),
    clock: () => number = Date.now,
  ) {
    this.index = index;
    this.#journal = journal;
    this.#stats = stats;
    this.#ops = ops;
    this.expiry = expiry;
    this.#memory = memory;
    this.#clock = clock;
    this.data.keepSmallStrings();
    this.data.counter = this;
    this.expires.counter = this;
    memory.addData(KEYSPACE_BYTES + 2 * EMPTY_TABLES_BYTES);
  }

  /** ByteCounter: a hash table of this keyspace grew or shrank. */
  addBytes(delta: number): void {
    if (!this.#retired) this.#memory.addData(delta);
  }

  #addContent(delta: number): void {
    this.#contentBytes += delta;
    if (!this.#retired) this.#memory.addData(delta);
  }

  /**
   * The bytes `old` (a value being overwritten or deleted) held, to take off the account now,
   * or 0 when they are taken off later with others'. Reading a value's size as it goes is a
   * cache miss on memory nothing else touches, about 8% of a plain SET; read in one loop over
   * many released values, the misses overlap. Deferred only without a limit (eviction needs the
   * figure exact at every change) and without an undo log (which may put a value back and
   * change it); the values are held until the end of the round at most (they were held before
   * it anyway), and every figure read settles them first (MemoryAccount).
   */
  #bytesLeaving(old: Value): number {
    if (this.#sizesLeaveAtOnce) return valueMemory(old);
    this.#released[this.#releasedCount++] = old;
    if (!this.#owes) {
      this.#owes = true;
      this.#memory.owe(this);
    }
    if (this.#releasedCount === RELEASE_BATCH) this.#settleReleased();
    return 0;
  }

  /** Whether a value's size leaves the account as it goes (see {@linkcode #bytesLeaving}). */
  get #sizesLeaveAtOnce(): boolean {
    return this.#memory.limit !== Infinity || this.#journal.undo !== null || this.#retired;
  }

  #settleReleased(): void {
    const count = this.#releasedCount;
    if (count === 0) return;
    const released = this.#released;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      bytes += valueMemory(released[i]!);
      released[i] = undefined; // let it go
    }
    this.#releasedCount = 0;
    this.#addContent(-bytes);
  }

  /** Debtor: the account settles what this keyspace owes it. */
  settle(): void {
    this.#settleReleased();
    this.#owes = false;
  }

  /** Bytes this keyspace accounts for: its keys, values, deadlines, tables and clocks. */
  get bytes(): number {
    this.#settleReleased();
    return KEYSPACE_BYTES + this.data.tableBytes + this.data.auxBytes + this.expires.tableBytes +
      this.#contentBytes;
  }

  /** Bytes of keys, values and deadlines only (MEMORY STATS's dataset). */
  get contentBytes(): number {
    this.#settleReleased();
    return this.#contentBytes;
  }

  /**
   * A partition is dropped (or its drop undone): its bytes leave (or rejoin) the account. Its
   * keys are gone already (the drop flushes first), so only its empty tables remain.
   */
  retire(retired: boolean): void {
    if (this.#retired === retired) return;
    this.#memory.addData(retired ? -this.bytes : this.bytes);
    this.#retired = retired;
  }

  /**
   * Starts (true) or stops (false) keeping access clocks; starting again resets them (a switch
   * between LRU and LFU reinterprets them).
   */
  trackAccess(on: boolean): void {
    if (this.clocks !== null) {
      this.clocks.stop();
      this.clocks = null;
    }
    if (on) this.clocks = new AccessClocks(this.data);
  }

  /** Number of keys, including expired ones not yet removed (as Redis's DBSIZE counts). */
  get size(): number {
    const reads = this.#journal.reads;
    if (reads !== null) reads.range(this.index);
    return this.data.size;
  }

  /** Number of keys with a deadline. */
  get volatileCount(): number {
    return this.expires.size;
  }

  /**
   * The live value of `key`, removing it first if it has expired (on a replica: hidden, or live
   * for the primary's commands, see expiry_policy.ts). A lookup is an access: it touches the
   * key's access clock (see {@linkcode peek} for one that does not).
   */
  get(key: string, now: number): Value | undefined {
    const reads = this.#journal.reads;
    if (reads !== null) reads.key(this.index, key);
    // All maps shard by the same hash: compute it once.
    const shard = shardOf(key);
    const value = this.data.shards[shard].get(key);
    if (value === undefined) return undefined;
    if (this.expires.size !== 0) {
      const deadline = this.expires.shards[shard].get(key);
      if (deadline !== undefined && now > deadline && this.#expiredNow(key)) return undefined;
    }
    if (this.clocks !== null) this.clocks.touch(shard, key, now);
    return value;
  }

  /**
   * {@linkcode get} without touching the access clock, as Redis's LOOKUP_NOTOUCH: EXISTS, TYPE,
   * TTL, OBJECT and MEMORY USAGE look at a key without using it.
   */
  peek(key: string, now: number): Value | undefined {
    const clocks = this.clocks;
    this.clocks = null;
    try {
      return this.get(key, now);
    } finally {
      this.clocks = clocks;
    }
  }

  /**
   * A write that does not read `key` first (a plain SET, SETEX, MSET) counts as an access of it,
   * as Redis's lookupKeyWrite does: touches its clock if it exists and has not expired. Nothing
   * else happens (no expiry, no read reported to a BEGIN read set).
   */
  touch(key: string, now: number): void {
    const clocks = this.clocks;
    if (clocks === null) return;
    const shard = shardOf(key);
    if (!this.data.shards[shard].has(key)) return;
    const deadline = this.expires.size === 0 ? undefined : this.expires.shards[shard].get(key);
    if (deadline === undefined || now <= deadline) clocks.touch(shard, key, now);
  }

  /** Whether `key` exists and has not expired. */
  has(key: string, now: number): boolean {
    return this.get(key, now) !== undefined;
  }

  /**
   * Warms the table entries of argv[from], argv[from + step], ... before a command works on
   * them one by one (MGET, MSET): see store/batch_warmer.ts. For `overwrite` (MSET), the old
   * values are warmed only if their sizes leave the account at once; otherwise they are read
   * later, 64 in one loop (#settleReleased), and reading them here too cost about 0.25 µs an
   * MSET of 10 keys (2% of the server's CPU per request; lower in 27 of 34 alternating rounds).
   */
  prefetch(argv: string[], from: number, step: number, overwrite = false): void {
    const warmer = batchWarmer;
    for (let i = from; i < argv.length && !warmer.full; i += step) warmer.add(argv[i], null);
    warmer.run(this, !overwrite || this.#sizesLeaveAtOnce);
  }

  /** Stores `value`; `expireAtMs` is the new deadline (0 = none, clearing any old one). */
  set(key: string, value: Value, expireAtMs = 0): void {
    this.#store(key, value, expireAtMs);
    this.#journal.set(this.index, key, value, expireAtMs);
  }

  /**
   * RENAME, and MOVE with `target` (the caller has checked that `from` exists and that `to` is
   * another key, and free): moves the value and its deadline to `to` in `target`, told to the
   * journal as one change (see ChangeSink.rename).
   */
  rename(from: string, to: string, target: Keyspace = this): void {
    const value = this.data.get(from)!;
    const deadline = this.deadline(from);
    target.#store(to, value, deadline);
    if (!this.#remove(from)) throw new Error(`Cannot rename ${from}: it is not here`);
    this.#journal.rename(this.index, from, target.index, to, value, deadline);
  }

  /**
   * COPY (the caller has checked that `from` exists and that `to` in `target` is another key,
   * and free): `to` gets a deep copy of the value and its deadline, told to the journal as one
   * change (see ChangeSink.copy).
   */
  copyTo(from: string, to: string, target: Keyspace): void {
    const value = cloneValue(this.data.get(from)!);
    const deadline = this.deadline(from);
    target.#store(to, value, deadline);
    this.#journal.copy(this.index, from, target.index, to, value, deadline);
  }

  /** {@linkcode set} but for the journal, which the caller tells. */
  #store(key: string, value: Value, expireAtMs: number): void {
    const journal = this.#journal;
    if (this.schema !== Schema.any) this.#checkSchema(value);
    const shard = shardOf(key);
    // One lookup stores the value and serves the undo log, the memory account and the event.
    // A short value written over a short one goes into its cell unread (REWRITTEN) when neither
    // the undo log nor a partition's statistics need the old one: the account is unchanged.
    const undo = this.#undoLog();
    const old = this.data.swapOrRewriteIn(
      shard,
      key,
      value,
      undo !== null || this.partition !== null,
    );
    let delta = 0;
    if (old !== REWRITTEN) {
      if (undo !== null) this.#recordUndoOf(undo, key, old);
      if (old === undefined && (journal.notifyMask & EventClass.new) !== 0) {
        journal.notify(EventClass.new, "new", this.index, key);
      }
      if (this.partition !== null) this.#countReplace(key, value, old);
      delta = old === undefined
        ? stringBytes(key.length) + valueMemory(value)
        : valueMemory(value) - this.#bytesLeaving(old);
    }
    if (expireAtMs > 0) {
      if (this.expires.setIn(shard, key, expireAtMs)) delta += HEAP_NUMBER_BYTES;
    } else if (this.expires.size !== 0 && this.expires.deleteIn(shard, key)) {
      delta -= HEAP_NUMBER_BYTES;
    }
    this.#addContent(delta);
    if (this.clocks !== null) {
      if (old === undefined) this.clocks.created(shard, key, this.#clock());
      else this.clocks.rewritten(shard, key, this.#clock());
    }
  }

  /** Stores `value` keeping the key's current deadline (SET KEEPTTL, APPEND, INCR, ...). */
  update(key: string, value: Value): void {
    this.set(key, value, this.deadline(key));
  }

  /**
   * Applies op `code` of the op table to the collection at `key` (see ops.ts), creating it
   * when the op allows and deleting it when it ends up empty. The caller has checked the type
   * (a live value of another type here is a bug); returns the collection now at the key.
   */
  op(key: string, code: number, args: readonly string[]): Collection | undefined {
    const spec = this.#ops.byCode(code);
    // Typed partitions hold strings only (a string op's result is checked by stringOp).
    if (this.schema !== Schema.any && spec?.type !== "string") {
      throw new SchemaError(this.partition!.name, this.schema);
    }
    if (spec === undefined) throw new TypeError(`Cannot apply op ${code}: no such op`);
    if (spec.type === "string") {
      this.stringOp(key, spec, args);
      return undefined;
    }
    const shard = shardOf(key);
    const current = this.data.shards[shard].get(key);
    if (current !== undefined && (typeof current === "string" || current.type !== spec.type)) {
      throw new TypeError(`Cannot apply ${spec.command} to a ${typeof current} value`);
    }
    const journal = this.#journal;
    const bytesBefore = current === undefined ? 0 : valueBytes(current);
    const memoryBefore = current === undefined ? 0 : current.memoryBytes();
    // An op's result depends on the collection it finds, so it reads the key too.
    if (journal.reads !== null) journal.reads.key(this.index, key);
    if (current !== undefined && journal.beforeMutate !== null) {
      if (current.epoch < snapshotEpoch.current) journal.beforeMutate(this, key, current);
    }
    const undo = this.#undoLog();
    let restore: ((after: Collection) => Collection) | null = null;
    if (undo !== null && current !== undefined) {
      if (spec.undo) restore = spec.undo(current, args);
      else {
        const before = current.clone();
        restore = () => before;
      }
    }
    const after = spec.apply(current, args);
    if (after === undefined && current === undefined) return undefined; // nothing to do
    const gone = after === undefined || after.size === 0;
    const stats = this.partition?.stats;
    if (stats !== undefined) {
      if (current === undefined) stats.keyBytes += key.length;
      else if (gone) stats.keyBytes -= key.length;
      stats.valueBytes += (gone ? 0 : valueBytes(after!)) - bytesBefore;
    }
    const deadline = gone && this.expires.size !== 0 ? this.expires.shards[shard].get(key) ?? 0 : 0;
    if (gone) {
      if (current !== undefined) {
        this.data.deleteIn(shard, key);
        if (deadline !== 0) this.expires.deleteIn(shard, key);
        this.#addContent(
          -(stringBytes(key.length) + memoryBefore + (deadline !== 0 ? HEAP_NUMBER_BYTES : 0)),
        );
      }
    } else {
      if (after !== current) this.data.setIn(shard, key, after!);
      const keyBytes = current === undefined ? stringBytes(key.length) : 0;
      this.#addContent(keyBytes + after!.memoryBytes() - memoryBefore);
      if (current === undefined && this.clocks !== null) {
        this.clocks.created(shard, key, this.#clock());
      }
    }
    if (undo !== null) {
      if (current === undefined) {
        undo.pushKey(this, key, undefined, 0);
      } else {
        const fn = restore!;
        undo.push(() => {
          // Undo runs newest first, so the key now holds what this op left: the object in the
          // map (a later op's undo may have put back a copy), or the emptied one if it is gone.
          // Measured before `fn` runs: it may put the contents back into the same object.
          const now = this.data.get(key);
          const held = measure(now);
          const into = (now as Collection | undefined) ?? after ?? current;
          this.#restore(key, fn(into), held);
          if (deadline !== 0) this.#putDeadline(key, deadline);
        });
      }
    }
    journal.op(this.index, key, code, args);
    if (current === undefined && (journal.notifyMask & EventClass.new) !== 0) {
      journal.notify(EventClass.new, "new", this.index, key);
    }
    return gone ? undefined : after;
  }

  /**
   * Applies a string op (ops.ts, {@linkcode StringOpSpec}) to the string at `key`: the op's
   * result replaces it, keeping its deadline, and the op is journaled. Nothing happens when the
   * op leaves the value as it was. The caller has checked the type.
   */
  stringOp(key: string, spec: StringOpSpec, args: readonly string[]): void {
    const shard = shardOf(key);
    const current = this.data.shards[shard].get(key);
    if (current !== undefined && typeof current !== "string") {
      throw new TypeError(`Cannot apply ${spec.command} to a ${current.type} value`);
    }
    const journal = this.#journal;
    if (journal.reads !== null) journal.reads.key(this.index, key);
    const after = spec.apply(current, args);
    if (after === undefined || after === current) return;
    if (this.schema !== Schema.any) this.#checkSchema(after);
    const undo = this.#undoLog();
    if (undo !== null) this.#recordUndoOf(undo, key, current);
    if (this.partition !== null) this.#countReplace(key, after, current);
    this.data.setIn(shard, key, after);
    this.#addContent(
      current === undefined
        ? stringBytes(key.length) + valueMemory(after)
        : valueMemory(after) - valueMemory(current),
    );
    if (this.clocks !== null) {
      if (current === undefined) this.clocks.created(shard, key, this.#clock());
      else this.clocks.rewritten(shard, key, this.#clock());
    }
    journal.op(this.index, key, spec.code, args);
    if (current === undefined && (journal.notifyMask & EventClass.new) !== 0) {
      journal.notify(EventClass.new, "new", this.index, key);
    }
  }

  /** Removes `key`; returns whether it existed (expired or not, so callers check `get` first). */
  delete(key: string): boolean {
    if (!this.#remove(key)) return false;
    this.#journal.delete(this.index, key);
    return true;
  }

  /** {@linkcode delete} but for the journal, which the caller tells. */
  #remove(key: string): boolean {
    const undo = this.#undoLog();
    if (undo !== null) this.#recordUndo(undo, key);
    if (this.partition !== null) this.#countRemove(key);
    return this.#drop(key);
  }

  /**
   * Removes `key` to free memory: journaled as a deletion (the log and replicas drop it),
   * counted in evicted_keys, and raising the `evicted` event. Returns whether it existed.
   */
  evict(key: string): boolean {
    if (!this.delete(key)) return false;
    this.#stats.evictedKeys = (this.#stats.evictedKeys ?? 0) + 1;
    const journal = this.#journal;
    if ((journal.notifyMask & EventClass.evicted) !== 0) {
      journal.notify(EventClass.evicted, "evicted", this.index, key);
    }
    return true;
  }

  /** Takes `key`, its deadline and its clock out of the maps, with their bytes. */
  #drop(key: string): boolean {
    const shard = shardOf(key);
    const old = this.data.shards[shard].get(key);
    if (old === undefined) return false;
    this.data.deleteIn(shard, key);
    let freed = stringBytes(key.length) + this.#bytesLeaving(old);
    if (this.expires.size !== 0 && this.expires.deleteIn(shard, key)) freed += HEAP_NUMBER_BYTES;
    this.#addContent(-freed);
    return true;
  }

  /**
   * MEMORY USAGE: the bytes of `key`'s name, value and its share of the table, as Redis adds
   * the key, the value and the dict entry; undefined when the key does not exist.
   */
  usageOf(key: string, now: number): number | undefined {
    const value = this.peek(key, now);
    if (value === undefined) return undefined;
    return stringBytes(key.length) + valueMemory(value) + this.data.entryBytes(shardOf(key));
  }

  /** The deadline of `key` in Unix ms, or 0 when it has none. */
  deadline(key: string): number {
    if (this.expires.size === 0) return 0;
    return this.expires.get(key) ?? 0;
  }

  /** Sets the deadline of an existing key (0 removes it). */
  setDeadline(key: string, expireAtMs: number): void {
    const undo = this.#undoLog();
    if (undo !== null) {
      const before = this.deadline(key);
      undo.push(() => this.#putDeadline(key, before));
    }
    this.#putDeadline(key, expireAtMs);
    this.#journal.expire(this.index, key, expireAtMs);
  }

  /** Stores or clears (0) a deadline in the map, with its bytes; not journaled. */
  #putDeadline(key: string, expireAtMs: number): void {
    const shard = shardOf(key);
    if (expireAtMs > 0) {
      if (this.expires.setIn(shard, key, expireAtMs)) this.#addContent(HEAP_NUMBER_BYTES);
    } else if (this.expires.deleteIn(shard, key)) {
      this.#addContent(-HEAP_NUMBER_BYTES);
    }
  }

  /** Removes every key. */
  flush(): void {
    // Journaled first: listeners see what the database held (see ChangeSink.flush).
    this.#journal.flush(this.index);
    const undo = this.#undoLog();
    const stats = this.partition?.stats;
    this.#settleReleased();
    const content = this.#contentBytes;
    if (undo !== null) {
      // O(1) either way: the maps are handed over whole and handed back on undo.
      const data = this.data.detach();
      const expires = this.expires.detach();
      const bytes = stats === undefined ? [0, 0] : [stats.keyBytes, stats.valueBytes];
      // Other clients' SCANs walk the maps handed back on undo: keep their cursors for then.
      const cursors = this.#cursors;
      this.#cursors = new ScanCursors();
      undo.push(() => {
        this.data.attach(data);
        this.expires.attach(expires);
        this.#addContent(content - this.#contentBytes);
        this.#cursors = cursors;
        if (stats !== undefined) [stats.keyBytes, stats.valueBytes] = bytes;
      });
    } else {
      this.data.clear();
      this.expires.clear();
    }
    this.#addContent(-content);
    if (stats !== undefined) stats.keyBytes = stats.valueBytes = 0;
    if (undo === null) this.#cursors.clear();
    this.#expiryIter = null;
    this.#randomIter.fill(null);
  }

  /**
   * The undo log a change must be recorded in, or null. A memory-only partition's change is
   * left out of a log that does not cover them (the round ledger's, while a command whose reply
   * does not wait for the log runs); one that is recorded marks the partition in the log.
   */
  #undoLog(): UndoLog | null {
    const undo = this.#journal.undo;
    if (undo === null || !this.memoryOnly) return undo;
    if (!undo.coversUnlogged) return null;
    undo.touchUnlogged(this.index);
    return undo;
  }

  /**
   * Takes over every key of `fresh` (a keyspace loaded apart, with nothing listening) in place
   * of this one's: the maps change hands whole, and their bytes with them; access clocks start
   * over. Not journaled (the caller journals what it needs to).
   */
  adopt(fresh: Keyspace): void {
    this.data.attach(fresh.data.detach());
    this.expires.attach(fresh.expires.detach());
    // Access clocks start over: every adopted key at the baseline.
    if (this.clocks !== null) this.clocks = new AccessClocks(this.data);
    this.#settleReleased();
    fresh.#settleReleased();
    this.#addContent(fresh.#contentBytes - this.#contentBytes);
    fresh.#addContent(-fresh.#contentBytes);
    this.#expiryIter = null;
    this.#randomIter.fill(null);
  }

  /**
   * Puts `value` at `key` with deadline `expireAtMs` (0 = none) without journaling, replacing
   * what is there (DEBUG RELOAD NOFLUSH MERGE: the log holds it already).
   */
  place(key: string, value: Value, expireAtMs: number): void {
    this.#restore(key, value);
    this.#putDeadline(key, expireAtMs);
  }

  /** Before `key` is overwritten or deleted: records its old value and deadline for undo. */
  #recordUndo(undo: UndoLog, key: string): void {
    this.#recordUndoOf(undo, key, this.data.get(key));
  }

  /** {@linkcode #recordUndo} when the caller already looked up what `key` holds. */
  #recordUndoOf(undo: UndoLog, key: string, old: Value | undefined): void {
    const deadline = old === undefined || this.expires.size === 0 ? 0 : this.deadline(key);
    undo.pushKey(this, key, old, deadline);
  }

  /** Undo: puts `value` and its `deadline` back at `key` (see {@linkcode KeyRestorer}). */
  restoreKey(key: string, value: Value | undefined, deadline: number): void {
    this.#restore(key, value);
    this.#putDeadline(key, value !== undefined ? deadline : 0);
  }

  /**
   * Undo: puts `value` (undefined = no key) at `key` without journaling, keeping a partition's
   * byte counts and the memory account right. `held` describes what is there now when the
   * caller measured it itself (before an undo step restored a collection in place).
   */
  #restore(key: string, value: Value | undefined, held = measure(this.data.get(key))): void {
    const stats = this.partition?.stats;
    if (stats !== undefined) {
      if (held.present) stats.keyBytes -= key.length;
      if (value !== undefined) stats.keyBytes += key.length;
      stats.valueBytes += (value === undefined ? 0 : valueBytes(value)) - held.bytes;
    }
    const keyBytes = stringBytes(key.length);
    const restored = value === undefined ? 0 : keyBytes + valueMemory(value);
    this.#addContent(restored - (held.present ? keyBytes + held.memory : 0));
    const shard = shardOf(key);
    if (value === undefined) {
      this.data.deleteIn(shard, key);
    } else {
      this.data.setIn(shard, key, value);
      if (!held.present && this.clocks !== null) this.clocks.created(shard, key, this.#clock());
    }
  }

  /** A partition's byte counts as `key` takes `value` (before the map changes). */
  #countReplace(key: string, value: Value, old: Value | undefined): void {
    const stats = this.partition!.stats;
    if (old === undefined) stats.keyBytes += key.length;
    else stats.valueBytes -= valueBytes(old);
    stats.valueBytes += valueBytes(value);
  }

  /** A partition's byte counts as `key` goes (before the map changes). */
  #countRemove(key: string): void {
    const stats = this.partition!.stats;
    const old = this.data.get(key);
    if (old === undefined) return;
    stats.keyBytes -= key.length;
    stats.valueBytes -= valueBytes(old);
  }

  /** The keyspace's own guard of its partition's schema (see {@linkcode schema}). */
  #checkSchema(value: Value): void {
    const fits = typeof value === "string" &&
      (this.schema !== Schema.int || isInt64Text(value));
    if (!fits) throw new SchemaError(this.partition!.name, this.schema);
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
    this.#journal.reads?.range(this.index);
    return this.#cursors.step(this.data, cursor, count, (key) => {
      if (this.expires.size !== 0 && this.#expireIfDue(key, now)) return false;
      return accept(key);
    });
  }

  /**
   * Every live key that `accept` keeps (all when it is omitted), for KEYS. The filter runs
   * first, so only keys it keeps are checked for expiry; expired ones are left out but not
   * removed, as Redis 7.0's KEYS does (keyIsExpired).
   */
  liveKeys(now: number, accept?: (key: string) => boolean): string[] {
    this.#journal.reads?.range(this.index);
    const keys: string[] = [];
    const expires = this.expires;
    for (let s = 0; s < SHARD_COUNT; s++) {
      const deadlines = expires.shards[s];
      for (const key of this.data.shards[s].keys()) {
        if (accept !== undefined && !accept(key)) continue;
        if (deadlines.size !== 0 && now > (deadlines.get(key) ?? Infinity)) continue;
        keys.push(key);
      }
    }
    return keys;
  }

  /**
   * A random live key, or undefined when the database has none. Expired keys drawn are removed
   * and the draw repeated, as Redis does, so the loop ends: each retry shrinks the database. A
   * replica only hides them, so when every key has a deadline (all may be expired) it gives up
   * after 100 expired draws and returns the last one, as Redis's dbRandomKey.
   */
  randomKey(now: number): string | undefined {
    this.#journal.reads?.range(this.index);
    const allVolatile = this.expires.size === this.data.size;
    let tries = 100;
    while (this.data.size > 0) {
      const key = this.#pickKey();
      if (key === undefined) return undefined;
      if (this.expires.size !== 0 && this.#expireIfDue(key, now)) {
        if (allVolatile && this.expiry.followsPrimary && --tries === 0) return key;
        continue;
      }
      return key;
    }
    return undefined;
  }

  /**
   * Active expiry: checks up to `sample` keys that have deadlines, continuing where the last
   * call stopped, and removes the expired ones. Returns [checked, removed].
   */
  expireSample(now: number, sample: number): [number, number] {
    if (this.expiry.followsPrimary) return [0, 0]; // the primary's DELs expire a replica's keys
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

  /** Whether `key` counts as gone because it expired (removed, or hidden on a replica). */
  #expireIfDue(key: string, now: number): boolean {
    const deadline = this.expires.get(key);
    if (deadline === undefined || now <= deadline) return false;
    return this.#expiredNow(key);
  }

  /**
   * A key met past its deadline: removed (and the removal journaled) on a primary; on a replica
   * hidden from its clients, or live for its primary's commands. Whether it counts as gone.
   */
  #expiredNow(key: string): boolean {
    const action = this.expiry.action;
    if (action === Expired.remove) {
      this.#removeExpired(key);
      return true;
    }
    return action === Expired.hide;
  }

  /**
   * Expiry is journaled as a deletion (replicas and the log then agree with what clients saw),
   * and raises the `expired` event.
   */
  #removeExpired(key: string): void {
    const journal = this.#journal;
    const undo = this.#undoLog();
    if (undo !== null) this.#recordUndo(undo, key);
    if (this.partition !== null) {
      this.#countRemove(key);
      this.partition.stats.expired++;
    }
    this.#drop(key);
    this.#stats.expiredKeys++;
    journal.delete(this.index, key);
    if ((journal.notifyMask & EventClass.expired) !== 0) {
      journal.notify(EventClass.expired, "expired", this.index, key);
    }
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

/** What a key held, measured before an undo step changed it in place. */
interface Held {
  present: boolean;
  /** valueBytes (partition statistics). */
  bytes: number;
  /** valueMemory (the memory account). */
  memory: number;
}

const NOTHING: Held = { present: false, bytes: 0, memory: 0 };

function measure(value: Value | undefined): Held {
  if (value === undefined) return NOTHING;
  return { present: true, bytes: valueBytes(value), memory: valueMemory(value) };
}
