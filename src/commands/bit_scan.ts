/**
 * Bit counting and searching over one-byte strings, as Redis's redisPopcount and redisBitpos.
 * Long strings are read through a native latin1 copy into bytes (one memcpy-speed pass) and
 * counted 32 bits at a time; short ones are read char by char.
 */
import { Buffer } from "node:buffer";

/** Strings at least this long are copied to bytes before a scan. */
const COPY_FROM = 256;

const BITS = new Uint8Array(256);
for (let i = 1; i < 256; i++) BITS[i] = (i & 1) + BITS[i >> 1];

/** Set bits in one byte. */
export function bitsIn(byte: number): number {
  return BITS[byte & 0xff];
}

/** The bytes of a one-byte string (a copy). */
export function bytesOf(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "latin1"));
}

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Set bits in bytes [start, end] (inclusive) of `text`. */
export function popcount(text: string, start: number, end: number): number {
  let count = 0;
  if (end - start + 1 < COPY_FROM) {
    for (let i = start; i <= end; i++) count += BITS[text.charCodeAt(i)];
    return count;
  }
  const bytes = new Uint8Array(Buffer.from(text.slice(start, end + 1), "latin1"));
  const words = bytes.length >> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let w = 0; w < words; w++) count += popcount32(view.getUint32(w * 4));
  for (let i = words * 4; i < bytes.length; i++) count += BITS[bytes[i]];
  return count;
}

/**
 * The position of the first bit equal to `bit` in bytes [start, start + count) of `read`, counted
 * from `start`: -1 when looking for 1 and there is none, count * 8 when looking for 0 and there
 * is none (the bit right after the range), as redisBitpos.
 */
export function bitpos(
  read: (at: number) => number,
  start: number,
  count: number,
  bit: number,
): number {
  const skip = bit ? 0 : 0xff;
  for (let i = 0; i < count; i++) {
    const byte = read(start + i);
    if (byte === skip) continue;
    for (let b = 7; b >= 0; b--) {
      if (((byte >> b) & 1) === bit) return i * 8 + (7 - b);
    }
  }
  return bit ? -1 : count * 8;
}
