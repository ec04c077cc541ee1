/**
 * Writes a snapshot of every live key for compaction, in small slices run inside the store
 * actor so clients keep being served between them; the file writes happen outside the actor.
 *
 * The snapshot is taken while commands keep changing the data, so it is fuzzy: a string may be
 * written as it was when the new log started or with a later value. That is safe because the
 * new log holds every change since it started, each stated as a result: replaying the log over
 * the snapshot ends in the exact state. Keyspaces are walked as objects under the number they
 * had when the log started, so a SWAPDB meanwhile is replayed correctly too.
 *
 * Collections are different: the log changes them with ops (`LPUSH key x`) that are right only
 * over the exact state they were applied to. So the snapshot holds every collection as it was
 * at the switch ({@linkcode SnapshotFreeze}): a collection changed in place before the walk
 * reached it is copied first (`Journal.beforeMutate`) and written from that copy; one made
 * after the switch is skipped (the log builds it from nothing: its key was deleted, or written
 * whole, after the switch). Strings, deletions and whole-value writes need none of this.
 */
import type { Journal } from "../store/journal.ts";
import type { Keyspace } from "../store/keyspace.ts";
import { type Collection, snapshotEpoch, type Value } from "../store/value.ts";
import { encodeFileHeader, FileKind, type PartitionRecord, RecordEncoder } from "./codec.ts";
import { BUILD_CHUNK_BYTES, writeCollection } from "./wal_journal.ts";
import { OPS } from "../store/types/registry.ts";

/** The freezes in progress per journal: a log compaction and RDB snapshots may overlap. */
const activeFreezes = new Map<Journal, Set<SnapshotFreeze>>();

/**
 * The state of the collections at a log switch (or at the start of an RDB snapshot), kept
 * while the snapshot is written: started in the actor, ended when the snapshot is done or
 * abandoned. Several may run at once; each keeps its own record of what it has written.
 */
export class SnapshotFreeze {
  /** Collections with an epoch below this existed when the freeze started. */
  readonly epoch: number;
  /** Copies of collections changed before the walk reached them, as of the switch. */
  readonly copies: { index: number; key: string; value: Collection; deadline: number }[] = [];
  readonly #journal: Journal;
  readonly #indexes = new Map<Keyspace, number>();
  /** Collections already written or copied by this freeze. */
  readonly #done = new WeakSet<Collection>();
  #ended = false;
  /** The journal's rollback count at the start (see {@linkcode spoiled}). */
  readonly #rollbacks: number;

  constructor(journal: Journal, sources: readonly SnapshotSource[]) {
    this.#journal = journal;
    this.#rollbacks = journal.rollbacks;
    this.epoch = ++snapshotEpoch.current;
    for (const { keyspace, index } of sources) this.#indexes.set(keyspace, index);
    let freezes = activeFreezes.get(journal);
    if (freezes === undefined) activeFreezes.set(journal, freezes = new Set());
    freezes.add(this);
    const all = freezes;
    journal.beforeMutate = (keyspace, key, value) => {
      for (const freeze of all) freeze.#beforeMutate(keyspace, key, value);
    };
  }

  #beforeMutate(keyspace: Keyspace, key: string, value: Collection): void {
    if (value.epoch >= this.epoch || this.#done.has(value)) return;
    const index = this.#indexes.get(keyspace);
    if (index === undefined) return; // a keyspace made after the switch: the log has it all
    this.copies.push({ index, key, value: value.clone(), deadline: keyspace.deadline(key) });
    this.#done.add(value);
  }

  /** Whether the walk must write `value` (and marks it written). */
  claim(value: Value): boolean {
    if (typeof value === "string") return true;
    if (value.epoch >= this.epoch || this.#done.has(value)) return false;
    this.#done.add(value);
    return true;
  }

  /**
   * Whether the log snapshot's walk must write collection `value`, without marking it: it is
   * marked by {@linkcode written} once all of it is out, so one changed in place while its
   * write spans slices is copied out meanwhile (see {@linkcode changedSince}).
   */
  begin(value: Collection): boolean {
    return value.epoch < this.epoch && !this.#done.has(value);
  }

  /** The walk has written all of `value`. */
  written(value: Collection): void {
    this.#done.add(value);
  }

  /** Whether `value`, partly written, was changed since and copied out (written last). */
  changedSince(value: Collection): boolean {
    return this.#done.has(value);
  }

  /**
   * Whether a round was rolled back since the start: a slice may have read a change that was
   * then refused (strings are read as they are), so the snapshot must not be used. Checked
   * after each slice (a slice's task resolves once its round was settled) and at the end.
   */
  get spoiled(): boolean {
    return this.#journal.rollbacks !== this.#rollbacks;
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const freezes = activeFreezes.get(this.#journal);
    freezes?.delete(this);
    if (freezes === undefined || freezes.size === 0) {
      activeFreezes.delete(this.#journal);
      this.#journal.beforeMutate = null;
    }
  }
}

/** A collection being written across slices. */
interface Partial {
  index: number;
  key: string;
  value: Collection;
  deadline: number;
  ops: Generator<[code: number, args: string[]]>;
}

/** One slice's budget: output bytes and time, and where its current record started. */
class Slice {
  readonly #encoder: RecordEncoder;
  readonly #budgetMs: number;
  readonly #started = performance.now();
  readonly #onFinish: ((ms: number) => void) | undefined;
  #recordStart: number;
  #steps = 0;

  constructor(encoder: RecordEncoder, budgetMs: number, onFinish?: (ms: number) => void) {
    this.#encoder = encoder;
    this.#budgetMs = budgetMs;
    this.#onFinish = onFinish;
    this.#recordStart = encoder.length;
  }

  /** Seals the open record once it is big enough (snapshot records need not be whole keys). */
  sealIfFull(): void {
    if (this.#encoder.length - this.#recordStart >= RECORD_BYTES) {
      this.#encoder.end();
      this.#recordStart = this.#encoder.length;
    }
  }

  /** Whether the slice has used its bytes or its time (the clock is read every 32 steps). */
  over(): boolean {
    if (this.#encoder.length >= SLICE_BYTES) return true;
    return (++this.#steps & 31) === 0 && performance.now() - this.#started >= this.#budgetMs;
  }

  /**
   * Writes `partial`'s remaining build ops until they end (true: the collection is written and
   * marked) or the slice is over (false: resume in the next slice).
   */
  continue(partial: Partial, freeze: SnapshotFreeze): boolean {
    const encoder = this.#encoder;
    while (true) {
      const next = partial.ops.next();
      if (next.done) {
        if (partial.deadline > 0) encoder.expire(partial.index, partial.key, partial.deadline);
        freeze.written(partial.value);
        return true;
      }
      const [code, args] = next.value;
      encoder.op(partial.index, partial.key, code, args);
      this.sealIfFull();
      if (encoder.length >= SLICE_BYTES || performance.now() - this.#started >= this.#budgetMs) {
        return false;
      }
    }
  }

  /** Seals the open record and reports how long the slice held the store. */
  finish(): void {
    this.#encoder.end();
    this.#onFinish?.(performance.now() - this.#started);
  }
}

export interface SnapshotSource {
  keyspace: Keyspace;
  /** The database number the keyspace had when the new log started. */
  index: number;
}

export interface SnapshotOptions {
  /** The temporary file to write (created, replacing any leftover). */
  path: string;
  generation: number;
  sources: SnapshotSource[];
  /** Every partition's definition at the switch: written first, before any key. */
  partitions?: PartitionRecord[];
  /** The id the next partition will get, at the switch (see `NEXT_PARTITION_ID`). */
  nextPartitionId?: number;
  /** Started at the switch (in the actor); ended here when the write finishes or fails. */
  freeze: SnapshotFreeze;
  /** A replica's position in its primary's stream at the switch, kept in the snapshot. */
  position?: { replid: string; offset: number; db: number } | null;
  /** Runs a task inside the store actor. */
  runInStore: (task: () => void) => Promise<void>;
  /** Unix ms; keys already expired are left out (not on a replica: see expiry_policy.ts). */
  now: () => number;
  /** Checked between slices; when true the write stops with {@linkcode SnapshotCancelled}. */
  cancelled: () => boolean;
  /** Longest a slice may hold the actor, in ms. Default 2. */
  sliceBudgetMs?: number;
  /** Told how long each slice held the actor, in ms (LATENCY's compaction-slice event). */
  onSlice?: (ms: number) => void;
}

export class SnapshotCancelled extends Error {
  override name = "SnapshotCancelled";
}

/** Why a snapshot is abandoned after a rollback (see {@linkcode SnapshotFreeze.spoiled}). */
export const SPOILED = "a round it may have read was refused and rolled back";

/** Bytes of output after which a slice ends and its bytes are written. */
const SLICE_BYTES = 1024 * 1024;
/** Payload size after which a snapshot record is sealed and the next one begins. */
const RECORD_BYTES = 64 * 1024;
/**
 * The snapshot is fdatasynced each time this much more was written (as Redis's incremental
 * fsync of its rewrite), so its dirty pages never pile up to be flushed inside one of the
 * log's own fdatasyncs (the file system commits them together), stalling every write.
 */
const SYNC_EVERY_BYTES = 1024 * 1024;

/**
 * Writes and fdatasyncs the snapshot file; resolves with its key count and size. On failure or
 * cancellation the temporary file is removed.
 */
export async function writeSnapshot(
  options: SnapshotOptions,
): Promise<{ keys: number; bytes: number }> {
  const budgetMs = options.sliceBudgetMs ?? 1;
  const handle = await Deno.open(options.path, { write: true, create: true, truncate: true });
  const encoder = new RecordEncoder();
  const freeze = options.freeze;
  let bytes = 0;
  let keys = 0;
  let unsynced = 0;
  const flush = async () => {
    const chunk = encoder.bytes.subarray(0, encoder.length);
    let offset = 0;
    while (offset < chunk.length) offset += await handle.write(chunk.subarray(offset));
    bytes += chunk.length;
    unsynced += chunk.length;
    encoder.reset();
    if (unsynced >= SYNC_EVERY_BYTES) {
      await handle.syncData();
      unsynced = 0;
    }
  };
  try {
    const header = encodeFileHeader(FileKind.snapshot, options.generation);
    let offset = 0;
    while (offset < header.length) offset += await handle.write(header.subarray(offset));
    bytes += header.length;
    if (options.nextPartitionId !== undefined) encoder.nextPartitionId(options.nextPartitionId);
    let definitionsStart = encoder.length;
    for (const partition of options.partitions ?? []) {
      encoder.createPartition(partition);
      if (encoder.length - definitionsStart >= RECORD_BYTES) {
        encoder.end();
        definitionsStart = encoder.length;
      }
    }
    encoder.end();
    if (options.position) {
      const { replid, offset: at, db } = options.position;
      encoder.replPosition(replid, at, db);
      encoder.end();
    }

    for (const { keyspace, index } of options.sources) {
      for (let s = 0; s < keyspace.data.shards.length; s++) {
        const shard = keyspace.data.shards[s];
        if (shard.size === 0) continue;
        const deadlines = keyspace.expires.shards[s];
        // Map iterators stay valid while the map changes between slices.
        let entries: IterableIterator<[string, Value]> | null = null;
        /** A collection whose write spans slices: its remaining build ops. */
        let partial: Partial | null = null;
        let done = false;
        while (!done) {
          if (options.cancelled()) throw new SnapshotCancelled("Snapshot cancelled");
          if (freeze.spoiled) throw new SnapshotCancelled(SPOILED);
          await options.runInStore(() => {
            entries ??= shard.entries();
            const slice = new Slice(encoder, budgetMs, options.onSlice);
            if (partial !== null) {
              if (freeze.changedSince(partial.value)) {
                partial = null; // changed meanwhile: its copy, written last, replaces this part
              } else if (!slice.continue(partial, freeze)) {
                return slice.finish();
              } else {
                partial = null;
                keys++;
              }
            }
            const now = options.now();
            while (true) {
              const next = entries.next();
              if (next.done) {
                done = true;
                break;
              }
              const [key, value] = next.value;
              const deadline = deadlines.size === 0 ? 0 : deadlines.get(key) ?? 0;
              if (keyspace.expiry.dropsAt(deadline, now)) continue;
              if (typeof value === "string") {
                encoder.set(index, key, value, deadline);
                keys++;
              } else {
                if (!freeze.begin(value)) continue;
                encoder.delete(index, key);
                const started: Partial = {
                  index,
                  key,
                  value,
                  deadline,
                  ops: OPS.type(value.type).buildOps(value, BUILD_CHUNK_BYTES),
                };
                if (!slice.continue(started, freeze)) {
                  partial = started;
                  break;
                }
                keys++;
              }
              slice.sealIfFull();
              if (slice.over()) break;
            }
            slice.finish();
          });
          if (encoder.length > 0) await flush();
        }
      }
    }
    // Copies are taken inside the actor; once the walk is over no more can come, and these
    // are written last so they override whatever the walk wrote later under the same key.
    await options.runInStore(() => freeze.end());
    if (freeze.spoiled) throw new SnapshotCancelled(SPOILED);
    for (const copy of freeze.copies) {
      writeCollection(encoder, copy.index, copy.key, copy.value, copy.deadline);
      encoder.end();
      keys++;
      if (encoder.length >= SLICE_BYTES) await flush();
    }
    encoder.snapshotEnd(keys);
    await flush();
    await handle.syncData();
    handle.close();
    return { keys, bytes };
  } catch (error) {
    freeze.end();
    try {
      handle.close();
    } catch { /* already closed */ }
    await Deno.remove(options.path).catch(() => {});
    throw error;
  }
}
