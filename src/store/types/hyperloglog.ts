/**
 * HyperLogLogs in Redis's own byte format (hyperloglog.c), so a value copied between Redis and
 * Hermes with GET and SET counts the same, and PFADD on both gives the same bytes.
 *
 * A HyperLogLog is a string: a 16-byte header ("HYLL", the encoding byte, 3 unused bytes, and
 * the cached cardinality as 8 little-endian bytes whose top bit marks it stale), then 16384
 * 6-bit registers, either dense (12288 bytes, registers packed little-endian) or sparse: runs of
 * ZERO (00xxxxxx: 1-64 zero registers), XZERO (01xxxxxx yyyyyyyy: 1-16384 zero registers) and
 * VAL (1vvvvvxx: 1-4 registers of value 1-32). A sparse value turns dense when a register
 * passes 32 or the string would pass `hll-sparse-max-bytes`. An element sets register
 * (hash & 16383) to the position of the first 1 bit in the rest of its MurmurHash64A.
 *
 * Every function here takes and returns one-byte strings; edits happen on a byte copy.
 */
import { Buffer } from "node:buffer";
import { hash, murmur64 } from "./murmur64.ts";
import { bytesToLatin1 } from "../../protocol/latin1.ts";
import { encodingLimits } from "./limits.ts";
import { flat } from "./packed.ts";

const P = 14;
const Q = 64 - P;
export const REGISTERS = 1 << P;
const REGISTER_MAX = 63;
const HEADER_BYTES = 16;
/** Length of a dense HyperLogLog. */
export const DENSE_BYTES = HEADER_BYTES + (REGISTERS * 6) / 8;
const DENSE = 0;
const SPARSE = 1;
const SEED = 0xadc83b19;
const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
const XZERO_MAX_LEN = 16384;
const ALPHA_INF = 0.721347520444481703680;

/** A corrupt sparse representation (Redis answers INVALIDOBJ). */
export class HllCorruptError extends Error {
  override name = "HllCorruptError";
}

/** Whether `value` is a HyperLogLog Redis would accept: header, encoding and dense length. */
export function isHll(value: string): boolean {
  if (value.length < HEADER_BYTES || !value.startsWith("HYLL")) return false;
  const encoding = value.charCodeAt(4);
  if (encoding > SPARSE) return false;
  return encoding !== DENSE || value.length === DENSE_BYTES;
}

/** An empty sparse HyperLogLog, its cache valid at 0 (Redis's createHLLObject). */
export function createHll(): string {
  let text = "HYLL\x01" + "\0".repeat(11);
  for (let left = REGISTERS; left > 0; left -= XZERO_MAX_LEN) {
    const run = Math.min(XZERO_MAX_LEN, left) - 1;
    text += String.fromCharCode(0x40 | (run >> 8), run & 0xff);
  }
  return text;
}

let patternIndex = 0;

/** The register `element` addresses ({@linkcode patternIndex}) and the value it offers. */
function patternLength(element: string): number {
  murmur64(element, SEED);
  patternIndex = hash.low & (REGISTERS - 1);
  // The bits above the index, with a stop bit at position Q: count up to the first 1.
  const low = hash.low >>> P;
  if (low !== 0) return 1 + ctz(low);
  if (hash.high !== 0) return 1 + (32 - P) + ctz(hash.high);
  return Q + 1;
}

function ctz(value: number): number {
  return 31 - Math.clz32(value & -value);
}

/** A HyperLogLog being edited: its bytes, with room to grow, and how many are in use. */
class Work {
  bytes: Uint8Array;
  length: number;

  constructor(text: string, room: number) {
    this.length = text.length;
    this.bytes = new Uint8Array(text.length + room);
    this.bytes.set(Buffer.from(text, "latin1"));
  }

  get dense(): boolean {
    return this.bytes[4] === DENSE;
  }

  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  text(): string {
    return bytesToLatin1(this.bytes.subarray(0, this.length));
  }
}

function denseGet(bytes: Uint8Array | string, regnum: number): number {
  const bit = regnum * 6;
  const at = HEADER_BYTES + (bit >> 3);
  const shift = bit & 7;
  const b0 = typeof bytes === "string" ? bytes.charCodeAt(at) : bytes[at];
  const b1 = (typeof bytes === "string" ? bytes.charCodeAt(at + 1) : bytes[at + 1]) || 0;
  return ((b0 >> shift) | (b1 << (8 - shift))) & REGISTER_MAX;
}

function denseSet(bytes: Uint8Array, regnum: number, value: number): void {
  const bit = regnum * 6;
  const at = HEADER_BYTES + (bit >> 3);
  const shift = bit & 7;
  bytes[at] = (bytes[at] & ~(REGISTER_MAX << shift)) | (value << shift);
  if (at + 1 < DENSE_BYTES) {
    bytes[at + 1] = (bytes[at + 1] & ~(REGISTER_MAX >> (8 - shift))) | (value >> (8 - shift));
  }
}

const isZero = (b: number) => (b & 0xc0) === 0;
const isXZero = (b: number) => (b & 0xc0) === 0x40;
const zeroLen = (b: number) => (b & 0x3f) + 1;
const xzeroLen = (b: number, next: number) => (((b & 0x3f) << 8) | next) + 1;
const valValue = (b: number) => ((b >> 2) & 0x1f) + 1;
const valLen = (b: number) => (b & 3) + 1;
const valByte = (value: number, len: number) => 0x80 | ((value - 1) << 2) | (len - 1);

/** Rewrites a sparse HyperLogLog as dense (keeping the header); corrupt input throws. */
function toDense(work: Work): void {
  const dense = new Uint8Array(DENSE_BYTES);
  dense.set(work.bytes.subarray(0, HEADER_BYTES));
  dense[4] = DENSE;
  const bytes = work.bytes;
  let index = 0;
  for (let p = HEADER_BYTES; p < work.length;) {
    const b = bytes[p];
    if (isZero(b)) {
      index += zeroLen(b);
      p++;
    } else if (isXZero(b)) {
      index += xzeroLen(b, bytes[p + 1]);
      p += 2;
    } else {
      const len = valLen(b);
      const value = valValue(b);
      if (index + len > REGISTERS) break;
      for (let i = 0; i < len; i++) denseSet(dense, index++, value);
      p++;
    }
  }
  if (index !== REGISTERS) throw new HllCorruptError("Cannot read a sparse HyperLogLog");
  work.bytes = dense;
  work.length = DENSE_BYTES;
}

/** Redis's hllSparseSet: register `index` takes `count` if larger; returns whether it changed. */
function sparseSet(work: Work, index: number, count: number): boolean {
  if (count > VAL_MAX_VALUE) return promote(work, index, count);
  work.reserve(3);
  const bytes = work.bytes;
  let end = work.length;
  let p = HEADER_BYTES;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const b = bytes[p];
    let oplen = 1;
    if (isZero(b)) span = zeroLen(b);
    else if (b & 0x80) span = valLen(b);
    else {
      span = xzeroLen(b, bytes[p + 1]);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) throw new HllCorruptError("Cannot read a sparse HyperLogLog");
  const op = bytes[p];
  let next = isXZero(op) ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const zero = isZero(op);
  const xzero = isXZero(op);
  const runlen = zero ? zeroLen(op) : xzero ? xzeroLen(op, bytes[p + 1]) : valLen(op);
  let updated = false;
  if (!zero && !xzero) {
    if (valValue(op) >= count) return false;
    if (runlen === 1) {
      bytes[p] = valByte(count, 1);
      updated = true;
    }
  }
  if (!updated && zero && runlen === 1) {
    bytes[p] = valByte(count, 1);
    updated = true;
  }
  if (!updated) {
    // Split the run around the register: at most XZERO - VAL - XZERO, five bytes.
    const seq: number[] = [];
    const last = first + span - 1;
    const pushZeros = (len: number) => {
      if (len > ZERO_MAX_LEN) seq.push(0x40 | ((len - 1) >> 8), (len - 1) & 0xff);
      else seq.push(len - 1);
    };
    if (zero || xzero) {
      if (index !== first) pushZeros(index - first);
      seq.push(valByte(count, 1));
      if (index !== last) pushZeros(last - index);
    } else {
      const current = valValue(op);
      if (index !== first) seq.push(valByte(current, index - first));
      seq.push(valByte(count, 1));
      if (index !== last) seq.push(valByte(current, last - index));
    }
    const oldlen = xzero ? 2 : 1;
    const delta = seq.length - oldlen;
    if (delta > 0 && work.length + delta > encodingLimits.hllSparseMaxBytes) {
      return promote(work, index, count);
    }
    if (delta !== 0 && next >= 0) bytes.copyWithin(next + delta, next, end);
    work.length += delta;
    for (let i = 0; i < seq.length; i++) bytes[p + i] = seq[i];
    end += delta;
  }
  // Merge adjacent VAL runs of the same value, scanning up to five opcodes from `prev`.
  p = prev >= 0 ? prev : HEADER_BYTES;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const b = bytes[p];
    if (isXZero(b)) {
      p += 2;
      continue;
    }
    if (isZero(b)) {
      p++;
      continue;
    }
    if (p + 1 < end && (bytes[p + 1] & 0x80) !== 0) {
      const v1 = valValue(b);
      const v2 = valValue(bytes[p + 1]);
      if (v1 === v2) {
        const len = valLen(b) + valLen(bytes[p + 1]);
        if (len <= VAL_MAX_LEN) {
          bytes[p + 1] = valByte(v1, len);
          bytes.copyWithin(p, p + 1, end);
          work.length--;
          end--;
          continue;
        }
      }
    }
    p++;
  }
  return true;
}

function promote(work: Work, index: number, count: number): boolean {
  toDense(work);
  if (denseGet(work.bytes, index) < count) denseSet(work.bytes, index, count);
  return true;
}

function invalidateCache(work: Work): void {
  work.bytes[15] |= 0x80;
}

/**
 * PFADD: `hll` (a valid HyperLogLog, or undefined for a new one) with `elements` added. Returns
 * the new value, or null when no register changed (and the key existed). Throws
 * {@linkcode HllCorruptError} for a corrupt sparse value.
 */
export function hllAdd(hll: string | undefined, elements: readonly string[]): string | null {
  if (hll !== undefined && hll.charCodeAt(4) === DENSE) return denseAdd(hll, elements);
  const base = hll ?? createHll();
  let work: Work | null = null;
  let changed = false;
  for (let i = 0; i < elements.length; i++) {
    const count = patternLength(elements[i]);
    const index = patternIndex;
    if (work === null) {
      // Most elements of a busy counter change nothing: check before copying the value.
      if (hll !== undefined && sparseValue(hll, index) >= count) continue;
      work = new Work(base, 16);
    }
    if (work.dense) {
      if (denseGet(work.bytes, index) >= count) continue;
      denseSet(work.bytes, index, count);
    } else if (!sparseSet(work, index, count)) continue;
    changed = true;
  }
  if (hll !== undefined && !changed) return null;
  // A PFADD that creates the key marks the cache stale even with no element, as Redis does.
  work ??= new Work(base, 0);
  invalidateCache(work);
  return work.text();
}

/** The value of register `index` in a sparse value, read in place (corrupt input throws). */
function sparseValue(hll: string, index: number): number {
  let first = 0;
  for (let p = HEADER_BYTES; p < hll.length;) {
    const b = hll.charCodeAt(p);
    let span: number;
    if (isZero(b)) {
      span = zeroLen(b);
      p++;
    } else if (isXZero(b)) {
      span = xzeroLen(b, hll.charCodeAt(p + 1));
      p += 2;
    } else {
      span = valLen(b);
      p++;
    }
    if (index < first + span) return (b & 0x80) !== 0 ? valValue(b) : 0;
    first += span;
  }
  throw new HllCorruptError("Cannot read a sparse HyperLogLog");
}

/**
 * PFADD on a dense value: registers are read in place, and the few bytes that change are
 * spliced into a new string (no copy of the 12 KB through JavaScript).
 */
function denseAdd(hll: string, elements: readonly string[]): string | null {
  let patch: Map<number, number> | null = null;
  const byte = (at: number) => patch?.get(at) ?? hll.charCodeAt(at);
  for (let i = 0; i < elements.length; i++) {
    const count = patternLength(elements[i]);
    const index = patternIndex;
    const bit = index * 6;
    const at = HEADER_BYTES + (bit >> 3);
    const shift = bit & 7;
    const last = at + 1 < DENSE_BYTES;
    const b0 = byte(at);
    const b1 = last ? byte(at + 1) : 0;
    if ((((b0 >> shift) | (b1 << (8 - shift))) & REGISTER_MAX) >= count) continue;
    patch ??= new Map();
    patch.set(at, ((b0 & ~(REGISTER_MAX << shift)) | (count << shift)) & 0xff);
    if (last) {
      patch.set(at + 1, ((b1 & ~(REGISTER_MAX >> (8 - shift))) | (count >> (8 - shift))) & 0xff);
    }
  }
  if (patch === null) return null;
  patch.set(15, byte(15) | 0x80);
  return spliceBytes(hll, patch);
}

/** `text` with the bytes at the patched offsets replaced, built from slices. */
function spliceBytes(text: string, patch: Map<number, number>): string {
  const offsets = [...patch.keys()].sort((a, b) => a - b);
  let out = "";
  let from = 0;
  for (const at of offsets) {
    out += text.slice(from, at) + String.fromCharCode(patch.get(at)!);
    from = at + 1;
  }
  // Flattened now: a rope of slices would keep the old value alive.
  return flat(out + text.slice(from));
}

/** The register histogram of `hll`; a corrupt sparse value throws. */
function histogram(hll: string): number[] {
  const histo = new Array<number>(64).fill(0);
  if (hll.charCodeAt(4) === DENSE) {
    for (let i = 0; i < REGISTERS; i++) histo[denseGet(hll, i)]++;
    return histo;
  }
  let index = 0;
  for (let p = HEADER_BYTES; p < hll.length;) {
    const b = hll.charCodeAt(p);
    if (isZero(b)) {
      const len = zeroLen(b);
      index += len;
      histo[0] += len;
      p++;
    } else if (isXZero(b)) {
      const len = xzeroLen(b, hll.charCodeAt(p + 1));
      index += len;
      histo[0] += len;
      p += 2;
    } else {
      const len = valLen(b);
      index += len;
      histo[valValue(b)] += len;
      p++;
    }
  }
  if (index !== REGISTERS) throw new HllCorruptError("Cannot count a sparse HyperLogLog");
  return histo;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (zPrime !== z);
  return z / 3;
}

/** Ertl's estimator over a register histogram, as Redis 7.0's hllCount. */
function estimate(histo: number[]): number {
  const m = REGISTERS;
  let z = m * tau((m - histo[Q + 1]) / m);
  for (let j = Q; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  return Math.round(ALPHA_INF * m * m / z);
}

/** The estimated cardinality of `hll` (ignoring its cache). */
export function hllCount(hll: string): number {
  return estimate(histogram(hll));
}

/** The cached cardinality, or null when the cache is stale. */
export function cachedCount(hll: string): number | null {
  if ((hll.charCodeAt(15) & 0x80) !== 0) return null;
  let value = 0;
  for (let i = 7; i >= 0; i--) value = value * 256 + hll.charCodeAt(8 + i);
  return value;
}

/** The 8 header bytes caching `count` (valid), written at offset 8. */
export function cacheBytes(count: number): string {
  let out = "";
  for (let i = 0; i < 8; i++) {
    out += String.fromCharCode(count % 256);
    count = Math.floor(count / 256);
  }
  return out;
}

/** Offset of the cached cardinality in the header. */
export const CACHE_OFFSET = 8;

/** Raises `max[i]` to each register of `hll`; a corrupt sparse value throws. */
export function mergeRegisters(max: Uint8Array, hll: string): void {
  if (hll.charCodeAt(4) === DENSE) {
    for (let i = 0; i < REGISTERS; i++) {
      const value = denseGet(hll, i);
      if (value > max[i]) max[i] = value;
    }
    return;
  }
  let index = 0;
  for (let p = HEADER_BYTES; p < hll.length;) {
    const b = hll.charCodeAt(p);
    if (isZero(b)) {
      index += zeroLen(b);
      p++;
    } else if (isXZero(b)) {
      index += xzeroLen(b, hll.charCodeAt(p + 1));
      p += 2;
    } else {
      const len = valLen(b);
      const value = valValue(b);
      if (index + len > REGISTERS) break;
      for (let i = 0; i < len; i++, index++) if (value > max[index]) max[index] = value;
      p++;
    }
  }
  if (index !== REGISTERS) throw new HllCorruptError("Cannot merge a sparse HyperLogLog");
}

/** The cardinality of registers gathered by {@linkcode mergeRegisters} (PFCOUNT of many keys). */
export function countRegisters(max: Uint8Array): number {
  const histo = new Array<number>(64).fill(0);
  for (let i = 0; i < REGISTERS; i++) histo[max[i]]++;
  return estimate(histo);
}

/**
 * PFMERGE's result: `target` (undefined for a new key) raised to `max`, dense when `dense`,
 * its cache marked stale.
 */
export function mergeInto(target: string | undefined, max: Uint8Array, dense: boolean): string {
  const work = new Work(target ?? createHll(), 16);
  if (dense && !work.dense) toDense(work);
  for (let i = 0; i < REGISTERS; i++) {
    if (max[i] === 0) continue;
    if (work.dense) {
      if (denseGet(work.bytes, i) < max[i]) denseSet(work.bytes, i, max[i]);
    } else sparseSet(work, i, max[i]);
  }
  invalidateCache(work);
  return work.text();
}
