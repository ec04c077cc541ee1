import { assertEquals } from "../../helpers/assert.ts";
import { crc32c } from "../../../src/wal/crc32c.ts";

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

Deno.test("crc32c matches the published check value and RFC 3720 vectors", () => {
  assertEquals(crc32c(ascii("123456789")), 0xe3069283);
  assertEquals(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assertEquals(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assertEquals(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assertEquals(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  assertEquals(crc32c(new Uint8Array(0)), 0);
});

Deno.test("crc32c over a range equals crc32c of the sliced bytes, at every alignment", () => {
  const bytes = Uint8Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff);
  let checked = 0;
  for (let start = 0; start < 20; start++) {
    for (let end = start; end <= 100; end += 7) {
      assertEquals(crc32c(bytes, start, end), crc32c(bytes.slice(start, end)));
      checked++;
    }
  }
  assertEquals(checked > 250, true);
});

Deno.test("crc32c continues from a seed as if over the concatenated bytes", () => {
  const text = ascii("the quick brown fox jumps over the lazy dog");
  for (let cut = 0; cut <= text.length; cut++) {
    const first = crc32c(text, 0, cut);
    assertEquals(crc32c(text, cut, text.length, first), crc32c(text));
  }
});
