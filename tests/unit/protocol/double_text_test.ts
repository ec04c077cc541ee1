/**
 * The plain-decimal shortcut of parseDouble: the texts it takes are read exactly as the full
 * strtod reads them, and everything else still goes through strtod's checks.
 */
import { assertEquals } from "../../helpers/assert.ts";
import { isPlainDecimal, parseDouble, strtod } from "../../../src/protocol/double_text.ts";
import { seededRandom } from "../../durability/workload.ts";

Deno.test("isPlainDecimal takes -?digits(.digits)? only", () => {
  for (const text of ["0", "-0", "12345", "000000012345", "1.5", "-0.25", "3.14159265358979"]) {
    assertEquals(isPlainDecimal(text), true, text);
  }
  for (
    const text of [
      "",
      "-",
      ".5",
      "5.",
      "+1",
      "1e5",
      " 1",
      "1 ",
      "inf",
      "-inf",
      "nan",
      "0x10",
      "1.2.3",
    ]
  ) {
    assertEquals(isPlainDecimal(text), false, text);
  }
  assertEquals(isPlainDecimal("9".repeat(300)), true);
  assertEquals(isPlainDecimal("9".repeat(301)), false, "long enough to overflow: strtod decides");
});

Deno.test("a plain decimal parses to the very double the full strtod reads", () => {
  const random = seededRandom(17);
  const digits = (n: number) =>
    Array.from({ length: n }, () => String(Math.floor(random() * 10))).join("");
  for (let i = 0; i < 20_000; i++) {
    const whole = digits(1 + Math.floor(random() * 25));
    const text = (random() < 0.3 ? "-" : "") + whole +
      (random() < 0.6 ? "." + digits(1 + Math.floor(random() * 25)) : "");
    const full = strtod(text);
    assertEquals(full.end, text.length, text);
    assertEquals(Object.is(parseDouble(text), full.value), true, text);
  }
});
