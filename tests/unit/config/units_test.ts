/** Parsing whole numbers and Redis-style byte sizes for settings. */
import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { parseByteSize, parseWholeNumber } from "../../../src/config/units.ts";

Deno.test("whole numbers are plain decimal digits", () => {
  assertEquals(parseWholeNumber("0", "n"), 0);
  assertEquals(parseWholeNumber("8080", "port"), 8080);
  assertEquals(parseWholeNumber("9007199254740991", "n"), 9007199254740991);
  for (const bad of ["", "-1", "+1", "1.0", " 1", "1e3", "0x10", "one"]) {
    assertThrows(() => parseWholeNumber(bad, "n"), TypeError, bad);
  }
  assertThrows(() => parseWholeNumber("9007199254740993", "n"), RangeError);
});

Deno.test("byte sizes take Redis's units: k and m are 1000s, kb and mb are 1024s", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["1024", 1024],
    ["10b", 10],
    ["1k", 1000],
    ["1kb", 1024],
    ["2m", 2_000_000],
    ["64mb", 64 * 1024 * 1024],
    ["1g", 1e9],
    ["1gb", 1024 ** 3],
    ["512KB", 512 * 1024],
    ["3Gb", 3 * 1024 ** 3],
  ];
  for (const [text, bytes] of cases) assertEquals(parseByteSize(text, "size"), bytes, text);
});

Deno.test("byte sizes refuse fractions, signs, unknown units and overflow", () => {
  for (const bad of ["", "mb", "1.5mb", "-1", "+1", "1 mb", "1tb", "1kib"]) {
    assertThrows(() => parseByteSize(bad, "size"), TypeError, bad);
  }
  assertThrows(() => parseByteSize("99999999999999gb", "size"), RangeError);
});
