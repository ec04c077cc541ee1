/**
 * Keys and values are kept as one-byte ("latin1") strings: every byte 0-255 maps to the char
 * code of the same number, so any bytes round-trip exactly, and V8 stores such strings flat at
 * one byte per character.
 */
import { Buffer } from "node:buffer";

/** A Buffer with Node's latin1 decoder, which Deno's node:buffer has but does not declare. */
export type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** A Buffer view over `bytes` (no copy), for the fast native latin1 decoder. */
export function latin1View(bytes: Uint8Array): Latin1Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Latin1Buffer;
}

/**
 * Decodes bytes [start, end) of `bytes` (which `view` covers; null: one is made if needed) to a
 * flat one-byte string. Up to 16 bytes (command names, most keys, small values) are decoded in
 * JavaScript: the native decoder costs a fixed ~85 ns call, String.fromCharCode ~20-30 ns.
 */
export function sliceLatin1(
  bytes: Uint8Array,
  view: Latin1Buffer | null,
  start: number,
  end: number,
): string {
  const b = bytes;
  const s = start;
  // One case per length keeps each a single call with no intermediate strings.
  // deno-fmt-ignore
  switch (end - start) {
    case 0: return "";
    case 1: return String.fromCharCode(b[s]);
    case 2: return String.fromCharCode(b[s], b[s + 1]);
    case 3: return String.fromCharCode(b[s], b[s + 1], b[s + 2]);
    case 4: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5],
      b[s + 6]);
    case 8: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5],
      b[s + 6], b[s + 7]);
    case 9: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5],
      b[s + 6], b[s + 7], b[s + 8]);
    case 10: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5],
      b[s + 6], b[s + 7], b[s + 8], b[s + 9]);
    case 11: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5],
      b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10]);
    case 12: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5],
      b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11]);
    case 13: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5],
      b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12]);
    case 14: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5],
      b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13]);
    case 15: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5],
      b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13],
      b[s + 14]);
    case 16: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5],
      b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13],
      b[s + 14], b[s + 15]);
    default: return (view ?? latin1View(bytes)).latin1Slice(start, end);
  }
}

/** Decodes bytes to a one-byte string, one char per byte. */
export function bytesToLatin1(bytes: Uint8Array): string {
  return latin1View(bytes).latin1Slice(0, bytes.length);
}

/** Encodes a one-byte string back to its bytes. Chars above 255 (never stored) are truncated. */
export function latin1ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  writeLatin1(text, out, 0);
  return out;
}

const ASCII_ENCODER = new TextEncoder();
/**
 * From this length on, copying natively pays for the call: a 1 KB value takes ~0.1 µs instead
 * of ~1.4 µs in the loop, while a 16-byte key is faster in the loop.
 */
export const NATIVE_COPY_MIN = 64;

/**
 * Writes the bytes of one-byte string `text` into `into` at `at` (room for `text.length` bytes
 * must be there). Long text is copied natively when it is ASCII: UTF-8 then writes each char as
 * its one byte, and a char past 0x7f (two bytes in UTF-8) makes `read` fall short, so the loop
 * writes it again byte for byte.
 */
export function writeLatin1(text: string, into: Uint8Array, at: number): void {
  const n = text.length;
  if (
    n >= NATIVE_COPY_MIN && ASCII_ENCODER.encodeInto(text, into.subarray(at, at + n)).read === n
  ) {
    return;
  }
  for (let i = 0; i < n; i++) into[at + i] = text.charCodeAt(i);
}

const UTF8_ENCODER = new TextEncoder();

/** Whether every char of `text` is ASCII (a loop: cheaper than a regular expression here). */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Encodes UTF-16 text (from our own code, e.g. INFO or error texts) into a one-byte string of
 * its UTF-8 bytes.
 */
export function utf8ToLatin1(text: string): string {
  if (isAscii(text)) return text;
  return bytesToLatin1(UTF8_ENCODER.encode(text));
}

const UTF8 = new TextDecoder();

/** Decodes a one-byte string holding UTF-8 bytes into readable text (for logs and the CLI). */
export function latin1ToUtf8(text: string): string {
  if (isAscii(text)) return text;
  return UTF8.decode(latin1ToBytes(text));
}
