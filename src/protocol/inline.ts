/**
 * Splits one inline command line (as typed in telnet) into arguments, with Redis's quoting
 * rules: whitespace separates arguments; "double quotes" understand \n \r \t \b \a \xHH and
 * \<any>; 'single quotes' understand only \'. A closing quote must be followed by whitespace
 * or the end of the line.
 */
import { ProtocolError } from "./protocol_error.ts";

const UNBALANCED = "unbalanced quotes in request";

function isSpace(code: number): boolean {
  // Same set as C's isspace: space, \t, \n, \v, \f, \r.
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** Inside an unquoted word only these end it (\v and \f do not, as in Redis). */
function endsWord(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09 || code === 0;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

const ESCAPES: Record<number, number> = {
  0x6e: 0x0a, // \n
  0x72: 0x0d, // \r
  0x74: 0x09, // \t
  0x62: 0x08, // \b
  0x61: 0x07, // \a
};

/**
 * Tokenizes `line` (a one-byte string without its line ending) into arguments.
 * Throws {@linkcode ProtocolError} for unbalanced quotes.
 */
export function splitInlineArgs(line: string): string[] {
  const args: string[] = [];
  const n = line.length;
  let i = 0;
  while (true) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return args;
    const first = line.charCodeAt(i);
    if (first === 0) return args; // Redis reads the line as a C string: NUL ends it
    if (first !== 0x22 && first !== 0x27) {
      const start = i;
      while (i < n && !endsWord(line.charCodeAt(i))) {
        const c = line.charCodeAt(i);
        if (c === 0x22 || c === 0x27) break;
        i++;
      }
      if (i < n && !endsWord(line.charCodeAt(i))) {
        // A quote inside an unquoted word: Redis continues the same argument in quote mode.
        const [rest, next] = readQuoted(line, i);
        args.push(line.slice(start, i) + rest);
        i = next;
      } else {
        args.push(line.slice(start, i));
      }
      continue;
    }
    const [word, next] = readQuoted(line, i);
    args.push(word);
    i = next;
  }
}

/** Reads a quoted section starting at the quote at `i`; returns its text and the index after it. */
function readQuoted(line: string, i: number): [string, number] {
  const n = line.length;
  const quote = line.charCodeAt(i);
  let out = "";
  i++;
  while (true) {
    if (i >= n) throw new ProtocolError(UNBALANCED);
    const c = line.charCodeAt(i);
    if (quote === 0x22 && c === 0x5c && i + 1 < n) {
      const next = line.charCodeAt(i + 1);
      if (next === 0x78 && i + 3 < n) {
        const hi = hexValue(line.charCodeAt(i + 2));
        const lo = hexValue(line.charCodeAt(i + 3));
        if (hi >= 0 && lo >= 0) {
          out += String.fromCharCode(hi * 16 + lo);
          i += 4;
          continue;
        }
      }
      out += String.fromCharCode(ESCAPES[next] ?? next);
      i += 2;
      continue;
    }
    if (quote === 0x27 && c === 0x5c && i + 1 < n && line.charCodeAt(i + 1) === 0x27) {
      out += "'";
      i += 2;
      continue;
    }
    if (c === quote) {
      i++;
      if (i < n && !isSpace(line.charCodeAt(i))) throw new ProtocolError(UNBALANCED);
      return [out, i];
    }
    out += line[i];
    i++;
  }
}
