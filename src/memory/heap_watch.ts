/**
 * Keeps the process near its accounted memory while maxmemory is set. Evicted values become
 * garbage on V8's heap, and V8 collects its old generation only once that has grown several
 * times past what was live after the previous collection: under steady eviction the heap (and
 * RSS) would reach 4-5 times maxmemory before a collection. When the heap holds more than the
 * accounted memory plus a margin, this asks V8 for a major collection that runs in the
 * background (incremental marking, concurrent sweeping), at most every quarter second.
 *
 * It needs the runtime's `gc` (the `--expose-gc` V8 flag, which `deno task start`, the compiled
 * binary and the tests pass); without it nothing happens and V8 collects on its own schedule.
 */

/** Garbage allowed before a collection is asked for: this, or half of maxmemory if more. */
const MIN_MARGIN_BYTES = 32 * 1024 * 1024;
/** Fewest milliseconds between two requests. */
const MIN_INTERVAL_MS = 250;

type Collect = (options: { type: "major"; execution: "async" }) => void;

export class HeapWatch {
  readonly #collect: Collect | null;
  readonly #heapBytes: () => number;
  #lastMs = -Infinity;
  /** Collections asked for (INFO: hermes_gc_requests). */
  requests = 0;

  constructor(
    collect: Collect | null = HeapWatch.runtimeCollect(),
    heapBytes: () => number = () => {
      const usage = Deno.memoryUsage();
      return usage.heapUsed + usage.external;
    },
  ) {
    this.#collect = collect;
    this.#heapBytes = heapBytes;
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

  /** Called periodically with the accounted memory and maxmemory (Infinity: no limit). */
  check(accountedBytes: number, limitBytes: number, nowMs: number): boolean {
    if (this.#collect === null || limitBytes === Infinity) return false;
    if (nowMs - this.#lastMs < MIN_INTERVAL_MS) return false;
    const margin = Math.max(MIN_MARGIN_BYTES, limitBytes / 2);
    if (this.#heapBytes() <= accountedBytes + margin) return false;
    this.#lastMs = nowMs;
    this.requests++;
    this.#collect({ type: "major", execution: "async" });
    return true;
  }
}
