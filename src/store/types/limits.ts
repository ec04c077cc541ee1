/**
 * When a collection outgrows its compact form, under Redis's setting names. The config layer
 * copies its values here at start and on CONFIG SET (app.ts), so the store reads plain numbers
 * and knows nothing of settings. A collection converts when a write takes it past a limit, and
 * never converts back (as in Redis).
 */
export const encodingLimits = {
  /** hash-max-listpack-entries: most fields of a packed hash. */
  hashMaxListpackEntries: 512,
  /** hash-max-listpack-value: longest field or value of a packed hash, in bytes. */
  hashMaxListpackValue: 64,
  /** set-max-intset-entries: most members of an intset. */
  setMaxIntsetEntries: 512,
  /**
   * list-max-listpack-size: the size of each node of a list. Negative: -1 to -5 mean 4, 8,
   * 16, 32 or 64 KB per node; positive: that many elements per node.
   */
  listMaxListpackSize: -2,
  /** zset-max-listpack-entries: most members of a packed sorted set. */
  zsetMaxListpackEntries: 128,
  /** zset-max-listpack-value: longest member of a packed sorted set, in bytes. */
  zsetMaxListpackValue: 64,
  /** hll-sparse-max-bytes: longest sparse HyperLogLog before it turns dense. */
  hllSparseMaxBytes: 3000,
};

/** Bytes per list node for a negative list-max-listpack-size. */
export function listNodeBytes(setting: number): number {
  if (setting >= 0) return 8192;
  return 4096 << (Math.min(5, -setting) - 1);
}
