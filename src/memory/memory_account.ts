/**
 * used_memory: what the server's data and buffers cost, kept up to date by whoever changes
 * them (never by walking anything), in bytes as V8 spends them (memory/costs.ts):
 *
 * - `data`: every database's keys, values, deadlines, hash tables and access clocks (kept by
 *   the keyspaces);
 * - `clients`: normal clients' input and output buffers and their queued replies;
 * - `backlog`: the replication backlog;
 * - `replicaOutput`: bytes queued for replicas, and `logPending`: the write-ahead log's bytes
 *   not yet written; both are left out of the figure maxmemory is compared with, as Redis
 *   leaves out replica buffers and the AOF buffer (deleting keys adds DELs to them: counting
 *   them could evict everything);
 * - `startup`: the heap the process held before any of these (the runtime and the compiled
 *   code, about 10 MB). It is in used_memory but not in the figure maxmemory is compared with:
 *   it is the runtime's, as Redis's executable is Redis's, and no eviction can shrink it; a
 *   limit of 32 MB leaves 32 MB for data and clients, as Redis's leaves about 31.
 *
 * Crossing `limit` upwards calls `onOverLimit` once; whoever handles it (the eviction layer)
 * calls {@linkcode MemoryAccount.clearOverLimit} once back under. With no limit (`Infinity`)
 * the check never fires, so accounting costs an addition and a comparison per change.
 *
 * Without a limit, keyspaces may owe the account the bytes of values that left them (see
 * Keyspace's `#bytesLeaving`): every figure read here, and the end of each round, settles them
 * first, so what is read is exact.
 */
export class MemoryAccount {
  #counted = 0;
  #data = 0;
  clients = 0;
  backlog = 0;
  replicaOutput = 0;
  logPending = 0;
  startup = 0;
  /** maxmemory in bytes, or Infinity for none. */
  limit = Infinity;
  /** Set from the first crossing of the limit until {@linkcode clearOverLimit}. */
  overLimit = false;
  onOverLimit: (() => void) | null = null;
  /** The largest `used` seen (sampled by the cron and INFO, as Redis samples its peak). */
  peak = 0;
  /**
   * Keyspaces that owe bytes of released values (see {@linkcode owe}): the first #debtorCount
   * slots. The array never shrinks, so registering allocates nothing once it has grown.
   */
  readonly #debtors: (Debtor | undefined)[] = [];
  #debtorCount = 0;

  /** The bytes maxmemory is compared with: all but the startup heap, replica output and log. */
  get counted(): number {
    if (this.#debtorCount !== 0) this.settle();
    return this.#counted;
  }

  /** Every keyspace's keys, values, deadlines, tables and clocks. */
  get data(): number {
    if (this.#debtorCount !== 0) this.settle();
    return this.#data;
  }

  /** used_memory. */
  get used(): number {
    return this.counted + this.startup + this.replicaOutput + this.logPending;
  }

  /** Bytes in used_memory that maxmemory is not compared with (mem_not_counted_for_evict). */
  get notCounted(): number {
    return this.startup + this.replicaOutput + this.logPending;
  }

  /** Keyspaces' contents changed by `delta` bytes. */
  addData(delta: number): void {
    this.#data += delta;
    this.#addCounted(delta);
  }

  /**
   * `debtor` holds values that left it whose bytes are still counted; it is asked to settle
   * before any figure is read. A debtor registers once until it is settled.
   */
  owe(debtor: Debtor): void {
    this.#debtors[this.#debtorCount++] = debtor;
  }

  /** Takes the bytes every debtor owes off the account (a count test when none does). */
  settle(): void {
    const count = this.#debtorCount;
    if (count === 0) return;
    const debtors = this.#debtors;
    for (let i = 0; i < count; i++) {
      debtors[i]!.settle();
      debtors[i] = undefined; // a dropped partition's keyspace is not kept alive here
    }
    this.#debtorCount = 0;
  }

  addClients(delta: number): void {
    this.clients += delta;
    this.#addCounted(delta);
  }

  addBacklog(delta: number): void {
    this.backlog += delta;
    this.#addCounted(delta);
  }

  addReplicaOutput(delta: number): void {
    this.replicaOutput += delta;
  }

  /** The log's buffers now hold `bytes` (sampled: they change every round). */
  setLogPending(bytes: number): void {
    this.logPending = bytes;
  }

  setStartup(bytes: number): void {
    this.startup = bytes;
  }

  #addCounted(delta: number): void {
    this.#counted += delta;
    if (this.#counted > this.limit && !this.overLimit) {
      this.overLimit = true;
      this.onOverLimit?.();
    }
  }

  /** Bytes above the limit (0 when under it or when there is none). */
  get excess(): number {
    return Math.max(0, this.counted - this.limit);
  }

  /** Sets the limit (0 = none); crossing it calls onOverLimit at once. */
  setLimit(bytes: number): void {
    this.settle(); // from here on every change is counted as it happens
    this.limit = bytes === 0 ? Infinity : bytes;
    this.#addCounted(0);
  }

  /** The eviction layer found memory back under the limit. */
  clearOverLimit(): void {
    this.overLimit = this.counted > this.limit;
  }

  /** Records the current figure as the peak if it is one; returns used_memory. */
  samplePeak(): number {
    const used = this.used;
    if (used > this.peak) this.peak = used;
    return used;
  }
}

/** A keyspace that owes the account bytes (see {@linkcode MemoryAccount.owe}). */
export interface Debtor {
  /** Takes what it owes off the account; it may register again afterwards. */
  settle(): void;
}
