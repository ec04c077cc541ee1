/**
 * Doubles as text, the way Redis 7.0 writes and reads them: {@linkcode formatDouble} is C's
 * `%.17g` (replies, sorted set scores), {@linkcode strtod} is glibc's `strtod` (whitespace, sign,
 * decimal and hex notation, inf/infinity, nan), and the two checks Redis builds on it:
 * {@linkcode parseDouble} (its `string2d`: whole text, no leading space, no NaN, no overflow, no
 * underflow to zero) and {@linkcode parseRangeDouble} (the bounds of ZRANGEBYSCORE, which take
 * whatever strtod reads up to the end or a NUL byte, infinities from overflow included).
 * Pure text functions, shared by the protocol, the commands and the store.
 */

/**
 * Formats a double as Redis 7.0 does in replies (C's `%.17g`): 17 significant digits with
 * trailing zeros dropped, exponent form (`1e+17`, `1.0000000000000001e-05`) when the exponent
 * is below -4 or at least 17, and inf, -inf and nan spelled out. So 0.1 is
 * "0.10000000000000001" and 3 is "3", byte for byte what ZSCORE sends.
 */
export function formatDouble(value: number): string {
  if (Number.isSafeInteger(value)) return Object.is(value, -0) ? "-0" : String(value);
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Number.isNaN(value)) return "nan";
  // toExponential rounds a tie away from zero where C rounds it to even: see roundsToEven.
  let text = value.toExponential(16);
  const longer = value.toExponential(17);
  if (longer.charCodeAt(longer.indexOf("e") - 1) === 0x35 && roundsToEven(value, longer)) {
    const e = longer.indexOf("e");
    text = longer.slice(0, e - 1) + longer.slice(e);
  }
  const e = text.indexOf("e");
  const exponent = Number(text.slice(e + 1));
  const negative = text.charCodeAt(0) === 0x2d;
  const digits = text.slice(negative ? 0 + 1 : 0, e).replace(".", "");
  const sign = negative ? "-" : "";
  if (exponent < -4 || exponent >= 17) {
    const mantissa = withoutTrailingZeros(`${digits[0]}.${digits.slice(1)}`);
    const magnitude = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${mantissa}e${exponent < 0 ? "-" : "+"}${magnitude}`;
  }
  if (exponent < 0) {
    return sign + withoutTrailingZeros(`0.${"0".repeat(-exponent - 1)}${digits}`);
  }
  return sign +
    withoutTrailingZeros(`${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`);
}

function withoutTrailingZeros(fixed: string): string {
  let end = fixed.length;
  while (fixed.charCodeAt(end - 1) === 0x30) end--;
  if (fixed.charCodeAt(end - 1) === 0x2e) end--;
  return fixed.slice(0, end);
}

/**
 * Whether `value`, whose 18-significant-digit form `longer` ends in 5, is exactly halfway
 * between two 17-digit numbers and C's round-half-even keeps the lower one (its 17th digit is
 * even). Decided with exact integer arithmetic on the double's bits.
 */
function roundsToEven(value: number, longer: string): boolean {
  const e = longer.indexOf("e");
  const seventeenth = longer.charCodeAt(e - 2) - 0x30;
  if (seventeenth % 2 !== 0) return false;
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, Math.abs(value));
  const high = bits.getUint32(0);
  const biased = high >>> 20;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(bits.getUint32(4));
  if (biased !== 0) mantissa |= 1n << 52n;
  const power = (biased === 0 ? 1 : biased) - 1075;
  // value = mantissa * 2^power: its exact decimal digits, trailing zeros dropped.
  let exact = power >= 0 ? (mantissa << BigInt(power)).toString() : (mantissa *
    5n ** BigInt(-power)).toString();
  let end = exact.length;
  while (exact.charCodeAt(end - 1) === 0x30) end--;
  exact = exact.slice(0, end);
  return exact.length === 18;
}

/** What {@linkcode strtod} read. */
export interface StrtodResult {
  value: number;
  /** Where reading stopped: the start when nothing was read. */
  end: number;
  /** Overflowed to an infinity, or a non-zero number rounded to zero (C's ERANGE cases). */
  overflow: boolean;
  underflow: boolean;
}

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const hexValue = (c: number) =>
  isDigit(c) ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;

/** Whether `text` has `word` (lower case) at `at`, in any case. */
function wordAt(text: string, at: number, word: string): boolean {
  return text.slice(at, at + word.length).toLowerCase() === word;
}

/**
 * C's `strtod` on `text` from `at`: skips leading whitespace, reads an optional sign and the
 * longest number it can (decimal with an optional exponent, `0x` hex with an optional `p`
 * exponent, `inf`, `infinity`, `nan`, `nan(chars)`), correctly rounded.
 */
export function strtod(text: string, at = 0): StrtodResult {
  const start = at;
  const result: StrtodResult = { value: 0, end: start, overflow: false, underflow: false };
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  let negative = false;
  const sign = text.charCodeAt(at);
  if (sign === 0x2b || sign === 0x2d) {
    negative = sign === 0x2d;
    at++;
  }
  if (wordAt(text, at, "inf")) {
    result.value = negative ? -Infinity : Infinity;
    result.end = at + (wordAt(text, at, "infinity") ? 8 : 3);
    return result;
  }
  if (wordAt(text, at, "nan")) {
    result.value = NaN;
    result.end = at + 3;
    const close = text.charCodeAt(at + 3) === 0x28 ? text.indexOf(")", at + 4) : -1;
    if (close >= 0 && /^[0-9A-Za-z_]*$/.test(text.slice(at + 4, close))) result.end = close + 1;
    return result;
  }
  const c1 = text.charCodeAt(at + 1);
  if (text.charCodeAt(at) === 0x30 && (c1 === 0x78 || c1 === 0x58)) {
    const hex = readHex(text, at + 2, negative, result);
    if (hex) return result;
  }
  readDecimal(text, at, negative, result);
  return result;
}

function readDecimal(text: string, at: number, negative: boolean, result: StrtodResult): void {
  const from = at;
  let digits = 0;
  let nonZero = false;
  while (isDigit(text.charCodeAt(at))) {
    if (text.charCodeAt(at) !== 0x30) nonZero = true;
    at++;
    digits++;
  }
  if (text.charCodeAt(at) === 0x2e) {
    at++;
    while (isDigit(text.charCodeAt(at))) {
      if (text.charCodeAt(at) !== 0x30) nonZero = true;
      at++;
      digits++;
    }
  }
  if (digits === 0) return;
  const e = text.charCodeAt(at);
  if (e === 0x65 || e === 0x45) {
    let after = at + 1;
    const s = text.charCodeAt(after);
    if (s === 0x2b || s === 0x2d) after++;
    if (isDigit(text.charCodeAt(after))) {
      while (isDigit(text.charCodeAt(after))) after++;
      at = after;
    }
  }
  // JavaScript's own conversion is correctly rounded, as glibc's is.
  const magnitude = Number(text.slice(from, at));
  result.value = negative ? -magnitude : magnitude;
  result.end = at;
  result.overflow = magnitude === Infinity;
  result.underflow = magnitude === 0 && nonZero;
}

/** A C99 hex float from `at` (after "0x"); false when no hex digit follows (strtod reads "0"). */
function readHex(text: string, at: number, negative: boolean, result: StrtodResult): boolean {
  let mantissa = 0n;
  let exponent = 0;
  let digits = 0;
  while (hexValue(text.charCodeAt(at)) >= 0) {
    mantissa = mantissa * 16n + BigInt(hexValue(text.charCodeAt(at++)));
    digits++;
  }
  if (text.charCodeAt(at) === 0x2e) {
    let after = at + 1;
    let fraction = 0;
    while (hexValue(text.charCodeAt(after)) >= 0) {
      mantissa = mantissa * 16n + BigInt(hexValue(text.charCodeAt(after++)));
      fraction++;
    }
    if (digits + fraction > 0) {
      at = after;
      digits += fraction;
      exponent -= 4 * fraction;
    }
  }
  if (digits === 0) return false;
  const p = text.charCodeAt(at);
  if (p === 0x70 || p === 0x50) {
    let after = at + 1;
    let negativeExponent = false;
    const s = text.charCodeAt(after);
    if (s === 0x2b || s === 0x2d) {
      negativeExponent = s === 0x2d;
      after++;
    }
    if (isDigit(text.charCodeAt(after))) {
      let value = 0;
      while (isDigit(text.charCodeAt(after))) {
        if (value < 1e6) value = value * 10 + text.charCodeAt(after) - 0x30;
        after++;
      }
      exponent += negativeExponent ? -value : value;
      at = after;
    }
  }
  const magnitude = binaryToDouble(mantissa, exponent);
  result.value = negative ? -magnitude : magnitude;
  result.end = at;
  result.overflow = magnitude === Infinity;
  result.underflow = magnitude === 0 && mantissa !== 0n;
  return true;
}

/** `mantissa * 2^exponent` rounded to the nearest double (ties to even), subnormals included. */
function binaryToDouble(mantissa: bigint, exponent: number): number {
  if (mantissa === 0n) return 0;
  const bits = mantissa.toString(2).length;
  // Drop low bits so 53 remain, or fewer when the result is subnormal (lowest bit 2^-1074).
  const drop = Math.max(bits - 53, -1074 - exponent);
  if (drop > 0) {
    if (drop > bits + 1) return 0;
    const shift = BigInt(drop);
    let kept = mantissa >> shift;
    const rest = mantissa - (kept << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (kept & 1n) === 1n)) kept++;
    mantissa = kept;
    exponent += drop;
  }
  if (exponent > 1100) return Infinity;
  // Two steps, so neither power of two underflows or overflows on its own.
  const low = Math.max(exponent, -1000);
  return Number(mantissa) * 2 ** low * 2 ** (exponent - low);
}

/**
 * A double argument as Redis's `string2d` reads it (ZADD scores, INCRBY amounts of sorted
 * sets): the whole text must be a number, with no leading space; NaN, overflow and underflow
 * to zero are refused. Returns null when Redis answers "not a valid float".
 */
export function parseDouble(text: string): number | null {
  if (isPlainDecimal(text)) return Number(text);
  if (text.length === 0 || isSpace(text.charCodeAt(0))) return null;
  const read = strtod(text);
  if (read.end !== text.length || Number.isNaN(read.value)) return null;
  if (read.overflow || read.underflow) return null;
  return read.value;
}

/** Longest text {@linkcode isPlainDecimal} accepts: far from overflow and underflow. */
const PLAIN_DECIMAL_MAX_LENGTH = 300;

/**
 * Whether `text` is `-?digits(.digits)?` of at most 300 chars: the common form, which
 * `Number` reads exactly as strtod does (both round correctly), with no overflow or underflow
 * possible at that length, so it needs neither the full strtod nor its checks.
 */
export function isPlainDecimal(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > PLAIN_DECIMAL_MAX_LENGTH) return false;
  let i = text.charCodeAt(0) === 0x2d /* - */ ? 1 : 0;
  const digitsFrom = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (i === digitsFrom) return false;
  if (i === n) return true;
  if (text.charCodeAt(i) !== 0x2e /* . */) return false;
  const fractionFrom = ++i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  return i === n && i > fractionFrom;
}

/**
 * A score bound as Redis's `zslParseRange` reads it after an optional `(`: whatever strtod
 * reads, which must reach the end of the text (or a NUL byte, where C stops) and not be NaN.
 * Empty text reads as 0 and overflow as an infinity, as in Redis.
 */
export function parseRangeDouble(text: string, from = 0): number | null {
  const nul = text.indexOf("\0", from);
  const end = nul < 0 ? text.length : nul;
  const read = strtod(text.slice(0, end), from);
  if (read.end !== end && !(read.end === from && end === from)) return null;
  return Number.isNaN(read.value) ? null : read.value;
}
