/**
 * Rates over the last moments, as Redis's serverCron keeps them for INFO
 * (`instantaneous_ops_per_sec`, `instantaneous_input_kbps`, ...): every 100 ms each counter's
 * rate since the previous sample is stored in a ring of 16, and the rate reported is their
 * mean, so it covers the last 1.6 seconds.
 */

/** Samples averaged (Redis's STATS_METRIC_SAMPLES). */
const SAMPLES = 16;
/** Time between samples, in ms. */
export const RATE_SAMPLE_MS = 100;

/** One counter's recent rate, per second. */
export class InstantaneousRate {
  readonly #samples = new Float64Array(SAMPLES);
  #next = 0;
  #lastValue: number | null = null;
  #lastMs = 0;

  /** Takes a sample of the counter's current `value` at monotonic time `nowMs`. */
  sample(value: number, nowMs: number): void {
    if (this.#lastValue !== null) {
      const elapsed = nowMs - this.#lastMs;
      // A counter reset (CONFIG RESETSTAT) would give a negative rate: count it as idle.
      const delta = Math.max(0, value - this.#lastValue);
      this.#samples[this.#next] = elapsed > 0 ? delta * 1000 / elapsed : 0;
      this.#next = (this.#next + 1) % SAMPLES;
    }
    this.#lastValue = value;
    this.#lastMs = nowMs;
  }

  /** The mean of the stored samples, per second. */
  get perSecond(): number {
    let sum = 0;
    for (let i = 0; i < SAMPLES; i++) sum += this.#samples[i];
    return sum / SAMPLES;
  }
}

/** The counters INFO reports rates of. */
export interface RateSources {
  commands(): number;
  netInputBytes(): number;
  netOutputBytes(): number;
}

export class InstantaneousRates {
  readonly ops = new InstantaneousRate();
  readonly netInput = new InstantaneousRate();
  readonly netOutput = new InstantaneousRate();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Samples every {@linkcode RATE_SAMPLE_MS} until {@linkcode stop}. */
  start(sources: RateSources): void {
    const tick = () => {
      const now = performance.now();
      this.ops.sample(sources.commands(), now);
      this.netInput.sample(sources.netInputBytes(), now);
      this.netOutput.sample(sources.netOutputBytes(), now);
    };
    tick();
    this.#timer = setInterval(tick, RATE_SAMPLE_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
