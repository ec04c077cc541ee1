/**
 * Argument parsing shared by all families, with Redis's strictness and error texts.
 */
import { type CommandError, Errors } from "./errors.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
export { INT64_MAX, INT64_MIN };

/** Strict int64 text: optional '-', no '+', spaces or leading zeros (Redis's string2ll). */
const INT_TEXT = /^(0|-?[1-9][0-9]*)$/;

/** Parses a signed 64-bit integer as a bigint, or returns null. */
export function toInt64(text: string): bigint | null {
  if (text.length === 0 || text.length > 20 || !INT_TEXT.test(text)) return null;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? null : value;
}

/**
 * Parses strict int64 text as Redis's string2ll does (optional '-', no '+', spaces or leading
 * zeros). Returns a number when it has at most 15 digits (always exact), a bigint when longer,
 * and null when the text is not an int64.
 */
export function parseIntText(text: string): number | bigint | null {
  const length = text.length;
  if (length === 0) return null;
  let at = 0;
  const negative = text.charCodeAt(0) === 0x2d;
  if (negative) at = 1;
  const first = text.charCodeAt(at) - 0x30;
  if (first === 0 && length === 1) return 0;
  if (!(first >= 1 && first <= 9)) return null;
  if (length - at > 15) return toInt64(text);
  let value = first;
  for (at++; at < length; at++) {
    const digit = text.charCodeAt(at) - 0x30;
    if (!(digit >= 0 && digit <= 9)) return null;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** Parses an int64 argument or throws `ERR value is not an integer or out of range`. */
export function intArg(text: string): number | bigint {
  const value = parseIntText(text);
  if (value === null) throw Errors.notInteger;
  return value;
}

/** Parses an integer argument that must fit a double exactly (counts, indexes, TTLs). */
export function parseInteger(text: string, error: CommandError = Errors.notInteger): number {
  const value = parseIntText(text);
  if (value === null) throw error;
  return Number(value);
}

/** Parses an int64 argument exactly, as a bigint. */
export function parseInt64(text: string, error: CommandError = Errors.notInteger): bigint {
  const value = toInt64(text);
  if (value === null) throw error;
  return value;
}

/** Upper-cases an option word for comparison (NX, EX, MATCH, ...). */
export function option(text: string): string {
  return text.toUpperCase();
}
