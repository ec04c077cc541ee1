/**
 * `client-output-buffer-limit`: how many reply bytes may wait for a client before it is
 * disconnected, per class of client, in Redis's syntax: `<class> <hard> <soft> <seconds>`
 * repeated, where a client is cut off at once past `hard`, or once it stays past `soft` for
 * more than `seconds`; 0 turns a limit off. Classes are `normal`, `replica` (also `slave`) and
 * `pubsub` (a client with at least one subscription).
 */
import { parseByteSize } from "./units.ts";

/** One class's limits. */
export interface OutputLimit {
  hardBytes: number;
  softBytes: number;
  softSeconds: number;
}

export interface OutputLimits {
  normal: OutputLimit;
  replica: OutputLimit;
  pubsub: OutputLimit;
}

export type OutputClass = keyof OutputLimits;

/**
 * A value refused with the reason Redis's CONFIG SET gives, word for word; CONFIG SET shows the
 * message as it stands.
 */
export class SettingValueError extends TypeError {
  override name = "SettingValueError";
}

const WRONG_COUNT = "Wrong number of arguments in buffer limit configuration.";
const BAD_CLASS = "Invalid client class specified in buffer limit configuration.";
const BAD_NUMBER = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
/** Redis reads the seconds as a C int. */
const MAX_SECONDS = 2 ** 31 - 1;

function className(text: string): OutputClass | null {
  switch (text.toLowerCase()) {
    case "normal":
      return "normal";
    case "replica":
    case "slave":
      return "replica";
    case "pubsub":
      return "pubsub";
    default:
      return null; // `master` included: its limits are not settable in Redis either
  }
}

function bytes(text: string): number {
  try {
    return parseByteSize(text, "limit");
  } catch {
    throw new SettingValueError(BAD_NUMBER);
  }
}

function seconds(text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) > MAX_SECONDS) {
    throw new SettingValueError(BAD_NUMBER);
  }
  return Number(text);
}

/**
 * Applies `text` (`pubsub 32mb 8mb 60`, several classes at once, or "" for no change) to
 * `current`: all or nothing, with Redis's refusals. Words are separated by single spaces,
 * as Redis splits them (so a doubled or trailing space miscounts the words, as there).
 */
export function parseOutputLimits(text: string, current: OutputLimits): OutputLimits {
  const words = text === "" ? [] : text.split(" ");
  if (words.length % 4 !== 0) throw new SettingValueError(WRONG_COUNT);
  const next: OutputLimits = {
    normal: { ...current.normal },
    replica: { ...current.replica },
    pubsub: { ...current.pubsub },
  };
  for (let i = 0; i < words.length; i += 4) {
    const which = className(words[i]);
    if (which === null) throw new SettingValueError(BAD_CLASS);
    next[which] = {
      hardBytes: bytes(words[i + 1]),
      softBytes: bytes(words[i + 2]),
      softSeconds: seconds(words[i + 3]),
    };
  }
  return next;
}

/** As CONFIG GET shows it: `normal 0 0 0 slave 268435456 67108864 60 pubsub ...`. */
export function formatOutputLimits(limits: OutputLimits): string {
  const one = (name: string, l: OutputLimit) =>
    `${name} ${l.hardBytes} ${l.softBytes} ${l.softSeconds}`;
  return [
    one("normal", limits.normal),
    one("slave", limits.replica),
    one("pubsub", limits.pubsub),
  ].join(" ");
}

/** The rule a client was cut off by, for the log: `client-output-buffer-limit pubsub 33554432 ...`. */
export function limitRule(type: OutputClass, limit: OutputLimit): string {
  return type === "normal" && limit.softBytes === 0
    ? `max-output ${limit.hardBytes}`
    : `client-output-buffer-limit ${type} ${limit.hardBytes} ${limit.softBytes} ` +
      `${limit.softSeconds}`;
}

/**
 * One client watched against its class's limits, as Redis's checkClientOutputBufferLimits: past
 * the hard limit it is over at once; past the soft limit it is over once it has stayed there for
 * more than the soft seconds (the watch remembers since when).
 */
export class OutputLimitWatch {
  #softSinceMs = 0;

  /**
   * Whether a client with `queuedBytes` waiting must be cut off now. The clock is read only
   * when the soft limit is passed (this runs at every flush).
   */
  exceeded(limit: OutputLimit, queuedBytes: number, clock: () => number = Date.now): boolean {
    if (limit.hardBytes > 0 && queuedBytes > limit.hardBytes) return true;
    if (limit.softBytes === 0 || queuedBytes <= limit.softBytes) {
      this.#softSinceMs = 0;
      return false;
    }
    const now = clock();
    if (this.#softSinceMs === 0) {
      this.#softSinceMs = now;
      return false;
    }
    return now - this.#softSinceMs > limit.softSeconds * 1000;
  }
}
