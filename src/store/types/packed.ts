/**
 * The compact form of small collections, as Redis's listpack: every entry packed into one flat
 * one-byte string, each entry a length (an LEB128 varint written as chars) followed by its
 * bytes. A small hash of ten 16-byte fields and values costs one ~360-byte string instead of ten
 * Map entries and twenty string objects.
 *
 * Packed strings are immutable: a change builds a new string from slices of the old one. V8
 * builds `a + b` as a rope (ConsString) of the pieces; {@linkcode flat} makes it one flat
 * string at once, so a stored packed string never keeps its pieces alive.
 */

/** Where the data of the entry read by {@linkcode readEntry} starts and ends. */
export interface EntrySpan {
  start: number;
  end: number;
}

/**
 * Reads the entry whose length prefix starts at `at`: fills `span` with its data's bounds and
 * returns where the next entry starts (`span.end`).
 */
export function readEntry(packed: string, at: number, span: EntrySpan): number {
  let length = packed.charCodeAt(at++);
  if (length >= 0x80) {
    length &= 0x7f;
    let scale = 0x80;
    while (true) {
      const byte = packed.charCodeAt(at++);
      length += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
    }
  }
  span.start = at;
  span.end = at + length;
  return span.end;
}

/** The length prefix of an entry of `length` bytes. */
export function lengthPrefix(length: number): string {
  if (length < 0x80) return String.fromCharCode(length);
  let prefix = "";
  while (length >= 0x80) {
    prefix += String.fromCharCode((length % 0x80) | 0x80);
    length = Math.floor(length / 0x80);
  }
  return prefix + String.fromCharCode(length);
}

/** One entry as packed text: prefix and bytes (a rope until flattened). */
export function packEntry(value: string): string {
  return lengthPrefix(value.length) + value;
}

/** Packs `values` into one flat string. */
export function packAll(values: readonly string[]): string {
  let packed = "";
  for (let i = 0; i < values.length; i++) packed += packEntry(values[i]);
  return flat(packed);
}

/**
 * `text` as one flat string. V8 flattens a rope in place when a search runs over it (and the
 * garbage collector then drops the rope's pieces); `startsWith` with a non-empty needle does.
 */
export function flat(text: string): string {
  text.startsWith("\0", 0);
  return text;
}

/** Index of the first entry (counting from 0) equal to `value`, or -1; `span` gets its bounds. */
export function findEntry(packed: string, value: string, span: EntrySpan, step = 1): number {
  const n = value.length;
  let at = 0;
  let index = 0;
  while (at < packed.length) {
    at = readEntry(packed, at, span);
    if (span.end - span.start === n && packed.startsWith(value, span.start)) return index;
    // Skip the entries that are not compared (the values of a field/value layout).
    for (let skip = 1; skip < step; skip++) at = readEntry(packed, at, span);
    index += step;
  }
  return -1;
}

/** Every entry of `packed`, in order, as strings. */
export function unpackAll(packed: string): string[] {
  const out: string[] = [];
  const span: EntrySpan = { start: 0, end: 0 };
  let at = 0;
  while (at < packed.length) {
    at = readEntry(packed, at, span);
    out.push(packed.slice(span.start, span.end));
  }
  return out;
}
