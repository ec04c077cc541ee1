/**
 * A histogram with fixed upper bounds, in the shape Prometheus exposes (`_bucket{le}`, `_sum`,
 * `_count`): the WAL counts its fdatasync durations and group-commit batch sizes in these.
 * Observing a value is a short scan of the bounds and two additions, cheap enough for every
 * round of the store actor.
 */
export class BucketHistogram {
  /** Upper bounds, ascending; a last implicit bucket (+Inf) holds everything above. */
  readonly bounds: readonly number[];
  /** Counts per bucket (not cumulative); one more than `bounds` for +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i] > bounds[i - 1])) {
        throw new RangeError(`Cannot use histogram bounds ${bounds.join(",")}: not ascending`);
      }
    }
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

/** fdatasync durations, in seconds: 50 µs to 2.5 s. */
export const FSYNC_SECONDS_BOUNDS = [
  0.00005,
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
];

/** Records written by one group commit: powers of two up to 4096. */
export const BATCH_SIZE_BOUNDS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
