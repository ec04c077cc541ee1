/**
 * Inline command lines split as Redis's sdssplitargs splits them (checked against
 * redis-server 7.0.15 with ECHO over a raw socket).
 */
import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { splitInlineArgs } from "../../../src/protocol/inline.ts";
import { ProtocolError } from "../../../src/protocol/protocol_error.ts";

Deno.test("inline lines split on spaces and tabs, ignoring runs of them", () => {
  assertEquals(splitInlineArgs("SET key value"), ["SET", "key", "value"]);
  assertEquals(splitInlineArgs("   PING   "), ["PING"]);
  assertEquals(splitInlineArgs("\tSET\t a \t b"), ["SET", "a", "b"]);
  assertEquals(splitInlineArgs(""), []);
  assertEquals(splitInlineArgs("   \t "), []);
});

Deno.test("double quotes keep spaces and understand Redis's escapes", () => {
  assertEquals(splitInlineArgs('SET "a b" "c  d"'), ["SET", "a b", "c  d"]);
  assertEquals(splitInlineArgs('ECHO "\\n\\r\\t\\b\\a"'), ["ECHO", "\n\r\t\b\x07"]);
  assertEquals(splitInlineArgs('ECHO "say \\"hi\\""'), ["ECHO", 'say "hi"']);
  assertEquals(splitInlineArgs('ECHO "back\\\\slash"'), ["ECHO", "back\\slash"]);
  assertEquals(splitInlineArgs('ECHO ""'), ["ECHO", ""]);
});

Deno.test("\\xHH in double quotes is a byte, any of the 256", () => {
  assertEquals(splitInlineArgs('SET "a b" "c\\x41d"'), ["SET", "a b", "cAd"]);
  assertEquals(splitInlineArgs('ECHO "\\x00\\xff\\xFf\\x7F"'), ["ECHO", "\x00\xff\xff\x7f"]);
  for (let b = 0; b < 256; b++) {
    const hex = b.toString(16).padStart(2, "0");
    assertEquals(splitInlineArgs(`ECHO "\\x${hex}"`), ["ECHO", String.fromCharCode(b)]);
  }
});

Deno.test("escapes that are not escapes keep their characters, as in Redis", () => {
  assertEquals(splitInlineArgs('ECHO "\\q"'), ["ECHO", "q"]);
  assertEquals(splitInlineArgs('ECHO "\\x4g"'), ["ECHO", "x4g"]);
  assertEquals(splitInlineArgs('ECHO "\\x4"'), ["ECHO", "x4"]);
  assertEquals(splitInlineArgs('ECHO "a\\xZZ"'), ["ECHO", "axZZ"]);
});

Deno.test("single quotes are literal except for \\'", () => {
  assertEquals(splitInlineArgs("ECHO 'a b'"), ["ECHO", "a b"]);
  assertEquals(splitInlineArgs("ECHO 'it\\'s'"), ["ECHO", "it's"]);
  assertEquals(splitInlineArgs("ECHO '\\x41\\n'"), ["ECHO", "\\x41\\n"]);
  assertEquals(splitInlineArgs("ECHO ''"), ["ECHO", ""]);
  assertEquals(splitInlineArgs(`ECHO '"'`), ["ECHO", '"']);
  assertEquals(splitInlineArgs(`ECHO "'"`), ["ECHO", "'"]);
});

Deno.test("a quote inside a word quotes the rest of the same argument", () => {
  assertEquals(splitInlineArgs('ECHO a"b c"'), ["ECHO", "ab c"]);
  assertEquals(splitInlineArgs("ECHO x'y z' next"), ["ECHO", "xy z", "next"]);
  assertEquals(splitInlineArgs('ECHO a"\\x41"'), ["ECHO", "aA"]);
});

Deno.test("a carriage return inside a line separates arguments like a space", () => {
  assertEquals(splitInlineArgs("PING\rfoo"), ["PING", "foo"]);
  // \v and \f are blanks between arguments but part of an unquoted word.
  assertEquals(splitInlineArgs("\x0bPING\x0c"), ["PING\x0c"]);
});

Deno.test("a NUL byte ends the line, as Redis reads it as a C string", () => {
  assertEquals(splitInlineArgs("PING\x00junk here"), ["PING"]);
  assertEquals(splitInlineArgs("ECHO a\x00"), ["ECHO", "a"]);
  assertThrows(() => splitInlineArgs('ECHO "a\x00b"'), /unbalanced quotes/);
});

Deno.test("arguments are flat strings of any byte, not just text", () => {
  const args = splitInlineArgs('SET k\xe9 "v\\xe9\xff"');
  assertEquals(args, ["SET", "k\xe9", "v\xe9\xff"]);
  assertEquals(Array.from(args[2], (c) => c.charCodeAt(0)), [0x76, 0xe9, 0xff]);
});

Deno.test("unbalanced or badly closed quotes raise the protocol error Redis sends", () => {
  const bad = [
    'SET a "b',
    "SET a 'b",
    'ECHO "a"b',
    "ECHO 'a'b",
    'ECHO "abc\\"',
    'ECHO "\\',
    '"',
    "'",
    'ECHO a"b',
  ];
  for (const line of bad) {
    assertThrows(
      () => splitInlineArgs(line),
      (error: unknown) =>
        error instanceof ProtocolError &&
        error.reply === "ERR Protocol error: unbalanced quotes in request",
      line,
    );
  }
});
