/**
 * A point-in-time RDB image of the whole store, for a replica's full sync and for BGSAVE,
 * written in small slices inside the store actor so clients keep being served meanwhile.
 *
 * It is taken the way the log's compaction takes its snapshot (see src/wal/snapshot_writer.ts):
 * strings fuzzily (a later value is fine, because the replication stream from the starting
 * offset, or nothing for BGSAVE, states every later change as a result), collections frozen
 * as they were at the start ({@linkcode SnapshotFreeze}). Unlike the log, RDB must never name a
 * key twice (redis-server refuses a file with a duplicate key), so each shard's keys are listed
 * once when the walk reaches it, and a frozen copy is written in its key's place.
 *
 * SAVE uses {@linkcode saveRdbSync}: the same format, written in one go inside the command.
 */
import type { Databases } from "../store/databases.ts";
import type { Keyspace } from "../store/keyspace.ts";
import { SnapshotFreeze, type SnapshotSource, SPOILED } from "../wal/snapshot_writer.ts";
import { RdbEncoder } from "./rdb_encoder.ts";
import { syncParentSync } from "../wal/data_dir.ts";

/** Output after which a slice ends and its bytes go out. */
const SLICE_BYTES = 256 * 1024;
/** Longest a slice may hold the actor, in ms. */
const SLICE_BUDGET_MS = 2;

/** The state captured at the start, inside the actor. */
export interface RdbSnapshotStart {
  sources: SnapshotSource[];
  freeze: SnapshotFreeze;
  /** [keys, keys with a deadline] per source, for RESIZEDB. */
  sizes: [number, number][];
}

/** Starts a snapshot of `store` as it is now; call inside the store actor. */
export function startRdbSnapshot(store: Databases): RdbSnapshotStart {
  const sources = store.dbs.map((keyspace, index) => ({ keyspace, index }));
  return {
    sources,
    freeze: new SnapshotFreeze(store.journal, sources),
    sizes: sources.map(({ keyspace }) => [keyspace.size, keyspace.volatileCount]),
  };
}

export interface RdbStreamOptions {
  /** AUX fields after the header (redis-ver, repl-id, repl-offset, ...). */
  aux: [string, string][];
  runInStore: (task: () => void) => Promise<void>;
  /** Unix ms; keys already expired are left out (not on a replica: see expiry_policy.ts). */
  now: () => number;
  /** Receives the bytes in order; awaited, so a slow receiver slows the walk. */
  write: (chunk: Uint8Array) => Promise<void>;
  /** Checked between slices; when true the walk stops (the freeze is ended). */
  cancelled?: () => boolean;
}

/** Thrown when a snapshot is abandoned through `cancelled`. */
export class RdbSnapshotCancelled extends Error {
  override name = "RdbSnapshotCancelled";
}

/** Writes the snapshot begun by {@linkcode startRdbSnapshot}; resolves with its key count. */
export async function streamRdbSnapshot(
  start: RdbSnapshotStart,
  options: RdbStreamOptions,
): Promise<{ keys: number; bytes: number }> {
  const { freeze } = start;
  const encoder = new RdbEncoder();
  let keys = 0;
  let bytes = 0;
  const send = async (chunk: Uint8Array) => {
    bytes += chunk.length;
    await options.write(chunk);
  };
  try {
    encoder.header();
    for (const [name, value] of options.aux) encoder.aux(name, value);
    // Copies of frozen collections, by database and key, to write in their key's place.
    const copies = start.sources.map(() => new Map<string, (typeof freeze.copies)[number]>());
    let copiesSeen = 0;
    const collectCopies = () => {
      for (; copiesSeen < freeze.copies.length; copiesSeen++) {
        const copy = freeze.copies[copiesSeen];
        copies[copy.index].set(copy.key, copy);
      }
    };
    const takeCopy = (index: number, key: string) => {
      collectCopies();
      const copy = copies[index].get(key);
      if (copy !== undefined) copies[index].delete(key);
      return copy;
    };
    for (const { keyspace, index } of start.sources) {
      const [size, volatile] = start.sizes[index];
      if (size === 0) continue;
      encoder.selectDb(index);
      encoder.resizeDb(size, volatile);
      for (let s = 0; s < keyspace.data.shards.length; s++) {
        // The shard's keys as a list taken once: each key is visited once, even one deleted
        // and set again meanwhile (a Map iterator would meet it twice), and keys made later
        // reach the replica through the stream instead.
        const walk: { names: string[] | null; at: number } = { names: null, at: 0 };
        while (walk.names === null || walk.at < walk.names.length) {
          if (options.cancelled?.()) throw new RdbSnapshotCancelled("RDB snapshot cancelled");
          await options.runInStore(() => {
            const shard = keyspace.data.shards[s];
            const names = walk.names ??= [...shard.keys()];
            const started = performance.now();
            const now = options.now();
            const deadlines = keyspace.expires.shards[s];
            const checkCopies = freeze.copies.length > 0;
            while (walk.at < names.length) {
              const key = names[walk.at++];
              const copy = checkCopies ? takeCopy(index, key) : undefined;
              if (copy !== undefined) {
                encoder.entry(key, copy.value, copy.deadline);
                keys++;
                continue;
              }
              const value = shard.get(key);
              if (value === undefined) continue;
              const deadline = deadlines.size === 0 ? 0 : deadlines.get(key) ?? 0;
              if (keyspace.expiry.dropsAt(deadline, now)) continue;
              if (!freeze.claim(value)) continue;
              encoder.entry(key, value, deadline);
              keys++;
              if (encoder.length >= SLICE_BYTES) break;
              if ((walk.at & 255) === 0 && performance.now() - started >= SLICE_BUDGET_MS) break;
            }
          });
          if (freeze.spoiled) throw new RdbSnapshotCancelled(`RDB snapshot cancelled: ${SPOILED}`);
          if (encoder.length > 0) await send(encoder.take());
        }
      }
    }
    // Collections changed in place before the walk reached their key, whose key it never met.
    await options.runInStore(() => freeze.end());
    if (freeze.spoiled) throw new RdbSnapshotCancelled(`RDB snapshot cancelled: ${SPOILED}`);
    collectCopies();
    let db = -1;
    for (const byKey of copies) {
      for (const copy of byKey.values()) {
        if (copy.index !== db) encoder.selectDb(db = copy.index);
        encoder.entry(copy.key, copy.value, copy.deadline);
        keys++;
        if (encoder.length >= SLICE_BYTES) await send(encoder.take());
      }
    }
    await send(encoder.finish());
    return { keys, bytes };
  } finally {
    freeze.end();
  }
}

/** `key`'s deadline in `shard` of `keyspace`, 0 when none. */
function deadlineOf(keyspace: Keyspace, shard: number, key: string): number {
  const deadlines = keyspace.expires.shards[shard];
  return deadlines.size === 0 ? 0 : deadlines.get(key) ?? 0;
}

/**
 * The whole store as one RDB, written synchronously to `path` (SAVE: the command holds the
 * store while it runs, as Redis's SAVE does). Written to a temporary file, fdatasynced and
 * renamed into place, then the directory is synced.
 */
export function saveRdbSync(
  store: Databases,
  path: string,
  aux: [string, string][],
  now: number,
): number {
  const temp = `${path}.tmp-${Deno.pid}`;
  const file = Deno.openSync(temp, { write: true, create: true, truncate: true });
  const encoder = new RdbEncoder();
  let keys = 0;
  const flush = (chunk: Uint8Array) => {
    let at = 0;
    while (at < chunk.length) at += file.writeSync(chunk.subarray(at));
  };
  try {
    encoder.header();
    for (const [name, value] of aux) encoder.aux(name, value);
    for (const keyspace of store.dbs) {
      if (keyspace.size === 0) continue;
      encoder.selectDb(keyspace.index);
      encoder.resizeDb(keyspace.size, keyspace.volatileCount);
      for (let s = 0; s < keyspace.data.shards.length; s++) {
        for (const [key, value] of keyspace.data.shards[s]) {
          const deadline = deadlineOf(keyspace, s, key);
          if (keyspace.expiry.dropsAt(deadline, now)) continue;
          encoder.entry(key, value, deadline);
          keys++;
          if (encoder.length >= SLICE_BYTES) flush(encoder.take());
        }
      }
    }
    flush(encoder.take());
    flush(encoder.finish());
    file.syncDataSync();
    file.close();
  } catch (error) {
    file.close();
    try {
      Deno.removeSync(temp);
    } catch { /* already gone */ }
    throw error;
  }
  Deno.renameSync(temp, path);
  syncParentSync(path);
  return keys;
}
