/**
 * Keeps the process near its accounted memory while maxmemory is set. Evicted values become
 * garbage on V8's heap, and V8 collects its old generation only once that has grown several
 * times past what was live after the previous collection: under steady eviction the heap (and
 * RSS) would reach 4-5 times maxmemory before a collection. When the heap holds more than the
 * accounted memory plus a margin, this has V8 collect it.
 *
 * That collection is a full one that stops everything: V8 offers nothing incremental to ask for
 * (the `gc` function's "async" execution only runs the same full collection from a task), and
 * under steady eviction with a 32 MB limit it takes about 20 ms. So after each one the next waits
 * at least {@linkcode PAUSE_SPACING} times as long as it took: with a heap of gigabytes, whose
 * collection takes seconds, the ones asked for still take at most about 5% of the time.
 *
 * It needs the runtime's `gc` (the `--expose-gc` V8 flag, which `deno task start`, the compiled
 * binary and the tests pass); without it nothing happens and V8 collects on its own schedule.
 */

/** Garbage allowed before a collection is asked for: this, or half of maxmemory if more. */
export const MIN_MARGIN_BYTES = 32 * 1024 * 1024;
/** Fewest milliseconds between two collections. */
export const MIN_INTERVAL_MS = 250;
/** A collection that took t ms is followed by none for this many times t. */
export const PAUSE_SPACING = 20;

type Collect = (options: { type: "major"; execution: "sync" }) => void;

export interface HeapWatchOptions {
  /** Runs a full collection (default: the runtime's `gc`, or none without `--expose-gc`). */
  collect?: Collect | null;
  /** Bytes on the heap now (default: V8's used heap plus external memory). */
  heapBytes?: () => number;
  /** Monotonic ms, to time each collection (default: `performance.now`). */
  timer?: () => number;
}

export class HeapWatch {
  readonly #collect: Collect | null;
  readonly #heapBytes: () => number;
  readonly #timer: () => number;
  /** When the next collection may be asked for (monotonic ms). */
  #nextAllowedMs = -Infinity;
  /** Collections asked for. */
  requests = 0;
  /** How long the last one took (ms). */
  lastPauseMs = 0;

  constructor(options: HeapWatchOptions = {}) {
    this.#collect = options.collect === undefined ? HeapWatch.runtimeCollect() : options.collect;
    this.#heapBytes = options.heapBytes ?? (() => {
      const usage = Deno.memoryUsage();
      return usage.heapUsed + usage.external;
    });
    this.#timer = options.timer ?? (() => performance.now());
  }

  /** The runtime's `gc` when exposed, else null. */
  static runtimeCollect(): Collect | null {
    const gc = (globalThis as { gc?: Collect }).gc;
    return typeof gc === "function" ? gc : null;
  }

  /** Whether collections can be asked for at all. */
  get available(): boolean {
    return this.#collect !== null;
  }

  /**
   * Called periodically, between commands, with the accounted memory and maxmemory (Infinity:
   * no limit); collects (and returns true) when the heap is past the margin and the last
   * collection is far enough behind.
   */
  check(accountedBytes: number, limitBytes: number): boolean {
    if (this.#collect === null || limitBytes === Infinity) return false;
    const started = this.#timer();
    if (started < this.#nextAllowedMs) return false;
    const margin = Math.max(MIN_MARGIN_BYTES, limitBytes / 2);
    if (this.#heapBytes() <= accountedBytes + margin) return false;
    this.requests++;
    this.#collect({ type: "major", execution: "sync" });
    const ended = this.#timer();
    this.lastPauseMs = ended - started;
    this.#nextAllowedMs = ended + Math.max(MIN_INTERVAL_MS, PAUSE_SPACING * this.lastPauseMs);
    return true;
  }
}
