/**
 * All databases: the numbered ones (0-15) and the partitions (named keyspaces with ids from 16
 * up, see partition.ts), and the counters they share. Owned by the store actor.
 */
import { emptyJournal, type Journal } from "./journal.ts";
import { Keyspace, type KeyspaceStats } from "./keyspace.ts";
import { ExpiryPolicy } from "./expiry_policy.ts";
import { OPS } from "./types/registry.ts";
import {
  emptyPartitionStats,
  FIRST_PARTITION_ID,
  type Partition,
  type PartitionDefinition,
  Persistence,
} from "./partition.ts";
import { MemoryAccount } from "../memory/memory_account.ts";

export const DATABASE_COUNT = 16;

export interface StoreStats extends KeyspaceStats {
  keyspaceHits: number;
  keyspaceMisses: number;
  evictedKeys: number;
}

/** A partition definition without an id: {@linkcode Databases.createPartition} picks one. */
export type NewPartition = Omit<PartitionDefinition, "id"> & { id?: number };

export class Databases {
  /** The numbered databases, by number. */
  readonly dbs: Keyspace[];
  readonly stats: StoreStats = {
    expiredKeys: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
    evictedKeys: 0,
  };
  readonly journal: Journal;
  /**
   * Who decides expiry in the numbered databases: a replica's primary does (expiry_policy.ts).
   * Partitions are never replicated, so each decides for itself.
   */
  readonly expiry = new ExpiryPolicy();
  /** The active expiry cycle runs (DEBUG SET-ACTIVE-EXPIRE turns it off for tests). */
  activeExpiryEnabled = true;
  /** used_memory and its parts (memory/memory_account.ts); the keyspaces keep `data` current. */
  readonly memory: MemoryAccount;
  /** Whether new keyspaces keep access clocks (an LRU or LFU policy is set). */
  #trackAccess = false;
  readonly #clock: () => number;
  /** Partitions by id, in id order (ids only grow, and a Map keeps insertion order). */
  readonly #partitions = new Map<number, Partition>();
  /** How many partitions have persistence NONE. */
  #memoryOnly = 0;
  readonly #byName = new Map<string, Partition>();
  #nextId = FIRST_PARTITION_ID;
  /** {@linkcode keyspaces}, kept until a partition comes or goes or SWAPDB runs. */
  #all: Keyspace[] | null = null;

  constructor(
    journal: Journal = emptyJournal(),
    count = DATABASE_COUNT,
    memory: MemoryAccount = new MemoryAccount(),
    clock: () => number = Date.now,
  ) {
    this.journal = journal;
    this.memory = memory;
    this.#clock = clock;
    this.dbs = Array.from({ length: count }, (_, i) => this.#newKeyspace(i, this.expiry));
  }

  /** A keyspace on the shared account; a numbered database shares the store's expiry policy. */
  #newKeyspace(index: number, expiry = new ExpiryPolicy()): Keyspace {
    const keyspace = new Keyspace(
      index,
      this.journal,
      this.stats,
      OPS,
      expiry,
      this.memory,
      this.#clock,
    );
    if (this.#trackAccess) keyspace.trackAccess(true);
    return keyspace;
  }

  /**
   * Starts or stops access clocks in every keyspace, partitions made later included (an LRU or
   * LFU maxmemory policy was set or left); starting again resets them.
   */
  trackAccess(on: boolean): void {
    this.#trackAccess = on;
    for (const keyspace of this.keyspaces()) keyspace.trackAccess(on);
  }

  /** How many numbered databases there are. */
  get count(): number {
    return this.dbs.length;
  }

  /** The keyspace of database or partition `index`, or undefined (a dropped partition). */
  keyspace(index: number): Keyspace | undefined {
    if (index < this.dbs.length) return this.dbs[index];
    return this.#partitions.get(index)?.keyspace;
  }

  /** The partition with id `id`, or undefined (a numbered database, or dropped). */
  partition(id: number): Partition | undefined {
    return this.#partitions.get(id);
  }

  /** The partition named `name`, or undefined. */
  partitionNamed(name: string): Partition | undefined {
    return this.#byName.get(name);
  }

  /** The id the next partition will get: ids below it are taken or retired. */
  get nextPartitionId(): number {
    return this.#nextId;
  }

  /** Retires every id below `next` (replay of a snapshot: ids of dropped partitions stay used). */
  retirePartitionIds(next: number): void {
    this.#nextId = Math.max(this.#nextId, next);
  }

  get partitionCount(): number {
    return this.#partitions.size;
  }

  /** Every partition, sorted by name (LIST PARTITIONS, INFO keyspace). */
  partitionsByName(): Partition[] {
    return [...this.#byName.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
  }

  /** Every partition in id order (the order they were created in). */
  /** Whether a partition with persistence NONE exists (kept as partitions come and go). */
  get hasMemoryOnlyPartitions(): boolean {
    return this.#memoryOnly !== 0;
  }

  partitions(): IterableIterator<Partition> {
    return this.#partitions.values();
  }

  /**
   * The name of database `index` as channels and INFO show it: "0".."15" for the numbered
   * databases, the partition's name for a partition.
   */
  dbName(index: number): string {
    if (index < this.dbs.length) return String(index);
    return this.#partitions.get(index)?.name ?? String(index);
  }

  /**
   * The name INFO keyspace, the metrics' `db` label and the status page give database or
   * partition `index`: `db0`..`db15` as Redis names its databases, the partition's name for a
   * partition. Every place that names a keyspace for people uses this one function.
   */
  keyspaceName(index: number): string {
    if (index < this.dbs.length) return `db${index}`;
    return this.#partitions.get(index)?.name ?? `db${index}`;
  }

  /** The numbered databases, then the partitions in id order (do not modify the array). */
  keyspaces(): readonly Keyspace[] {
    if (this.#all === null) {
      const all = this.dbs.slice();
      for (const partition of this.#partitions.values()) all.push(partition.keyspace);
      this.#all = all;
    }
    return this.#all;
  }

  /**
   * Creates a partition (CREATE PARTITION, or replay with the id its record holds). The
   * caller has checked the name, the limit and that the name is free; a taken id or name here
   * is an error in the caller (or a damaged log) and throws `RangeError`.
   */
  createPartition(spec: NewPartition): Partition {
    const id = spec.id ?? this.#nextId;
    if (id < FIRST_PARTITION_ID || this.#partitions.has(id) || this.#byName.has(spec.name)) {
      throw new RangeError(`Cannot create partition ${id} "${spec.name}": id or name in use`);
    }
    const definition: PartitionDefinition = {
      id,
      name: spec.name,
      schema: spec.schema,
      persistence: spec.persistence,
      createdAtMs: spec.createdAtMs,
    };
    const keyspace = this.#newKeyspace(id);
    const partition: Partition = { ...definition, keyspace, stats: emptyPartitionStats() };
    keyspace.partition = partition;
    keyspace.schema = partition.schema;
    keyspace.memoryOnly = partition.persistence === Persistence.none;
    this.#nextId = Math.max(this.#nextId, id + 1);
    this.#add(partition);
    this.journal.undo?.push(() => {
      keyspace.retire(true);
      this.#remove(partition);
    });
    this.journal.partition({ kind: "create", definition });
    return partition;
  }

  /** Drops partition `id` and its keys (the keys' removal is journaled as a flush first). */
  dropPartition(id: number): void {
    const partition = this.#partitions.get(id);
    if (partition === undefined) throw new RangeError(`Cannot drop partition ${id}: no such id`);
    partition.keyspace.flush();
    this.#remove(partition);
    partition.keyspace.retire(true);
    this.journal.undo?.push(() => {
      partition.keyspace.retire(false);
      this.#add(partition);
    });
    this.journal.partition({ kind: "drop", id });
  }

  #add(partition: Partition): void {
    if (partition.persistence === Persistence.none) this.#memoryOnly++;
    this.#partitions.set(partition.id, partition);
    this.#byName.set(partition.name, partition);
    this.#all = null;
  }

  #remove(partition: Partition): void {
    if (partition.persistence === Persistence.none) this.#memoryOnly--;
    this.#partitions.delete(partition.id);
    this.#byName.delete(partition.name);
    this.#all = null;
  }

  /** Swaps the contents of numbered databases `a` and `b` (SWAPDB). */
  swap(a: number, b: number): void {
    if (a === b) return;
    this.#exchange(a, b);
    this.journal.undo?.push(() => this.#exchange(a, b));
    this.journal.swap(a, b);
  }

  #exchange(a: number, b: number): void {
    const first = this.dbs[a];
    this.dbs[a] = this.dbs[b];
    this.dbs[b] = first;
    this.dbs[a].index = a;
    this.dbs[b].index = b;
    this.#all = null;
  }

  /** Empties every database and every partition (the partitions themselves stay). */
  flushAll(): void {
    for (const db of this.dbs) db.flush();
    for (const partition of this.#partitions.values()) partition.keyspace.flush();
  }

  /**
   * Empties everything and drops every partition, starting ids over: for replay starting
   * again after a repair, before any client is served (the log is muted then).
   */
  reset(): void {
    this.flushAll();
    for (const id of [...this.#partitions.keys()]) this.dropPartition(id);
    this.#nextId = FIRST_PARTITION_ID;
  }

  /** Total keys over all databases and partitions. */
  get totalKeys(): number {
    let total = 0;
    for (const db of this.dbs) total += db.size;
    for (const partition of this.#partitions.values()) total += partition.keyspace.size;
    return total;
  }
}
