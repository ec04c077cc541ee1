/**
 * INCRBYFLOAT's arithmetic: parsing as Redis's string2ld, long double addition, and
 * "%.17Lf" formatting. Expected texts were taken from redis-server 7.0.15 on x86-64.
 */
import { assertEquals } from "../../helpers/assert.ts";
import {
  addLongDouble,
  formatLongDouble,
  LONG_DOUBLE_ZERO,
  type LongDouble,
  parseLongDouble,
} from "../../../src/commands/long_double.ts";

function parse(text: string): LongDouble {
  const value = parseLongDouble(text);
  if (value === null) throw new Error(`Cannot parse "${text}"`);
  return value;
}

/** What Redis answers to SET k <base>, INCRBYFLOAT k <increment>; null for an error. */
function incrbyfloat(base: string, increment: string): string | null {
  const sum = addLongDouble(parse(base), parse(increment));
  return sum === null ? null : formatLongDouble(sum);
}

Deno.test("INCRBYFLOAT results match redis-server digit for digit", () => {
  const cases: [string, string, string][] = [
    ["0", "10.5", "10.5"],
    ["10.5", "5.0e3", "5010.5"],
    ["10.6", "-5.0e3", "-4989.39999999999999991"],
    ["0.1", "0.2", "0.3"],
    ["0", "5.0e3", "5000"],
    ["0", "3.0", "3"],
    ["0", "0x10", "16"],
    ["16", "0x1.8p1", "19"],
    ["0", "0X1P-2", "0.25"],
    ["0", "0x.8", "0.5"],
    ["0", "-1e-20", "0"],
    ["0", "-0.0", "0"],
    ["-5", "2.5", "-2.5"],
    ["0", "1.23456789012345678901", "1.23456789012345679"],
    ["0", "123456789012345678901234567890", "123456789012345678899921813504"],
    ["0", "0.000000000000000005", "0"],
    ["0", "0.000000000000000015", "0.00000000000000002"],
    ["0", "1e-17", "0.00000000000000001"],
    ["0", "00012.50000", "12.5"],
    ["1e2", "0", "100"],
    ["0", "1e-4940", "0"],
    ["0", "2e-4951", "0"],
    ["0", "0x1p-16445", "0"],
  ];
  for (const [base, increment, expected] of cases) {
    assertEquals(incrbyfloat(base, increment), expected, `${base} + ${increment}`);
  }
});

Deno.test("a tie at the 17th decimal rounds to even, as glibc's printf", () => {
  assertEquals(incrbyfloat("0", "0.000003814697265625"), "0.00000381469726562");
  assertEquals(incrbyfloat("0", "0.000011444091796875"), "0.00001144409179688");
  assertEquals(incrbyfloat("0", "-0.000003814697265625"), "-0.00000381469726562");
});

Deno.test("huge finite sums print every integer digit", () => {
  const doubled = incrbyfloat("1e308", "1e308")!;
  assertEquals(doubled.length, 309);
  assertEquals(doubled.slice(0, 30), "199999999999999999993371759311");
  const max = incrbyfloat("0", "1.18973149535723176502e+4932")!;
  assertEquals(max.length, 4933);
  assertEquals(max.slice(0, 20), "11897314953572317650");
});

Deno.test("a sum beyond the long double range is refused as infinite", () => {
  assertEquals(incrbyfloat("7e4931", "7e4931"), null);
  assertEquals(incrbyfloat("1", "inf"), null);
  assertEquals(incrbyfloat("inf", "-inf"), null);
  assertEquals(addLongDouble(LONG_DOUBLE_ZERO, parse("-Infinity")), null);
});

Deno.test("parseLongDouble refuses what string2ld refuses", () => {
  for (
    const text of [
      "",
      " 1",
      "1 ",
      "abc",
      "nan",
      "-nan",
      "NaN(1)",
      "1e",
      "1e+",
      ".",
      "-.e1",
      "0x",
      "0xg",
      "0x1P",
      "1_0",
      "infin",
      "infinityx",
      "1\0",
      "\x001",
      "1e5000",
      "1e-5000",
      "1e-4951",
      "0x1p16384",
      "0x1p-16446",
      "1.18973149535723176508e+4932",
      "1" + "0".repeat(5200),
    ]
  ) {
    assertEquals(parseLongDouble(text), null, JSON.stringify(text));
  }
});

Deno.test("parseLongDouble accepts signs, bare points, exponents, hex and infinities", () => {
  for (
    const text of [
      "+1",
      "-1",
      ".5",
      "5.",
      "1E+2",
      "1e-2",
      "0e99999999999",
      "0x1.8p1",
      "INF",
      "+inf",
    ]
  ) {
    assertEquals(parseLongDouble(text) !== null, true, text);
  }
  assertEquals(parseLongDouble("-Infinity")?.infinite, true);
  assertEquals(parseLongDouble("-Infinity")?.negative, true);
});
