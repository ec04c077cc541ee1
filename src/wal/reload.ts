/**
 * DEBUG RELOAD for Hermes: the write-ahead log's answer to Redis's "save the RDB, flush, load it
 * back". The log is compacted (unless NOSAVE), then the data set is replayed from the files into
 * a fresh store, exactly as at a restart, and the fresh keyspaces replace the live ones. The
 * caller holds other clients' commands and active expiry meanwhile, so the files do not change
 * while they are read. Partitions without persistence are not in the log and keep their keys.
 *
 * Nothing is journaled: the log already holds this data.
 */
import { Databases } from "../store/databases.ts";
import type { Keyspace } from "../store/keyspace.ts";
import { Persistence } from "../store/partition.ts";
import type { Clock } from "../store/clock.ts";
import type { Logger } from "../log/logger.ts";
import type { ReloadOptions } from "../commands/server_control.ts";
import type { WriteAheadLog } from "./write_ahead_log.ts";
import { replay } from "./replay.ts";

export interface ReloadEnvironment {
  dir: string;
  store: Databases;
  wal: WriteAheadLog;
  log: Logger;
  now: Clock;
  runInStore(task: () => void): Promise<void>;
}

/** Rebuilds the live store from the log; rejects, changing nothing, when it cannot. */
export async function reloadDataSet(env: ReloadEnvironment, options: ReloadOptions): Promise<void> {
  const { wal, log } = env;
  if (wal.failure !== null) throw new Error(`the log cannot be written: ${wal.failure}`);
  if (options.save) {
    if (!(await wal.compactNow())) throw new Error("the compaction failed");
  } else {
    await wal.idle();
  }
  // A round boundary: the records of every command before this point are in the files.
  await env.runInStore(() => {});
  const fresh = new Databases();
  await replay({ dir: env.dir, store: fresh, repair: false, log, now: env.now });
  let conflict: string | null = null;
  await env.runInStore(() => {
    const pairs = matchingKeyspaces(env.store, fresh);
    if (!options.flush && !options.merge) conflict = firstConflict(pairs);
    if (conflict !== null) return;
    for (const [live, loaded] of pairs) {
      if (options.flush) {
        live.adopt(loaded);
      } else {
        mergeInto(live, loaded);
      }
    }
  });
  if (conflict !== null) throw new Error(`key "${conflict}" is both loaded and in memory`);
  log.warn("DB reloaded by DEBUG RELOAD");
}

/** Each live keyspace the log covers, with its loaded counterpart. */
function matchingKeyspaces(live: Databases, loaded: Databases): [Keyspace, Keyspace][] {
  const pairs: [Keyspace, Keyspace][] = live.dbs.map((db, i) => [db, loaded.dbs[i]]);
  for (const partition of live.partitions()) {
    if (partition.persistence !== Persistence.wal) continue;
    const counterpart = loaded.partition(partition.id);
    if (counterpart !== undefined) pairs.push([partition.keyspace, counterpart.keyspace]);
  }
  return pairs;
}

function firstConflict(pairs: [Keyspace, Keyspace][]): string | null {
  for (const [live, loaded] of pairs) {
    for (const shard of loaded.data.shards) {
      for (const key of shard.keys()) if (live.data.has(key)) return key;
    }
  }
  return null;
}

/** NOFLUSH: every loaded key replaces the live one (MERGE), with its deadline. */
function mergeInto(live: Keyspace, loaded: Keyspace): void {
  for (const shard of loaded.data.shards) {
    for (const [key, value] of shard) live.place(key, value, loaded.deadline(key));
  }
}
