/**
 * The compact form of small sorted sets (Redis's `listpack` encoding): every element in one flat
 * one-byte string, in order (score, then member), each as the member's length prefix and bytes
 * (packed.ts) followed by the score as 8 bytes (an IEEE double, little-endian). Scores of zero
 * are stored as +0, as Redis's listpack stores them.
 *
 * These are plain functions over the packed string; `zset.ts` keeps the string and its count.
 */
import { type EntrySpan, flat, packEntry, readEntry } from "./packed.ts";
import { type Bound, pastBound } from "./zset_bounds.ts";

const SCORE_BYTES = 8;
const f64 = new Float64Array(1);
const bytes = new Uint8Array(f64.buffer);

/** The score stored at offset `at`. */
export function readScore(packed: string, at: number): number {
  for (let i = 0; i < SCORE_BYTES; i++) bytes[i] = packed.charCodeAt(at + i);
  return f64[0];
}

/** A score as its 8 stored bytes. */
export function scoreBytes(score: number): string {
  f64[0] = score === 0 ? 0 : score;
  return String.fromCharCode(
    bytes[0],
    bytes[1],
    bytes[2],
    bytes[3],
    bytes[4],
    bytes[5],
    bytes[6],
    bytes[7],
  );
}

/** An element as packed text. */
export function packElement(member: string, score: number): string {
  return packEntry(member) + scoreBytes(score);
}

/** Compares the member stored in `packed[start, end)` with `member`, as memcmp then length. */
export function compareMember(packed: string, start: number, end: number, member: string): number {
  const n = Math.min(end - start, member.length);
  for (let i = 0; i < n; i++) {
    const d = packed.charCodeAt(start + i) - member.charCodeAt(i);
    if (d !== 0) return d;
  }
  return end - start - member.length;
}

/**
 * Walks the elements: `fn` gets each one's index, score and offset, with its member bounds in
 * `span`, and returns false to stop.
 */
export function walk(
  packed: string,
  span: EntrySpan,
  fn: (index: number, score: number, offset: number) => boolean,
): void {
  let at = 0;
  let index = 0;
  while (at < packed.length) {
    const start = at;
    at = readEntry(packed, at, span) + SCORE_BYTES;
    if (!fn(index++, readScore(packed, span.end), start)) return;
  }
}

/** Offset of the element holding `member` (`span` gets its member bounds), or -1. */
export function findMember(packed: string, member: string, span: EntrySpan): number {
  const n = member.length;
  let at = 0;
  while (at < packed.length) {
    const start = at;
    at = readEntry(packed, at, span);
    if (span.end - span.start === n && packed.startsWith(member, span.start)) return start;
    at += SCORE_BYTES;
  }
  return -1;
}

/** Where the element after `at`'s element starts (`span` gets `at`'s member bounds). */
export function elementEnd(packed: string, at: number, span: EntrySpan): number {
  return readEntry(packed, at, span) + SCORE_BYTES;
}

/** `packed` with (score, member) inserted in order; the member must not be present. */
export function insertElement(packed: string, score: number, member: string): string {
  const span: EntrySpan = { start: 0, end: 0 };
  const stored = score === 0 ? 0 : score;
  let at = 0;
  while (at < packed.length) {
    const next = readEntry(packed, at, span) + SCORE_BYTES;
    const s = readScore(packed, span.end);
    if (s > stored || (s === stored && compareMember(packed, span.start, span.end, member) > 0)) {
      break;
    }
    at = next;
  }
  const element = packElement(member, stored);
  if (at === packed.length) return flat(packed + element);
  return flat(packed.slice(0, at) + element + packed.slice(at));
}

/** The index of the first element past `bound` (the count when none is). */
export function firstPast(packed: string, bound: Bound): number {
  const span: EntrySpan = { start: 0, end: 0 };
  let found = -1;
  let seen = 0;
  const needsMember = bound.lex && bound.infinite === 0;
  walk(packed, span, (index, score) => {
    let past: boolean;
    if (needsMember) {
      const cmp = compareMember(packed, span.start, span.end, bound.member);
      past = bound.strict ? cmp > 0 : cmp >= 0;
    } else {
      past = pastBound(bound, score, "");
    }
    if (!past) {
      seen = index + 1;
      return true;
    }
    found = index;
    return false;
  });
  return found >= 0 ? found : seen;
}
