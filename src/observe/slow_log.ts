/**
 * The slow log (SLOWLOG): the most recent commands that ran at least `slowlog-log-slower-than`
 * microseconds, newest first, at most `slowlog-max-len` of them. Each entry keeps a bounded
 * copy of the arguments, cut as Redis cuts them (32 arguments, 128 bytes each), so one entry
 * never holds more than about 4 KB whatever the command carried.
 */

/** Arguments kept per entry; the last one kept says how many more there were. */
export const SLOWLOG_MAX_ARGS = 32;
/** Bytes kept per argument; the rest is replaced by a note of how many bytes were cut. */
export const SLOWLOG_MAX_ARG_BYTES = 128;

export interface SlowLogEntry {
  id: number;
  /** Unix time in seconds when the command ended. */
  timeSec: number;
  durationUs: number;
  /** The arguments as the client sent them, redacted and cut. */
  args: string[];
  /** `ip:port` of the client. */
  peer: string;
  clientName: string;
}

/** The arguments as a slow log entry keeps them (Redis's slowlogCreateEntry rules). */
export function slowLogArgs(argv: readonly string[]): string[] {
  const kept = Math.min(argv.length, SLOWLOG_MAX_ARGS);
  const args = new Array<string>(kept);
  for (let i = 0; i < kept; i++) {
    if (kept !== argv.length && i === kept - 1) {
      args[i] = `... (${argv.length - kept + 1} more arguments)`;
      break;
    }
    const arg = argv[i];
    args[i] = arg.length > SLOWLOG_MAX_ARG_BYTES
      ? `${arg.slice(0, SLOWLOG_MAX_ARG_BYTES)}... (${
        arg.length - SLOWLOG_MAX_ARG_BYTES
      } more bytes)`
      : arg;
  }
  return args;
}

export class SlowLog {
  /** Oldest first from `#start`; the space before it is reclaimed now and then. */
  #entries: SlowLogEntry[] = [];
  #start = 0;
  #nextId = 0;

  /** Entries held now. */
  get length(): number {
    return this.#entries.length - this.#start;
  }

  /** The id the next entry will get (ids keep counting across RESET, as in Redis). */
  get nextId(): number {
    return this.#nextId;
  }

  /**
   * Adds an entry built from `argv` (already redacted), then drops the oldest entries beyond
   * `maxLen`. A `maxLen` of 0 keeps nothing (the id is still used, as Redis does).
   */
  push(
    argv: readonly string[],
    durationUs: number,
    timeSec: number,
    peer: string,
    clientName: string,
    maxLen: number,
  ): void {
    this.#entries.push({
      id: this.#nextId++,
      timeSec,
      durationUs,
      args: slowLogArgs(argv),
      peer,
      clientName,
    });
    while (this.length > maxLen) this.#start++;
    // Reclaim the dropped slots once they are the larger part, so trimming stays O(1) amortized.
    if (this.#start > 64 && this.#start * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#start);
      this.#start = 0;
    }
  }

  /** Up to `count` entries, newest first; a negative count means all of them. */
  newest(count: number): SlowLogEntry[] {
    const n = count < 0 ? this.length : Math.min(count, this.length);
    const out: SlowLogEntry[] = [];
    for (let i = this.#entries.length - 1; out.length < n; i--) out.push(this.#entries[i]);
    return out;
  }

  reset(): void {
    this.#entries = [];
    this.#start = 0;
  }
}
