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
 * The tree does not know which members it holds: the sorted set's member -> score map does,
 * and callers only insert absent members and delete present ones.
 */

export const LEAF_MAX = 128;
const LEAF_MIN = LEAF_MAX / 4;
const INNER_MAX = 64;
const INNER_MIN = INNER_MAX / 4;

export class Leaf {
  readonly members: string[] = new Array(LEAF_MAX);
  readonly scores = new Float64Array(LEAF_MAX);
  n = 0;
  next: Leaf | null = null;
  prev: Leaf | null = null;
}

class Inner {
  readonly children: Node[] = [];
  /** Elements under each child. */
  readonly sizes: number[] = [];
  /** Lower bound of child i (i >= 1): score and member. */
  readonly sepScores = new Float64Array(INNER_MAX + 1);
  readonly sepMembers: string[] = new Array(INNER_MAX + 1);
}

type Node = Leaf | Inner;

/** A test on elements that is false up to some point in the order and true from there on. */
export type Bound = (score: number, member: string) => boolean;

/** a < b in the order (score, then member). */
function less(s1: number, m1: string, s2: number, m2: string): boolean {
  return s1 < s2 || (s1 === s2 && m1 < m2);
}

export class ScoreTree {
  #root: Node = new Leaf();
  #size = 0;
  /** Set by {@linkcode leafAt}: the position in the returned leaf. */
  pos = 0;

  get size(): number {
    return this.#size;
  }

  /** Builds a tree from elements already in order (no duplicates), filling leaves densely. */
  static fromSorted(members: readonly string[], scores: ArrayLike<number>): ScoreTree {
    const tree = new ScoreTree();
    const count = members.length;
    if (count === 0) return tree;
    const fill = Math.max(LEAF_MIN, Math.floor(LEAF_MAX * 0.75));
    const leaves: Leaf[] = [];
    let prev: Leaf | null = null;
    for (let at = 0; at < count;) {
      const leaf = new Leaf();
      // Spread the last two leaves evenly, so none ends up below the minimum.
      let take = Math.min(fill, count - at);
      if (count - at - take > 0 && count - at - take < LEAF_MIN) {
        take = Math.ceil((count - at) / 2);
      }
      for (let i = 0; i < take; i++) {
        leaf.members[i] = members[at + i];
        leaf.scores[i] = scores[at + i];
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
    const split = this.#insert(this.#root, score, member);
    this.#size++;
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
    if (!this.#delete(this.#root, score, member)) return false;
    this.#size--;
    const root = this.#root;
    if (root instanceof Inner && root.children.length === 1) this.#root = root.children[0];
    return true;
  }

  /** The rank (0-based position) of an element, or -1 when it is not in the tree. */
  rank(score: number, member: string): number {
    let node = this.#root;
    let rank = 0;
    while (node instanceof Inner) {
      const i = childFor(node, score, member);
      for (let c = 0; c < i; c++) rank += node.sizes[c];
      node = node.children[i];
    }
    const at = leafSearch(node, score, member);
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

  #insert(node: Node, score: number, member: string): Node | null {
    if (node instanceof Leaf) return leafInsert(node, score, member);
    const i = childFor(node, score, member);
    node.sizes[i]++;
    const split = this.#insert(node.children[i], score, member);
    if (split === null) return null;
    const moved = sizeOf(split);
    node.sizes[i] -= moved;
    node.children.splice(i + 1, 0, split);
    node.sizes.splice(i + 1, 0, moved);
    shiftSeps(node, i + 1, 1);
    setFirst(node, i + 1, split);
    return node.children.length > INNER_MAX ? splitInner(node) : null;
  }

  #delete(node: Node, score: number, member: string): boolean {
    if (node instanceof Leaf) {
      const at = leafSearch(node, score, member);
      if (at >= node.n || node.scores[at] !== score || node.members[at] !== member) return false;
      removeFromLeaf(node, at, 1);
      return true;
    }
    const i = childFor(node, score, member);
    if (!this.#delete(node.children[i], score, member)) return false;
    node.sizes[i]--;
    const child = node.children[i];
    const small = child instanceof Leaf ? child.n < LEAF_MIN : child.children.length < INNER_MIN;
    if (small && node.children.length > 1) rebalance(node, i);
    return true;
  }
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
  inner.sepMembers[i] = node.members[0];
}

/** Moves the bounds from index `from` on by `by` places (positive: right, negative: left). */
function shiftSeps(inner: Inner, from: number, by: number): void {
  const count = inner.children.length;
  if (by > 0) {
    for (let i = count - 1; i >= from + by; i--) {
      inner.sepScores[i] = inner.sepScores[i - by];
      inner.sepMembers[i] = inner.sepMembers[i - by];
    }
  } else {
    for (let i = from; i < count; i++) {
      inner.sepScores[i] = inner.sepScores[i - by];
      inner.sepMembers[i] = inner.sepMembers[i - by];
    }
    for (let i = count; i < count - by && i <= INNER_MAX; i++) {
      inner.sepMembers[i] = undefined as unknown as string;
    }
  }
}

/** The child of `inner` whose range holds (score, member). */
function childFor(inner: Inner, score: number, member: string): number {
  let low = 1;
  let high = inner.children.length - 1;
  let pick = 0;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (less(score, member, inner.sepScores[mid], inner.sepMembers[mid])) high = mid - 1;
    else {
      pick = mid;
      low = mid + 1;
    }
  }
  return pick;
}

/** Position of the first element of `leaf` not below (score, member). */
function leafSearch(leaf: Leaf, score: number, member: string): number {
  let low = 0;
  let high = leaf.n;
  const scores = leaf.scores;
  const members = leaf.members;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (less(scores[mid], members[mid], score, member)) low = mid + 1;
    else high = mid;
  }
  return low;
}

function leafInsert(leaf: Leaf, score: number, member: string): Leaf | null {
  if (leaf.n === LEAF_MAX) {
    // Appending past the last element (ascending loads, log replay): keep this leaf full.
    const appending = leaf.next === null &&
      less(leaf.scores[leaf.n - 1], leaf.members[leaf.n - 1], score, member);
    const right = splitLeaf(leaf, appending ? leaf.n : leaf.n >> 1);
    const into = right.n > 0 && less(score, member, right.scores[0], right.members[0])
      ? leaf
      : right;
    leafInsert(into, score, member);
    return right;
  }
  const at = leafSearch(leaf, score, member);
  const n = leaf.n;
  if (at < n) {
    leaf.scores.copyWithin(at + 1, at, n);
    const members = leaf.members;
    for (let i = n; i > at; i--) members[i] = members[i - 1];
  }
  leaf.scores[at] = score;
  leaf.members[at] = member;
  leaf.n = n + 1;
  return null;
}

/** Moves the elements from `half` on into a new leaf linked after `leaf`. */
function splitLeaf(leaf: Leaf, half: number): Leaf {
  const right = new Leaf();
  const moved = leaf.n - half;
  right.scores.set(leaf.scores.subarray(half, leaf.n));
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
      right.sepScores[i - half] = inner.sepScores[i];
      right.sepMembers[i - half] = inner.sepMembers[i];
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
      parent.sepScores[j + 1] = r.scores[0];
      parent.sepMembers[j + 1] = r.members[0];
    }
    return;
  }
  const r = right as Inner;
  if (left.children.length + r.children.length <= INNER_MAX) {
    // The right node's first child takes the bound the parent kept for it.
    const base = left.children.length;
    left.sepScores[base] = parent.sepScores[j + 1];
    left.sepMembers[base] = parent.sepMembers[j + 1];
    for (let c = 0; c < r.children.length; c++) {
      left.children.push(r.children[c]);
      left.sizes.push(r.sizes[c]);
      if (c > 0) {
        left.sepScores[base + c] = r.sepScores[c];
        left.sepMembers[base + c] = r.sepMembers[c];
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
    for (let i = right.n - 1; i >= 0; i--) right.members[i + moved] = right.members[i];
    right.scores.set(left.scores.subarray(target, left.n), 0);
    for (let i = 0; i < moved; i++) {
      right.members[i] = left.members[target + i];
      left.members[target + i] = undefined as unknown as string;
    }
    left.n = target;
    right.n += moved;
  } else {
    const moved = target - left.n;
    left.scores.set(right.scores.subarray(0, moved), left.n);
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
      right.sepScores[c + moved] = right.sepScores[c];
      right.sepMembers[c + moved] = right.sepMembers[c];
    }
    right.sepScores[moved] = parent.sepScores[j + 1];
    right.sepMembers[moved] = parent.sepMembers[j + 1];
    for (let c = 1; c < moved; c++) {
      right.sepScores[c] = left.sepScores[target + c];
      right.sepMembers[c] = left.sepMembers[target + c];
    }
    parent.sepScores[j + 1] = left.sepScores[target];
    parent.sepMembers[j + 1] = left.sepMembers[target];
    right.children.unshift(...left.children.splice(target, moved));
    right.sizes.unshift(...left.sizes.splice(target, moved));
    for (let c = target; c < target + moved; c++) {
      left.sepMembers[c] = undefined as unknown as string;
    }
  } else {
    const moved = target - left.children.length;
    const base = left.children.length;
    left.sepScores[base] = parent.sepScores[j + 1];
    left.sepMembers[base] = parent.sepMembers[j + 1];
    for (let c = 1; c < moved; c++) {
      left.sepScores[base + c] = right.sepScores[c];
      left.sepMembers[base + c] = right.sepMembers[c];
    }
    parent.sepScores[j + 1] = right.sepScores[moved];
    parent.sepMembers[j + 1] = right.sepMembers[moved];
    left.children.push(...right.children.splice(0, moved));
    left.sizes.push(...right.sizes.splice(0, moved));
    const count = right.children.length;
    for (let c = 1; c < count; c++) {
      right.sepScores[c] = right.sepScores[c + moved];
      right.sepMembers[c] = right.sepMembers[c + moved];
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
