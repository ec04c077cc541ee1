/**
 * INCRBYFLOAT arithmetic, bit for bit as Redis does it on x86-64: values are C `long double`
 * (x87 80-bit extended precision: a 64-bit mantissa, exponents down to subnormals), parsed like
 * Redis's `string2ld` (glibc `strtold`, whole string, no leading space, no NaN, no overflow or
 * underflow to zero) and printed like its `ld2string(..., LD_STR_HUMAN)` ("%.17Lf" with trailing
 * zeros removed). Plain doubles would print `0.1 + 0.2` as `0.30000000000000004` where Redis
 * prints `0.3`, so the values are held exactly as bigint mantissas and rounded to nearest-even
 * at 64 bits, as the FPU does.
 */

/** A finite extended-precision value `mantissa * 2^exponent`, or an infinity. */
export interface LongDouble {
  negative: boolean;
  /** Below 2^64; at least 2^63 unless the value is zero or subnormal. */
  mantissa: bigint;
  exponent: number;
  infinite: boolean;
}

const MANTISSA_BITS = 64;
const TWO_63 = 1n << 63n;
const TWO_64 = 1n << 64n;
/** The exponent of the smallest subnormal, 2^-16445. */
const MIN_EXPONENT = -16382 - (MANTISSA_BITS - 1);
/** The exponent of the largest finite values, just below 2^16384. */
const MAX_EXPONENT = 16383 - (MANTISSA_BITS - 1);
/** Redis refuses float text this long (MAX_LONG_DOUBLE_CHARS). */
const MAX_TEXT_LENGTH = 5 * 1024;
/** Decimal and binary exponents are clamped here: anything beyond overflows or underflows. */
const EXPONENT_CLAMP = 100_000;

/** Zero, the value of a missing key. */
export const LONG_DOUBLE_ZERO: LongDouble = {
  negative: false,
  mantissa: 0n,
  exponent: 0,
  infinite: false,
};

function infinity(negative: boolean): LongDouble {
  return { negative, mantissa: 0n, exponent: 0, infinite: true };
}

function bitLength(value: bigint): number {
  if (value === 0n) return 0;
  const hex = value.toString(16);
  return hex.length * 4 - (Math.clz32(parseInt(hex[0], 16)) - 28);
}

/**
 * Rounds `num / den * 2^shift` (num >= 0, den > 0) to the nearest long double, ties to even.
 * Overflow gives an infinity; underflow gives zero or a subnormal.
 */
function round(negative: boolean, num: bigint, den: bigint, shift: number): LongDouble {
  if (num === 0n) return { negative, mantissa: 0n, exponent: 0, infinite: false };
  let exponent = bitLength(num) - bitLength(den) - MANTISSA_BITS + shift;
  if (exponent < MIN_EXPONENT) exponent = MIN_EXPONENT;
  for (;;) {
    const [q, r, d] = divide(num, den, shift - exponent);
    if (q >= TWO_64) {
      exponent++;
      continue;
    }
    if (q < TWO_63 && exponent > MIN_EXPONENT) {
      exponent--;
      continue;
    }
    let mantissa = q;
    const twice = r * 2n;
    if (twice > d || (twice === d && (mantissa & 1n) === 1n)) mantissa++;
    if (mantissa === TWO_64) {
      mantissa = TWO_63;
      exponent++;
    }
    if (exponent > MAX_EXPONENT) return infinity(negative);
    return { negative, mantissa, exponent, infinite: false };
  }
}

/** floor(num * 2^bits / den) with its remainder and the divisor used. */
function divide(num: bigint, den: bigint, bits: number): [bigint, bigint, bigint] {
  const n = bits >= 0 ? num << BigInt(bits) : num;
  const d = bits >= 0 ? den : den << BigInt(-bits);
  return [n / d, n % d, d];
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/** Reads `[+-]digits` at `at` as a clamped exponent; returns [value, end] or null. */
function readExponent(text: string, at: number): [number, number] | null {
  let negative = false;
  const sign = text.charCodeAt(at);
  if (sign === 0x2b || sign === 0x2d) {
    negative = sign === 0x2d;
    at++;
  }
  const start = at;
  let value = 0;
  while (at < text.length && isDigit(text.charCodeAt(at))) {
    if (value < EXPONENT_CLAMP) value = value * 10 + text.charCodeAt(at) - 0x30;
    at++;
  }
  if (at === start) return null;
  return [negative ? -value : value, at];
}

/**
 * Parses float text as Redis's `string2ld` does; null when Redis answers
 * `ERR value is not a valid float`. Accepts decimal and C99 hex notation and inf/infinity.
 */
export function parseLongDouble(text: string): LongDouble | null {
  if (text.length === 0 || text.length >= MAX_TEXT_LENGTH) return null;
  let at = 0;
  let negative = false;
  const sign = text.charCodeAt(0);
  if (sign === 0x2b || sign === 0x2d) {
    negative = sign === 0x2d;
    at = 1;
  }
  const rest = text.slice(at).toLowerCase();
  if (rest === "inf" || rest === "infinity") return infinity(negative);
  if (rest.startsWith("0x")) return parseHex(text, at + 2, negative);
  return parseDecimal(text, at, negative);
}

function parseDecimal(text: string, at: number, negative: boolean): LongDouble | null {
  let digits = "";
  let fractionDigits = 0;
  let seen = 0;
  while (at < text.length && isDigit(text.charCodeAt(at))) {
    digits += text[at++];
    seen++;
  }
  if (text.charCodeAt(at) === 0x2e) {
    at++;
    while (at < text.length && isDigit(text.charCodeAt(at))) {
      digits += text[at++];
      fractionDigits++;
      seen++;
    }
  }
  if (seen === 0) return null;
  let exponent = -fractionDigits;
  const e = text.charCodeAt(at);
  if (e === 0x65 || e === 0x45) {
    const read = readExponent(text, at + 1);
    if (read === null) return null;
    exponent += read[0];
    at = read[1];
  }
  if (at !== text.length) return null;
  const significant = digits.replace(/^0+/, "");
  if (significant.length === 0) return { ...LONG_DOUBLE_ZERO, negative };
  // The value lies in [10^(magnitude-1), 10^magnitude): far outside the range, skip the bigints.
  const magnitude = significant.length + exponent;
  if (magnitude > 4934) return null;
  if (magnitude < -4952) return null;
  const mantissa = BigInt(significant);
  const value = exponent >= 0
    ? round(negative, mantissa * 10n ** BigInt(exponent), 1n, 0)
    : round(negative, mantissa, 10n ** BigInt(-exponent), 0);
  return acceptRange(value);
}

function parseHex(text: string, at: number, negative: boolean): LongDouble | null {
  let digits = "";
  let fractionDigits = 0;
  let seen = 0;
  while (at < text.length && isHexDigit(text.charCodeAt(at))) {
    digits += text[at++];
    seen++;
  }
  if (text.charCodeAt(at) === 0x2e) {
    at++;
    while (at < text.length && isHexDigit(text.charCodeAt(at))) {
      digits += text[at++];
      fractionDigits++;
      seen++;
    }
  }
  // "0x" with no digits: strtold reads just the "0" and stops at the "x".
  if (seen === 0) return null;
  let exponent = -4 * fractionDigits;
  const p = text.charCodeAt(at);
  if (p === 0x70 || p === 0x50) {
    const read = readExponent(text, at + 1);
    if (read === null) return null;
    exponent += read[0];
    at = read[1];
  }
  if (at !== text.length) return null;
  const mantissa = BigInt("0x" + digits);
  if (mantissa === 0n) return { ...LONG_DOUBLE_ZERO, negative };
  const magnitude = bitLength(mantissa) + exponent;
  if (magnitude > 16385) return null;
  if (magnitude < MIN_EXPONENT - 2) return null;
  return acceptRange(round(negative, mantissa, 1n, exponent));
}

/** strtold's ERANGE cases that string2ld refuses: overflow, and underflow all the way to zero. */
function acceptRange(value: LongDouble): LongDouble | null {
  if (value.infinite || value.mantissa === 0n) return null;
  return value;
}

/** `a + b` rounded to long double; null when the sum is NaN or infinite (Redis refuses both). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.infinite || b.infinite) return null;
  const exponent = Math.min(a.exponent, b.exponent);
  const x = a.mantissa << BigInt(a.exponent - exponent);
  const y = b.mantissa << BigInt(b.exponent - exponent);
  const sum = (a.negative ? -x : x) + (b.negative ? -y : y);
  const negative = sum < 0n || (sum === 0n && a.negative && b.negative);
  const result = round(negative, negative ? -sum : sum, 1n, exponent);
  return result.infinite ? null : result;
}

const FRACTION_DIGITS = 17;
const FRACTION_SCALE = 10n ** BigInt(FRACTION_DIGITS);

/**
 * Formats as Redis's LD_STR_HUMAN: "%.17Lf" (exact decimal expansion, rounded half to even),
 * trailing zeros and a bare point removed, and "-0" written as "0".
 */
export function formatLongDouble(value: LongDouble): string {
  if (value.infinite) return value.negative ? "-inf" : "inf";
  let scaled: bigint;
  if (value.exponent >= 0) {
    scaled = (value.mantissa << BigInt(value.exponent)) * FRACTION_SCALE;
  } else {
    const bits = BigInt(-value.exponent);
    const n = value.mantissa * FRACTION_SCALE;
    scaled = n >> bits;
    const twice = (n - (scaled << bits)) * 2n;
    const half = 1n << bits;
    if (twice > half || (twice === half && (scaled & 1n) === 1n)) scaled++;
  }
  const digits = scaled.toString().padStart(FRACTION_DIGITS + 1, "0");
  const whole = digits.slice(0, digits.length - FRACTION_DIGITS);
  const fraction = digits.slice(digits.length - FRACTION_DIGITS).replace(/0+$/, "");
  const text = fraction.length > 0 ? `${whole}.${fraction}` : whole;
  return value.negative && text !== "0" ? "-" + text : text;
}
