/**
 * Redis glob patterns (KEYS, SCAN MATCH, CONFIG GET): `*` any run, `?` any one char,
 * `[abc]`, `[^abc]`, `[a-z]` sets, and `\x` for a literal x. Like Redis, an unterminated set
 * runs to the end of the pattern, and range bounds compare as signed bytes. Matching backtracks
 * only to the last `*` (which gives the same answers as Redis's recursive stringmatchlen), so it
 * is O(pattern x text) even for hostile patterns.
 */

/**
 * Whether `text` matches `pattern` (both one-byte strings), case-sensitively. Callers that
 * treat a pattern of exactly `*` as "everything" must skip the call for it, as Redis does.
 */
export function globMatch(pattern: string, text: string): boolean {
  // Redis's stringmatchlen never matches an empty text, not even with `*` (KEYS * and
  // SCAN MATCH * list the empty key only because they skip matching altogether).
  if (text.length === 0) return pattern.length === 0;
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length) {
      const c = pattern[p];
      if (c === "*") {
        while (p < pattern.length && pattern[p] === "*") p++;
        if (p === pattern.length) return true;
        starP = p;
        starT = t;
        continue;
      }
      const step = matchOne(pattern, p, text[t]);
      if (step > 0) {
        p += step;
        t++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP;
    t = ++starT;
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/**
 * Matches one text char against the pattern element at `p`; returns the element's length in
 * the pattern, or 0 when it does not match.
 */
function matchOne(pattern: string, p: number, ch: string): number {
  const c = pattern[p];
  if (c === "?") return 1;
  if (c === "\\" && p + 1 < pattern.length) return pattern[p + 1] === ch ? 2 : 0;
  if (c !== "[") return c === ch ? 1 : 0;

  let i = p + 1;
  const negate = pattern[i] === "^";
  if (negate) i++;
  let matched = false;
  const code = signedByte(ch.charCodeAt(0));
  while (i < pattern.length) {
    const s = pattern[i];
    if (s === "\\" && i + 1 < pattern.length) {
      if (pattern[i + 1] === ch) matched = true;
      i += 2;
    } else if (s === "]") {
      break;
    } else if (pattern[i + 1] === "-" && i + 2 < pattern.length) {
      let lo = signedByte(s.charCodeAt(0));
      let hi = signedByte(pattern.charCodeAt(i + 2));
      if (lo > hi) [lo, hi] = [hi, lo];
      if (code >= lo && code <= hi) matched = true;
      i += 3;
    } else {
      if (s === ch) matched = true;
      i++;
    }
  }
  // i is at the closing ']' or at the end of an unterminated set.
  const length = (i < pattern.length ? i + 1 : i) - p;
  return matched !== negate ? length : 0;
}

/**
 * Redis compares range bounds as C `char`, which is signed on the platforms it ships for, so
 * bytes 0x80-0xFF sort below 0x00 in `[a-z]` ranges; matching that keeps KEYS results equal.
 */
function signedByte(code: number): number {
  return code > 127 ? code - 256 : code;
}
