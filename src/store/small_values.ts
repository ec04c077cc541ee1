/**
 * Short string values kept outside V8's heap: each in a fixed cell of a page of bytes, the table
 * slot holding the cell's number (a small integer, which is not an object).
 *
 * Why: a value written into a long-lived table is a fresh string of the young generation stored
 * into an old array. V8 records the slot for the next scavenge, copies the string out of the
 * young generation (twice: within it, then into the old one), and the string it replaced is left
 * to the old generation's collector, after a cache miss to read its size for the memory
 * account. Under redis-benchmark's MSET of ten 3-byte values that was about 1.7 µs of an MSET's
 * 12. With cells, the request's string dies young (where garbage costs nothing), and a short
 * value written over a short one goes into the same cell without the old one being read: every
 * cell costs the account the same {@linkcode SMALL_VALUE_BYTES}.
 *
 * A read builds a string from the cell (String.fromCharCode: 15 ns for 3 bytes, 27 for 15), which dies young too.
 * Cells hold one-byte strings (every stored value is one: see protocol/latin1.ts) of up to
 * {@linkcode SMALL_VALUE_MAX} chars. Freed cells are reused, last freed first; the pages stay
 * until the owner clears or compacts them (KeyMap does when its table shrinks).
 */
import { sliceLatin1 } from "../protocol/latin1.ts";
import { stringBytes } from "../memory/costs.ts";

/** The longest value kept in a cell. */
export const SMALL_VALUE_MAX = 15;
/** A cell: a length byte and SMALL_VALUE_MAX chars. What a value in a cell costs the account. */
export const SMALL_VALUE_BYTES = SMALL_VALUE_MAX + 1;
/** Cells per full page (64 KB). The first page starts small and doubles up to this. */
const PAGE_BITS = 12;
const PAGE_CELLS = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_CELLS - 1;
const FIRST_PAGE_CELLS = 16;

/** Whether `text` is kept in a cell (in a table that keeps cells). */
export function fitsCell(text: string): boolean {
  return text.length <= SMALL_VALUE_MAX;
}

/** What a string value costs the memory account where cells are kept: its cell, or its string. */
export function storedValueBytes(text: string): number {
  return text.length <= SMALL_VALUE_MAX ? SMALL_VALUE_BYTES : stringBytes(text.length);
}

/**
 * What a swap returns when a short value was written into the cell of the short value it
 * replaced, and the caller said it did not need that value.
 */
export const REWRITTEN: unique symbol = Symbol("rewritten in its cell");
export type Rewritten = typeof REWRITTEN;

export class SmallValueCells {
  #pages: Uint8Array[] = [];
  /** Cells handed out at least once: the next fresh one's number. */
  #used = 0;
  /** Freed cells, reused last in, first out. */
  #free = new Int32Array(8);
  #freeCount = 0;

  /** Cells holding a value. */
  get count(): number {
    return this.#used - this.#freeCount;
  }

  /** Bytes of the pages and the free list. */
  get bytes(): number {
    let bytes = this.#free.byteLength;
    for (const page of this.#pages) bytes += page.byteLength;
    return bytes;
  }

  /** Puts `text` (see {@linkcode fitsCell}) in a free cell and returns the cell's number. */
  add(text: string): number {
    const cell = this.#take();
    this.write(cell, text);
    return cell;
  }

  /** A free cell's number, a page added or the first one grown when none is left. */
  #take(): number {
    if (this.#freeCount !== 0) return this.#free[--this.#freeCount];
    const cell = this.#used++;
    const pages = this.#pages;
    const page = cell >> PAGE_BITS;
    if (page === pages.length) {
      pages.push(new Uint8Array((page === 0 ? FIRST_PAGE_CELLS : PAGE_CELLS) * SMALL_VALUE_BYTES));
    } else if (page === 0 && cell * SMALL_VALUE_BYTES === pages[0].length) {
      const grown = new Uint8Array(pages[0].length * 2);
      grown.set(pages[0]);
      pages[0] = grown;
    }
    return cell;
  }

  /** Makes cell `cell` hold `text` (see {@linkcode fitsCell}). */
  write(cell: number, text: string): void {
    const page = this.#pages[cell >> PAGE_BITS];
    const at = (cell & PAGE_MASK) * SMALL_VALUE_BYTES;
    const n = text.length;
    page[at] = n;
    for (let i = 0; i < n; i++) page[at + 1 + i] = text.charCodeAt(i);
  }

  /** The string cell `cell` holds. */
  read(cell: number): string {
    const page = this.#pages[cell >> PAGE_BITS];
    const at = (cell & PAGE_MASK) * SMALL_VALUE_BYTES;
    return sliceLatin1(page, null, at + 1, at + 1 + page[at]);
  }

  /** The length of the string cell `cell` holds (its length byte only: for warming). */
  lengthOf(cell: number): number {
    return this.#pages[cell >> PAGE_BITS][(cell & PAGE_MASK) * SMALL_VALUE_BYTES];
  }

  /** Copies cell `cell` of `from` into a free cell here and returns its number. */
  copyFrom(from: SmallValueCells, cell: number): number {
    const to = this.#take();
    const source = from.#pages[cell >> PAGE_BITS];
    const at = (cell & PAGE_MASK) * SMALL_VALUE_BYTES;
    this.#pages[to >> PAGE_BITS].set(
      source.subarray(at, at + 1 + source[at]),
      (to & PAGE_MASK) * SMALL_VALUE_BYTES,
    );
    return to;
  }

  /** Gives cell `cell` back. */
  release(cell: number): void {
    if (this.#freeCount === this.#free.length) {
      const grown = new Int32Array(this.#free.length * 2);
      grown.set(this.#free);
      this.#free = grown;
    }
    this.#free[this.#freeCount++] = cell;
  }

  /** Gives every cell back, and the pages. */
  clear(): void {
    this.#pages = [];
    this.#used = 0;
    this.#free = new Int32Array(8);
    this.#freeCount = 0;
  }
}
