/**
 * Loads the data set (snapshot + logs) into the store at start, before any client connects.
 * A torn tail of the last log is cut off with a warning; anything else that is bad stops the
 * start with an error naming the file and offset, unless `repair` is set.
 */
import type { Databases } from "../store/databases.ts";
import type { Logger } from "../log/logger.ts";
import { OPS } from "../store/types/registry.ts";
import { valueType } from "../store/value.ts";
import {
  FIRST_PARTITION_ID,
  type Persistence,
  PERSISTENCE_NAMES,
  type Schema,
  SCHEMA_NAMES,
} from "../store/partition.ts";
import {
  decodeChanges,
  FILE_HEADER_BYTES,
  FileKind,
  forgetLatin1View,
  FormatError,
  type OpVisitor,
  RecordEncoder,
  RecordType,
} from "./codec.ts";
import {
  DataDirError,
  type DataFile,
  newestWithRecords,
  readDataSet,
  syncDirectory,
} from "./data_dir.ts";
import { scanFile, type ScanProblem } from "./log_reader.ts";

export interface ReplayOptions {
  dir: string;
  /** Filled with the data; its journal must not record while replay runs. */
  store: Databases;
  /** Cut the data set at the first bad record instead of refusing to start. */
  repair: boolean;
  log: Logger;
  /** Unix ms: keys whose deadline has passed by then are dropped. */
  now: () => number;
}

export interface ReplayResult {
  snapshot: { file: DataFile; bytes: number } | null;
  /** The logs, oldest first, with their sizes after any cut. */
  logs: { file: DataFile; bytes: number }[];
  /** Leftovers of earlier compactions, safe to remove. */
  obsolete: string[];
  records: number;
  /** The last replication position in the data set (a replica's), or null. */
  position: { replid: string; offset: number; db: number } | null;
  /**
   * Whether that position is the data set's last word: no operation follows it and no key
   * expired while the server was down (a primary's clean shutdown; see replication/manager.ts).
   */
  positionIsLast: boolean;
  keys: number;
  expired: number;
  seconds: number;
}

/** Refusal to start: the data set is damaged in a way only `--repair` may cut away. */
export class CorruptionError extends DataDirError {
  override name = "CorruptionError";
}

/** Replays the data set in `options.dir` into `options.store`. */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const started = performance.now();
  try {
    // A repair cuts files and may have applied part of a malformed record: start over once.
    let result = await replayOnce(options, started);
    if (result === "repaired") {
      options.store.reset();
      result = await replayOnce(options, started);
      if (result === "repaired") {
        throw new DataDirError("Cannot repair the data set: still damaged");
      }
    }
    return result;
  } finally {
    forgetLatin1View();
  }
}

async function replayOnce(
  options: ReplayOptions,
  started: number,
): Promise<ReplayResult | "repaired"> {
  const { store, log } = options;
  const set = await readDataSet(options.dir);
  const files = set.snapshot ? [set.snapshot, ...set.logs] : [...set.logs];
  const sizes = await Promise.all(files.map(async (f) => (await Deno.stat(f.path)).size));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const applier = storeApplier(store);
  // A position is always the last operation of its record (a replica's command, a snapshot's
  // head, a primary's shutdown): it is the data set's last word if its record is the last one.
  let positionInRecord = false;
  applier.replPosition = (replid, offset, db) => {
    result.position = { replid, offset, db };
    positionInRecord = true;
  };
  const result: ReplayResult = {
    snapshot: null,
    logs: [],
    obsolete: set.obsolete,
    records: 0,
    position: null,
    positionIsLast: false,
    keys: 0,
    expired: 0,
    seconds: 0,
  };
  let bytesBefore = 0;
  let lastProgress = { at: started, records: 0 };

  const newest = newestWithRecords(files, sizes);

  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const isLast = i >= newest;
    let sawEnd = false;
    let records = 0;
    const scan = await scanFile(file.path, (type, bytes, start, end) => {
      if (type === RecordType.snapshotEnd) {
        sawEnd = true;
      } else {
        positionInRecord = false;
        decodeChanges(bytes, start, end, applier);
        result.positionIsLast = positionInRecord;
      }
      records++;
    }, {
      onProgress: (read) => {
        const now = performance.now();
        const done = result.records + records;
        const rate = (done - lastProgress.records) / ((now - lastProgress.at) / 1000);
        lastProgress = { at: now, records: done };
        const percent = Math.floor((bytesBefore + read) * 100 / Math.max(1, totalBytes));
        log.info(
          `Loading the data set: ${percent}% (${done} records, ${Math.round(rate)} records/s)`,
        );
      },
    });
    result.records += records;
    bytesBefore += scan.size;

    let problem: ScanProblem | null = scan.problem;
    const expectedKind = file.kind === "log" ? FileKind.log : FileKind.snapshot;
    if (!problem && scan.header && scan.header.kind !== expectedKind) {
      problem = flawAt(0, `its header says it is a ${kindName(scan.header.kind)}`);
    } else if (!problem && scan.header && scan.header.generation !== file.generation) {
      problem = flawAt(0, `its header says generation ${scan.header.generation}`);
    } else if (!problem && file.kind === "snapshot" && !sawEnd) {
      problem = flawAt(scan.goodBytes, "the snapshot has no end record");
    }

    if (problem === null) {
      addFile(result, file, scan.size);
      continue;
    }
    if (isLast && file.kind === "log" && problem.nextValid === -1) {
      // A crash cut the last write short: nothing after it was ever acknowledged.
      const dropped = scan.size - scan.goodBytes;
      log.warn(
        `Truncating the torn tail of ${file.path} at offset ${scan.goodBytes}: ` +
          `dropping ${dropped} bytes (${problem.reason})`,
      );
      await cutFile(file.path, scan.goodBytes);
      addFile(result, file, scan.goodBytes);
      continue;
    }
    const after = problem.nextValid >= 0
      ? `, followed by valid data at offset ${problem.nextValid}`
      : problem.nextValid === NOT_A_TAIL
      ? ""
      : `, and newer files follow it`;
    if (!options.repair) {
      throw new CorruptionError(
        `Cannot load the data set: ${file.path} is damaged at offset ${problem.offset} ` +
          `(${problem.reason})${after}. Start with --repair to keep everything before it ` +
          `(the originals are kept as *.broken-<time> files)`,
      );
    }
    await repairAt(files, i, problem.offset, log);
    return "repaired";
  }

  result.expired = dropExpired(store, options.now());
  if (result.expired > 0) result.positionIsLast = false;
  result.keys = store.totalKeys;
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** `nextValid` of a flaw that can never be a torn tail. */
const NOT_A_TAIL = -2;

function flawAt(offset: number, reason: string): ScanProblem {
  return { offset, reason, nextValid: NOT_A_TAIL };
}

function addFile(result: ReplayResult, file: DataFile, bytes: number): void {
  if (file.kind === "snapshot") result.snapshot = { file, bytes };
  else result.logs.push({ file, bytes });
}

function kindName(kind: number): string {
  return kind === FileKind.log ? "log" : "snapshot";
}

/**
 * Keeps the valid prefix of the data set: file `index` is copied aside and cut at `offset`.
 * After a bad log record every later log is set aside too, since replaying them over the gap
 * would build a state that never existed. A snapshot is cut and closed with a fresh end record
 * (its keys have no order in time), and the logs after it still apply.
 */
async function repairAt(
  files: DataFile[],
  index: number,
  offset: number,
  log: Logger,
): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = files[index];
  const backup = `${file.path}.broken-${stamp}`;
  await Deno.copyFile(file.path, backup);
  log.warn(`Repair: kept the original of ${file.path} as ${backup}`);
  if (file.kind === "snapshot") {
    await cutFile(file.path, offset);
    if (offset >= FILE_HEADER_BYTES) {
      const end = new RecordEncoder();
      end.snapshotEnd(0);
      const handle = await Deno.open(file.path, { write: true, append: true });
      try {
        await writeAll(handle, end.bytes.subarray(0, end.length));
        await handle.syncData();
      } finally {
        handle.close();
      }
    }
    log.warn(`Repair: cut ${file.path} at offset ${offset}; the logs after it still apply`);
  } else {
    await cutFile(file.path, offset);
    log.warn(`Repair: cut ${file.path} at offset ${offset}`);
    for (const later of files.slice(index + 1)) {
      const aside = `${later.path}.broken-${stamp}`;
      await Deno.rename(later.path, aside);
      log.warn(`Repair: set ${later.path} aside as ${aside} (it follows the bad record)`);
    }
  }
  await syncDirectory(file.path.slice(0, file.path.lastIndexOf("/")) || ".");
}

/** Cuts `path` to `size` bytes durably; a file cut inside its header is removed instead. */
async function cutFile(path: string, size: number): Promise<void> {
  if (size < FILE_HEADER_BYTES) {
    await Deno.remove(path);
    return;
  }
  const handle = await Deno.open(path, { write: true });
  try {
    await handle.truncate(size);
    await handle.syncData();
  } finally {
    handle.close();
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}

/**
 * Applies operations to the store as they are. Deadlines in the past are kept until the end
 * (see {@linkcode dropExpired}): a later record may still remove them.
 */
export function storeApplier(store: Databases): OpVisitor {
  const keyspace = (db: number) => {
    const ks = store.keyspace(db);
    if (ks !== undefined) return ks;
    throw new DataDirError(
      db >= FIRST_PARTITION_ID
        ? `Cannot load the data set: it uses partition ${db}, which no earlier record defines`
        : `Cannot load the data set: it uses database ${db}, but this server has ${store.count}`,
    );
  };
  // RENAME/MOVE (`move`) or COPY: `to` replaced by `from`'s value; a missing `from` moves nothing.
  const transfer = (db: number, from: string, toDb: number, to: string, move: boolean) => {
    const ks = keyspace(db);
    const target = keyspace(toDb);
    if ((from === to && ks === target) || !ks.data.has(from)) return;
    target.delete(to);
    if (move) ks.rename(from, to, target);
    else ks.copyTo(from, to, target);
  };
  return {
    set: (db, key, value, expireAtMs) => keyspace(db).set(key, value, expireAtMs),
    delete: (db, key) => void keyspace(db).delete(key),
    expire: (db, key, expireAtMs) => {
      const ks = keyspace(db);
      if (ks.data.has(key)) ks.setDeadline(key, expireAtMs);
    },
    flushDb: (db) => keyspace(db).flush(),
    flushAll: () => store.flushAll(),
    swapDb: (a, b) => {
      keyspace(a);
      keyspace(b);
      store.swap(a, b);
    },
    op: (db, key, code, args) => {
      const spec = OPS.byCode(code);
      if (spec === undefined) {
        throw new FormatError(`unknown op code ${code} (written by a newer Hermes?)`);
      }
      const ks = keyspace(db);
      const current = ks.data.get(key);
      if (current !== undefined && valueType(current) !== spec.type) {
        throw new FormatError(`${spec.command} applied to a ${valueType(current)} key`);
      }
      ks.op(key, code, args);
    },
    rename: (db, from, toDb, to) => transfer(db, from, toDb, to, true),
    copy: (db, from, toDb, to) => transfer(db, from, toDb, to, false),
    createPartition: (record) => {
      if (!(record.schema in SCHEMA_NAMES) || !(record.persistence in PERSISTENCE_NAMES)) {
        throw new FormatError(`partition ${record.id} has an unknown schema or persistence`);
      }
      if (
        record.id < FIRST_PARTITION_ID || store.partition(record.id) !== undefined ||
        store.partitionNamed(record.name) !== undefined
      ) {
        throw new DataDirError(
          `Cannot load the data set: partition ${record.id} "${record.name}" is defined twice`,
        );
      }
      store.createPartition({
        id: record.id,
        name: record.name,
        schema: record.schema as Schema,
        persistence: record.persistence as Persistence,
        createdAtMs: record.createdAtMs,
      });
    },
    dropPartition: (id) => {
      if (store.partition(id) === undefined) {
        throw new DataDirError(
          `Cannot load the data set: it drops partition ${id}, which no earlier record defines`,
        );
      }
      store.dropPartition(id);
    },
    nextPartitionId: (id) => store.retirePartitionIds(id),
  };
}

/**
 * Removes every key whose deadline is before `now`; returns how many. A replica keeps them:
 * its primary's DEL removes them (see expiry_policy.ts).
 */
export function dropExpired(store: Databases, now: number): number {
  let dropped = 0;
  for (const db of store.keyspaces()) {
    if (db.volatileCount === 0) continue;
    const due: string[] = [];
    for (const shard of db.expires.shards) {
      for (const [key, deadline] of shard) if (db.expiry.dropsAt(deadline, now)) due.push(key);
    }
    for (const key of due) db.delete(key);
    dropped += due.length;
  }
  return dropped;
}
