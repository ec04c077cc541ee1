/**
 * BITFIELD and BITFIELD_RO, as Redis 7.0's bitfieldGeneric: GET, SET and INCRBY of signed (i1 to
 * i64) and unsigned (u1 to u63) integers at any bit offset (`#n` meaning n times the width),
 * with OVERFLOW WRAP (the default), SAT or FAIL applying to the operations after it. Arithmetic
 * is exact 64-bit (BigInt, with C's conversions). Every write is logged as the SETRANGE of the
 * bytes it covers; a write that FAILs still creates or grows the string, as in Redis.
 */
import type { CommandContext } from "./context.ts";
import { CommandError, Errors } from "./errors.ts";
import { intArg, option, parseIntText } from "./args.ts";
import type { CommandSpec, Handler } from "./spec.ts";
import { FIRST_KEY } from "./spec.ts";
import { countRead, lookupString } from "./string_lookup.ts";
import { bitOffsetArg } from "./bitmaps.ts";
import { EventClass } from "../store/events.ts";
import { StringOp } from "../store/types/string_ops.ts";

const BAD_TYPE = new CommandError(
  "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
);
const BAD_OVERFLOW = new CommandError("ERR Invalid OVERFLOW type specified");
const READ_ONLY = new CommandError("ERR BITFIELD_RO only supports the GET subcommand");

type Overflow = "WRAP" | "SAT" | "FAIL";

interface FieldOp {
  kind: "GET" | "SET" | "INCRBY";
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: Overflow;
}

/** `i<bits>` or `u<bits>` (lower case, as Redis reads it). */
function typeArg(text: string): [signed: boolean, bits: number] {
  const sign = text.charCodeAt(0);
  if (sign !== 0x69 && sign !== 0x75) throw BAD_TYPE;
  const nul = text.indexOf("\0");
  const bits = parseIntText(text.slice(1, nul < 0 ? text.length : nul));
  const signed = sign === 0x69;
  if (bits === null || bits < 1 || bits > (signed ? 64 : 63)) throw BAD_TYPE;
  return [signed, Number(bits)];
}

function parseOps(ctx: CommandContext, argv: string[]): FieldOp[] {
  const ops: FieldOp[] = [];
  let overflow: Overflow = "WRAP";
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const word = option(argv[j]);
    let kind: FieldOp["kind"];
    if (word === "GET" && left >= 2) kind = "GET";
    else if (word === "SET" && left >= 3) kind = "SET";
    else if (word === "INCRBY" && left >= 3) kind = "INCRBY";
    else if (word === "OVERFLOW" && left >= 1) {
      const how = option(argv[++j]);
      if (how !== "WRAP" && how !== "SAT" && how !== "FAIL") throw BAD_OVERFLOW;
      overflow = how;
      continue;
    } else {
      throw Errors.syntax;
    }
    const [signed, bits] = typeArg(argv[j + 1]);
    const offset = bitOffsetArg(ctx, argv[j + 2], bits);
    const value = kind === "GET" ? 0n : BigInt(intArg(argv[j + 3]));
    ops.push({ kind, signed, bits, offset, value, overflow });
    j += kind === "GET" ? 2 : 3;
  }
  return ops;
}

/** The string's bytes as edited by the command: writes are kept apart from the original. */
class Bits {
  readonly #written = new Map<number, number>();
  constructor(readonly text: string) {}

  byte(at: number): number {
    return this.#written.get(at) ?? (at < this.text.length ? this.text.charCodeAt(at) : 0);
  }

  get(offset: number, bits: number): bigint {
    let value = 0n;
    for (let j = 0; j < bits; j++, offset++) {
      value = (value << 1n) | BigInt((this.byte(offset >> 3) >> (7 - (offset & 7))) & 1);
    }
    return value;
  }

  set(offset: number, bits: number, value: bigint): void {
    for (let j = 0; j < bits; j++, offset++) {
      const bit = Number((value >> BigInt(bits - 1 - j)) & 1n);
      const at = offset >> 3;
      const shift = 7 - (offset & 7);
      this.#written.set(at, (this.byte(at) & ~(1 << shift)) | (bit << shift));
    }
  }

  /** Bytes [from, to] as they are now. */
  slice(from: number, to: number): string {
    let out = "";
    for (let at = from; at <= to; at++) out += String.fromCharCode(this.byte(at));
    return out;
  }
}

const asInt = (v: bigint) => BigInt.asIntN(64, v);
const asUint = (v: bigint) => BigInt.asUintN(64, v);

/** The value a signed field takes, and whether it overflowed (Redis's checkSigned...). */
function signedResult(value: bigint, incr: bigint, bits: number, how: Overflow): [bigint, boolean] {
  const max = bits === 64 ? (1n << 63n) - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxIncr = asInt(asUint(max) - asUint(value));
  const minIncr = asInt(min - value);
  let over = 0;
  if (
    value > max || (bits !== 64 && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr)
  ) {
    over = 1;
  } else if (
    value < min || (bits !== 64 && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr)
  ) {
    over = -1;
  }
  if (over === 0) return [asInt(value + incr), false];
  if (how === "SAT") return [over > 0 ? max : min, true];
  // WRAP: add as unsigned 64-bit, then extend the field's sign bit (FAIL ignores the value).
  let sum = asUint(asUint(value) + asUint(incr));
  if (bits < 64) {
    const mask = asUint(-1n << BigInt(bits));
    sum = (sum & (1n << BigInt(bits - 1))) !== 0n ? sum | mask : sum & ~mask;
  }
  return [asInt(sum), true];
}

/** The same for an unsigned field (Redis's checkUnsigned...); `value` is unsigned 64-bit. */
function unsignedResult(
  value: bigint,
  incr: bigint,
  bits: number,
  how: Overflow,
): [bigint, boolean] {
  const max = (1n << BigInt(bits)) - 1n;
  const maxIncr = asInt(max - value);
  const minIncr = asInt(-value);
  let over = 0;
  if (value > max || (incr > 0n && incr > maxIncr)) over = 1;
  else if (incr < 0n && incr < minIncr) over = -1;
  if (over === 0) return [asUint(value + incr), false];
  if (how === "SAT") return [over > 0 ? max : 0n, true];
  return [asUint(value + incr) & max, true];
}

/**
 * Whether a BITFIELD call may write (for its key flags), as Redis's bitfieldGetKeys reads it:
 * any SET or INCRBY, or anything it cannot parse.
 */
function hasWrites(argv: string[]): boolean {
  for (let i = 2; i < argv.length; i++) {
    const left = argv.length - i - 1;
    const word = option(argv[i]);
    if (word === "GET" && left >= 2) i += 2;
    else if (word === "OVERFLOW" && left >= 1) i += 1;
    else return true;
  }
  return false;
}

function bitfieldGeneric(readOnly: boolean): Handler {
  return (ctx, argv) => {
    const ops = parseOps(ctx, argv);
    const key = argv[1];
    const writes = ops.filter((op) => op.kind !== "GET");
    if (writes.length > 0 && readOnly) throw READ_ONLY;
    const value = writes.length === 0
      ? countRead(ctx, key, lookupString(ctx, key))
      : lookupString(ctx, key);
    const bits = new Bits(value ?? "");
    const length = value?.length ?? 0;
    // As Redis: a write counts as a change (an event) when it changes its field or when the
    // command created or grew the string; a FAILed write does not count.
    let highest = -1;
    for (const op of writes) highest = Math.max(highest, (op.offset + op.bits - 1) >> 3);
    const grown = value === undefined || highest >= length;
    let changes = 0;
    ctx.out.arrayHeader(ops.length);
    for (const op of ops) {
      const raw = bits.get(op.offset, op.bits);
      const old = op.signed ? BigInt.asIntN(op.bits, raw) : raw;
      if (op.kind === "GET") {
        ctx.out.integerText(old.toString());
        continue;
      }
      const incr = op.kind === "INCRBY" ? op.value : 0n;
      const start = op.kind === "INCRBY" ? old : op.signed ? op.value : asUint(op.value);
      const [result, overflowed] = op.signed
        ? signedResult(start, incr, op.bits, op.overflow)
        : unsignedResult(start, incr, op.bits, op.overflow);
      if (overflowed && op.overflow === "FAIL") {
        ctx.out.nil();
        continue;
      }
      ctx.out.integerText((op.kind === "INCRBY" ? result : old).toString());
      bits.set(op.offset, op.bits, asUint(result) & ((1n << BigInt(op.bits)) - 1n));
      if (grown || result !== old) changes++;
    }
    // Each write is logged as the bytes it covers; a FAILed one still grows the string.
    for (const op of writes) {
      const from = op.offset >> 3;
      const to = (op.offset + op.bits - 1) >> 3;
      ctx.db.op(key, StringOp.setrange, [String(from), bits.slice(from, to)]);
    }
    if (changes > 0) ctx.notify(EventClass.string, "setbit", key);
  };
}

const BITFIELD_ARGS = [
  { name: "key", type: "key" as const },
  {
    name: "operation",
    type: "oneof" as const,
    flags: ["optional" as const, "multiple" as const],
    arguments: [
      {
        name: "encoding_offset",
        type: "block" as const,
        token: "GET",
        arguments: [
          { name: "encoding", type: "string" as const },
          { name: "offset", type: "integer" as const },
        ],
      },
      {
        name: "encoding_offset_value",
        type: "block" as const,
        token: "SET",
        arguments: [
          { name: "encoding", type: "string" as const },
          { name: "offset", type: "integer" as const },
          { name: "value", type: "integer" as const },
        ],
      },
      {
        name: "encoding_offset_increment",
        type: "block" as const,
        token: "INCRBY",
        arguments: [
          { name: "encoding", type: "string" as const },
          { name: "offset", type: "integer" as const },
          { name: "increment", type: "integer" as const },
        ],
      },
      {
        name: "wrap_sat_fail",
        type: "oneof" as const,
        token: "OVERFLOW",
        arguments: [
          { name: "wrap", type: "pure-token" as const, token: "WRAP" },
          { name: "sat", type: "pure-token" as const, token: "SAT" },
          { name: "fail", type: "pure-token" as const, token: "FAIL" },
        ],
      },
    ],
  },
];

export const bitfieldCommands: CommandSpec[] = [
  {
    name: "bitfield",
    arity: -2,
    flags: ["write", "denyoom"],
    keys: FIRST_KEY,
    group: "bitmap",
    summary: "Perform arbitrary bitfield integer operations on strings",
    since: "3.2.0",
    complexity: "O(1) for each subcommand specified",
    args: BITFIELD_ARGS,
    keyFlags: ["RW", "access", "update", "variable_flags"],
    keyFlagsFor: (argv) => hasWrites(argv) ? ["RW", "access", "update"] : ["RO", "access"],
    handler: bitfieldGeneric(false),
  },
  {
    name: "bitfield_ro",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: FIRST_KEY,
    group: "bitmap",
    summary:
      "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
    since: "6.0.0",
    complexity: "O(1) for each subcommand specified",
    args: [
      { name: "key", type: "key" },
      {
        name: "encoding_offset",
        type: "block",
        token: "GET",
        flags: ["optional", "multiple", "multiple_token"],
        arguments: [{ name: "encoding", type: "string" }, { name: "offset", type: "integer" }],
      },
    ],
    keyFlags: ["RO", "access"],
    handler: bitfieldGeneric(true),
  },
];
