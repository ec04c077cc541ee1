/** The string family's argument parsing: strict int64 text, SET/GETEX options, deadlines. */
import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import {
  deadlineFrom,
  EX,
  EXAT,
  GET,
  KEEPTTL,
  NX,
  parseStringOptions,
  PERSIST,
  PX,
  PXAT,
  XX,
} from "../../../src/commands/string_args.ts";
import { parseIntText } from "../../../src/commands/args.ts";

const NOW = 1_700_000_000_000;

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { line?: string }).line ?? String(error);
  }
  return "no error";
}

Deno.test("parseIntText reads strict int64 text, as a number up to 15 digits", () => {
  assertEquals(parseIntText("0"), 0);
  assertEquals(parseIntText("-1"), -1);
  assertEquals(parseIntText("999999999999999"), 999999999999999);
  assertEquals(parseIntText("9007199254740993"), 9007199254740993n);
  assertEquals(parseIntText("9223372036854775807"), 9223372036854775807n);
  assertEquals(parseIntText("-9223372036854775808"), -9223372036854775808n);
  for (
    const text of [
      "",
      "-",
      "+1",
      "01",
      "-0",
      " 1",
      "1 ",
      "1.0",
      "1e3",
      "0x10",
      "9223372036854775808",
      "-9223372036854775809",
      "1\0",
    ]
  ) {
    assertEquals(parseIntText(text), null, JSON.stringify(text));
  }
});

Deno.test("parseStringOptions reads SET's words in any case, the last time winning", () => {
  const argv = (...words: string[]) => ["SET", "k", "v", ...words];
  assertEquals(parseStringOptions(argv(), 3, true), { flags: 0, expire: undefined });
  assertEquals(parseStringOptions(argv("nx", "get", "Ex", "5"), 3, true), {
    flags: NX | GET | EX,
    expire: "5",
  });
  assertEquals(parseStringOptions(argv("XX", "KEEPTTL"), 3, true).flags, XX | KEEPTTL);
  assertEquals(parseStringOptions(argv("PX", "1", "PX", "2"), 3, true).expire, "2");
  assertEquals(parseStringOptions(argv("PXAT", "1"), 3, true).flags, PXAT);
  assertEquals(parseStringOptions(argv("nx\0junk"), 3, true).flags, NX);
  assertEquals(parseStringOptions(["GETEX", "k", "persist"], 2, false).flags, PERSIST);
  assertEquals(parseStringOptions(["GETEX", "k", "EXAT", "9"], 2, false).flags, EXAT);
});

Deno.test("parseStringOptions refuses conflicts, unknown words and a missing time", () => {
  const bad: [string[], boolean][] = [
    [["NX", "XX"], true],
    [["EX", "1", "PX", "1"], true],
    [["KEEPTTL", "EX", "1"], true],
    [["EX", "1", "KEEPTTL"], true],
    [["PERSIST"], true],
    [["EX"], true],
    [["NX"], false],
    [["KEEPTTL"], false],
    [["GET"], false],
    [["PERSIST", "EX", "1"], false],
    [["FOO"], false],
  ];
  for (const [words, forSet] of bad) {
    assertEquals(
      refusal(() => parseStringOptions(["X", "k", "v", ...words], forSet ? 3 : 2, forSet)),
      "ERR syntax error",
      words.join(" "),
    );
  }
});

Deno.test("deadlineFrom turns relative and absolute times into Unix ms", () => {
  assertEquals(deadlineFrom("10", EX, NOW, "set"), NOW + 10_000);
  assertEquals(deadlineFrom("10", PX, NOW, "set"), NOW + 10);
  assertEquals(deadlineFrom("10", EXAT, NOW, "set"), 10_000);
  assertEquals(deadlineFrom("10", PXAT, NOW, "set"), 10);
  assertEquals(deadlineFrom("9223372036854775807", PXAT, NOW, "set"), 2 ** 63);
  assertEquals(deadlineFrom("9223372036854775", EXAT, NOW, "set"), 9223372036854775000);
});

Deno.test("deadlineFrom refuses non-integers, non-positive and overflowing times", () => {
  const invalid = "ERR invalid expire time in 'setex' command";
  assertEquals(refusal(() => deadlineFrom("0", EX, NOW, "SETEX")), invalid);
  assertEquals(refusal(() => deadlineFrom("-1", PXAT, NOW, "setex")), invalid);
  assertEquals(refusal(() => deadlineFrom("9223372036854775", EX, NOW, "setex")), invalid);
  assertEquals(refusal(() => deadlineFrom("9223372036854776", EXAT, NOW, "setex")), invalid);
  assertEquals(refusal(() => deadlineFrom("9223372036854775807", PX, NOW, "setex")), invalid);
  const notInteger = "ERR value is not an integer or out of range";
  assertEquals(refusal(() => deadlineFrom("1.5", EX, NOW, "set")), notInteger);
  assertEquals(refusal(() => deadlineFrom("9223372036854775808", PX, NOW, "set")), notInteger);
  assertThrows(() => deadlineFrom("", EX, NOW, "set"));
});
