/**
 * Sorted sets. Small ones are packed (OBJECT ENCODING `listpack`, zset_packed.ts): one flat
 * string in order. A sorted set converts to the big form (`skiplist`) once it would hold more
 * than `zset-max-listpack-entries` members or a member longer than `zset-max-listpack-value`
 * bytes, and stays converted. The big form is a member -> score map (for ZSCORE, ZSCAN) plus a
 * {@linkcode ScoreTree} for order, ranks and ranges.
 *
 * Ops (codes 50-59), each a Redis write a replica accepts: ZADD with absolute scores (50), ZREM
 * (51), ZREMRANGEBYRANK with resolved indexes (52), ZREMRANGEBYSCORE (53), ZREMRANGEBYLEX (54).
 * ZINCRBY and ZADD's GT/LT/INCR are written as ZADD of the resulting scores, the pops as ZREM of
 * the popped members, and the *STORE commands as a whole new value.
 */
import { type KeyMap, keyMapBytes, soleTable } from "../key_map.ts";
import type { CollectionType, OpSpec } from "../ops.ts";
import { type Collection, snapshotEpoch } from "../value.ts";
import { formatDouble } from "../../protocol/double_text.ts";
import { ChainedMap } from "./chained_map.ts";
import { encodingLimits } from "./limits.ts";
import { type EntrySpan, flat, readEntry } from "./packed.ts";
import { LEAF_MAX, ScoreTree } from "./score_tree.ts";
import { type Bound, parseLexRange, parseScoreRange, pastBound } from "./zset_bounds.ts";
import {
  ARRAY_BYTES,
  numberBytes,
  objectBytes,
  PACKED_STRING_EXTRA_BYTES,
  SLOT_BYTES,
  stringBytes,
  TYPED_ARRAY_BYTES,
} from "../../memory/costs.ts";
import {
  elementEnd,
  findMember,
  firstPast,
  insertElement,
  packElement,
  readScore,
  walk,
} from "./zset_packed.ts";

const span: EntrySpan = { start: 0, end: 0 };

/**
 * A leaf of the score tree (its object, member array and score array), with a share of the
 * inner nodes above it (about one per 48 leaves, each with bounds of scores, keys and members).
 */
const LEAF_BYTES = objectBytes(6) + 2 * (ARRAY_BYTES + LEAF_MAX * SLOT_BYTES) + TYPED_ARRAY_BYTES +
  45;
/** A keyed tree's leaf also has a column of order keys (see ScoreTree's keyed). */
const LEAF_KEYS_BYTES = TYPED_ARRAY_BYTES + LEAF_MAX * 8;
/** Elements per leaf on average: leaves fill to 75% when built and 50-100% as they split. */
const LEAF_FILL = 92;

/** Called for each element of a range walk; returning false stops the walk. */
export type ElementFn = (member: string, score: number) => boolean | void;

export class ZSetValue implements Collection {
  /** On the prototype, not in every object: a million small values save a field each. */
  get type(): "zset" {
    return "zset";
  }
  epoch = snapshotEpoch.current;
  /** Packed form (unused once big). */
  #packed = "";
  #count = 0;
  #scores: ChainedMap<number> | null = null;
  #tree: ScoreTree | null = null;
  /** The big form's member strings and boxed scores (the map and the tree share them). */
  #elementBytes = 0;

  get size(): number {
    return this.#tree === null ? this.#count : this.#tree.size;
  }

  encoding(): string {
    return this.#tree === null ? "listpack" : "skiplist";
  }

  memoryBytes(): number {
    const tree = this.#tree;
    if (tree === null) {
      return objectBytes(6) + stringBytes(this.#packed.length) + PACKED_STRING_EXTRA_BYTES;
    }
    // A function of the size (and of whether the tree is keyed), so a copy, whose tree is built
    // densely, costs about the same.
    const leaves = Math.ceil(tree.size / LEAF_FILL);
    let maps = objectBytes(2) + ARRAY_BYTES + SLOT_BYTES;
    for (const map of this.#scores!.maps) maps += keyMapBytes(map.size);
    const leafBytes = LEAF_BYTES + (tree.keyed ? LEAF_KEYS_BYTES : 0);
    return objectBytes(6) + maps + leaves * leafBytes + this.#elementBytes;
  }

  memberTable(): KeyMap<unknown> | null {
    return soleTable<unknown>(this.#scores?.maps);
  }

  /** The member -> score map of the big form (ZSCAN walks it), or null while packed. */
  get scoreMap(): ChainedMap<number> | null {
    return this.#scores;
  }

  /** Builds a sorted set from elements already in order, packed when the limits allow. */
  static fromSorted(members: readonly string[], scores: readonly number[]): ZSetValue {
    const zset = new ZSetValue();
    let packable = members.length <= encodingLimits.zsetMaxListpackEntries;
    for (let i = 0; packable && i < members.length; i++) {
      if (members[i].length > encodingLimits.zsetMaxListpackValue) packable = false;
    }
    if (packable) {
      let packed = "";
      for (let i = 0; i < members.length; i++) packed += packElement(members[i], scores[i]);
      zset.#packed = flat(packed);
      zset.#count = members.length;
      return zset;
    }
    zset.#makeBig(members, scores);
    return zset;
  }

  score(member: string): number | undefined {
    if (this.#scores !== null) return this.#scores.get(member);
    const at = findMember(this.#packed, member, span);
    return at < 0 ? undefined : readScore(this.#packed, span.end);
  }

  has(member: string): boolean {
    return this.score(member) !== undefined;
  }

  /** Gives `member` the score `score` (added when new); returns true when it was added. */
  set(member: string, score: number): boolean {
    const scores = this.#scores;
    if (scores !== null) {
      const old = scores.get(member);
      if (old === score) return false;
      const tree = this.#tree!;
      if (old === undefined) {
        tree.insert(score, member);
        scores.set(member, score);
      } else {
        tree.delete(old, member);
        // The tree takes the map's string back: the caller's (fresh off the wire for ZINCRBY)
        // would be a second copy of the member kept, and a new object stored in old arrays.
        tree.insert(score, scores.replace(member, score) ?? member);
      }
      this.#elementBytes += old === undefined
        ? stringBytes(member.length) + numberBytes(score)
        : numberBytes(score) - numberBytes(old);
      return old === undefined;
    }
    const packed = this.#packed;
    const at = findMember(packed, member, span);
    if (at >= 0) {
      if (readScore(packed, span.end) === score) return false;
      const end = elementEnd(packed, at, span);
      this.#packed = insertElement(packed.slice(0, at) + packed.slice(end), score, member);
      return false;
    }
    if (
      this.#count + 1 > encodingLimits.zsetMaxListpackEntries ||
      member.length > encodingLimits.zsetMaxListpackValue
    ) {
      this.#convert();
      return this.set(member, score);
    }
    this.#packed = insertElement(packed, score, member);
    this.#count++;
    return true;
  }

  /** Removes `member`; returns whether it was there. */
  delete(member: string): boolean {
    const scores = this.#scores;
    if (scores !== null) {
      const old = scores.get(member);
      if (old === undefined) return false;
      scores.delete(member);
      this.#tree!.delete(old, member);
      this.#elementBytes -= stringBytes(member.length) + numberBytes(old);
      return true;
    }
    const packed = this.#packed;
    const at = findMember(packed, member, span);
    if (at < 0) return false;
    const end = elementEnd(packed, at, span);
    this.#packed = flat(packed.slice(0, at) + packed.slice(end));
    this.#count--;
    return true;
  }

  /** The 0-based rank of `member` in ascending order, or -1 when absent. */
  rank(member: string): number {
    if (this.#tree !== null) {
      const score = this.#scores!.get(member);
      return score === undefined ? -1 : this.#tree.rank(score, member);
    }
    const packed = this.#packed;
    const n = member.length;
    let found = -1;
    walk(packed, span, (index) => {
      if (span.end - span.start !== n || !packed.startsWith(member, span.start)) return true;
      found = index;
      return false;
    });
    return found;
  }

  /** The rank of the first element past `bound` (the size when none is). */
  firstPast(bound: Bound): number {
    if (this.#tree !== null) {
      return this.#tree.firstRank((score, member) => pastBound(bound, score, member));
    }
    return firstPast(this.#packed, bound);
  }

  /** The member at `rank` (0 <= rank < size). */
  memberAt(rank: number): string {
    let member = "";
    this.forRange(rank, rank, false, (m) => {
      member = m;
    });
    return member;
  }

  /**
   * Calls `fn` for the elements of ranks [start, stop] (0 <= start, stop < size), ascending, or
   * from `stop` down to `start` when `reverse`; stops when `fn` returns false.
   */
  forRange(start: number, stop: number, reverse: boolean, fn: ElementFn): void {
    if (this.#tree !== null) return this.#tree.forRange(start, stop, reverse, fn);
    if (start > stop) return;
    const packed = this.#packed;
    if (!reverse) {
      walk(packed, span, (index, score) => {
        if (index < start) return true;
        if (fn(packed.slice(span.start, span.end), score) === false) return false;
        return index < stop;
      });
      return;
    }
    const offsets: number[] = [];
    walk(packed, span, (index, _score, offset) => {
      if (index >= start) offsets.push(offset);
      return index < stop;
    });
    for (let i = offsets.length - 1; i >= 0; i--) {
      readEntry(packed, offsets[i], span);
      if (fn(packed.slice(span.start, span.end), readScore(packed, span.end)) === false) return;
    }
  }

  /** Every element in ascending order, as two arrays. */
  elements(): [members: string[], scores: number[]] {
    const members: string[] = [];
    const scores: number[] = [];
    const size = this.size;
    if (size > 0) {
      this.forRange(0, size - 1, false, (member, score) => {
        members.push(member);
        scores.push(score);
      });
    }
    return [members, scores];
  }

  /**
   * Removes the elements of ranks [start, stop] (clamped to the set); returns them in order.
   * A big removal rebuilds the tree from what is left instead of deleting one by one.
   */
  removeRange(start: number, stop: number): [members: string[], scores: number[]] {
    const size = this.size;
    start = Math.max(0, start);
    stop = Math.min(size - 1, stop);
    const removed: [string[], number[]] = [[], []];
    if (start > stop) return removed;
    this.forRange(start, stop, false, (member, score) => {
      removed[0].push(member);
      removed[1].push(score);
    });
    const count = stop - start + 1;
    if (this.#tree !== null && count * 8 > size) {
      const [members, scores] = this.elements();
      members.splice(start, count);
      scores.splice(start, count);
      this.#makeBig(members, scores);
    } else {
      for (const member of removed[0]) this.delete(member);
    }
    return removed;
  }

  clone(): ZSetValue {
    const copy = new ZSetValue();
    if (this.#tree === null) {
      copy.#packed = this.#packed;
      copy.#count = this.#count;
    } else {
      const [members, scores] = this.elements();
      copy.#makeBig(members, scores);
      // Keep negative zeros as they are: elements() read them from the tree.
    }
    return copy;
  }

  #convert(): void {
    const [members, scores] = this.elements();
    this.#makeBig(members, scores);
    this.#packed = "";
    this.#count = 0;
  }

  #makeBig(members: readonly string[], scores: readonly number[]): void {
    const map = new ChainedMap<number>();
    let bytes = 0;
    for (let i = 0; i < members.length; i++) {
      map.set(members[i], scores[i]);
      bytes += stringBytes(members[i].length) + numberBytes(scores[i]);
    }
    this.#scores = map;
    this.#elementBytes = bytes;
    this.#tree = ScoreTree.fromSorted(members, scores);
  }
}

/** A score from op text: what `formatDouble` wrote (`inf`, `-inf`, `-0`, `1e+17`, ...). */
export function scoreFromText(text: string): number {
  if (text === "inf") return Infinity;
  if (text === "-inf") return -Infinity;
  return Number(text);
}

/** A score as op text, read back exactly by {@linkcode scoreFromText} and by Redis. */
export const scoreText: (score: number) => string = formatDouble;

function asZSet(value: Collection | undefined): ZSetValue {
  return value === undefined ? new ZSetValue() : value as ZSetValue;
}

/** Puts `members` back with `scores` (undo of a removal). */
function restoreAll(into: Collection, members: string[], scores: number[]): ZSetValue {
  const zset = into as ZSetValue;
  for (let i = 0; i < members.length; i++) zset.set(members[i], scores[i]);
  return zset;
}

/** Undo of a range removal: the removed elements, found before the op runs. */
function undoRange(
  select: (zset: ZSetValue) => [number, number],
): (current: Collection) => (after: Collection) => Collection {
  return (current) => {
    const zset = current as ZSetValue;
    const [start, stop] = select(zset);
    const members: string[] = [];
    const scores: number[] = [];
    if (start <= stop) {
      zset.forRange(start, stop, false, (member, score) => {
        members.push(member);
        scores.push(score);
      });
    }
    return (after) => restoreAll(after, members, scores);
  };
}

/** The ranks a score or lex range covers in `zset`: [start, stop], empty when start > stop. */
export function rangeRanks(
  zset: ZSetValue,
  range: { min: Bound; max: Bound; empty: boolean } | null,
): [number, number] {
  if (range === null || range.empty) return [0, -1];
  return [zset.firstPast(range.min), zset.firstPast(range.max) - 1];
}

const rankArgs = (zset: ZSetValue, args: readonly string[]): [number, number] => [
  Math.max(0, Number(args[0])),
  Math.min(zset.size - 1, Number(args[1])),
];
const scoreArgs = (zset: ZSetValue, args: readonly string[]) =>
  rangeRanks(zset, parseScoreRange(args[0], args[1]));
const lexArgs = (zset: ZSetValue, args: readonly string[]) =>
  rangeRanks(zset, parseLexRange(args[0], args[1]));

export const ZSetOp = {
  zadd: 50,
  zrem: 51,
  zremrangebyrank: 52,
  zremrangebyscore: 53,
  zremrangebylex: 54,
} as const;

function rangeOp(
  code: number,
  command: string,
  ranks: (zset: ZSetValue, args: readonly string[]) => [number, number],
): OpSpec {
  return {
    code,
    command,
    type: "zset",
    apply(current, args) {
      if (current === undefined) return undefined;
      const zset = current as ZSetValue;
      const [start, stop] = ranks(zset, args);
      zset.removeRange(start, stop);
      return zset;
    },
    undo: (current, args) => undoRange((zset) => ranks(zset, args))(current),
  };
}

export const ZSET_OPS: OpSpec[] = [
  {
    code: ZSetOp.zadd,
    command: "zadd",
    type: "zset",
    apply(current, args) {
      const zset = asZSet(current);
      for (let i = 0; i < args.length; i += 2) zset.set(args[i + 1], scoreFromText(args[i]));
      return zset;
    },
    undo(current, args) {
      const zset = current as ZSetValue;
      const before: (number | undefined)[] = [];
      for (let i = 0; i < args.length; i += 2) before.push(zset.score(args[i + 1]));
      return (after) => {
        const restored = after as ZSetValue;
        for (let i = before.length - 1; i >= 0; i--) {
          const old = before[i];
          if (old === undefined) restored.delete(args[i * 2 + 1]);
          else restored.set(args[i * 2 + 1], old);
        }
        return restored;
      };
    },
  },
  {
    code: ZSetOp.zrem,
    command: "zrem",
    type: "zset",
    apply(current, args) {
      if (current === undefined) return undefined;
      const zset = current as ZSetValue;
      for (let i = 0; i < args.length; i++) zset.delete(args[i]);
      return zset;
    },
    undo(current, args) {
      const zset = current as ZSetValue;
      const members: string[] = [];
      const scores: number[] = [];
      for (const member of args) {
        const score = zset.score(member);
        if (score === undefined || members.includes(member)) continue;
        members.push(member);
        scores.push(score);
      }
      return (after) => restoreAll(after, members, scores);
    },
  },
  rangeOp(ZSetOp.zremrangebyrank, "zremrangebyrank", rankArgs),
  rangeOp(ZSetOp.zremrangebyscore, "zremrangebyscore", scoreArgs),
  rangeOp(ZSetOp.zremrangebylex, "zremrangebylex", lexArgs),
];

export const ZSET_TYPE: CollectionType = {
  name: "zset",
  *buildOps(value, chunkBytes) {
    const zset = value as ZSetValue;
    let args: string[] = [];
    let bytes = 0;
    for (let rank = 0; rank < zset.size;) {
      // Read a bounded run of elements, then yield between runs (the walk cannot yield).
      const stop = Math.min(zset.size - 1, rank + 1023);
      const chunks: string[][] = [];
      zset.forRange(rank, stop, false, (member, score) => {
        const text = scoreText(score);
        args.push(text, member);
        bytes += text.length + member.length + 4;
        if (bytes >= chunkBytes) {
          chunks.push(args);
          args = [];
          bytes = 0;
        }
      });
      for (const chunk of chunks) yield [ZSetOp.zadd, chunk];
      rank = stop + 1;
    }
    if (args.length > 0) yield [ZSetOp.zadd, args];
  },
};
