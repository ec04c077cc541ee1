/**
 * Hashes. Small ones are packed (OBJECT ENCODING `listpack`): fields and values alternate in
 * one flat string, in insertion order. A hash converts to a {@linkcode DenseMap}
 * (`hashtable`) once it has more than `hash-max-listpack-entries` fields or a field or value
 * longer than `hash-max-listpack-value` bytes, and stays converted.
 *
 * Ops (codes 10-19): HSET (10) and HDEL (11). HINCRBY, HINCRBYFLOAT and HSETNX are written as
 * HSET of their result.
 */
import { type KeyMap, soleTable } from "../key_map.ts";
import type { CollectionType, OpSpec } from "../ops.ts";
import { type Collection, snapshotEpoch } from "../value.ts";
import { DenseMap } from "./dense_map.ts";
import { encodingLimits } from "./limits.ts";
import { type EntrySpan, flat, packEntry, readEntry } from "./packed.ts";
import { objectBytes, PACKED_STRING_EXTRA_BYTES, stringBytes } from "../../memory/costs.ts";

const span: EntrySpan = { start: 0, end: 0 };

export class HashValue implements Collection {
  /** On the prototype, not in every object: a million small hashes save a field each. */
  get type(): "hash" {
    return "hash";
  }
  epoch = snapshotEpoch.current;
  /** Packed form: field, value, field, value... (unused once dense). */
  #packed = "";
  #count = 0;
  #dense: DenseMap | null = null;

  get size(): number {
    return this.#dense === null ? this.#count : this.#dense.size;
  }

  encoding(): string {
    return this.#dense === null ? "listpack" : "hashtable";
  }

  touchValueOfEntry(entry: unknown): number {
    return this.#dense?.touchValueOfEntry(entry) ?? 0;
  }

  memberTable(): KeyMap<unknown> | null {
    return soleTable<unknown>(this.#dense?.maps);
  }

  /** The big form, or null while packed. */
  get dense(): DenseMap | null {
    return this.#dense;
  }

  memoryBytes(): number {
    return objectBytes(4) +
      (this.#dense === null
        ? stringBytes(this.#packed.length) + PACKED_STRING_EXTRA_BYTES
        : this.#dense.memoryBytes());
  }

  get(field: string): string | undefined {
    if (this.#dense !== null) return this.#dense.get(field);
    const at = this.#find(field);
    if (at < 0) return undefined;
    readEntry(this.#packed, span.end, span);
    return this.#packed.slice(span.start, span.end);
  }

  has(field: string): boolean {
    return this.#dense !== null ? this.#dense.has(field) : this.#find(field) >= 0;
  }

  /** Sets `field`; returns true when it is new. */
  set(field: string, value: string): boolean {
    if (this.#dense !== null) return this.#dense.set(field, value);
    const limit = encodingLimits.hashMaxListpackValue;
    if (field.length > limit || value.length > limit) {
      this.#convert();
      return this.#dense!.set(field, value);
    }
    const packed = this.#packed;
    const at = this.#find(field);
    if (at >= 0) {
      const valueAt = span.end;
      const valueEnd = readEntry(packed, valueAt, span);
      this.#packed = flat(packed.slice(0, valueAt) + packEntry(value) + packed.slice(valueEnd));
      return false;
    }
    if (this.#count + 1 > encodingLimits.hashMaxListpackEntries) {
      this.#convert();
      return this.#dense!.set(field, value);
    }
    this.#packed = flat(packed + packEntry(field) + packEntry(value));
    this.#count++;
    return true;
  }

  /** Removes `field`; returns whether it was there. */
  delete(field: string): boolean {
    if (this.#dense !== null) return this.#dense.delete(field);
    const at = this.#find(field);
    if (at < 0) return false;
    const packed = this.#packed;
    const end = readEntry(packed, span.end, span);
    this.#packed = flat(packed.slice(0, at) + packed.slice(end));
    this.#count--;
    return true;
  }

  /** Calls `fn` for every field and value (insertion order while packed). */
  forEach(fn: (field: string, value: string) => void): void {
    const dense = this.#dense;
    if (dense !== null) {
      for (let slot = 0; slot < dense.size; slot++) fn(dense.keyAt(slot), dense.valueAt(slot));
      return;
    }
    const packed = this.#packed;
    let at = 0;
    while (at < packed.length) {
      at = readEntry(packed, at, span);
      const field = packed.slice(span.start, span.end);
      at = readEntry(packed, at, span);
      fn(field, packed.slice(span.start, span.end));
    }
  }

  /** Fields and values as two arrays (for random picks from a packed hash). */
  pairs(): [fields: string[], values: string[]] {
    const fields: string[] = [];
    const values: string[] = [];
    this.forEach((field, value) => {
      fields.push(field);
      values.push(value);
    });
    return [fields, values];
  }

  clone(): HashValue {
    const copy = new HashValue();
    copy.#packed = this.#packed;
    copy.#count = this.#count;
    copy.#dense = this.#dense?.clone() ?? null;
    return copy;
  }

  /** Offset of the length prefix of `field`'s entry (span = its data), or -1. */
  #find(field: string): number {
    const packed = this.#packed;
    const n = field.length;
    let at = 0;
    while (at < packed.length) {
      const start = at;
      at = readEntry(packed, at, span);
      if (span.end - span.start === n && packed.startsWith(field, span.start)) return start;
      at = readEntry(packed, at, span);
    }
    return -1;
  }

  #convert(): void {
    const dense = new DenseMap(true);
    this.forEach((field, value) => dense.set(field, value));
    this.#dense = dense;
    this.#packed = "";
    this.#count = 0;
  }
}

function asHash(value: Collection | undefined): HashValue {
  return value === undefined ? new HashValue() : value as HashValue;
}

export const HashOp = { hset: 10, hdel: 11 } as const;

export const HASH_OPS: OpSpec[] = [
  {
    code: HashOp.hset,
    command: "hset",
    type: "hash",
    apply(current, args) {
      const hash = asHash(current);
      for (let i = 0; i < args.length; i += 2) hash.set(args[i], args[i + 1]);
      return hash;
    },
    undo(current, args) {
      const hash = current as HashValue;
      const before: (string | undefined)[] = [];
      for (let i = 0; i < args.length; i += 2) before.push(hash.get(args[i]));
      return (after) => {
        const restored = after as HashValue;
        for (let i = before.length - 1; i >= 0; i--) {
          const old = before[i];
          if (old === undefined) restored.delete(args[i * 2]);
          else restored.set(args[i * 2], old);
        }
        return restored;
      };
    },
  },
  {
    code: HashOp.hdel,
    command: "hdel",
    type: "hash",
    apply(current, args) {
      if (current === undefined) return undefined;
      const hash = current as HashValue;
      for (let i = 0; i < args.length; i++) hash.delete(args[i]);
      return hash;
    },
    undo(current, args) {
      const hash = current as HashValue;
      const removed: [string, string][] = [];
      for (const field of args) {
        const value = hash.get(field);
        if (value !== undefined) removed.push([field, value]);
      }
      return (after) => {
        const restored = after as HashValue;
        for (const [field, value] of removed) restored.set(field, value);
        return restored;
      };
    },
  },
];

export const HASH_TYPE: CollectionType = {
  name: "hash",
  *buildOps(value, chunkBytes) {
    let args: string[] = [];
    let bytes = 0;
    const chunks: string[][] = [];
    // forEach cannot yield; collect chunk by chunk through a walk over the dense slots or the
    // packed pairs, yielding between chunks.
    const hash = value as HashValue;
    const dense = hash.dense;
    if (dense === null) {
      hash.forEach((field, val) => {
        args.push(field, val);
        bytes += field.length + val.length;
        if (bytes >= chunkBytes) {
          chunks.push(args);
          args = [];
          bytes = 0;
        }
      });
      for (const chunk of chunks) yield [HashOp.hset, chunk];
      if (args.length > 0) yield [HashOp.hset, args];
      return;
    }
    for (let slot = 0; slot < dense.size; slot++) {
      const field = dense.keyAt(slot);
      const val = dense.valueAt(slot);
      args.push(field, val);
      bytes += field.length + val.length + 4;
      if (bytes >= chunkBytes) {
        yield [HashOp.hset, args];
        args = [];
        bytes = 0;
      }
    }
    if (args.length > 0) yield [HashOp.hset, args];
  },
};
