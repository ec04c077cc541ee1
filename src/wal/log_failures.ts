/**
 * What the log keeps and knows while its disk fails: records kept in memory to be written
 * once it works again ({@linkcode KeptBytes}), and the story of the failures for INFO and the
 * log lines ({@linkcode FailureHistory}).
 */

/** Record bytes kept in memory, in order, until they can be written (or are known synced). */
export class KeptBytes {
  #chunks: Uint8Array[] = [];
  /** The file offset each chunk ends at, when kept as an unsynced tail (else 0). */
  #ends: number[] = [];
  #bytes = 0;

  get bytes(): number {
    return this.#bytes;
  }

  /** Keeps a copy of `bytes` (the caller's buffer is reused), ending at file offset `end`. */
  keep(bytes: Uint8Array, end = 0): void {
    this.#chunks.push(bytes.slice());
    this.#ends.push(end);
    this.#bytes += bytes.length;
  }

  /** Drops the chunks that end at or before file offset `synced` (they reached the disk). */
  dropThrough(synced: number): void {
    let n = 0;
    while (n < this.#chunks.length && this.#ends[n] <= synced) {
      this.#bytes -= this.#chunks[n++].length;
    }
    if (n === 0) return;
    this.#chunks.splice(0, n);
    this.#ends.splice(0, n);
  }

  /** Moves everything from `other` in front of what is kept here (it was written earlier). */
  takeInFront(other: KeptBytes): void {
    this.#chunks = [...other.#chunks, ...this.#chunks];
    this.#ends = [...other.#ends.map(() => 0), ...this.#ends];
    this.#bytes += other.#bytes;
    other.clear();
  }

  /** Everything kept, as one buffer. */
  concat(): Uint8Array {
    const all = new Uint8Array(this.#bytes);
    let at = 0;
    for (const chunk of this.#chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all;
  }

  clear(): void {
    this.#chunks = [];
    this.#ends = [];
    this.#bytes = 0;
  }
}

/** Failures of the log: how many, the last error, how long they lasted (INFO persistence). */
export class FailureHistory {
  /** Failures so far: each lasts from the first failed write or fdatasync to the recovery. */
  failures = 0;
  /** Rounds refused (undone and answered with MISCONF) under `--fsync always`. */
  refusedRounds = 0;
  /** The error of the last failed write or fdatasync, or "" when there was none. */
  lastError = "";
  /** When the failure going on now began (Unix ms), or 0. */
  #since = 0;
  /** How long the last finished failure lasted. */
  #lastMs = 0;
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** A write or fdatasync failed; returns true when this begins a failure. */
  failed(reason: string): boolean {
    this.lastError = reason;
    if (this.#since !== 0) return false;
    this.failures++;
    this.#since = this.#clock();
    return true;
  }

  /** The log works again; returns how long the failure lasted, in ms. */
  recovered(): number {
    this.#lastMs = Math.max(0, this.#clock() - this.#since);
    this.#since = 0;
    return this.#lastMs;
  }

  /** INFO persistence fields: the failure going on, or the last one. */
  info(): [string, string | number][] {
    const ms = this.#since !== 0 ? Math.max(0, this.#clock() - this.#since) : this.#lastMs;
    return [
      ["aof_failures", this.failures],
      ["aof_refused_rounds", this.refusedRounds],
      ["aof_last_error", this.lastError],
      ["aof_last_failure_ms", ms],
    ];
  }
}
