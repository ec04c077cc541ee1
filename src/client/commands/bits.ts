/**
 * Typed helpers for the bits and registers of string values: bitmaps (SETBIT, GETBIT, BITCOUNT,
 * BITPOS, BITOP), bit fields (BITFIELD, BITFIELD_RO) and HyperLogLogs (PFADD, PFCOUNT, PFMERGE).
 */
import type { Arg } from "../encode_command.ts";
import { expectArray, integer, ok } from "../reply_values.ts";
import type { Value } from "./base.ts";
import { SortedSetRangeCommands } from "./sorted_set_ranges.ts";

/** A bit's value. */
export type Bit = 0 | 1;

/** A range of BITCOUNT and BITPOS: bytes by default, bits with `unit: "BIT"`. */
export interface BitRange {
  /** The first byte (or bit) counted; negative counts from the end. */
  start: number;
  /**
   * The last byte (or bit) counted, inclusive; negative counts from the end. Default: the end
   * of the value (BITPOS without `end` treats the value as followed by clear bits).
   */
  end?: number;
  /** Whether `start` and `end` count bytes (`BYTE`, the default) or bits (`BIT`). */
  unit?: "BYTE" | "BIT";
}

/** The operation of BITOP: AND, OR and XOR of several keys, or NOT of one. */
export type BitOperation = "AND" | "OR" | "XOR" | "NOT";

/** A bit field's type: signed `i1` to `i64`, or unsigned `u1` to `u63`. */
export type BitFieldType = `i${number}` | `u${number}`;

/**
 * Where a bit field starts: a bit offset, or `"#n"` for the n-th field of the type's width
 * (`#2` of a `u8` is bit 16).
 */
export type BitFieldOffset = number | `#${number}`;

/** A GET of BITFIELD or BITFIELD_RO: the field's value. */
export interface BitFieldGet {
  /** The field's type. */
  get: BitFieldType;
  /** Where it starts. */
  offset: BitFieldOffset;
}

/** A SET of BITFIELD: stores `value` in the field; its result is the old value. */
export interface BitFieldSet {
  /** The field's type. */
  set: BitFieldType;
  /** Where it starts. */
  offset: BitFieldOffset;
  /** The new value. */
  value: number | bigint;
}

/** An INCRBY of BITFIELD: adds `increment` to the field; its result is the new value. */
export interface BitFieldIncrBy {
  /** The field's type. */
  incrBy: BitFieldType;
  /** Where it starts. */
  offset: BitFieldOffset;
  /** What to add (negative to subtract). */
  increment: number | bigint;
}

/**
 * An OVERFLOW of BITFIELD: how the SETs and INCRBYs after it treat a value that does not fit
 * (`WRAP` around, the default; `SAT`urate at the type's limit; `FAIL`: leave the field and
 * answer null).
 */
export interface BitFieldOverflow {
  /** The overflow behaviour. */
  overflow: "WRAP" | "SAT" | "FAIL";
}

/** One subcommand of BITFIELD. */
export type BitFieldOperation = BitFieldGet | BitFieldSet | BitFieldIncrBy | BitFieldOverflow;

/** Typed helpers for bitmaps, bit fields and HyperLogLogs (all stored as strings). */
export abstract class BitCommands<V extends Value = string> extends SortedSetRangeCommands<V> {
  /**
   * SETBIT: sets the bit at `offset` (the value grows as needed); the bit's old value.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.setBit("active:today", 42, 1); // 0
   * await db.getBit("active:today", 42); // 1
   * await db.bitCount("active:today"); // 1
   * ```
   */
  async setBit(key: Arg, offset: number, value: Bit): Promise<Bit> {
    return integer(await this.send("SETBIT", key, offset, value), "SETBIT") as Bit;
  }

  /** GETBIT: the bit at `offset` (0 past the end of the value, or when the key does not exist). */
  async getBit(key: Arg, offset: number): Promise<Bit> {
    return integer(await this.send("GETBIT", key, offset), "GETBIT") as Bit;
  }

  /** BITCOUNT: how many bits are set, in the whole value or in `range`. */
  async bitCount(key: Arg, range?: BitRange): Promise<number> {
    // BITCOUNT takes a start only with an end.
    const args = range === undefined ? [] : rangeArgs({ ...range, end: range.end ?? -1 });
    return integer(await this.send("BITCOUNT", key, ...args), "BITCOUNT");
  }

  /**
   * BITPOS: the position of the first bit set to `bit` (in the whole value or in `range`), or
   * -1 when there is none. As in Redis, a search for 0 without an explicit `end` finds the
   * first bit past the value when every bit in it is set.
   */
  async bitPos(key: Arg, bit: Bit, range?: BitRange): Promise<number> {
    return integer(await this.send("BITPOS", key, bit, ...rangeArgs(range)), "BITPOS");
  }

  /** BITOP: stores the bitwise `operation` of `keys` in `destination`; its length in bytes. */
  async bitOp(operation: BitOperation, destination: Arg, ...keys: Arg[]): Promise<number> {
    return integer(await this.send("BITOP", operation, destination, ...keys), "BITOP");
  }

  /**
   * BITFIELD: runs the operations in order; one result per GET, SET and INCRBY (null where
   * `OVERFLOW FAIL` refused). Results beyond 2^53 throw a RangeError (use `send` for bigints).
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.bitField("counters", [
   *   { set: "u8", offset: "#0", value: 250 },
   *   { overflow: "SAT" },
   *   { incrBy: "u8", offset: "#0", increment: 10 },
   *   { get: "u4", offset: 0 },
   * ]); // [0, 255, 15]
   * ```
   */
  async bitField(key: Arg, operations: BitFieldOperation[]): Promise<(number | null)[]> {
    const reply = await this.send("BITFIELD", key, ...operations.flatMap(bitFieldArgs));
    return expectArray(reply).map((item) => item === null ? null : integer(item, "BITFIELD"));
  }

  /** BITFIELD_RO: the values of the fields (GETs only, so it runs on read-only replicas too). */
  async bitFieldRo(key: Arg, fields: BitFieldGet[]): Promise<number[]> {
    const reply = await this.send("BITFIELD_RO", key, ...fields.flatMap(bitFieldArgs));
    return expectArray(reply).map((item) => integer(item, "BITFIELD_RO"));
  }

  /**
   * PFADD: adds elements to a HyperLogLog; true when its estimate changed (or it was made).
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.pfadd("visitors:mon", "ada", "bob"); // true
   * await db.pfadd("visitors:tue", "bob", "eve"); // true
   * await db.pfcount("visitors:mon", "visitors:tue"); // 3 (an estimate: error below 1%)
   * ```
   */
  async pfadd(key: Arg, ...elements: Arg[]): Promise<boolean> {
    return integer(await this.send("PFADD", key, ...elements), "PFADD") === 1;
  }

  /** PFCOUNT: the estimated number of distinct elements added to any of the HyperLogLogs. */
  async pfcount(...keys: Arg[]): Promise<number> {
    return integer(await this.send("PFCOUNT", ...keys), "PFCOUNT");
  }

  /** PFMERGE: stores the union of the HyperLogLogs `sources` (and `destination`) in `destination`. */
  async pfmerge(destination: Arg, ...sources: Arg[]): Promise<"OK"> {
    return ok(await this.send("PFMERGE", destination, ...sources));
  }
}

function rangeArgs(range: BitRange | undefined): Arg[] {
  if (range === undefined) return [];
  const args: Arg[] = [range.start];
  if (range.end !== undefined || range.unit !== undefined) args.push(range.end ?? -1);
  if (range.unit !== undefined) args.push(range.unit);
  return args;
}

function bitFieldArgs(operation: BitFieldOperation): Arg[] {
  if ("get" in operation) return ["GET", operation.get, operation.offset];
  if ("set" in operation) return ["SET", operation.set, operation.offset, operation.value];
  if ("incrBy" in operation) {
    return ["INCRBY", operation.incrBy, operation.offset, operation.increment];
  }
  return ["OVERFLOW", operation.overflow];
}
