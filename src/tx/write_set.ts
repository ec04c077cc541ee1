/**
 * What a BEGIN transaction wrote: the changes its statements made, captured from the change
 * stream (journal.capture) instead of reaching the log, in order, plus the keyspace events they
 * raised. Each statement re-applies them before it runs (so it sees the transaction's own
 * writes), and COMMIT applies them for real.
 *
 * A statement's changes are kept aside until it ends: a statement that passes a limit (keys
 * written, bytes buffered) is refused whole. When it ends, a SET or DELETE of a key makes the
 * earlier changes of that key dead (back to the last FLUSHDB/SWAPDB, which orders everything),
 * so a key written many times costs one change.
 */
import type { ChangeSink, EventSink, PartitionChange } from "../store/journal.ts";
import type { Databases } from "../store/databases.ts";
import type { Keyspace } from "../store/keyspace.ts";
import { EventClass } from "../store/events.ts";
import { OPS } from "../store/types/registry.ts";
import type { Collection, Value } from "../store/value.ts";
import { type CommandError, notAllowedInBegin } from "../commands/errors.ts";

/** Bytes counted per buffered change beyond its keys and values. */
const CHANGE_OVERHEAD_BYTES = 64;
/** Build-op chunk size used to measure a whole collection. */
const MEASURE_CHUNK_BYTES = 64 * 1024;

type Change =
  | { kind: "set"; db: number; key: string; value: Value; expireAtMs: number; bytes: number }
  | { kind: "delete"; db: number; key: string; bytes: number }
  | { kind: "expire"; db: number; key: string; expireAtMs: number; bytes: number }
  | { kind: "op"; db: number; key: string; code: number; args: readonly string[]; bytes: number }
  | { kind: "flush"; db: number; bytes: number }
  | { kind: "swap"; a: number; b: number; bytes: number };

interface CapturedEvent {
  eventClass: number;
  name: string;
  db: number;
  key: string;
}

/**
 * The limits of one transaction (read at each change, so CONFIG SET applies at once), and the
 * errors that refuse a statement past them.
 */
export interface WriteLimits {
  readonly maxKeys: number;
  readonly maxBytes: number;
  tooManyKeys(): CommandError;
  tooManyBytes(): CommandError;
}

function byteSize(value: Value): number {
  if (typeof value === "string") return value.length;
  let bytes = 0;
  for (const [, args] of OPS.type(value.type).buildOps(value, MEASURE_CHUNK_BYTES)) {
    for (const arg of args) bytes += arg.length;
  }
  return bytes;
}

export class WriteSet implements ChangeSink, EventSink {
  /** Changes in order; null where a later SET or DELETE of the same key made one dead. */
  #changes: (Change | null)[] = [];
  #dead = 0;
  /** db -> key -> indexes of its live changes since the last FLUSHDB/SWAPDB. */
  #live = new Map<number, Map<string, number[]>>();
  /** db -> keys written (for the limit). */
  readonly #written = new Map<number, Set<string>>();
  #events: CapturedEvent[] = [];
  /** Keys written and bytes buffered by the statements that ended. */
  keys = 0;
  bytes = 0;
  /** The running statement's changes and events, kept aside until it ends. */
  #pending: Change[] = [];
  #pendingEvents: CapturedEvent[] = [];
  #pendingKeys = new Map<number, Set<string>>();
  #pendingKeyCount = 0;
  #pendingBytes = 0;
  /** The running statement passed a limit: it is refused whole when it ends. */
  #refusal: CommandError | null = null;
  readonly #limits: WriteLimits;

  constructor(limits: WriteLimits) {
    this.#limits = limits;
  }

  /** Live changes buffered. */
  get size(): number {
    return this.#changes.length - this.#dead;
  }

  /**
   * Re-applies the buffered changes through the keyspaces (the caller has the journal capture
   * or apply them). Collections are copied in, so the buffer's own copy stays as it was.
   */
  apply(store: Databases, copyCollections: boolean): void {
    for (const change of this.#changes) {
      if (change !== null) applyChange(store, change, copyCollections);
    }
  }

  /** Raises the captured events through `sink` (at COMMIT, after the changes). */
  replayEvents(sink: EventSink): void {
    for (const e of this.#events) sink.event(e.eventClass, e.name, e.db, e.key);
  }

  /**
   * Ends the running statement: its changes join the buffer, or, when it passed a limit, are
   * dropped. Returns the refusal, if any.
   */
  endStatement(): CommandError | null {
    const refusal = this.#refusal;
    const pending = this.#pending;
    const events = this.#pendingEvents;
    const pendingKeys = this.#pendingKeys;
    this.#pending = [];
    this.#pendingEvents = [];
    this.#pendingKeys = new Map();
    this.#pendingKeyCount = 0;
    this.#pendingBytes = 0;
    this.#refusal = null;
    if (refusal !== null) return refusal;
    for (const change of pending) this.#keep(change);
    for (const event of events) this.#events.push(event);
    for (const [db, keys] of pendingKeys) {
      let written = this.#written.get(db);
      if (written === undefined) this.#written.set(db, written = new Set());
      for (const key of keys) written.add(key);
      this.keys += keys.size;
    }
    if (this.#dead > 64 && this.#dead > this.#changes.length / 2) this.#compact();
    return null;
  }

  #keep(change: Change): void {
    const index = this.#changes.length;
    this.#changes.push(change);
    this.bytes += change.bytes;
    if (change.kind === "flush" || change.kind === "swap") {
      this.#live.clear(); // nothing before this may be reordered past it
      return;
    }
    let byKey = this.#live.get(change.db);
    if (byKey === undefined) this.#live.set(change.db, byKey = new Map());
    const earlier = byKey.get(change.key);
    if (change.kind === "set" || change.kind === "delete") {
      if (earlier !== undefined) {
        for (const i of earlier) {
          this.bytes -= this.#changes[i]!.bytes;
          this.#changes[i] = null;
          this.#dead++;
        }
      }
      byKey.set(change.key, [index]);
    } else if (earlier !== undefined) {
      earlier.push(index);
    } else {
      byKey.set(change.key, [index]);
    }
  }

  /** Drops the dead slots and renumbers the live index. */
  #compact(): void {
    const kept: (Change | null)[] = [];
    const renumber = new Map<number, number>();
    this.#changes.forEach((change, i) => {
      if (change === null) return;
      renumber.set(i, kept.length);
      kept.push(change);
    });
    for (const byKey of this.#live.values()) {
      for (const [key, indexes] of byKey) byKey.set(key, indexes.map((i) => renumber.get(i)!));
    }
    this.#changes = kept;
    this.#dead = 0;
  }

  /** Notes a change of the running statement, refusing it past a limit. */
  #record(change: Change, db: number, key: string | null): void {
    const limits = this.#limits;
    if (this.#refusal !== null) throw this.#refusal;
    if (this.bytes + this.#pendingBytes + change.bytes > limits.maxBytes) {
      throw this.#refusal = limits.tooManyBytes();
    }
    if (key !== null && !this.#written.get(db)?.has(key)) {
      let keys = this.#pendingKeys.get(db);
      if (keys === undefined) this.#pendingKeys.set(db, keys = new Set());
      if (!keys.has(key)) {
        if (this.keys + this.#pendingKeyCount + 1 > limits.maxKeys) {
          throw this.#refusal = limits.tooManyKeys();
        }
        keys.add(key);
        this.#pendingKeyCount++;
      }
    }
    this.#pendingBytes += change.bytes;
    this.#pending.push(change);
  }

  // --- ChangeSink and EventSink: set as journal.capture while a statement runs ---

  set(db: number, key: string, value: Value, expireAtMs: number): void {
    // A collection is copied: the statement's undo may change the object it was given.
    const kept = typeof value === "string" ? value : value.clone();
    const bytes = CHANGE_OVERHEAD_BYTES + key.length + byteSize(value);
    this.#record({ kind: "set", db, key, value: kept, expireAtMs, bytes }, db, key);
  }

  delete(db: number, key: string): void {
    this.#record({ kind: "delete", db, key, bytes: CHANGE_OVERHEAD_BYTES + key.length }, db, key);
  }

  expire(db: number, key: string, expireAtMs: number): void {
    const bytes = CHANGE_OVERHEAD_BYTES + key.length;
    this.#record({ kind: "expire", db, key, expireAtMs, bytes }, db, key);
  }

  op(db: number, key: string, code: number, args: readonly string[]): void {
    let bytes = CHANGE_OVERHEAD_BYTES + key.length;
    for (const arg of args) bytes += arg.length;
    this.#record({ kind: "op", db, key, code, args, bytes }, db, key);
  }

  flush(db: number): void {
    this.#record({ kind: "flush", db, bytes: CHANGE_OVERHEAD_BYTES }, db, null);
  }

  swap(a: number, b: number): void {
    this.#record({ kind: "swap", a, b, bytes: CHANGE_OVERHEAD_BYTES }, a, null);
  }

  /**
   * CREATE and DROP PARTITION are no_multi, so no statement gets here; if one ever did, it is
   * refused rather than lost at COMMIT.
   */
  partition(change: PartitionChange): void {
    throw notAllowedInBegin(change.kind === "create" ? "create partition" : "drop partition");
  }

  /** Databases the buffered changes touch (COMMIT checks they all still exist). */
  databases(): Set<number> {
    const dbs = new Set<number>();
    for (const change of this.#changes) {
      if (change === null) continue;
      if (change.kind === "swap") {
        dbs.add(change.a);
        dbs.add(change.b);
      } else if (change.db >= 0) dbs.add(change.db);
    }
    return dbs;
  }

  commandEnd(): void {}

  event(eventClass: number, name: string, db: number, key: string): void {
    // The keyspace raises `new` itself when COMMIT creates the key; do not raise it twice.
    if (eventClass === EventClass.new) return;
    this.#pendingEvents.push({ eventClass, name, db, key });
  }
}

/** The keyspace of database or partition `db`; a dropped partition is a conflict. */
function keyspaceOf(store: Databases, db: number): Keyspace {
  const keyspace = store.keyspace(db);
  if (keyspace === undefined) throw new RangeError(`Cannot apply a change to db ${db}: dropped`);
  return keyspace;
}

/**
 * Applies one buffered change through the keyspaces, so the journal sees it as usual. Throws
 * when it no longer fits the data (a partition dropped, a key's type changed meanwhile).
 */
function applyChange(store: Databases, change: Change, copyCollections: boolean): void {
  switch (change.kind) {
    case "set": {
      const value = change.value;
      const fresh = typeof value === "string" || !copyCollections
        ? value
        : (value as Collection).clone();
      keyspaceOf(store, change.db).set(change.key, fresh, change.expireAtMs);
      return;
    }
    case "delete":
      keyspaceOf(store, change.db).delete(change.key);
      return;
    case "expire": {
      const db = keyspaceOf(store, change.db);
      if (db.data.has(change.key)) db.setDeadline(change.key, change.expireAtMs);
      return;
    }
    case "op":
      keyspaceOf(store, change.db).op(change.key, change.code, change.args);
      return;
    case "flush":
      if (change.db < 0) store.flushAll();
      else keyspaceOf(store, change.db).flush();
      return;
    case "swap":
      store.swap(change.a, change.b);
  }
}
