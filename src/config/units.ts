/**
 * Parsers for setting values. Each returns the parsed value or throws a `RangeError`/`TypeError`
 * whose message is shown to the user as is.
 */

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 * 1000,
  mb: 1024 * 1024,
  g: 1000 * 1000 * 1000,
  gb: 1024 * 1024 * 1024,
};

/** Parses a whole decimal number with no sign, spaces or fraction ("0", "8080"). */
export function parseWholeNumber(text: string, what: string): number {
  if (!/^[0-9]+$/.test(text)) {
    throw new TypeError(`Cannot parse ${what} "${text}": not a whole number`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`Cannot parse ${what} "${text}": too large`);
  }
  return value;
}

/** Parses a byte size the way Redis's config does: "1024", "64mb", "512kb", "1gb" (k = 1000, kb = 1024). */
export function parseByteSize(text: string, what: string): number {
  const match = /^([0-9]+)([a-zA-Z]*)$/.exec(text);
  const unit = match ? BYTE_UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new TypeError(
      `Cannot parse ${what} "${text}": expected bytes such as 1024, 512kb or 64mb`,
    );
  }
  const value = Number(match[1]) * unit;
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`Cannot parse ${what} "${text}": too large`);
  }
  return value;
}
