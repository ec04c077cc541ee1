/**
 * The order of a big sorted set: an order-statistic B+ tree of (score, member) pairs, sorted by
 * score and then by member bytes (JavaScript compares one-byte strings as memcmp does). It does
 * what Redis's skip list does (insert, delete, rank, element at a rank, first element past a
 * bound, walks in both directions) in O(log n), with far fewer objects: the elements live in
 * leaves of up to {@linkcode LEAF_MAX} members (a string array) and scores (a Float64Array), and
 * inner nodes keep each child's element count, so a rank is a sum along one path.
 *
 * Inner nodes keep, for each child after the first, a lower bound of its elements (`sep`): every
 * element of child i is >= sep[i], and every element of child i-1 is < sep[i]. Bounds are set
 * when nodes split, merge or share elements, and stay valid when elements are deleted.
 *
 * A tree whose searches keep meeting equal scores (a leaderboard) is keyed: beside each score and
 * bound it keeps a number made of six chars of the member past the prefix all members share, and
 * ties compare those numbers before the strings (each string read is a cache miss in a big set).
 *
 * The tree does not know which members it holds: the sorted set's member -> score map does,
 * and callers only insert absent members and delete present ones.
 */

import { flat } from "./packed.ts";

export const LEAF_MAX = 128;
const LEAF_MIN = LEAF_MAX / 4;
const INNER_MAX = 64;
const INNER_MIN = INNER_MAX / 4;

export class Leaf {
  readonly members: string[] = new Array(LEAF_MAX);
  readonly scores = new Float64Array(LEAF_MAX);
  /** Each member's order key (see {@linkcode memberKey}) once the tree is keyed, else null. */
  keys: Float64Array | null;
  n = 0;
  next: Leaf | null = null;
  prev: Leaf | null = null;

  constructor(keyed: boolean) {
    this.keys = keyed ? new Float64Array(LEAF_MAX) : null;
  }
}

class Inner {
  readonly children: Node[] = [];
  /** Elements under each child. */
  readonly sizes: number[] = [];
  /** Lower bound of child i (i >= 1): score and member. */
  readonly sepScores = new Float64Array(INNER_MAX + 1);
  /** The bounds' order keys; all 0 (so the members decide) while the tree is not keyed. */
  readonly sepKeys = new Float64Array(INNER_MAX + 1);
  readonly sepMembers: string[] = new Array(INNER_MAX + 1);
}

type Node = Leaf | Inner;

/** A test on elements that is false up to some point in the order and true from there on. */
export type Bound = (score: number, member: string) => boolean;

/**
 * Comparisons without keys that found equal scores since the current insert began: what an
 * unkeyed tree's #considerKeys weighs (a keyed tree counts nothing). Set to 0 by each insert, so
 * it stays a small integer: a count past 2^30 would not be one to V8, and every increment would
 * allocate.
 */
let scoreTies = 0;

/**
 * a < b in the order (score, then member). In a keyed tree, members are compared by their order
 * keys first (numbers beside the scores), so equal scores read a member's string only when the
 * keys are equal too; elsewhere keys are all 0 and the strings decide.
 */
function less(s1: number, k1: number, m1: string, s2: number, k2: number, m2: string): boolean {
  return s1 < s2 || (s1 === s2 && tieLess(k1, m1, k2, m2));
}

/** a < b for two elements of equal scores, by their keys, then (keys equal) their strings. */
function tieLess(k1: number, m1: string, k2: number, m2: string): boolean {
  return k1 < k2 || (k1 === k2 && m1 < m2);
}

/**
 * {@linkcode tieLess} where there are no keys to compare (an unkeyed tree): the strings decide,
 * and the tie is counted in {@linkcode scoreTies}.
 */
function keylessTieLess(m1: string, m2: string): boolean {
  scoreTies++;
  return m1 < m2;
}

/**
 * Inserts between checks of whether a tree should be keyed, and the equal scores per insert
 * that make it so. A leaderboard (scores of small integers, thousands of members on each) meets
 * about 20 per search; random scores almost none.
 */
const KEY_CHECK_INSERTS = 256;
const KEY_TIES_PER_INSERT = 4;
/** Smaller trees are not keyed: their searches are short, and a key column would not pay. */
const MIN_KEYED_SIZE = 256;

/** Bytes of a member after the shared prefix that its order key holds. */
const KEY_BYTES = 6;
/**
 * A tree whose prefix shrinks more often than this while holding more than
 * {@linkcode FREE_REKEY_SIZE} members drops it altogether, so rekeying costs O(n) a few times
 * at most.
 */
const MAX_REKEYS = 2;
const FREE_REKEY_SIZE = 1024;
/** A longer shared prefix is kept at this length (keys then tie more often, and strings decide). */
const MAX_PREFIX = 64;

/**
 * The order key of `member`: its {@linkcode KEY_BYTES} chars from `from` (past the tree's shared
 * prefix) as a base-258 number: a string's end is 0 and a byte b is b + 1, so a shorter string
 * sorts first. A char above 255 (never in a stored member, which is one byte per char) is 257
 * and ends the key, so such members tie and their strings decide. For members sharing the first
 * `from` chars, a smaller key means a smaller member. 258^6 is below 2^53: the number is exact.
 */
export function memberKey(member: string, from: number): number {
  let key = 0;
  const end = from + KEY_BYTES;
  const length = member.length;
  for (let i = from; i < end; i++) {
    const code = i < length ? member.charCodeAt(i) : -1;
    if (code > 255) {
      key = key * 258 + 257;
      for (i++; i < end; i++) key *= 258;
      return key;
    }
    key = key * 258 + code + 1;
  }
  return key;
}

/** How many leading chars `a` and `b` share. */
function sharedLength(a: string, b: string): number {
  const most = Math.min(a.length, b.length);
  let i = 0;
  while (i < most && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

export class ScoreTree {
  #root: Node = new Leaf(false);
  #size = 0;
  /**
   * Whether members carry order keys. A tree starts without (they cost a column per leaf to
   * move on every insert and delete) and is keyed when its searches keep meeting equal scores,
   * where each member string read is a cache miss the keys avoid.
   */
  #keyed = false;
  /** What every member starts with, once keyed: order keys start past it. */
  #prefix = "";
  #rekeys = 0;
  #insertsSinceCheck = 0;
  #tiesSinceCheck = 0;
  /** Set by {@linkcode leafAt}: the position in the returned leaf. */
  pos = 0;

  /** Whether members carry order keys (a key column in every leaf: memory accounting). */
  get keyed(): boolean {
    return this.#keyed;
  }

  get size(): number {
    return this.#size;
  }

  /** Builds a tree from elements already in order (no duplicates), filling leaves densely. */
  static fromSorted(members: readonly string[], scores: ArrayLike<number>): ScoreTree {
    const tree = new ScoreTree();
    const count = members.length;
    if (count === 0) return tree;
    // Keyed when the elements' scores are mostly shared, as the searches would find.
    let equal = 0;
    for (let i = 1; i < count; i++) if (scores[i] === scores[i - 1]) equal++;
    const keyed = count > MIN_KEYED_SIZE && equal * 2 > count;
    const shared = keyed ? sharedPrefixLength(members) : 0;
    if (keyed) {
      tree.#keyed = true;
      tree.#prefix = flatPrefix(members[0], shared);
    }
    const fill = Math.max(LEAF_MIN, Math.floor(LEAF_MAX * 0.75));
    const leaves: Leaf[] = [];
    let prev: Leaf | null = null;
    for (let at = 0; at < count;) {
      const leaf = new Leaf(keyed);
      // Spread the last two leaves evenly, so none ends up below the minimum.
      let take = Math.min(fill, count - at);
      if (count - at - take > 0 && count - at - take < LEAF_MIN) {
        take = Math.ceil((count - at) / 2);
      }
      for (let i = 0; i < take; i++) {
        leaf.members[i] = members[at + i];
        leaf.scores[i] = scores[at + i];
        if (keyed) leaf.keys![i] = memberKey(members[at + i], shared);
      }
      leaf.n = take;
      at += take;
      leaf.prev = prev;
      if (prev !== null) prev.next = leaf;
      prev = leaf;
      leaves.push(leaf);
    }
    let level: Node[] = leaves;
    let sizes = leaves.map((leaf) => leaf.n);
    while (level.length > 1) {
      const parents: Node[] = [];
      const parentSizes: number[] = [];
      const innerFill = Math.floor(INNER_MAX * 0.75);
      for (let at = 0; at < level.length;) {
        let take = Math.min(innerFill, level.length - at);
        if (level.length - at - take > 0 && level.length - at - take < INNER_MIN) {
          take = Math.ceil((level.length - at) / 2);
        }
        const inner = new Inner();
        let total = 0;
        for (let i = 0; i < take; i++) {
          const child = level[at + i];
          inner.children.push(child);
          inner.sizes.push(sizes[at + i]);
          total += sizes[at + i];
          if (i > 0) setFirst(inner, i, child);
        }
        parents.push(inner);
        parentSizes.push(total);
        at += take;
      }
      level = parents;
      sizes = parentSizes;
    }
    tree.#root = level[0];
    tree.#size = count;
    return tree;
  }

  /** Adds an element that is not in the tree. */
  insert(score: number, member: string): void {
    let key = 0;
    if (this.#keyed) {
      if (!member.startsWith(this.#prefix)) this.#shrinkPrefix(member);
      key = memberKey(member, this.#prefix.length);
    }
    scoreTies = 0;
    const split = this.#insert(this.#root, score, key, member);
    this.#size++;
    if (!this.#keyed) {
      this.#tiesSinceCheck += scoreTies;
      if (++this.#insertsSinceCheck === KEY_CHECK_INSERTS) this.#considerKeys();
    }
    if (split !== null) {
      const root = new Inner();
      root.children.push(this.#root, split);
      root.sizes.push(sizeOf(this.#root), sizeOf(split));
      setFirst(root, 1, split);
      this.#root = root;
    }
  }

  /** Removes an element; returns whether it was there. */
  delete(score: number, member: string): boolean {
    const key = this.#keyOfPresent(member);
    if (key < 0 || !this.#delete(this.#root, score, key, member)) return false;
    this.#size--;
    const root = this.#root;
    if (root instanceof Inner && root.children.length === 1) this.#root = root.children[0];
    return true;
  }

  /** The rank (0-based position) of an element, or -1 when it is not in the tree. */
  rank(score: number, member: string): number {
    const key = this.#keyOfPresent(member);
    if (key < 0) return -1;
    let node = this.#root;
    let rank = 0;
    while (node instanceof Inner) {
      const i = childFor(node, score, key, member);
      for (let c = 0; c < i; c++) rank += node.sizes[c];
      node = node.children[i];
    }
    const at = leafSearch(node, score, key, member);
    if (at >= node.n || node.scores[at] !== score || node.members[at] !== member) return -1;
    return rank + at;
  }

  /**
   * The leaf holding the element at `rank` (0 <= rank < size); {@linkcode pos} is set to its
   * position there. Walk on with `next`/`prev`.
   */
  leafAt(rank: number): Leaf {
    let node = this.#root;
    while (node instanceof Inner) {
      let i = 0;
      while (rank >= node.sizes[i]) rank -= node.sizes[i++];
      node = node.children[i];
    }
    this.pos = rank;
    return node;
  }

  /** The member at `rank` (0 <= rank < size). */
  memberAt(rank: number): string {
    const leaf = this.leafAt(rank);
    return leaf.members[this.pos];
  }

  /** The score at `rank` (0 <= rank < size). */
  scoreAt(rank: number): number {
    const leaf = this.leafAt(rank);
    return leaf.scores[this.pos];
  }

  /**
   * The rank of the first element for which `bound` holds (`size` when none does). `bound` must
   * be false for a prefix of the order and true after it (score >= min, member > x, ...).
   */
  firstRank(bound: Bound): number {
    let node = this.#root;
    let rank = 0;
    while (node instanceof Inner) {
      // The last child whose lower bound fails: every child before it fails entirely.
      let low = 1;
      let high = node.children.length - 1;
      let pick = 0;
      while (low <= high) {
        const mid = (low + high) >>> 1;
        if (bound(node.sepScores[mid], node.sepMembers[mid])) high = mid - 1;
        else {
          pick = mid;
          low = mid + 1;
        }
      }
      for (let c = 0; c < pick; c++) rank += node.sizes[c];
      node = node.children[pick];
    }
    let low = 0;
    let high = node.n;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (bound(node.scores[mid], node.members[mid])) high = mid;
      else low = mid + 1;
    }
    return rank + low;
  }

  /**
   * Calls `fn` for the elements of ranks [start, stop] (inclusive), in order, or from `stop`
   * down to `start` when `reverse`; stops early when `fn` returns false.
   */
  forRange(
    start: number,
    stop: number,
    reverse: boolean,
    fn: (member: string, score: number) => boolean | void,
  ): void {
    if (start > stop) return;
    let leaf: Leaf | null = this.leafAt(reverse ? stop : start);
    let at = this.pos;
    let left = stop - start + 1;
    while (leaf !== null && left > 0) {
      if (fn(leaf.members[at], leaf.scores[at]) === false) return;
      left--;
      if (reverse) {
        if (--at < 0) {
          leaf = leaf.prev;
          if (leaf !== null) at = leaf.n - 1;
        }
      } else if (++at >= leaf.n) {
        leaf = leaf.next;
        at = 0;
      }
    }
  }

  /**
   * The order key of a member that may be in the tree (0 while not keyed); -1 when it cannot be
   * (it lacks the prefix every member has).
   */
  #keyOfPresent(member: string): number {
    if (!this.#keyed) return 0;
    const prefix = this.#prefix;
    if (!member.startsWith(prefix)) return -1;
    return memberKey(member, prefix.length);
  }

  /** Keys the tree when the last inserts' searches met equal scores often enough. */
  #considerKeys(): void {
    const ties = this.#tiesSinceCheck;
    this.#insertsSinceCheck = 0;
    this.#tiesSinceCheck = 0;
    if (ties < KEY_CHECK_INSERTS * KEY_TIES_PER_INSERT || this.#size < MIN_KEYED_SIZE) return;
    // Once, in O(n): the members' shared prefix, then a key column in every leaf.
    const members: string[] = [];
    this.forRange(0, this.#size - 1, false, (member) => void members.push(member));
    const shared = sharedPrefixLength(members);
    this.#keyed = true;
    this.#prefix = flatPrefix(members[0], shared);
    rekey(this.#root, shared);
  }

  /**
   * A member without the shared prefix is coming: the prefix becomes what they share and every
   * key is computed again (in O(n), which {@linkcode MAX_REKEYS} bounds for big trees).
   */
  #shrinkPrefix(member: string): void {
    const prefix = this.#prefix;
    let shared = sharedLength(prefix, member);
    if (this.#size > FREE_REKEY_SIZE && ++this.#rekeys > MAX_REKEYS) shared = 0;
    this.#prefix = flatPrefix(prefix, shared);
    rekey(this.#root, shared);
  }

  #insert(node: Node, score: number, key: number, member: string): Node | null {
    if (node instanceof Leaf) return leafInsert(node, score, key, member);
    const i = childFor(node, score, key, member);
    node.sizes[i]++;
    const split = this.#insert(node.children[i], score, key, member);
    if (split === null) return null;
    const moved = sizeOf(split);
    node.sizes[i] -= moved;
    node.children.splice(i + 1, 0, split);
    node.sizes.splice(i + 1, 0, moved);
    shiftSeps(node, i + 1, 1);
    setFirst(node, i + 1, split);
    return node.children.length > INNER_MAX ? splitInner(node) : null;
  }

  #delete(node: Node, score: number, key: number, member: string): boolean {
    if (node instanceof Leaf) {
      const at = leafSearch(node, score, key, member);
      if (at >= node.n || node.scores[at] !== score || node.members[at] !== member) return false;
      removeFromLeaf(node, at, 1);
      return true;
    }
    const i = childFor(node, score, key, member);
    if (!this.#delete(node.children[i], score, key, member)) return false;
    node.sizes[i]--;
    const child = node.children[i];
    const small = child instanceof Leaf ? child.n < LEAF_MIN : child.children.length < INNER_MIN;
    if (small && node.children.length > 1) rebalance(node, i);
    return true;
  }
}

/** The first `length` chars of `text` as a flat string of their own (not a slice of `text`). */
function flatPrefix(text: string, length: number): string {
  // A sliced string would keep all of `text` alive; a char-by-char copy keeps the prefix only
  // (a rope of chars, flattened as packed forms flatten theirs).
  let prefix = "";
  for (let i = 0; i < length; i++) prefix += text[i];
  return flat(prefix);
}

/** The order key of `leaf`'s element `i` (0 while the tree is not keyed). */
function keyAt(leaf: Leaf, i: number): number {
  return leaf.keys === null ? 0 : leaf.keys[i];
}

/** How many leading chars all of `members` share (at most {@linkcode MAX_PREFIX}). */
function sharedPrefixLength(members: readonly string[]): number {
  let shared = Math.min(members[0].length, MAX_PREFIX);
  for (let i = 1; i < members.length && shared > 0; i++) {
    shared = Math.min(shared, sharedLength(members[0], members[i]));
  }
  return shared;
}

/** Computes every order key under `node` again (giving leaves a key column), past `from`. */
function rekey(node: Node, from: number): void {
  if (node instanceof Leaf) {
    const keys = node.keys ??= new Float64Array(LEAF_MAX);
    for (let i = 0; i < node.n; i++) keys[i] = memberKey(node.members[i], from);
    return;
  }
  for (let c = 0; c < node.children.length; c++) {
    if (c > 0) node.sepKeys[c] = memberKey(node.sepMembers[c], from);
    rekey(node.children[c], from);
  }
}

/** Bound `from` of `source` becomes bound `to` of `target` (its score, key and member). */
function copyBound(target: Inner, to: number, source: Inner, from: number): void {
  target.sepScores[to] = source.sepScores[from];
  target.sepKeys[to] = source.sepKeys[from];
  target.sepMembers[to] = source.sepMembers[from];
}

function sizeOf(node: Node): number {
  if (node instanceof Leaf) return node.n;
  let total = 0;
  for (const size of node.sizes) total += size;
  return total;
}

/** Sets the lower bound of `inner`'s child `i` to the first element under `child`. */
function setFirst(inner: Inner, i: number, child: Node): void {
  let node = child;
  while (node instanceof Inner) {
    // The first child's own lower bound is the one its parent keeps, so descend the left edge.
    node = node.children[0];
  }
  inner.sepScores[i] = node.scores[0];
  inner.sepKeys[i] = keyAt(node, 0);
  inner.sepMembers[i] = node.members[0];
}

/** Moves the bounds from index `from` on by `by` places (positive: right, negative: left). */
function shiftSeps(inner: Inner, from: number, by: number): void {
  const count = inner.children.length;
  if (by > 0) {
    for (let i = count - 1; i >= from + by; i--) {
      copyBound(inner, i, inner, i - by);
    }
  } else {
    for (let i = from; i < count; i++) {
      copyBound(inner, i, inner, i - by);
    }
    for (let i = count; i < count - by && i <= INNER_MAX; i++) {
      inner.sepMembers[i] = undefined as unknown as string;
    }
  }
}

/** The child of `inner` whose range holds (score, member). */
function childFor(inner: Inner, score: number, key: number, member: string): number {
  let low = 1;
  let high = inner.children.length - 1;
  let pick = 0;
  const sepScores = inner.sepScores;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const sep = sepScores[mid];
    // The keys and the member are read on equal scores only, as in the leaves; the bounds' keys
    // not at all when the searched member has none to compare (an unkeyed tree).
    if (
      score < sep ||
      (score === sep &&
        (key === 0
          ? keylessTieLess(member, inner.sepMembers[mid])
          : tieLess(key, member, inner.sepKeys[mid], inner.sepMembers[mid])))
    ) {
      high = mid - 1;
    } else {
      pick = mid;
      low = mid + 1;
    }
  }
  return pick;
}

/** Position of the first element of `leaf` not below (score, member). */
function leafSearch(leaf: Leaf, score: number, key: number, member: string): number {
  let low = 0;
  let high = leaf.n;
  const scores = leaf.scores;
  const keys = leaf.keys;
  const members = leaf.members;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const at = scores[mid];
    // Unlike less(), reads the key column and the member only on equal scores.
    if (
      at < score ||
      (at === score &&
        (keys === null
          ? keylessTieLess(members[mid], member)
          : tieLess(keys[mid], members[mid], key, member)))
    ) {
      low = mid + 1;
    } else high = mid;
  }
  return low;
}

function leafInsert(leaf: Leaf, score: number, key: number, member: string): Leaf | null {
  if (leaf.n === LEAF_MAX) {
    // Appending past the last element (ascending loads, log replay): keep this leaf full.
    const last = leaf.n - 1;
    const appending = leaf.next === null &&
      less(leaf.scores[last], keyAt(leaf, last), leaf.members[last], score, key, member);
    const right = splitLeaf(leaf, appending ? leaf.n : leaf.n >> 1);
    const into =
      right.n > 0 && less(score, key, member, right.scores[0], keyAt(right, 0), right.members[0])
        ? leaf
        : right;
    leafInsert(into, score, key, member);
    return right;
  }
  const at = leafSearch(leaf, score, key, member);
  const n = leaf.n;
  if (at < n) {
    leaf.scores.copyWithin(at + 1, at, n);
    leaf.keys?.copyWithin(at + 1, at, n);
    const members = leaf.members;
    for (let i = n; i > at; i--) members[i] = members[i - 1];
  }
  leaf.scores[at] = score;
  if (leaf.keys !== null) leaf.keys[at] = key;
  leaf.members[at] = member;
  leaf.n = n + 1;
  return null;
}

/** Moves the elements from `half` on into a new leaf linked after `leaf`. */
function splitLeaf(leaf: Leaf, half: number): Leaf {
  const right = new Leaf(leaf.keys !== null);
  const moved = leaf.n - half;
  right.scores.set(leaf.scores.subarray(half, leaf.n));
  right.keys?.set(leaf.keys!.subarray(half, leaf.n));
  for (let i = 0; i < moved; i++) {
    right.members[i] = leaf.members[half + i];
    leaf.members[half + i] = undefined as unknown as string;
  }
  right.n = moved;
  leaf.n = half;
  right.next = leaf.next;
  if (right.next !== null) right.next.prev = right;
  right.prev = leaf;
  leaf.next = right;
  return right;
}

function splitInner(inner: Inner): Inner {
  const right = new Inner();
  const half = inner.children.length >> 1;
  const count = inner.children.length;
  for (let i = half; i < count; i++) {
    right.children.push(inner.children[i]);
    right.sizes.push(inner.sizes[i]);
    if (i > half) {
      copyBound(right, i - half, inner, i);
    }
    inner.sepMembers[i] = undefined as unknown as string;
  }
  inner.children.length = half;
  inner.sizes.length = half;
  return right;
}

function removeFromLeaf(leaf: Leaf, at: number, count: number): void {
  const n = leaf.n;
  leaf.scores.copyWithin(at, at + count, n);
  leaf.keys?.copyWithin(at, at + count, n);
  const members = leaf.members;
  for (let i = at; i < n - count; i++) members[i] = members[i + count];
  for (let i = n - count; i < n; i++) members[i] = undefined as unknown as string;
  leaf.n = n - count;
}

/** Child `i` of `parent` is below its minimum: merge it with a neighbour or share elements. */
function rebalance(parent: Inner, i: number): void {
  const j = i > 0 ? i - 1 : i; // the left one of the pair
  const left = parent.children[j];
  const right = parent.children[j + 1];
  if (left instanceof Leaf) {
    const r = right as Leaf;
    if (left.n + r.n <= LEAF_MAX) {
      mergeLeaves(left, r);
      parent.sizes[j] += parent.sizes[j + 1];
      removeChild(parent, j + 1);
    } else {
      shareLeaves(left, r);
      parent.sizes[j] = left.n;
      parent.sizes[j + 1] = r.n;
      setFirst(parent, j + 1, r);
    }
    return;
  }
  const r = right as Inner;
  if (left.children.length + r.children.length <= INNER_MAX) {
    // The right node's first child takes the bound the parent kept for it.
    const base = left.children.length;
    copyBound(left, base, parent, j + 1);
    for (let c = 0; c < r.children.length; c++) {
      left.children.push(r.children[c]);
      left.sizes.push(r.sizes[c]);
      if (c > 0) {
        copyBound(left, base + c, r, c);
      }
    }
    parent.sizes[j] += parent.sizes[j + 1];
    removeChild(parent, j + 1);
  } else {
    shareInners(parent, j, left, r);
  }
}

/** Removes child `i` (i >= 1) of `inner` with its bound. */
function removeChild(inner: Inner, i: number): void {
  shiftSeps(inner, i, -1);
  inner.children.splice(i, 1);
  inner.sizes.splice(i, 1);
}

function mergeLeaves(left: Leaf, right: Leaf): void {
  left.scores.set(right.scores.subarray(0, right.n), left.n);
  left.keys?.set(right.keys!.subarray(0, right.n), left.n);
  for (let i = 0; i < right.n; i++) left.members[left.n + i] = right.members[i];
  left.n += right.n;
  left.next = right.next;
  if (left.next !== null) left.next.prev = left;
}

/** Evens out two neighbouring leaves that together hold more than one leaf can. */
function shareLeaves(left: Leaf, right: Leaf): void {
  const total = left.n + right.n;
  const target = total >> 1;
  if (left.n > target) {
    const moved = left.n - target;
    right.scores.copyWithin(moved, 0, right.n);
    right.keys?.copyWithin(moved, 0, right.n);
    for (let i = right.n - 1; i >= 0; i--) right.members[i + moved] = right.members[i];
    right.scores.set(left.scores.subarray(target, left.n), 0);
    right.keys?.set(left.keys!.subarray(target, left.n), 0);
    for (let i = 0; i < moved; i++) {
      right.members[i] = left.members[target + i];
      left.members[target + i] = undefined as unknown as string;
    }
    left.n = target;
    right.n += moved;
  } else {
    const moved = target - left.n;
    left.scores.set(right.scores.subarray(0, moved), left.n);
    left.keys?.set(right.keys!.subarray(0, moved), left.n);
    for (let i = 0; i < moved; i++) left.members[left.n + i] = right.members[i];
    left.n = target;
    removeFromLeaf(right, 0, moved);
  }
}

/** Evens out two neighbouring inner nodes, rotating bounds through the parent. */
function shareInners(parent: Inner, j: number, left: Inner, right: Inner): void {
  const total = left.children.length + right.children.length;
  const target = total >> 1;
  if (left.children.length > target) {
    const moved = left.children.length - target;
    const oldRightCount = right.children.length;
    // Make room at the front of the right node; its old first child gets the parent's bound.
    for (let c = oldRightCount - 1; c >= 1; c--) {
      copyBound(right, c + moved, right, c);
    }
    copyBound(right, moved, parent, j + 1);
    for (let c = 1; c < moved; c++) {
      copyBound(right, c, left, target + c);
    }
    copyBound(parent, j + 1, left, target);
    right.children.unshift(...left.children.splice(target, moved));
    right.sizes.unshift(...left.sizes.splice(target, moved));
    for (let c = target; c < target + moved; c++) {
      left.sepMembers[c] = undefined as unknown as string;
    }
  } else {
    const moved = target - left.children.length;
    const base = left.children.length;
    copyBound(left, base, parent, j + 1);
    for (let c = 1; c < moved; c++) {
      copyBound(left, base + c, right, c);
    }
    copyBound(parent, j + 1, right, moved);
    left.children.push(...right.children.splice(0, moved));
    left.sizes.push(...right.sizes.splice(0, moved));
    const count = right.children.length;
    for (let c = 1; c < count; c++) {
      copyBound(right, c, right, c + moved);
    }
    for (let c = count; c < count + moved; c++) {
      right.sepMembers[c] = undefined as unknown as string;
    }
  }
  let leftTotal = 0;
  for (const size of left.sizes) leftTotal += size;
  let rightTotal = 0;
  for (const size of right.sizes) rightTotal += size;
  parent.sizes[j] = leftTotal;
  parent.sizes[j + 1] = rightTotal;
}
