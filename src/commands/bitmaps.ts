/**
 * Bitmaps, as Redis 7.0's bitops.c: SETBIT, GETBIT, BITCOUNT and BITPOS (with BYTE|BIT
 * ranges), and BITOP. Bitmaps are plain strings; bit 0 is the most significant bit of byte 0.
 * SETBIT is written as the SETRANGE of the byte it changed (store/types/string_ops.ts), so a
 * big bitmap costs the log a few bytes per change. BITFIELD is in bitfield.ts.
 */
import type { CommandContext } from "./context.ts";
import { CommandError, Errors } from "./errors.ts";
import { intArg, option, parseIntText } from "./args.ts";
import type { ArgDoc, CommandSpec, Handler } from "./spec.ts";
import { FIRST_KEY } from "./spec.ts";
import { countRead, lookupString, MAX_STRING_LENGTH } from "./string_lookup.ts";
import { bitpos, bitsIn, bytesOf, popcount } from "./bit_scan.ts";
import { EventClass } from "../store/events.ts";
import { StringOp } from "../store/types/string_ops.ts";
import { bytesToLatin1 } from "../protocol/latin1.ts";
import { KEY } from "./common_args.ts";

export const BitErrors = {
  offset: new CommandError("ERR bit offset is not an integer or out of range"),
  bit: new CommandError("ERR bit is not an integer or out of range"),
  bitArgument: new CommandError("ERR The bit argument must be 1 or 0."),
  notSingleKey: new CommandError("ERR BITOP NOT must be called with a single source key."),
} as const;

/**
 * A bit offset as Redis's getBitOffsetFromArgument reads it: a non-negative int64, `#n` meaning
 * n * `bits` where allowed (BITFIELD), and below proto-max-bulk-len bytes. Offsets past the
 * longest string V8 can build are refused with the length error.
 */
export function bitOffsetArg(ctx: CommandContext, text: string, bits = 0): number {
  const hash = bits > 0 && text.charCodeAt(0) === 0x23;
  const parsed = parseIntText(hash ? text.slice(1) : text);
  if (parsed === null) throw BitErrors.offset;
  const offset = BigInt(parsed) * (hash ? BigInt(bits) : 1n);
  if (offset < 0n || offset >> 3n >= BigInt(ctx.server.config.maxBulkBytes)) throw BitErrors.offset;
  if ((offset + BigInt(Math.max(bits, 1)) - 1n) >> 3n >= BigInt(MAX_STRING_LENGTH)) {
    throw Errors.stringTooLong;
  }
  return Number(offset);
}

const setbit: Handler = (ctx, argv) => {
  const offset = bitOffsetArg(ctx, argv[2]);
  const on = parseIntText(argv[3]);
  if (on !== 0 && on !== 1) throw BitErrors.bit;
  const key = argv[1];
  const value = lookupString(ctx, key);
  const byte = offset >> 3;
  const mask = 1 << (7 - (offset & 7));
  const old = value !== undefined && byte < value.length ? value.charCodeAt(byte) : 0;
  const was = (old & mask) !== 0 ? 1 : 0;
  // Redis writes (and notifies) only when the key is new, grows, or the bit changes.
  if (value === undefined || byte >= value.length || was !== on) {
    const next = on ? old | mask : old & ~mask;
    ctx.db.op(key, StringOp.setrange, [String(byte), String.fromCharCode(next)]);
    ctx.notify(EventClass.string, "setbit", key);
  }
  ctx.out.integer(was);
};

const getbit: Handler = (ctx, argv) => {
  const offset = bitOffsetArg(ctx, argv[2]);
  const value = countRead(ctx, argv[1], lookupString(ctx, argv[1]));
  const byte = offset >> 3;
  if (value === undefined || byte >= value.length) return ctx.out.integer(0);
  ctx.out.integer((value.charCodeAt(byte) >> (7 - (offset & 7))) & 1);
};

/** A BITCOUNT/BITPOS range resolved to bytes, with the masks of bits outside a BIT range. */
interface ByteRange {
  start: number;
  end: number;
  /** Bits of the first and last byte outside the range (BIT ranges only). */
  firstMask: number;
  lastMask: number;
}

/** Resolves start/end (bytes, or bits with `isBit`) against a string of `length` bytes. */
function resolveRange(start: number, end: number, length: number, isBit: boolean): ByteRange {
  const total = isBit ? length * 8 : length;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  let firstMask = 0;
  let lastMask = 0;
  if (isBit && start <= end) {
    firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff;
    lastMask = (1 << (7 - (end & 7))) - 1;
    start >>= 3;
    end >>= 3;
  }
  return { start, end, firstMask, lastMask };
}

/** BYTE or BIT (any case), or a syntax error. */
function unitArg(text: string): boolean {
  const word = option(text);
  if (word === "BIT") return true;
  if (word === "BYTE") return false;
  throw Errors.syntax;
}

const intOf = (text: string) => Number(intArg(text));

const bitcount: Handler = (ctx, argv) => {
  const value = countRead(ctx, argv[1], lookupString(ctx, argv[1]));
  if (value === undefined) return ctx.out.integer(0);
  let range: ByteRange;
  if (argv.length === 4 || argv.length === 5) {
    const start = intOf(argv[2]);
    const end = intOf(argv[3]);
    const isBit = argv.length === 5 && unitArg(argv[4]);
    if (start < 0 && end < 0 && start > end) return ctx.out.integer(0);
    range = resolveRange(start, end, value.length, isBit);
  } else if (argv.length === 2) {
    range = { start: 0, end: value.length - 1, firstMask: 0, lastMask: 0 };
  } else {
    throw Errors.syntax;
  }
  const { start, end, firstMask, lastMask } = range;
  if (start > end) return ctx.out.integer(0);
  let count = popcount(value, start, end);
  // Bits of the edge bytes outside a BIT range were counted: take them back.
  if (firstMask !== 0) count -= bitsIn(value.charCodeAt(start) & firstMask);
  if (lastMask !== 0) count -= bitsIn(value.charCodeAt(end) & lastMask);
  ctx.out.integer(count);
};

const bitposCommand: Handler = (ctx, argv) => {
  const bit = intArg(argv[2]);
  if (bit !== 0 && bit !== 1) throw BitErrors.bitArgument;
  const value = countRead(ctx, argv[1], ctx.db.get(argv[1], ctx.now));
  if (value === undefined) return ctx.out.integer(bit ? -1 : 0);
  if (typeof value !== "string") throw Errors.wrongType;
  let range: ByteRange;
  let endGiven = false;
  if (argv.length >= 4 && argv.length <= 6) {
    const start = intOf(argv[3]);
    const isBit = argv.length === 6 && unitArg(argv[5]);
    let end = value.length - 1;
    if (argv.length >= 5) {
      end = intOf(argv[4]);
      endGiven = true;
    }
    range = resolveRange(start, end, value.length, isBit);
  } else if (argv.length === 3) {
    range = { start: 0, end: value.length - 1, firstMask: 0, lastMask: 0 };
  } else {
    throw Errors.syntax;
  }
  let { start } = range;
  const { end, firstMask, lastMask } = range;
  if (start > end) return ctx.out.integer(-1);
  const read = (at: number) => value.charCodeAt(at);
  let bytes = end - start + 1;
  let pos: number;
  // The edge bytes of a BIT range are searched with the bits outside it forced to not match.
  const edge = (byte: number, mask: number) => bit ? byte & ~mask & 0xff : byte | mask;
  search: {
    if (firstMask !== 0) {
      let first = edge(value.charCodeAt(start), firstMask);
      if (lastMask !== 0 && bytes === 1) first = edge(first, lastMask);
      pos = bitpos(() => first, 0, 1, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break search;
      start++;
      bytes--;
    }
    const middle = bytes - (lastMask !== 0 ? 1 : 0);
    if (middle > 0) {
      pos = bitpos(read, start, middle, bit);
      if (bytes === middle || (pos !== -1 && pos !== middle * 8)) break search;
      start += middle;
      bytes -= middle;
    }
    const last = edge(value.charCodeAt(end), lastMask);
    pos = bitpos(() => last, 0, 1, bit);
  }
  // With an explicit end, a clear bit past the range does not count.
  if (endGiven && bit === 0 && pos === bytes * 8) return ctx.out.integer(-1);
  ctx.out.integer(pos === -1 ? -1 : pos + start * 8);
};

const bitop: Handler = (ctx, argv) => {
  const op = option(argv[1]);
  if (op !== "AND" && op !== "OR" && op !== "XOR" && op !== "NOT") throw Errors.syntax;
  if (op === "NOT" && argv.length !== 4) throw BitErrors.notSingleKey;
  const sources: (string | undefined)[] = [];
  for (let i = 3; i < argv.length; i++) {
    sources.push(countRead(ctx, argv[i], lookupString(ctx, argv[i])));
  }
  const destination = argv[2];
  let longest = 0;
  for (const source of sources) longest = Math.max(longest, source?.length ?? 0);
  if (longest === 0) {
    if (ctx.db.get(destination, ctx.now) !== undefined) {
      ctx.db.delete(destination);
      ctx.notify(EventClass.generic, "del", destination);
    }
    return ctx.out.integer(0);
  }
  const result = new Uint8Array(longest);
  const first = sources[0] === undefined ? new Uint8Array(0) : bytesOf(sources[0]);
  result.set(first);
  if (op === "NOT") {
    for (let i = 0; i < longest; i++) result[i] = ~result[i] & 0xff;
  }
  for (let s = 1; s < sources.length; s++) {
    const source = sources[s];
    const bytes = source === undefined ? new Uint8Array(0) : bytesOf(source);
    // A missing key or a shorter string reads as zero bytes.
    if (op === "AND") {
      for (let i = 0; i < longest; i++) result[i] &= i < bytes.length ? bytes[i] : 0;
    } else if (op === "OR") {
      for (let i = 0; i < bytes.length; i++) result[i] |= bytes[i];
    } else {
      for (let i = 0; i < bytes.length; i++) result[i] ^= bytes[i];
    }
  }
  ctx.db.set(destination, bytesToLatin1(result), 0);
  ctx.notify(EventClass.string, "set", destination);
  ctx.out.integer(longest);
};

const RANGE_UNIT: ArgDoc = {
  name: "unit",
  type: "oneof",
  flags: ["optional"],
  arguments: [
    { name: "byte", type: "pure-token", token: "BYTE" },
    { name: "bit", type: "pure-token", token: "BIT" },
  ],
};

function spec(fields: Omit<CommandSpec, "group" | "keys"> & Partial<CommandSpec>): CommandSpec {
  return { group: "bitmap", keys: FIRST_KEY, ...fields };
}

export const bitmapCommands: CommandSpec[] = [
  spec({
    name: "setbit",
    arity: 4,
    flags: ["write", "denyoom"],
    summary: "Sets or clears the bit at offset in the string value stored at key",
    since: "2.2.0",
    complexity: "O(1)",
    args: [KEY, { name: "offset", type: "integer" }, { name: "value", type: "integer" }],
    keyFlags: ["RW", "access", "update"],
    handler: setbit,
  }),
  spec({
    name: "getbit",
    arity: 3,
    flags: ["readonly", "fast"],
    summary: "Returns the bit value at offset in the string value stored at key",
    since: "2.2.0",
    complexity: "O(1)",
    args: [KEY, { name: "offset", type: "integer" }],
    keyFlags: ["RO", "access"],
    handler: getbit,
  }),
  spec({
    name: "bitcount",
    arity: -2,
    flags: ["readonly"],
    summary: "Count set bits in a string",
    since: "2.6.0",
    complexity: "O(N)",
    args: [
      KEY,
      {
        name: "index",
        type: "block",
        flags: ["optional"],
        arguments: [
          { name: "start", type: "integer" },
          { name: "end", type: "integer" },
          RANGE_UNIT,
        ],
      },
    ],
    keyFlags: ["RO", "access"],
    handler: bitcount,
  }),
  spec({
    name: "bitpos",
    arity: -3,
    flags: ["readonly"],
    summary: "Find first bit set or clear in a string",
    since: "2.8.7",
    complexity: "O(N)",
    args: [
      KEY,
      { name: "bit", type: "integer" },
      {
        name: "index",
        type: "block",
        flags: ["optional"],
        arguments: [
          { name: "start", type: "integer" },
          {
            name: "end_index",
            type: "block",
            flags: ["optional"],
            arguments: [{ name: "end", type: "integer" }, RANGE_UNIT],
          },
        ],
      },
    ],
    keyFlags: ["RO", "access"],
    handler: bitposCommand,
  }),
  spec({
    name: "bitop",
    arity: -4,
    flags: ["write", "denyoom"],
    keys: [2, -1, 1],
    summary: "Perform bitwise operations between strings",
    since: "2.6.0",
    complexity: "O(N)",
    args: [
      { name: "operation", type: "string" },
      { name: "destkey", type: "key" },
      { name: "key", type: "key", flags: ["multiple"] },
    ],
    keySpecs: [{ flags: ["OW", "update"], first: 2, last: 2, step: 1 }, {
      flags: ["RO", "access"],
      first: 3,
      last: -1,
      step: 1,
    }],
    handler: bitop,
  }),
];
