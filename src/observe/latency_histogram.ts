/**
 * A small log-linear histogram of command durations, one per command (INFO latencystats,
 * LATENCY HISTOGRAM). Durations are kept in nanoseconds in buckets of 1/16 of a power of two,
 * so a percentile is known within 6.25%, and the whole histogram is 448 counters (3.5 KB)
 * however many calls it counts. Redis keeps an HDR histogram from 1 ns to 1 s at two
 * significant digits; this one spans 1 ns to 2.1 s (longer durations count as 2.1 s) and
 * answers the same questions.
 */

/** Sub-buckets per power of two: 2^4 = 16, a relative width of 1/16. */
const SUB_BITS = 4;
const SUB_COUNT = 1 << SUB_BITS;
/** Durations are clamped to 2^31 - 1 ns so the bucket index is plain 32-bit arithmetic. */
const MAX_NS = 0x7fffffff;
/** Values below SUB_COUNT each have a bucket; then 27 powers of two of SUB_COUNT buckets. */
export const LATENCY_BUCKETS = SUB_COUNT + (31 - SUB_BITS) * SUB_COUNT;

/** The bucket holding `ns` (a whole number from 0 to MAX_NS). */
export function bucketOf(ns: number): number {
  if (ns < SUB_COUNT) return ns;
  const power = 31 - Math.clz32(ns);
  const shift = power - SUB_BITS;
  return SUB_COUNT + shift * SUB_COUNT + ((ns >>> shift) & (SUB_COUNT - 1));
}

/** The largest value (ns) that falls into `bucket`: what a percentile reports, as HDR does. */
export function bucketUpperNs(bucket: number): number {
  if (bucket < SUB_COUNT) return bucket;
  const shift = Math.floor((bucket - SUB_COUNT) / SUB_COUNT);
  const sub = (bucket - SUB_COUNT) % SUB_COUNT;
  return ((SUB_COUNT + sub) << shift) + (1 << shift) - 1;
}

export class LatencyHistogram {
  /** Counts per bucket: doubles, so no count wraps however long the server runs. */
  readonly counts = new Float64Array(LATENCY_BUCKETS);
  total = 0;

  /** Counts one duration given in microseconds. */
  record(durationUs: number): void {
    let ns = Math.round(durationUs * 1000);
    if (!(ns >= 0)) ns = 0;
    else if (ns > MAX_NS) ns = MAX_NS;
    this.counts[bucketOf(ns)]++;
    this.total++;
  }

  /**
   * The duration (µs) at or below which `percentile` percent of the calls ran: the upper end of
   * the bucket holding the call of that rank, or 0 when nothing was counted.
   */
  percentileUs(percentile: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.round(percentile / 100 * this.total));
    let seen = 0;
    for (let i = 0; i < LATENCY_BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return bucketUpperNs(i) / 1000;
    }
    return bucketUpperNs(LATENCY_BUCKETS - 1) / 1000;
  }

  /**
   * The cumulative distribution as LATENCY HISTOGRAM reports it: for each power of two from
   * 1024 ns, the calls that took up to about that long, labelled in whole µs with Redis's labels
   * (1, 2, 4, 8, 16, 33, 66, 132, ...); a power of two is listed only when calls were added since
   * the previous one.
   */
  cumulativeByPowerOfTwo(): [labelUs: number, calls: number][] {
    const rows: [number, number][] = [];
    let seen = 0;
    let reported = 0;
    let bucket = 0;
    for (let power = 10; power <= 31 && reported < this.total; power++) {
      // Every bucket below the next power of two's second sub-bucket: the bucket holding the
      // power of two itself counts with it, as an HDR iterator counts its boundary bucket.
      const limit = power === 31 ? LATENCY_BUCKETS : bucketOf(2 ** power) + 1;
      while (bucket < limit) seen += this.counts[bucket++];
      if (seen > reported) {
        rows.push([redisLabelUs(power), seen]);
        reported = seen;
      }
    }
    return rows;
  }

  clear(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}

/**
 * Redis's label for the power of two 2^power ns: the largest value its HDR histogram (two
 * significant digits: 256 sub-buckets) treats as equal to it, in whole µs.
 */
function redisLabelUs(power: number): number {
  const resolution = 2 ** Math.max(0, power - 7);
  return Math.floor((2 ** power + resolution - 1) / 1000);
}
