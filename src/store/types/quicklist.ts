/**
 * The storage of lists, as Redis's quicklist: a sequence of nodes, each a byte buffer packing up
 * to `list-max-listpack-size` of elements. A node is a gap buffer (`head`..`tail` used, free
 * room on both sides), so pushes and pops at either end write in place, and an element costs
 * its bytes plus two length bytes instead of a string object and an array slot.
 *
 * An entry is `prefix, data, suffix`; the suffix mirrors the prefix so entries can be read from
 * either end. Lengths below 0x80 take one byte each side; longer ones are the marker 0x80 plus a
 * 32-bit little-endian length (before the marker at the end).
 */
import { type Latin1Buffer, latin1View, sliceLatin1, writeLatin1 } from "../../protocol/latin1.ts";
import { encodingLimits, listNodeBytes } from "./limits.ts";
import { arrayBytes, objectBytes, TYPED_ARRAY_BYTES } from "../../memory/costs.ts";

const BIG = 0x80;
/** Smallest buffer given to a new node (V8 keeps typed arrays up to 64 bytes on its heap). */
const MIN_CAPACITY = 64;

export class ListNode {
  buf: Uint8Array;
  head: number;
  tail: number;
  count = 0;
  #view: Latin1Buffer | null = null;

  constructor(capacity: number, atEnd: boolean) {
    this.buf = new Uint8Array(capacity);
    this.head = this.tail = atEnd ? capacity : 0;
  }

  get used(): number {
    return this.tail - this.head;
  }

  /** The string of bytes [start, end) of this node. */
  text(start: number, end: number): string {
    if (end - start > 16 && (this.#view === null || this.#view.buffer !== this.buf.buffer)) {
      this.#view = latin1View(this.buf);
    }
    return sliceLatin1(this.buf, this.#view!, start, end);
  }

  /** Forgets the decoder view (the buffer was replaced). */
  dropView(): void {
    this.#view = null;
  }
}

/** Bounds of one entry's data, filled by the readers. */
export interface Span {
  start: number;
  end: number;
}

export function entrySize(length: number): number {
  return length < BIG ? length + 2 : length + 10;
}

/** Reads the entry starting at `at`; returns where the next one starts. */
export function readForward(buf: Uint8Array, at: number, span: Span): number {
  const first = buf[at];
  if (first !== BIG) {
    span.start = at + 1;
    span.end = at + 1 + first;
    return span.end + 1;
  }
  const length = (buf[at + 1] | buf[at + 2] << 8 | buf[at + 3] << 16 | buf[at + 4] << 24) >>> 0;
  span.start = at + 5;
  span.end = at + 5 + length;
  return span.end + 5;
}

/** Reads the entry ending at `end`; returns where it starts. */
export function readBackward(buf: Uint8Array, end: number, span: Span): number {
  const last = buf[end - 1];
  if (last !== BIG) {
    span.end = end - 1;
    span.start = span.end - last;
    return span.start - 1;
  }
  const length = (buf[end - 5] | buf[end - 4] << 8 | buf[end - 3] << 16 | buf[end - 2] << 24) >>>
    0;
  span.end = end - 5;
  span.start = span.end - length;
  return span.start - 5;
}

function writeEntry(buf: Uint8Array, at: number, value: string): number {
  const n = value.length;
  if (n < BIG) {
    buf[at++] = n;
    writeLatin1(value, buf, at);
    at += n;
    buf[at++] = n;
    return at;
  }
  buf[at++] = BIG;
  at = writeLength(buf, at, n);
  writeLatin1(value, buf, at);
  at += n;
  at = writeLength(buf, at, n);
  buf[at++] = BIG;
  return at;
}

function writeLength(buf: Uint8Array, at: number, n: number): number {
  buf[at] = n & 0xff;
  buf[at + 1] = (n >>> 8) & 0xff;
  buf[at + 2] = (n >>> 16) & 0xff;
  buf[at + 3] = n >>> 24;
  return at + 4;
}

/** Whether the data in `span` of `buf` equals `value`. */
export function entryEquals(buf: Uint8Array, span: Span, value: string): boolean {
  const n = value.length;
  if (span.end - span.start !== n) return false;
  for (let i = 0, at = span.start; i < n; i++, at++) {
    if (buf[at] !== value.charCodeAt(i)) return false;
  }
  return true;
}

const span: Span = { start: 0, end: 0 };

/** A node's object and the objects around its buffer (its bytes are counted apart). */
export const NODE_BYTES = objectBytes(5) + TYPED_ARRAY_BYTES;

export class QuickList {
  nodes: ListNode[] = [];
  size = 0;
  /** Capacity of every node's buffer, kept as buffers come, grow and go (memory accounting). */
  #bufferBytes = 0;

  /** Bytes of heap and buffers the list holds (see memory/costs.ts). */
  memoryBytes(): number {
    return objectBytes(3) + arrayBytes(this.nodes.length) + this.nodes.length * NODE_BYTES +
      this.#bufferBytes;
  }

  /** A new node for this list, its buffer counted. */
  #node(capacity: number, atEnd: boolean): ListNode {
    this.#bufferBytes += capacity;
    return new ListNode(capacity, atEnd);
  }

  /** Bytes of entries one node may hold (an entry bigger than this gets a node of its own). */
  static nodeBytes(): number {
    return listNodeBytes(encodingLimits.listMaxListpackSize);
  }

  static nodeCount(): number {
    const setting = encodingLimits.listMaxListpackSize;
    return setting > 0 ? setting : Infinity;
  }

  /**
   * The buffer size of a node started by a push: a list's first node starts small and grows
   * (most lists are short), but once a list outgrew one node, pushes are filling nodes, so a
   * new one gets the full node size at once instead of a chain of doubling copies.
   */
  #newNodeCapacity(bytes: number): number {
    if (this.nodes.length === 0) return Math.max(MIN_CAPACITY, bytes);
    return Math.max(QuickList.nodeBytes(), bytes);
  }

  #accepts(node: ListNode, bytes: number): boolean {
    if (node.count === 0) return true;
    return node.used + bytes <= QuickList.nodeBytes() && node.count < QuickList.nodeCount();
  }

  pushTail(value: string): void {
    const bytes = entrySize(value.length);
    let node = this.nodes[this.nodes.length - 1];
    if (node === undefined || !this.#accepts(node, bytes)) {
      node = this.#node(this.#newNodeCapacity(bytes), false);
      this.nodes.push(node);
    }
    if (node.buf.length - node.tail < bytes) this.#makeRoom(node, 0, bytes);
    node.tail = writeEntry(node.buf, node.tail, value);
    node.count++;
    this.size++;
  }

  pushHead(value: string): void {
    const bytes = entrySize(value.length);
    let node = this.nodes[0];
    if (node === undefined || !this.#accepts(node, bytes)) {
      node = this.#node(this.#newNodeCapacity(bytes), true);
      this.nodes.unshift(node);
    }
    if (node.head < bytes) this.#makeRoom(node, bytes, 0);
    node.head -= bytes;
    writeEntry(node.buf, node.head, value);
    node.count++;
    this.size++;
  }

  popHead(): string | undefined {
    const node = this.nodes[0];
    if (node === undefined) return undefined;
    node.head = readForward(node.buf, node.head, span);
    const value = node.text(span.start, span.end);
    this.#removed(node, 0);
    return value;
  }

  popTail(): string | undefined {
    const last = this.nodes.length - 1;
    const node = this.nodes[last];
    if (node === undefined) return undefined;
    node.tail = readBackward(node.buf, node.tail, span);
    const value = node.text(span.start, span.end);
    this.#removed(node, last);
    return value;
  }

  /** The element at `index` (0 <= index < size). */
  get(index: number): string {
    const node = this.#locate(index);
    return node.text(span.start, span.end);
  }

  /** Replaces the element at `index` (0 <= index < size). */
  set(index: number, value: string): void {
    this.removeAt(index);
    this.insert(index, value);
  }

  /** Inserts `value` so that it ends up at `index` (0 <= index <= size). */
  insert(index: number, value: string): void {
    if (index === 0) return this.pushHead(value);
    if (index === this.size) return this.pushTail(value);
    const bytes = entrySize(value.length);
    const nodeIndex = this.#locateIndex(index);
    const node = this.nodes[nodeIndex];
    let at = locateEntry.offset;
    if (!this.#accepts(node, bytes)) {
      // Full: the element goes at the end of the left part (the previous node when the point
      // is this node's start, else this node split at the point), or into a node of its own.
      let left = nodeIndex - 1;
      if (at !== node.head) {
        this.#split(nodeIndex, at);
        left = nodeIndex;
      }
      const target = this.nodes[left];
      if (this.#accepts(target, bytes)) {
        if (target.buf.length - target.tail < bytes) this.#makeRoom(target, 0, bytes);
        target.tail = writeEntry(target.buf, target.tail, value);
        target.count++;
      } else {
        const fresh = this.#node(Math.max(MIN_CAPACITY, bytes), false);
        fresh.tail = writeEntry(fresh.buf, 0, value);
        fresh.count = 1;
        this.nodes.splice(left + 1, 0, fresh);
      }
      this.size++;
      return;
    }
    // Open a gap of `bytes` at `at`, moving whichever side has room.
    if (node.head >= bytes) {
      node.buf.copyWithin(node.head - bytes, node.head, at);
      node.head -= bytes;
      at -= bytes;
    } else {
      if (node.buf.length - node.tail < bytes) at += this.#makeRoom(node, 0, bytes);
      node.buf.copyWithin(at + bytes, at, node.tail);
      node.tail += bytes;
    }
    writeEntry(node.buf, at, value);
    node.count++;
    this.size++;
  }

  /** Removes the element at `index` (0 <= index < size). */
  removeAt(index: number): void {
    const nodeIndex = this.#locateIndex(index);
    const node = this.nodes[nodeIndex];
    const at = locateEntry.offset;
    const end = readForward(node.buf, at, span);
    // Close the gap by moving the shorter side.
    if (at - node.head < node.tail - end) {
      node.buf.copyWithin(node.head + (end - at), node.head, at);
      node.head += end - at;
    } else {
      node.buf.copyWithin(at, end, node.tail);
      node.tail -= end - at;
    }
    this.#removed(node, nodeIndex);
  }

  clear(): void {
    this.nodes = [];
    this.size = 0;
    this.#bufferBytes = 0;
  }

  /** Keeps only the elements from `start` to `stop` inclusive (0 <= start <= stop < size). */
  trim(start: number, stop: number): void {
    let dropHead = start;
    let dropTail = this.size - 1 - stop;
    while (dropHead > 0 && this.nodes[0].count <= dropHead) {
      const node = this.nodes.shift()!;
      dropHead -= node.count;
      this.size -= node.count;
      this.#bufferBytes -= node.buf.length;
    }
    while (dropTail > 0 && this.nodes[this.nodes.length - 1].count <= dropTail) {
      const node = this.nodes.pop()!;
      dropTail -= node.count;
      this.size -= node.count;
      this.#bufferBytes -= node.buf.length;
    }
    while (dropHead-- > 0) this.popHead();
    while (dropTail-- > 0) this.popTail();
  }

  /**
   * Calls `fn` with the node and data bounds of each element from `start` to `stop` inclusive,
   * in order (0 <= start <= stop < size).
   */
  forRange(
    start: number,
    stop: number,
    fn: (node: ListNode, dataStart: number, dataEnd: number) => void,
  ): void {
    let nodeIndex = this.#locateIndex(start);
    let at = locateEntry.offset;
    let node = this.nodes[nodeIndex];
    for (let i = start; i <= stop; i++) {
      if (at >= node.tail) {
        node = this.nodes[++nodeIndex];
        at = node.head;
      }
      at = readForward(node.buf, at, span);
      fn(node, span.start, span.end);
    }
  }

  /**
   * Walks elements from the head (or the tail when `fromTail`), calling `visit` with each one's
   * index, node and bounds until it returns false.
   */
  walk(
    fromTail: boolean,
    visit: (index: number, node: ListNode, dataStart: number, dataEnd: number) => boolean,
  ): void {
    if (!fromTail) {
      let index = 0;
      for (const node of this.nodes) {
        let at = node.head;
        while (at < node.tail) {
          at = readForward(node.buf, at, span);
          if (!visit(index++, node, span.start, span.end)) return;
        }
      }
      return;
    }
    let index = this.size - 1;
    for (let n = this.nodes.length - 1; n >= 0; n--) {
      const node = this.nodes[n];
      let end = node.tail;
      while (end > node.head) {
        end = readBackward(node.buf, end, span);
        if (!visit(index--, node, span.start, span.end)) return;
      }
    }
  }

  clone(): QuickList {
    const copy = new QuickList();
    for (const node of this.nodes) {
      const twin = copy.#node(Math.max(MIN_CAPACITY, node.used), false);
      twin.buf.set(node.buf.subarray(node.head, node.tail));
      twin.tail = node.used;
      twin.count = node.count;
      copy.nodes.push(twin);
    }
    copy.size = this.size;
    return copy;
  }

  /** After an entry left `node` (at `nodeIndex`): counts, and drops the node if empty. */
  #removed(node: ListNode, nodeIndex: number): void {
    node.count--;
    this.size--;
    if (node.count === 0) {
      this.#bufferBytes -= node.buf.length;
      if (nodeIndex === 0) this.nodes.shift();
      else if (nodeIndex === this.nodes.length - 1) this.nodes.pop();
      else this.nodes.splice(nodeIndex, 1);
    }
  }

  /**
   * Ensures `front` free bytes before head and `back` after tail, growing the buffer if needed.
   * Returns how far the data moved (so offsets into the node can be adjusted).
   */
  #makeRoom(node: ListNode, front: number, back: number): number {
    const used = node.used;
    const oldHead = node.head;
    let buf = node.buf;
    if (buf.length < used + front + back) {
      let capacity = Math.max(MIN_CAPACITY, buf.length * 2);
      while (capacity < used + front + back) capacity *= 2;
      buf = new Uint8Array(capacity);
      this.#bufferBytes += capacity - node.buf.length;
    }
    const head = front > 0 ? buf.length - back - used : front;
    if (buf === node.buf) buf.copyWithin(head, node.head, node.tail);
    else buf.set(node.buf.subarray(node.head, node.tail), head);
    if (buf !== node.buf) node.dropView();
    node.buf = buf;
    node.head = head;
    node.tail = head + used;
    return head - oldHead;
  }

  /**
   * Splits node `nodeIndex` at byte offset `at` (an entry boundary inside it): the entries from
   * `at` on move to a new node after it.
   */
  #split(nodeIndex: number, at: number): void {
    const node = this.nodes[nodeIndex];
    let moved = 0;
    let cursor = at;
    while (cursor < node.tail) {
      cursor = readForward(node.buf, cursor, span);
      moved++;
    }
    const bytes = node.tail - at;
    const right = this.#node(Math.max(MIN_CAPACITY, bytes), false);
    right.buf.set(node.buf.subarray(at, node.tail));
    right.tail = bytes;
    right.count = moved;
    node.tail = at;
    node.count -= moved;
    this.nodes.splice(nodeIndex + 1, 0, right);
  }

  /** The node holding element `index`, with `span` set to its data. */
  #locate(index: number): ListNode {
    const nodeIndex = this.#locateIndex(index);
    const node = this.nodes[nodeIndex];
    readForward(node.buf, locateEntry.offset, span);
    return node;
  }

  /** The index of the node holding element `index`; `locateEntry.offset` gets its entry start. */
  #locateIndex(index: number): number {
    const nodes = this.nodes;
    let nodeIndex: number;
    let within: number;
    if (index < this.size / 2) {
      nodeIndex = 0;
      within = index;
      while (within >= nodes[nodeIndex].count) within -= nodes[nodeIndex++].count;
    } else {
      nodeIndex = nodes.length - 1;
      within = this.size - 1 - index;
      while (within >= nodes[nodeIndex].count) within -= nodes[nodeIndex--].count;
      within = nodes[nodeIndex].count - 1 - within;
    }
    const node = nodes[nodeIndex];
    let at = node.head;
    if (within < node.count / 2) {
      for (let i = 0; i < within; i++) at = readForward(node.buf, at, span);
    } else {
      at = node.tail;
      for (let i = node.count; i > within; i--) at = readBackward(node.buf, at, span);
    }
    locateEntry.offset = at;
    return nodeIndex;
  }
}

const locateEntry = { offset: 0 };
