/**
 * The keyspace's {@linkcode Journal}, encoding each change as a log operation. The changes of
 * one command become one record (sealed by `commandEnd`), and the records of a whole actor
 * round collect in one buffer that the log writes at once.
 *
 * Changes to a partition with persistence NONE are dropped here: never written, so never
 * fsynced, and a command that only changed such partitions seals no record (its reply then
 * waits for no fsync). Partition definitions are always written.
 */
import type { ChangeSink, PartitionChange } from "../store/journal.ts";
import { FIRST_PARTITION_ID, type PartitionDefinition, Persistence } from "../store/partition.ts";
import { OPS } from "../store/types/registry.ts";
import type { Value } from "../store/value.ts";
import { RecordEncoder } from "./codec.ts";

/** Arguments per op record when a whole collection is written out (RESTORE, *STORE, snapshots). */
export const BUILD_CHUNK_BYTES = 64 * 1024;

export class WalJournal implements ChangeSink {
  readonly encoder = new RecordEncoder();
  /** While true (replay), changes are not recorded: they come from the log itself. */
  muted = true;
  /** Ids of the partitions whose changes are not logged (persistence NONE). */
  readonly #unlogged = new Set<number>();
  /** The store's partitions now, to follow a rollback (set by the log once replayed). */
  partitions: (() => Iterable<PartitionDefinition>) | null = null;

  /** How many partitions are unlogged now (for tests: the set must not outlive them). */
  get unloggedPartitions(): number {
    return this.#unlogged.size;
  }

  /** Whether changes to database `db` are left out of the log. */
  #skips(db: number): boolean {
    return db >= FIRST_PARTITION_ID && this.#unlogged.has(db);
  }

  /** Set by a replica before each command of its primary: written with the command's record. */
  #position: { replid: string; offset: number; db: number } | null = null;
  /** The last position written or recovered, for a compaction's snapshot. */
  lastPosition: { replid: string; offset: number; db: number } | null = null;
  /**
   * Whether the recovered position was the data set's last word (see ReplayResult): a primary
   * that shut down cleanly resumes its replication history from it.
   */
  positionIsLast = false;

  /**
   * A replica's position in its primary's stream once the next command is applied; stored in
   * that command's record (if it changes anything), so data and position are durable together.
   */
  setReplPosition(replid: string, offset: number, db: number): void {
    this.#position = { replid, offset, db };
  }

  /** Records sealed so far; a command that changed data raises it. */
  get sealedRecords(): number {
    return this.encoder.sealed;
  }

  set(db: number, key: string, value: Value, expireAtMs: number): void {
    if (this.muted || this.#skips(db)) return;
    if (typeof value === "string") return this.encoder.set(db, key, value, expireAtMs);
    writeCollection(this.encoder, db, key, value, expireAtMs);
  }

  op(db: number, key: string, code: number, args: readonly string[]): void {
    if (!this.muted && !this.#skips(db)) this.encoder.op(db, key, code, args);
  }

  delete(db: number, key: string): void {
    if (!this.muted && !this.#skips(db)) this.encoder.delete(db, key);
  }

  /** One operation when both databases are logged; else what the logged one saw. */
  rename(db: number, from: string, toDb: number, to: string, value: Value, at: number): void {
    if (this.muted) return;
    const skipsFrom = this.#skips(db);
    const skipsTo = this.#skips(toDb);
    if (!skipsFrom && !skipsTo) this.encoder.rename(db, from, toDb, to);
    else if (!skipsTo) this.set(toDb, to, value, at);
    else if (!skipsFrom) this.encoder.delete(db, from);
  }

  /** One operation when both databases are logged; the copy itself when only `toDb` is. */
  copy(db: number, from: string, toDb: number, to: string, value: Value, at: number): void {
    if (this.muted || this.#skips(toDb)) return;
    if (!this.#skips(db)) this.encoder.copy(db, from, toDb, to);
    else this.set(toDb, to, value, at);
  }

  expire(db: number, key: string, expireAtMs: number): void {
    if (!this.muted && !this.#skips(db)) this.encoder.expire(db, key, expireAtMs);
  }

  flush(db: number): void {
    if (this.muted || this.#skips(db)) return;
    if (db < 0) this.encoder.flushAll();
    else this.encoder.flushDb(db);
  }

  swap(a: number, b: number): void {
    if (!this.muted) this.encoder.swapDb(a, b);
  }

  /** Definitions are logged whatever the persistence; the unlogged set follows them always. */
  partition(change: PartitionChange): void {
    if (change.kind === "create") {
      const definition = change.definition;
      if (definition.persistence === Persistence.none) this.#unlogged.add(definition.id);
      if (!this.muted) this.encoder.createPartition(definition);
    } else {
      this.#unlogged.delete(change.id);
      if (!this.muted) this.encoder.dropPartition(change.id);
    }
  }

  /** Writes a position in a record of its own now (a promotion ends the old history). */
  writeReplPosition(replid: string, offset: number, db: number): void {
    if (this.muted) return;
    this.encoder.end();
    this.encoder.replPosition(replid, offset, db);
    this.encoder.end();
    this.lastPosition = { replid, offset, db };
  }

  /**
   * A refused round was undone (its records never reach the log): a CREATE or DROP PARTITION
   * in it was undone too, so the unlogged set follows the store again.
   */
  rollback(): void {
    if (this.partitions === null) return;
    this.#unlogged.clear();
    for (const partition of this.partitions()) {
      if (partition.persistence === Persistence.none) this.#unlogged.add(partition.id);
    }
  }

  commandEnd(): void {
    const position = this.#position;
    if (position !== null) {
      this.#position = null;
      if (this.encoder.hasOpenRecord && !this.muted) {
        this.encoder.replPosition(position.replid, position.offset, position.db);
        this.lastPosition = position;
      }
    }
    this.encoder.end();
  }
}

/**
 * A whole collection as log operations: a delete (the key may hold something else), the ops
 * that build it, then its deadline. They land in the open record, so they apply atomically.
 */
export function writeCollection(
  encoder: RecordEncoder,
  db: number,
  key: string,
  value: Exclude<Value, string>,
  expireAtMs: number,
): void {
  encoder.delete(db, key);
  for (const [code, args] of OPS.type(value.type).buildOps(value, BUILD_CHUNK_BYTES)) {
    encoder.op(db, key, code, args);
  }
  if (expireAtMs > 0) encoder.expire(db, key, expireAtMs);
}
