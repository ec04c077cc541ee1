/**
 * Bit counting and searching over one-byte strings, as Redis's redisPopcount and redisBitpos,
 * read char by char (a table per byte), and the byte copy BITOP works on.
 */
import { Buffer } from "node:buffer";

const BITS = new Uint8Array(256);
for (let i = 1; i < 256; i++) BITS[i] = (i & 1) + BITS[i >> 1];

/** Set bits in one byte. */
export function bitsIn(byte: number): number {
  return BITS[byte & 0xff];
}

/** The bytes of a one-byte string (a copy). */
export function bytesOf(text: string): Uint8Array {
  return Buffer.from(text, "latin1");
}

/** Set bits in bytes [start, end] (inclusive) of `text`. */
export function popcount(text: string, start: number, end: number): number {
  // Measured: a plain loop over char codes beats copying to bytes first, at every length.
  let count = 0;
  for (let i = start; i <= end; i++) count += BITS[text.charCodeAt(i)];
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
