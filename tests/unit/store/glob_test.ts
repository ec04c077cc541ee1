import { assertEquals } from "../../helpers/assert.ts";
import { globMatch } from "../../../src/store/glob.ts";

/** [pattern, text, expected]; each expectation was checked against redis-server 7.0.15 KEYS. */
const CASES: [string, string, boolean][] = [
  ["hello", "hello", true],
  ["hello", "hell", false],
  ["hello", "helloo", false],
  ["h?llo", "hallo", true],
  ["h?llo", "hllo", false],
  ["h*llo", "hllo", true],
  ["h*llo", "heeeello", true],
  ["h*llo", "heeeellox", false],
  ["*", "anything", true],
  ["**", "a", true],
  ["a*", "a", true],
  ["*a", "ba", true],
  ["*a*b", "xaxxb", true],
  ["*a*b", "xaxxbc", false],
  ["h[ae]llo", "hallo", true],
  ["h[ae]llo", "hillo", false],
  ["h[^e]llo", "hallo", true],
  ["h[^e]llo", "hello", false],
  ["h[a-b]llo", "hbllo", true],
  ["h[b-a]llo", "hbllo", true], // reversed bounds are swapped
  ["h[a-b]llo", "hcllo", false],
  ["h\\*llo", "h*llo", true],
  ["h\\*llo", "hello", false],
  ["h[\\]]llo", "h]llo", true],
  ["h[*]llo", "h*llo", true],
  ["h[*]llo", "hello", false],
  ["[]a]", "]", false], // "]" first closes an empty set, then "a]" must follow
  ["[]a]", "a]", false],
  ["[a", "a", true], // an unterminated set runs to the end of the pattern
  ["[ab", "b", true],
  ["[a", "ab", false],
  ["[^", "x", true], // an empty negated set matches any one char
  ["[", "x", false],
  ["[a-]", "]", true], // "a-]" is the range ']'..'a'
  ["[a-]", "-", false],
  ["[a-]", "b", false],
  ["\\", "\\", true], // a lone trailing backslash is literal
  ["*\\", "ab\\", true],
  ["a\\", "a", false],
  ["?", "", false],
  ["*", "", false], // Redis never matches an empty text with a pattern
  ["**", "", false],
  ["", "", true],
  ["", "a", false],
  // Range bounds compare as signed bytes: 0x80-0xFF sort below 0x00.
  ["[a-\xff]", "0", true],
  ["[a-\xff]", "\xff", true],
  ["[a-\xff]", "z", false],
  ["[a-\xff]", "\xc0", false],
  ["[\x80-\xff]", "\xc0", true],
  ["[\x80-\xff]", "a", false],
  ["[\x7f-\x80]", "a", true],
  ["[\x7f-\x80]", "\xc0", true],
  ["\xc0*", "\xc0\x00\xff", true],
  ["a\x00b", "a\x00b", true],
];

Deno.test("globMatch agrees with Redis on known patterns", () => {
  for (const [pattern, text, expected] of CASES) {
    assertEquals(globMatch(pattern, text), expected, `${JSON.stringify(pattern)} ~ ${text}`);
  }
});

/**
 * A slow, obviously-correct matcher for the same language, written as plain recursion over
 * pattern elements, to compare with the backtracking matcher on random inputs.
 */
function reference(pattern: string, text: string): boolean {
  if (text.length === 0) return pattern.length === 0;
  const match = (p: number, t: number): boolean => {
    if (p === pattern.length) return t === text.length;
    if (pattern[p] === "*") {
      // Any run, including the empty one; but the text must not end inside the loop check.
      for (let k = t; k <= text.length; k++) if (match(p + 1, k)) return true;
      return false;
    }
    if (t === text.length) return false;
    const element = parseElement(pattern, p);
    return element.accepts(text.charCodeAt(t)) && match(p + element.length, t + 1);
  };
  return match(0, 0);
}

function parseElement(
  pattern: string,
  p: number,
): { length: number; accepts: (code: number) => boolean } {
  const c = pattern[p];
  if (c === "?") return { length: 1, accepts: () => true };
  if (c === "\\" && p + 1 < pattern.length) {
    const wanted = pattern.charCodeAt(p + 1);
    return { length: 2, accepts: (code) => code === wanted };
  }
  if (c !== "[") {
    const wanted = pattern.charCodeAt(p);
    return { length: 1, accepts: (code) => code === wanted };
  }
  const signed = (code: number) => code > 127 ? code - 256 : code;
  const items: ((code: number) => boolean)[] = [];
  let i = p + 1;
  const negate = pattern[i] === "^";
  if (negate) i++;
  while (i < pattern.length && !(pattern[i] === "]")) {
    if (pattern[i] === "\\" && i + 1 < pattern.length) {
      const wanted = pattern.charCodeAt(i + 1);
      items.push((code) => code === wanted);
      i += 2;
    } else if (pattern[i + 1] === "-" && i + 2 < pattern.length) {
      const a = signed(pattern.charCodeAt(i));
      const b = signed(pattern.charCodeAt(i + 2));
      items.push((code) => signed(code) >= Math.min(a, b) && signed(code) <= Math.max(a, b));
      i += 3;
    } else {
      const wanted = pattern.charCodeAt(i);
      items.push((code) => code === wanted);
      i++;
    }
  }
  const length = (i < pattern.length ? i + 1 : i) - p;
  return { length, accepts: (code) => items.some((item) => item(code)) !== negate };
}

Deno.test("globMatch agrees with a recursive reference on random patterns", () => {
  const alphabet = ["a", "b", "*", "?", "[", "]", "^", "-", "\\", "\xc0", "\x00"];
  let seed = 7;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed % n;
  };
  const word = (max: number) => {
    let text = "";
    for (let n = random(max + 1); n > 0; n--) text += alphabet[random(alphabet.length)];
    return text;
  };
  let checked = 0;
  let matched = 0;
  for (let i = 0; i < 20_000; i++) {
    const pattern = word(7);
    const text = word(6);
    const expected = reference(pattern, text);
    assertEquals(globMatch(pattern, text), expected, `${JSON.stringify(pattern)} ~ ${text}`);
    checked++;
    if (expected) matched++;
  }
  assertEquals(checked, 20_000);
  // The inputs must exercise both answers, or the comparison proves little.
  assertEquals(matched > 500 && matched < 19_500, true, `${matched} matches`);
});

Deno.test("globMatch stays fast on a hostile pattern", () => {
  // Exponential for naive recursion; linear-times-pattern with backtracking to the last star.
  const text = "a".repeat(5000);
  assertEquals(globMatch("*a*a*a*a*a*a*a*a*a*a*b", text), false);
  assertEquals(globMatch("*a*a*a*a*a*a*a*a*a*a*a", text), true);
});
