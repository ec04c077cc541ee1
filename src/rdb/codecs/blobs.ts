/**
 * Readers for the compact blobs Redis 7.0 writes inside RDB strings: a listpack (hashes and
 * sets of small values, the nodes of a quicklist) and an intset. Each blob is a one-byte string;
 * anything malformed throws `RdbError` naming what is wrong.
 */
import { RdbError } from "../format.ts";

function fail(what: string): never {
  throw new RdbError(`Cannot read ${what}`);
}

function u32(blob: string, at: number): number {
  return (blob.charCodeAt(at) | blob.charCodeAt(at + 1) << 8 | blob.charCodeAt(at + 2) << 16 |
    blob.charCodeAt(at + 3) << 24) >>> 0;
}

/** Signed little-endian integer of `bytes` bytes at `at`, as decimal text. */
function signed(blob: string, at: number, bytes: number): string {
  let value = 0n;
  for (let i = bytes - 1; i >= 0; i--) value = (value << 8n) | BigInt(blob.charCodeAt(at + i));
  const bits = BigInt(bytes * 8);
  if (value >= 1n << (bits - 1n)) value -= 1n << bits;
  return value.toString();
}

/** Every entry of a listpack, integers as their decimal text. */
export function readListpack(blob: string): string[] {
  if (blob.length < 7) fail("a listpack: shorter than its header");
  if (u32(blob, 0) !== blob.length) fail("a listpack: its size field disagrees with its length");
  const out: string[] = [];
  let at = 6;
  while (true) {
    if (at >= blob.length) fail("a listpack: no end marker");
    const b = blob.charCodeAt(at);
    if (b === 0xff) break;
    let entry: string;
    let size: number;
    if ((b & 0x80) === 0) {
      entry = String(b & 0x7f);
      size = 1;
    } else if ((b & 0xc0) === 0x80) {
      const n = b & 0x3f;
      entry = blob.slice(at + 1, at + 1 + n);
      size = 1 + n;
    } else if ((b & 0xe0) === 0xc0) {
      let v = ((b & 0x1f) << 8) | blob.charCodeAt(at + 1);
      if (v >= 1 << 12) v -= 1 << 13;
      entry = String(v);
      size = 2;
    } else if ((b & 0xf0) === 0xe0) {
      const n = ((b & 0x0f) << 8) | blob.charCodeAt(at + 1);
      entry = blob.slice(at + 2, at + 2 + n);
      size = 2 + n;
    } else if (b === 0xf0) {
      const n = u32(blob, at + 1);
      entry = blob.slice(at + 5, at + 5 + n);
      size = 5 + n;
    } else if (b >= 0xf1 && b <= 0xf4) {
      const bytes = [2, 3, 4, 8][b - 0xf1];
      entry = signed(blob, at + 1, bytes);
      size = 1 + bytes;
    } else {
      fail(`a listpack: unknown entry encoding 0x${b.toString(16)}`);
    }
    if (at + size > blob.length) fail("a listpack: an entry runs past its end");
    out.push(entry);
    // The back-length after each entry takes 1 byte per 7 bits of the entry's size.
    at += size +
      (size < 128 ? 1 : size < 16384 ? 2 : size < 2097152 ? 3 : size < 268435456 ? 4 : 5);
  }
  return out;
}

/** Every member of an intset, ascending, as decimal text. */
export function readIntset(blob: string): string[] {
  if (blob.length < 8) fail("an intset: shorter than its header");
  const width = u32(blob, 0);
  const count = u32(blob, 4);
  if (width !== 2 && width !== 4 && width !== 8) fail(`an intset: bad width ${width}`);
  if (blob.length !== 8 + width * count) fail("an intset: its length disagrees with its count");
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(signed(blob, 8 + i * width, width));
  return out;
}

/** The back-length Redis stores after an entry of `size` bytes: 7 bits a byte, last first. */
function backLength(size: number): string {
  if (size < 128) return String.fromCharCode(size);
  let out = "";
  const bytes: number[] = [];
  while (size > 0) {
    bytes.push(size & 0x7f);
    size = Math.floor(size / 128);
  }
  // Most significant 7 bits first and unflagged; every later byte carries 0x80 (it is read
  // backwards from the entry's end: a flagged byte means more to its left).
  for (let i = bytes.length - 1; i >= 0; i--) {
    out += String.fromCharCode(bytes[i] | (i === bytes.length - 1 ? 0 : 0x80));
  }
  return out;
}

/** A listpack of string entries, as Redis 7.0 loads it into a quicklist node. */
export function writeListpack(entries: readonly string[]): string {
  let body = "";
  for (const entry of entries) {
    const n = entry.length;
    let header: string;
    if (n < 64) header = String.fromCharCode(0x80 | n);
    else if (n < 4096) header = String.fromCharCode(0xe0 | (n >> 8), n & 0xff);
    else {
      header = String.fromCharCode(0xf0, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
    }
    body += header + entry + backLength(header.length + n);
  }
  const total = 6 + body.length + 1;
  const count = Math.min(entries.length, 65535);
  return String.fromCharCode(
    total & 0xff,
    (total >>> 8) & 0xff,
    (total >>> 16) & 0xff,
    total >>> 24,
    count & 0xff,
    count >> 8,
  ) + body + "\xff";
}
