/**
 * Argument parsing shared by all families, with Redis's strictness and error texts.
 */
import { CommandError, Errors } from "./errors.ts";

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

/** Parses an integer argument that must fit a double exactly (counts, indexes, TTLs). */
export function parseInteger(text: string, error: CommandError = Errors.notInteger): number {
  if (text.length <= 15 && INT_TEXT.test(text)) return Number(text);
  const big = toInt64(text);
  if (big === null) throw error;
  return Number(big);
}

/** Parses an int64 argument exactly, as a bigint. */
export function parseInt64(text: string, error: CommandError = Errors.notInteger): bigint {
  const value = toInt64(text);
  if (value === null) throw error;
  return value;
}

/**
 * Parses a double the way Redis's string2ld/strtold does for command arguments: decimal or
 * exponent notation, "inf"/"-inf"; no spaces, no hex, no "nan". Returns null when invalid.
 */
export function toDouble(text: string): number | null {
  if (text.length === 0 || text.length > 5000) return null;
  const lower = text.toLowerCase();
  if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") {
    return Infinity;
  }
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return null;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}

/** Parses a float argument or throws `ERR value is not a valid float`. */
export function parseDouble(text: string): number {
  const value = toDouble(text);
  if (value === null) throw Errors.notFloat;
  return value;
}

/** Upper-cases an option word for comparison (NX, EX, MATCH, ...). */
export function option(text: string): string {
  return text.toUpperCase();
}
