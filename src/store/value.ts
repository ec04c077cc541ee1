/**
 * What a key can hold. Strings stay plain one-byte JS strings (the hot path tests
 * `typeof value === "string"` and nothing else); every other type is an object implementing
 * {@linkcode Collection}, defined in its own module under `src/store/types/`.
 *
 * Contract for collections: a handler reads a collection through `Keyspace.get` and never
 * changes it directly; every change goes through `Keyspace.op` with an operation from the op
 * table (ops.ts), so the journal, undo, WATCH, notifications and snapshots see each one.
 */

import type { KeyMap } from "./key_map.ts";

/** The type names TYPE, SCAN TYPE and OBJECT report. */
export type TypeName = "string" | "list" | "set" | "zset" | "hash";

/** A value of any type other than string. */
export interface Collection {
  readonly type: Exclude<TypeName, "string">;
  /** Elements (fields, members); a collection that reaches 0 is deleted by the keyspace. */
  readonly size: number;
  /**
   * The snapshot epoch this object belongs to (see `Keyspace.beforeMutate`): set to the
   * current epoch when the object is made, and by the snapshot writer once it is accounted for.
   */
  epoch: number;
  /** An independent deep copy (COPY, undo pre-images, snapshot copy-outs). */
  clone(): Collection;
  /** OBJECT ENCODING: the representation in use, named as Redis names its equivalent. */
  encoding(): string;
  /**
   * Bytes of heap this value holds (its objects, buffers and strings; memory/costs.ts), in
   * O(1) from counts the type keeps as it changes: the keyspace adds it to used_memory before
   * and after every op, and MEMORY USAGE reports it. Every type implements it.
   */
  memoryBytes(): number;
  /**
   * Bytes of the elements (fields and values, members, items), kept up to date by the type as
   * it changes, never computed by walking. Partitions' statistics add it up; a type without it
   * counts as 0 bytes there.
   */
  readonly bytes?: number;
  /**
   * The one table members are looked up in (big hashes, sets and sorted sets), or null (a
   * compact form, or more than one table): a pipelined batch warms its entries ahead
   * (store/batch_warmer.ts).
   */
  memberTable?(): KeyMap<unknown> | null;
  /**
   * Reads what the member whose {@linkcode memberTable} entry holds `entry` has beside it (a big
   * hash's field value: its string's header, or its cell's length byte), so that a command about
   * to read or replace it finds it in the cache (store/batch_warmer.ts); returns a number so that
   * the reads stay.
   */
  touchValueOfEntry?(entry: unknown): number;
}

export type Value = string | Collection;

/** The type name of a value. */
export function valueType(value: Value): TypeName {
  return typeof value === "string" ? "string" : value.type;
}

/** Bytes a value holds: a string's length, a collection's own count (see `Collection.bytes`). */
export function valueBytes(value: Value): number {
  return typeof value === "string" ? value.length : value.bytes ?? 0;
}

/** An independent copy of a value (COPY). Strings are immutable, so they are shared. */
export function cloneValue(value: Value): Value {
  return typeof value === "string" ? value : value.clone();
}

/**
 * The epoch given to new collections. The snapshot writer advances it when a snapshot starts,
 * so objects made after that point are known to be rebuilt by the new log alone.
 */
export const snapshotEpoch = { current: 0 };
