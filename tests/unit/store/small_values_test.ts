import { assertEquals } from "../../helpers/assert.ts";
import {
  fitsCell,
  SMALL_VALUE_BYTES,
  SMALL_VALUE_MAX,
  SmallValueCells,
} from "../../../src/store/small_values.ts";

/** A one-byte string of `length` chars, every byte value 0-255 in turn from `first`. */
function bytesText(length: number, first: number): string {
  return String.fromCharCode(...Array.from({ length }, (_, i) => (first + i * 37) & 0xff));
}

Deno.test("a cell gives back the string put in it, any length up to the limit, any byte", () => {
  const cells = new SmallValueCells();
  const put: [number, string][] = [];
  for (let length = 0; length <= SMALL_VALUE_MAX; length++) {
    for (let first = 0; first < 256; first += 17) {
      const text = bytesText(length, first);
      put.push([cells.add(text), text]);
    }
  }
  for (const [cell, text] of put) {
    assertEquals(cells.read(cell), text);
    assertEquals(cells.lengthOf(cell), text.length);
  }
  assertEquals(cells.count, put.length);
  assertEquals(fitsCell("x".repeat(SMALL_VALUE_MAX)), true);
  assertEquals(fitsCell("x".repeat(SMALL_VALUE_MAX + 1)), false);
});

Deno.test("a rewritten cell holds the new string whole, a shorter one too", () => {
  const cells = new SmallValueCells();
  const cell = cells.add("fifteen chars!!");
  const neighbour = cells.add("next door");
  cells.write(cell, "abc");
  assertEquals(cells.read(cell), "abc");
  cells.write(cell, "");
  assertEquals(cells.read(cell), "");
  assertEquals(cells.read(neighbour), "next door");
});

Deno.test("freed cells are reused last freed first; clear gives back every page", () => {
  const cells = new SmallValueCells();
  const numbers = Array.from({ length: 10 }, (_, i) => cells.add(`v${i}`));
  assertEquals(numbers, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  cells.release(3);
  cells.release(7);
  assertEquals(cells.count, 8);
  assertEquals(cells.add("a"), 7);
  assertEquals(cells.add("b"), 3);
  assertEquals(cells.add("c"), 10);
  assertEquals([cells.read(3), cells.read(7), cells.read(10), cells.read(9)], [
    "b",
    "a",
    "c",
    "v9",
  ]);
  cells.clear();
  assertEquals(cells.count, 0);
  assertEquals(cells.add("again"), 0);
  assertEquals(cells.read(0), "again");
});

Deno.test("cells keep their strings while the first page grows and later pages are added", () => {
  const cells = new SmallValueCells();
  const small = cells.bytes;
  const count = 3 * 4096 + 100; // past the first page's growth and into a fourth page
  for (let i = 0; i < count; i++) cells.add(String(i));
  for (let i = 0; i < count; i += 97) assertEquals(cells.read(i), String(i));
  assertEquals(cells.read(count - 1), String(count - 1));
  assertEquals(small < 1024, true); // an empty set of cells holds next to nothing
  assertEquals(cells.bytes >= count * SMALL_VALUE_BYTES, true);
  assertEquals(cells.bytes < (count + 4096) * SMALL_VALUE_BYTES + 65536, true);
});

Deno.test("copyFrom moves a cell's string into another set of cells", () => {
  const from = new SmallValueCells();
  const to = new SmallValueCells();
  from.add("zero");
  const cell = from.add(bytesText(SMALL_VALUE_MAX, 200));
  to.add("taken");
  const copied = to.copyFrom(from, cell);
  assertEquals(copied, 1);
  assertEquals(to.read(copied), bytesText(SMALL_VALUE_MAX, 200));
  assertEquals(to.read(0), "taken");
});
