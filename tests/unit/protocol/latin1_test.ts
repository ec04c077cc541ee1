/** One-byte strings: every byte value maps to the char code of the same number and back. */
import { assertEquals } from "../../helpers/assert.ts";
import {
  bytesToLatin1,
  latin1ToBytes,
  latin1ToUtf8,
  latin1View,
  sliceLatin1,
  utf8ToLatin1,
  writeLatin1,
} from "../../../src/protocol/latin1.ts";

const ALL = Uint8Array.from({ length: 256 }, (_, i) => i);

Deno.test("every byte value round-trips through a one-byte string", () => {
  const text = bytesToLatin1(ALL);
  assertEquals(text.length, 256);
  for (let i = 0; i < 256; i++) assertEquals(text.charCodeAt(i), i);
  assertEquals(latin1ToBytes(text), ALL);
});

Deno.test("sliceLatin1 gives the same string as the native decoder at every length", () => {
  const bytes = new Uint8Array(300);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 97 + 13) % 256;
  const view = latin1View(bytes);
  let checked = 0;
  for (let start = 0; start < 20; start++) {
    for (let length = 0; length <= 40; length++) {
      const expected = view.latin1Slice(start, start + length);
      assertEquals(sliceLatin1(bytes, view, start, start + length), expected, `${start}+${length}`);
      checked++;
    }
  }
  assertEquals(checked, 20 * 41);
  // The short path covers every byte value too.
  for (let b = 0; b < 256; b += 16) {
    assertEquals(
      sliceLatin1(ALL, latin1View(ALL), b, b + 16),
      bytesToLatin1(ALL.subarray(b, b + 16)),
    );
  }
});

Deno.test("text we generate converts to and from its UTF-8 bytes", () => {
  assertEquals(utf8ToLatin1("plain"), "plain");
  assertEquals(utf8ToLatin1("Zoë"), "Zo\xc3\xab");
  assertEquals(latin1ToUtf8("Zo\xc3\xab"), "Zoë");
});

Deno.test("writeLatin1 writes the same bytes natively (long ASCII) and in the loop", () => {
  let checked = 0;
  for (const length of [0, 1, 16, 63, 64, 65, 200, 4096]) {
    // ASCII only (the native copy), then with one byte past 0x7f at the start, middle or end
    // (the native copy falls short and the loop writes it all), then every byte value.
    const ascii = Array.from({ length }, (_, i) => String.fromCharCode(32 + (i * 7) % 95)).join("");
    const cases = [ascii];
    for (const at of [0, length >> 1, length - 1]) {
      if (length > 0) cases.push(ascii.slice(0, at) + "\xe9" + ascii.slice(at + 1));
    }
    cases.push(Array.from({ length }, (_, i) => String.fromCharCode(i % 256)).join(""));
    for (const text of cases) {
      const into = new Uint8Array(length + 10).fill(0xaa);
      writeLatin1(text, into, 5);
      const expected = new Uint8Array(length + 10).fill(0xaa);
      for (let i = 0; i < length; i++) expected[5 + i] = text.charCodeAt(i);
      assertEquals(into, expected, `length ${length}`);
      checked++;
    }
  }
  assertEquals(checked > 30, true);
});
