/**
 * Sets. A set whose members are all integers in canonical form (as Redis's string2ll accepts
 * them) is an `intset`: a sorted array of numbers (bigints beyond 2^53), so SMEMBERS lists it in
 * ascending order as Redis does. Any other member, or more than `set-max-intset-entries`
 * members, converts it to a {@linkcode DenseMap} (`hashtable`), and it stays converted. Redis
 * 7.0 has no packed form for sets of strings.
 *
 * Ops (codes 40-49): SADD (40) and SREM (41). SPOP, SMOVE and the *STORE commands are written
 * as SREM, SADD, or a whole new set.
 */
import { type KeyMap, soleTable } from "../key_map.ts";
import type { CollectionType, OpSpec } from "../ops.ts";
import { type Collection, snapshotEpoch } from "../value.ts";
import { DenseMap } from "./dense_map.ts";
import { encodingLimits } from "./limits.ts";
import { arrayBytes, objectBytes } from "../../memory/costs.ts";

type Int = number | bigint;

const INT_TEXT = /^(0|-?[1-9][0-9]{0,18})$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `text` as an intset member: a number when safe, a bigint beyond 2^53; null when not one. */
export function intsetMember(text: string): Int | null {
  if (text.length > 20 || !INT_TEXT.test(text)) return null;
  if (text.length < 16) return Number(text);
  const big = BigInt(text);
  if (big < INT64_MIN || big > INT64_MAX) return null;
  return Number.isSafeInteger(Number(big)) && BigInt(Number(big)) === big ? Number(big) : big;
}

export class SetValue implements Collection {
  /** On the prototype, not in every object: a million small hashes save a field each. */
  get type(): "set" {
    return "set";
  }
  epoch = snapshotEpoch.current;
  /** Sorted members while an intset (null once dense). */
  #ints: Int[] | null = [];
  #dense: DenseMap | null = null;

  get size(): number {
    return this.#ints !== null ? this.#ints.length : this.#dense!.size;
  }

  encoding(): string {
    return this.#ints !== null ? "intset" : "hashtable";
  }

  memberTable(): KeyMap<unknown> | null {
    return soleTable<unknown>(this.#dense?.maps);
  }

  /** The big form, or null while an intset. */
  get dense(): DenseMap | null {
    return this.#dense;
  }

  memoryBytes(): number {
    // An array of numbers keeps them unboxed, 8 bytes each (bigints are rare enough to ignore).
    return objectBytes(3) +
      (this.#ints !== null ? arrayBytes(this.#ints.length) : this.#dense!.memoryBytes());
  }

  has(member: string): boolean {
    if (this.#dense !== null) return this.#dense.has(member);
    const value = intsetMember(member);
    return value !== null && this.#search(value) >= 0;
  }

  /** Adds `member`; returns true when it is new. */
  add(member: string): boolean {
    if (this.#dense !== null) return this.#dense.set(member);
    const ints = this.#ints!;
    const value = intsetMember(member);
    if (value === null) {
      this.#convert();
      return this.#dense!.set(member);
    }
    const at = this.#search(value);
    if (at >= 0) return false;
    if (ints.length + 1 > encodingLimits.setMaxIntsetEntries) {
      this.#convert();
      return this.#dense!.set(member);
    }
    ints.splice(-at - 1, 0, value);
    return true;
  }

  /** Removes `member`; returns whether it was there. */
  delete(member: string): boolean {
    if (this.#dense !== null) return this.#dense.delete(member);
    const value = intsetMember(member);
    if (value === null) return false;
    const at = this.#search(value);
    if (at < 0) return false;
    this.#ints!.splice(at, 1);
    return true;
  }

  /** The member at position `index` (0 <= index < size): a random pick is a random index. */
  memberAt(index: number): string {
    if (this.#ints !== null) return String(this.#ints[index]);
    return this.#dense!.keyAt(index);
  }

  /** Calls `fn` for every member (ascending while an intset). */
  forEach(fn: (member: string) => void): void {
    const size = this.size;
    for (let i = 0; i < size; i++) fn(this.memberAt(i));
  }

  /** Every member as an array. */
  members(): string[] {
    const out = new Array<string>(this.size);
    for (let i = 0; i < out.length; i++) out[i] = this.memberAt(i);
    return out;
  }

  clone(): SetValue {
    const copy = new SetValue();
    copy.#ints = this.#ints === null ? null : this.#ints.slice();
    copy.#dense = this.#dense?.clone() ?? null;
    return copy;
  }

  /** Index of `value`, or -(insertion point) - 1. */
  #search(value: Int): number {
    const ints = this.#ints!;
    let low = 0;
    let high = ints.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const at = ints[mid];
      if (at < value) low = mid + 1;
      else if (at > value) high = mid - 1;
      else return mid;
    }
    return -low - 1;
  }

  #convert(): void {
    const dense = new DenseMap(false);
    for (const value of this.#ints!) dense.set(String(value));
    this.#dense = dense;
    this.#ints = null;
  }
}

function asSet(value: Collection | undefined): SetValue {
  return value === undefined ? new SetValue() : value as SetValue;
}

export const SetOp = { sadd: 40, srem: 41 } as const;

export const SET_OPS: OpSpec[] = [
  {
    code: SetOp.sadd,
    command: "sadd",
    type: "set",
    apply(current, args) {
      const set = asSet(current);
      for (let i = 0; i < args.length; i++) set.add(args[i]);
      return set;
    },
    undo(current, args) {
      const set = current as SetValue;
      const added = args.filter((member) => !set.has(member));
      return (after) => {
        const restored = after as SetValue;
        for (const member of added) restored.delete(member);
        return restored;
      };
    },
  },
  {
    code: SetOp.srem,
    command: "srem",
    type: "set",
    apply(current, args) {
      if (current === undefined) return undefined;
      const set = current as SetValue;
      for (let i = 0; i < args.length; i++) set.delete(args[i]);
      return set;
    },
    undo(current, args) {
      const set = current as SetValue;
      const removed = args.filter((member) => set.has(member));
      return (after) => {
        const restored = after as SetValue;
        for (const member of removed) restored.add(member);
        return restored;
      };
    },
  },
];

export const SET_TYPE: CollectionType = {
  name: "set",
  *buildOps(value, chunkBytes) {
    const set = value as SetValue;
    let args: string[] = [];
    let bytes = 0;
    for (let i = 0; i < set.size; i++) {
      const member = set.memberAt(i);
      args.push(member);
      bytes += member.length + 2;
      if (bytes >= chunkBytes) {
        yield [SetOp.sadd, args];
        args = [];
        bytes = 0;
      }
    }
    if (args.length > 0) yield [SetOp.sadd, args];
  },
};
