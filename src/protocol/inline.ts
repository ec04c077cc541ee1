/**
 * Splits one inline command line (as typed in telnet) into arguments, with Redis's quoting
 * rules (sdssplitargs): whitespace separates arguments; "double quotes" understand \n \r \t \b
 * \a \xHH and \<any>; 'single quotes' understand only \'. A closing quote must be followed by
 * whitespace or the end of the line; a quote inside a word opens a quoted part of the same
 * argument.
 */
import { bytesToLatin1 } from "./latin1.ts";
import { ProtocolError } from "./protocol_error.ts";

const UNBALANCED = "unbalanced quotes in request";
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const BACKSLASH = 0x5c;

function isSpace(code: number): boolean {
  // Same set as C's isspace: space, \t, \n, \v, \f, \r.
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** Inside an unquoted word only these end it (\v and \f do not, as in Redis). */
function endsWord(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

/** The byte a double-quoted `\<c>` stands for: a control character, or `c` itself. */
function unescape(code: number): number {
  switch (code) {
    case 0x6e: // \n
      return 0x0a;
    case 0x72: // \r
      return 0x0d;
    case 0x74: // \t
      return 0x09;
    case 0x62: // \b
      return 0x08;
    case 0x61: // \a
      return 0x07;
    default:
      return code;
  }
}

/**
 * Tokenizes `line` (a one-byte string without its line ending) into arguments.
 * Throws {@linkcode ProtocolError} for unbalanced quotes.
 */
export function splitInlineArgs(line: string): string[] {
  // Redis splits the line as a C string: a NUL byte ends it (inside quotes too).
  const nul = line.indexOf("\0");
  const n = nul < 0 ? line.length : nul;
  const args: string[] = [];
  let i = 0;
  while (true) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return args;
    const start = i;
    let c = line.charCodeAt(i);
    while (i < n && !endsWord(c) && c !== DOUBLE_QUOTE && c !== SINGLE_QUOTE) {
      c = line.charCodeAt(++i);
    }
    if (i < n && (c === DOUBLE_QUOTE || c === SINGLE_QUOTE)) {
      i = readQuoted(line, start, i, n, args);
    } else {
      args.push(line.slice(start, i));
    }
  }
}

/**
 * Reads an argument made of the plain prefix [start, quoteAt) and the quoted part opening at
 * `quoteAt`; pushes it onto `args` and returns the index after the closing quote.
 */
function readQuoted(
  line: string,
  start: number,
  quoteAt: number,
  n: number,
  args: string[],
): number {
  // The argument is never longer than the line: decode it into bytes, then one flat string.
  const out = new Uint8Array(n - start);
  let len = 0;
  for (let k = start; k < quoteAt; k++) out[len++] = line.charCodeAt(k);
  const quote = line.charCodeAt(quoteAt);
  let i = quoteAt + 1;
  while (true) {
    if (i >= n) throw new ProtocolError(UNBALANCED);
    const c = line.charCodeAt(i);
    if (c === quote) {
      i++;
      if (i < n && !isSpace(line.charCodeAt(i))) throw new ProtocolError(UNBALANCED);
      args.push(bytesToLatin1(out.subarray(0, len)));
      return i;
    }
    if (c === BACKSLASH && i + 1 < n) {
      const next = line.charCodeAt(i + 1);
      if (quote === DOUBLE_QUOTE) {
        const hi = next === 0x78 && i + 3 < n ? hexValue(line.charCodeAt(i + 2)) : -1;
        const lo = hi >= 0 ? hexValue(line.charCodeAt(i + 3)) : -1;
        if (lo >= 0) {
          out[len++] = hi * 16 + lo;
          i += 4;
        } else {
          out[len++] = unescape(next);
          i += 2;
        }
        continue;
      }
      if (next === SINGLE_QUOTE) {
        out[len++] = SINGLE_QUOTE;
        i += 2;
        continue;
      }
    }
    out[len++] = c;
    i++;
  }
}
