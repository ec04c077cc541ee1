/**
 * Redis glob patterns (KEYS, SCAN MATCH, CONFIG GET): `*` any run, `?` any one char,
 * `[abc]`, `[^abc]`, `[a-z]` sets, and `\x` for a literal x. Like Redis, an unterminated set
 * runs to the end of the pattern. Matching backtracks only to the last `*`, so it is
 * O(pattern x text) even for hostile patterns.
 */

/** Whether `text` matches `pattern` (both one-byte strings), case-sensitively. */
export function globMatch(pattern: string, text: string): boolean {
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
  const code = ch.charCodeAt(0);
  while (i < pattern.length) {
    const s = pattern[i];
    if (s === "\\" && i + 1 < pattern.length) {
      if (pattern[i + 1] === ch) matched = true;
      i += 2;
    } else if (s === "]") {
      break;
    } else if (pattern[i + 1] === "-" && i + 2 < pattern.length) {
      let lo = s.charCodeAt(0);
      let hi = pattern.charCodeAt(i + 2);
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
