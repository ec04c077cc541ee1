/**
 * The change stream: every change the keyspaces make is reported here, stated as a result or
 * as a deterministic operation (the new value, an absolute deadline, an op from the op table),
 * and fanned out to whoever listens: the write-ahead log, WATCH, replication, keyspace
 * notifications. There is no second path for changes beside this one.
 *
 * The dispatcher calls {@linkcode Journal.commandEnd} after each command: the changes since the
 * previous call belong to one command (or one transaction, see {@linkcode Journal.hold}) and
 * must be applied all or nothing.
 *
 * Everything here is checked on the hot path, so an unused listener costs one field test.
 */
import type { Collection, Value } from "./value.ts";
import type { UndoLog } from "./undo_log.ts";
import type { Keyspace } from "./keyspace.ts";
import type { PartitionDefinition } from "./partition.ts";

/** A partition was created (with its whole definition) or dropped (its keys went with it). */
export type PartitionChange =
  | { kind: "create"; definition: PartitionDefinition }
  | { kind: "drop"; id: number };

/** A key's value moved (RENAME, MOVE) or copied (COPY) from `db`/`from` to `toDb`/`to`. */
export type TransferChange = (
  db: number,
  from: string,
  toDb: number,
  to: string,
  value: Value,
  expireAtMs: number,
) => void;

/** One listener of the change stream. */
export interface ChangeSink {
  /** `key` now holds `value` (any type), expiring at `expireAtMs` (Unix ms; 0 = never). */
  set(db: number, key: string, value: Value, expireAtMs: number): void;
  /** `key` no longer exists (deleted, expired or evicted). */
  delete(db: number, key: string): void;
  /** `key`'s deadline is now `expireAtMs` (0 = never). */
  expire(db: number, key: string, expireAtMs: number): void;
  /** Op `code` of the op table (ops.ts) was applied to the collection at `key`. */
  op(db: number, key: string, code: number, args: readonly string[]): void;
  /**
   * RENAME and MOVE: `from`'s value (`value`) and deadline in database `db` moved to `to` in
   * database `toDb` (the same one for RENAME), replacing what `to` held. Optional: a listener
   * without it is told `set(toDb, to)` then `delete(db, from)`, the same change stated as
   * results (the log and replicas state it in a few bytes instead of the whole value).
   */
  rename?: TransferChange;
  /**
   * COPY: `to` in database `toDb` now holds `value`, a copy of `from`'s value in `db`, with its
   * deadline. Optional: a listener without it is told `set(toDb, to)`.
   */
  copy?: TransferChange;
  /**
   * Database `db` is being emptied; -1 means every database. Called just before the keys go,
   * so a listener can still see what the database held (WATCH touches only keys that existed).
   */
  flush(db: number): void;
  /** Databases `a` and `b` swapped contents. */
  swap(a: number, b: number): void;
  /**
   * A partition was created or dropped (see partition.ts). Optional: a listener that only
   * follows keys can leave it out (a drop first flushes the partition, reported as `flush`).
   */
  partition?(change: PartitionChange): void;
  /** The changes since the last call form one atomic unit. */
  commandEnd(): void;
  /**
   * Changes reported earlier were taken back without being reported (a round the log could not
   * make durable was rolled back, see undo_log.ts). Optional: a listener that keeps state about
   * keys treats every key as changed (WATCH fires, BEGIN transactions conflict).
   */
  rollback?(): void;
}

/** Receives keyspace events (notify-keyspace-events); see events.ts for the classes. */
export interface EventSink {
  event(eventClass: number, name: string, db: number, key: string): void;
}

/**
 * Told what a command reads while it is set (a BEGIN transaction's statement records its read
 * set this way; see src/tx/read_set.ts). Not a change: nothing is journaled.
 */
export interface ReadObserver {
  /** `key` of database `db` was looked up, whether or not it exists. */
  key(db: number, key: string): void;
  /** The key set of database `db` was read as a whole (KEYS, SCAN, DBSIZE, RANDOMKEY). */
  range(db: number): void;
}

/**
 * Called before a collection that the running snapshot has not written yet is changed in
 * place, so the snapshot can keep its state as of the log switch (see snapshot_writer.ts).
 */
export type BeforeMutate = (keyspace: Keyspace, key: string, value: Collection) => void;

export class Journal implements ChangeSink {
  /** The durable log, or null without persistence. */
  durable: ChangeSink | null = null;
  /** Other listeners (WATCH, replication); usually empty. */
  #sinks: ChangeSink[] = [];
  /**
   * While set, changes go here only (not to the log or other listeners), and so do the events
   * when the capture has an `event` method (else they are dropped): used to run a command
   * speculatively (BEGIN transactions) and to undo it.
   */
  capture: (ChangeSink & Partial<EventSink>) | null = null;
  /** While set, every key lookup and whole-database read is reported (BEGIN read sets). */
  reads: ReadObserver | null = null;
  /** While set, every change also records how to undo it (see undo_log.ts). */
  undo: UndoLog | null = null;
  /** Keyspace event classes someone listens to (0 = none: `notify` is never called). */
  notifyMask = 0;
  events: EventSink | null = null;
  /** Set by the snapshot writer while a snapshot runs (see {@linkcode BeforeMutate}). */
  beforeMutate: BeforeMutate | null = null;
  /** commandEnd calls to ignore: a transaction holds its commands' changes in one unit. */
  #held = 0;
  /**
   * Changes and events raised so far: a command that left it as it was changed nothing, so
   * it needs no round of its own to be made durable or revealed (see embedded/read_now.ts).
   */
  changes = 0;

  /** Adds a listener; the same object is not added twice. */
  addSink(sink: ChangeSink): void {
    if (!this.#sinks.includes(sink)) this.#sinks = [...this.#sinks, sink];
  }

  removeSink(sink: ChangeSink): void {
    this.#sinks = this.#sinks.filter((s) => s !== sink);
  }

  set(db: number, key: string, value: Value, expireAtMs: number): void {
    this.changes++;
    if (this.capture !== null) return this.capture.set(db, key, value, expireAtMs);
    if (this.durable !== null) this.durable.set(db, key, value, expireAtMs);
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].set(db, key, value, expireAtMs);
  }

  delete(db: number, key: string): void {
    this.changes++;
    if (this.capture !== null) return this.capture.delete(db, key);
    if (this.durable !== null) this.durable.delete(db, key);
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].delete(db, key);
  }

  expire(db: number, key: string, expireAtMs: number): void {
    this.changes++;
    if (this.capture !== null) return this.capture.expire(db, key, expireAtMs);
    if (this.durable !== null) this.durable.expire(db, key, expireAtMs);
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].expire(db, key, expireAtMs);
  }

  op(db: number, key: string, code: number, args: readonly string[]): void {
    this.changes++;
    if (this.capture !== null) return this.capture.op(db, key, code, args);
    if (this.durable !== null) this.durable.op(db, key, code, args);
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].op(db, key, code, args);
  }

  /**
   * See {@linkcode ChangeSink.rename}. While a snapshot is written (a compaction's or an RDB's:
   * `beforeMutate` is set) every sink is told the results instead: the snapshot is fuzzy (it may
   * hold neither key, having read `to` before the rename and `from` after it), and only results
   * replayed over it end in the exact state, where a RENAME would find no `from`.
   */
  rename(db: number, from: string, toDb: number, to: string, value: Value, at: number): void {
    this.changes += 2;
    this.#transfer("rename", db, from, toDb, to, value, at);
  }

  /** See {@linkcode ChangeSink.copy}; told as results while a snapshot is written, as rename. */
  copy(db: number, from: string, toDb: number, to: string, value: Value, at: number): void {
    this.changes++;
    this.#transfer("copy", db, from, toDb, to, value, at);
  }

  #transfer(
    kind: Transfer,
    db: number,
    from: string,
    toDb: number,
    to: string,
    value: Value,
    at: number,
  ): void {
    if (this.capture !== null) {
      return transferIn(this.capture, kind, true, db, from, toDb, to, value, at);
    }
    const results = this.beforeMutate !== null;
    if (this.durable !== null) {
      transferIn(this.durable, kind, results, db, from, toDb, to, value, at);
    }
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) {
      transferIn(sinks[i], kind, results, db, from, toDb, to, value, at);
    }
  }

  flush(db: number): void {
    this.changes++;
    if (this.capture !== null) return this.capture.flush(db);
    if (this.durable !== null) this.durable.flush(db);
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].flush(db);
  }

  swap(a: number, b: number): void {
    this.changes++;
    if (this.capture !== null) return this.capture.swap(a, b);
    if (this.durable !== null) this.durable.swap(a, b);
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].swap(a, b);
  }

  partition(change: PartitionChange): void {
    this.changes++;
    if (this.capture !== null) return this.capture.partition?.(change);
    if (this.durable !== null) this.durable.partition?.(change);
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].partition?.(change);
  }

  /** Rollbacks of refused rounds so far: a snapshot taken across one may hold their changes. */
  rollbacks = 0;

  /** Tells every listener that changes were taken back (see {@linkcode ChangeSink.rollback}). */
  rolledBack(): void {
    this.rollbacks++;
    this.durable?.rollback?.();
    for (const sink of this.#sinks) sink.rollback?.();
  }

  /** Raises a keyspace event; callers check `notifyMask & eventClass` first (it is cheap). */
  notify(eventClass: number, name: string, db: number, key: string): void {
    if ((this.notifyMask & eventClass) === 0) return;
    this.changes++;
    if (this.capture !== null) return this.capture.event?.(eventClass, name, db, key);
    if (this.events !== null) this.events.event(eventClass, name, db, key);
  }

  /**
   * Holds the unit open: commandEnd calls are ignored until the matching {@linkcode release},
   * so every command of a MULTI/EXEC (or a COMMIT) lands in one atomic unit.
   */
  hold(): void {
    this.#held++;
  }

  /** Ends a {@linkcode hold}; the caller then calls commandEnd to seal the unit. */
  release(): void {
    this.#held--;
  }

  commandEnd(): void {
    if (this.#held !== 0 || this.capture !== null) return;
    if (this.durable !== null) this.durable.commandEnd();
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].commandEnd();
  }
}

/** A key's value moved (RENAME, MOVE) or copied (COPY) to another key. */
type Transfer = "rename" | "copy";

/**
 * Tells `sink` of a RENAME or COPY its own way, or (`asResults`, or no way of its own) as the
 * results it stands for: `to` set, and for a rename `from` deleted.
 */
function transferIn(
  sink: ChangeSink,
  kind: Transfer,
  asResults: boolean,
  db: number,
  from: string,
  toDb: number,
  to: string,
  value: Value,
  at: number,
): void {
  const own = kind === "rename" ? sink.rename : sink.copy;
  if (!asResults && own !== undefined) {
    own.call(sink, db, from, toDb, to, value, at);
    return;
  }
  sink.set(toDb, to, value, at);
  if (kind === "rename") sink.delete(db, from);
}

/** A sink that drops every change (where a speculative run's changes go when re-applied). */
export const DISCARD_CHANGES: ChangeSink = {
  set() {},
  delete() {},
  expire() {},
  op() {},
  flush() {},
  swap() {},
  commandEnd() {},
};

/** A journal with nothing attached (tests, persistence off). */
export function emptyJournal(): Journal {
  return new Journal();
}
