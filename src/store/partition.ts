/**
 * Partitions: named keyspaces beside the numbered databases, each with a value schema, a
 * persistence mode and its own statistics. A partition is an ordinary {@linkcode Keyspace}
 * addressed by a numeric id (16 and up, so the change stream, the log and every feature built
 * on database numbers treat it like a database); its definition says what may be stored in it
 * and whether the log keeps it.
 *
 * Ids are handed out in increasing order and never reused by a running server, so a client
 * that still has a dropped partition selected can never land in a newer one.
 */
import type { Keyspace } from "./keyspace.ts";

/** What values a partition accepts. */
export const Schema = {
  /** Every value a signed 64-bit integer, as its decimal text. */
  int: 1,
  /** Strings only (any bytes). */
  string: 2,
  /** Every type, as the numbered databases. */
  any: 3,
} as const;
export type Schema = typeof Schema[keyof typeof Schema];

/** Whether the write-ahead log keeps a partition's data. */
export const Persistence = {
  /** Logged under the server's fsync policy, as the numbered databases. */
  wal: 1,
  /** Memory only: never logged, never fsynced; empty after a restart. */
  none: 2,
} as const;
export type Persistence = typeof Persistence[keyof typeof Persistence];

/** Schema names as users write them (CREATE PARTITION, DESCRIBE, errors). */
export const SCHEMA_NAMES: Record<Schema, string> = { 1: "INT", 2: "STRING", 3: "ANY" };
export const PERSISTENCE_NAMES: Record<Persistence, string> = { 1: "WAL", 2: "NONE" };

/** The first partition id; ids below it are the numbered databases. */
export const FIRST_PARTITION_ID = 16;
/** Longest partition name, in bytes. */
export const MAX_PARTITION_NAME_BYTES = 64;

/** What CREATE PARTITION states, and what its log record holds. */
export interface PartitionDefinition {
  id: number;
  name: string;
  schema: Schema;
  persistence: Persistence;
  /** Unix ms. */
  createdAtMs: number;
}

/**
 * A partition's counters: a fixed set of numbers, kept up to date as the data changes (never
 * computed by walking the keys). Plain data, so INFO, STATS PARTITION and metrics read it as is.
 */
export interface PartitionStats {
  /** Commands flagged `readonly` run in the partition. */
  reads: number;
  /** Commands flagged `write` run in the partition. */
  writes: number;
  /** Key lookups that found a key (as keyspace_hits). */
  hits: number;
  /** Key lookups that found nothing (as keyspace_misses). */
  misses: number;
  /** Keys removed because their deadline passed. */
  expired: number;
  /** Bytes of the key names stored. */
  keyBytes: number;
  /** Bytes of the values stored (strings; collections as they report `bytes`). */
  valueBytes: number;
}

export function emptyPartitionStats(): PartitionStats {
  return { reads: 0, writes: 0, hits: 0, misses: 0, expired: 0, keyBytes: 0, valueBytes: 0 };
}

/** Zeroes the event counters (CONFIG RESETSTAT); keys and bytes describe the data and stay. */
export function resetPartitionCounters(stats: PartitionStats): void {
  stats.reads = 0;
  stats.writes = 0;
  stats.hits = 0;
  stats.misses = 0;
  stats.expired = 0;
}

export interface Partition extends Readonly<PartitionDefinition> {
  readonly keyspace: Keyspace;
  readonly stats: PartitionStats;
}

/**
 * Whether `name` may name a partition: letters, digits, `_`, `-` and `:`, 1 to 64 bytes, and
 * not a number (digits, optionally after a `-`, name the numbered databases in SELECT, MOVE and
 * COPY).
 */
export function isPartitionName(name: string): boolean {
  const n = name.length;
  if (n === 0 || n > MAX_PARTITION_NAME_BYTES) return false;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (
      !((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d ||
        c === 0x3a)
    ) return false;
  }
  const numeric = digits === n || (digits === n - 1 && name.charCodeAt(0) === 0x2d);
  return !numeric;
}

/**
 * Whether `text` is a signed 64-bit integer written as Redis's string2ll accepts it (what INCR
 * can count on): an optional `-`, no `+`, no spaces, no leading zeros, within int64.
 */
export function isInt64Text(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > 20) return false;
  const negative = text.charCodeAt(0) === 0x2d;
  const start = negative ? 1 : 0;
  if (start === n) return false;
  const first = text.charCodeAt(start);
  if (first === 0x30) return n === 1; // "0" only: no "-0", no leading zeros
  if (first < 0x31 || first > 0x39) return false;
  for (let i = start + 1; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  if (n - start < 19) return true;
  if (n - start > 19) return false;
  return negative ? text.slice(1) <= "9223372036854775808" : text <= "9223372036854775807";
}

/**
 * A value that does not fit a partition's schema reached the keyspace (the command layer
 * refuses such writes up front; this is the keyspace's own guard, for commands that write
 * whole values). Carries what the error reply needs.
 */
export class SchemaError extends Error {
  override name = "SchemaError";
  readonly partition: string;
  readonly schema: Schema;

  constructor(partition: string, schema: Schema) {
    super(`Cannot store the value in partition "${partition}": schema ${SCHEMA_NAMES[schema]}`);
    this.partition = partition;
    this.schema = schema;
  }
}
