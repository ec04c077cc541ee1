/**
 * Argument parsing for the string family: the one option grammar SET, PUT and GETEX share,
 * and expire deadlines, with Redis's checks and error texts (t_string.c `parseExtendedStringArgumentsOrReply`).
 */
import { INT64_MAX, intArg } from "./args.ts";
import { type CommandError, Errors, invalidExpireTime } from "./errors.ts";

/** Option bits, as Redis's OBJ_SET_* flags. */
export const NX = 1;
export const XX = 2;
export const GET = 4;
export const KEEPTTL = 8;
export const PERSIST = 16;
export const EX = 32;
export const PX = 64;
export const EXAT = 128;
export const PXAT = 256;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

/** The parsed options of one SET/PUT or GETEX. */
export interface StringOptions {
  flags: number;
  /** The text after EX/PX/EXAT/PXAT (the last one given), checked later by `deadlineFrom`. */
  expire: string | undefined;
}

/**
 * Parses `argv[from..]` as SET options (`forSet`) or GETEX options. Conflicting, repeated-in-
 * conflict or unknown words, and a time word with nothing after it, throw `ERR syntax error`.
 * As in Redis, the same word may repeat (NX NX, EX 1 EX 2: the last time wins), and the time
 * itself is not read here, so only the last one is ever validated.
 */
export function parseStringOptions(argv: string[], from: number, forSet: boolean): StringOptions {
  let flags = 0;
  let expire: string | undefined;
  for (let i = from; i < argv.length; i++) {
    const word = optionWord(argv[i]);
    const hasNext = i + 1 < argv.length;
    let bit: number;
    if (word === "NX" && forSet && !(flags & XX)) bit = NX;
    else if (word === "XX" && forSet && !(flags & NX)) bit = XX;
    else if (word === "GET" && forSet) bit = GET;
    else if (word === "KEEPTTL" && forSet && !(flags & (PERSIST | ANY_EXPIRE))) bit = KEEPTTL;
    else if (word === "PERSIST" && !forSet && !(flags & (KEEPTTL | ANY_EXPIRE))) bit = PERSIST;
    else if (word === "EX" && hasNext && !(flags & (KEEPTTL | PERSIST | PX | EXAT | PXAT))) {
      bit = EX;
    } else if (word === "PX" && hasNext && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT))) {
      bit = PX;
    } else if (word === "EXAT" && hasNext && !(flags & (KEEPTTL | PERSIST | EX | PX | PXAT))) {
      bit = EXAT;
    } else if (word === "PXAT" && hasNext && !(flags & (KEEPTTL | PERSIST | EX | PX | EXAT))) {
      bit = PXAT;
    } else {
      throw Errors.syntax;
    }
    flags |= bit;
    if (bit & ANY_EXPIRE) expire = argv[++i];
  }
  return { flags, expire };
}

/**
 * An option word compared the way Redis's C code does: case-insensitively, and only up to a
 * NUL byte (so "nx\0junk" is NX there too).
 */
function optionWord(arg: string): string {
  const nul = arg.indexOf("\0");
  return (nul < 0 ? arg : arg.slice(0, nul)).toUpperCase();
}

/**
 * The absolute deadline (Unix ms) for an expire time given with `unit` (EX, PX, EXAT or PXAT),
 * as Redis's `getExpireMillisecondsOrReply`: not an integer -> `ERR value is not an integer or
 * out of range`; zero, negative or overflowing int64 -> `ERR invalid expire time in '<command>'
 * command`.
 */
export function deadlineFrom(text: string, unit: number, now: number, command: string): number {
  const value = intArg(text);
  const seconds = unit === EX || unit === EXAT;
  const relative = unit === EX || unit === PX;
  if (typeof value === "number") {
    // At most 15 digits: even seconds * 1000 + now stays far below 2^63.
    if (value <= 0) throw expireError(command);
    const ms = seconds ? value * 1000 : value;
    return relative ? ms + now : ms;
  }
  if (value <= 0n || (seconds && value > INT64_MAX / 1000n)) throw expireError(command);
  let ms = seconds ? value * 1000n : value;
  if (relative) ms += BigInt(now);
  if (ms > INT64_MAX) throw expireError(command);
  return Number(ms);
}

function expireError(command: string): CommandError {
  return invalidExpireTime(command.toLowerCase());
}
