/**
 * `hermes check-log <dir>` and `hermes dump-log <dir|file>`: offline tools over a data
 * directory. check-log verifies every checksum and prints the record and key counts and the
 * first problem (exit status 0 when the data set is sound, 1 otherwise); dump-log prints every
 * record readably. Neither changes any file, so they can run next to a live server (whose
 * newest record may then look torn while it is being written).
 */
import { Databases } from "../store/databases.ts";
import { OPS } from "../store/types/registry.ts";
import {
  type Persistence,
  PERSISTENCE_NAMES,
  type Schema,
  SCHEMA_NAMES,
} from "../store/partition.ts";
import { decodeChanges, decodeSnapshotEnd, FileKind, type OpVisitor, RecordType } from "./codec.ts";
import { type DataFile, newestWithRecords, readDataSet, reasonOf } from "./data_dir.ts";
import { scanFile, type ScanProblem, type ScanResult } from "./log_reader.ts";
import { dropExpired, storeApplier } from "./replay.ts";

const USAGE = {
  "check-log": "Usage: hermes check-log <dir>",
  "dump-log": "Usage: hermes dump-log <dir | file>",
};

/** Runs `check-log` or `dump-log` with its arguments; returns the exit status. */
export async function runLogTool(tool: "check-log" | "dump-log", args: string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith("-")) {
    console.error(USAGE[tool]);
    return 2;
  }
  const out = new TextOutput();
  try {
    const status = tool === "check-log"
      ? await checkLog(args[0], out)
      : await dumpLog(args[0], out);
    out.flush();
    return status;
  } catch (error) {
    if (error instanceof OutputClosed) return 0; // `dump-log | head`: the reader has enough
    out.flush();
    console.error(`hermes ${tool}: ${reasonOf(error)}`);
    return 1;
  }
}

/** The reader of our output went away (a closed pipe). */
class OutputClosed extends Error {
  override name = "OutputClosed";
}

interface FileReport {
  file: DataFile;
  scan: ScanResult;
  /** A problem found by the scan, or a flaw of the file as a whole. */
  problem: ScanProblem | null;
}

type RecordVisitor = (
  file: DataFile,
  type: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  offset: number,
) => void;

/** A flaw that is never a torn tail (see describeProblem). */
const NOT_A_TAIL = -2;

/** Scans `files` in order, stopping after the first that has a problem (as replay would). */
async function scanFiles(files: DataFile[], onRecord: RecordVisitor): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  for (const file of files) {
    let sawEnd = false;
    const scan = await scanFile(file.path, (type, bytes, start, end, offset) => {
      if (type === RecordType.snapshotEnd) sawEnd = true;
      onRecord(file, type, bytes, start, end, offset);
    });
    let problem = scan.problem;
    const kind = file.kind === "log" ? FileKind.log : FileKind.snapshot;
    if (!problem && scan.header && scan.header.kind !== kind) {
      problem = {
        offset: 0,
        reason: "its header names the other file kind",
        nextValid: NOT_A_TAIL,
      };
    } else if (!problem && scan.header && scan.header.generation !== file.generation) {
      const reason = `its header says generation ${scan.header.generation}`;
      problem = { offset: 0, reason, nextValid: NOT_A_TAIL };
    } else if (!problem && file.kind === "snapshot" && !sawEnd) {
      const reason = "the snapshot has no end record";
      problem = { offset: scan.goodBytes, reason, nextValid: NOT_A_TAIL };
    }
    reports.push({ file, scan, problem });
    if (problem) break;
  }
  return reports;
}

/** Whether `file` is where replay accepts a torn tail (see newestWithRecords). */
async function mayBeTorn(files: DataFile[], file: DataFile): Promise<boolean> {
  const sizes = await Promise.all(files.map(async (f) => (await Deno.stat(f.path)).size));
  return files.indexOf(file) >= newestWithRecords(files, sizes);
}

/** Explains a problem the way the server treats it at start. */
function describeProblem(report: FileReport, mayBeTorn: boolean): string {
  const { file, scan } = report;
  const problem = report.problem!;
  const at = `${file.name} at offset ${problem.offset}: ${problem.reason}`;
  if (problem.nextValid >= 0) {
    return `corruption in ${at}, with valid records after it (from offset ` +
      `${problem.nextValid}); the server refuses to start unless run with --repair`;
  }
  if (problem.nextValid === -1 && mayBeTorn && file.kind === "log") {
    return `torn tail in ${at} (${scan.size - scan.goodBytes} bytes); the server drops it ` +
      `on start`;
  }
  return `damage in ${at}; the server refuses to start unless run with --repair`;
}

async function checkLog(dir: string, out: TextOutput): Promise<number> {
  const set = await readDataSet(dir);
  const files = set.snapshot ? [set.snapshot, ...set.logs] : set.logs;
  const store = new Databases();
  const applier = storeApplier(store);
  let ops = 0;
  const counting: OpVisitor = {
    set: (db, key, value, at) => (ops++, applier.set(db, key, value, at)),
    delete: (db, key) => (ops++, applier.delete(db, key)),
    expire: (db, key, at) => (ops++, applier.expire(db, key, at)),
    flushDb: (db) => (ops++, applier.flushDb(db)),
    flushAll: () => (ops++, applier.flushAll()),
    swapDb: (a, b) => (ops++, applier.swapDb(a, b)),
    op: (db, key, code, args) => (ops++, applier.op(db, key, code, args)),
    rename: (db, from, toDb, to) => (ops++, applier.rename(db, from, toDb, to)),
    copy: (db, from, toDb, to) => (ops++, applier.copy(db, from, toDb, to)),
    createPartition: (record) => (ops++, applier.createPartition(record)),
    dropPartition: (id) => (ops++, applier.dropPartition(id)),
    nextPartitionId: (id) => (ops++, applier.nextPartitionId(id)),
  };
  const reports = await scanFiles(files, (_file, type, bytes, start, end) => {
    if (type === RecordType.snapshotEnd) decodeSnapshotEnd(bytes, start, end);
    else decodeChanges(bytes, start, end, counting);
  });
  let records = 0;
  for (const { file, scan, problem } of reports) {
    records += scan.records;
    out.line(
      `${file.name}: ${file.kind}, ${scan.size} bytes, ${scan.records} records, ` +
        (problem ? `problem at offset ${problem.offset}` : "ok"),
    );
  }
  for (const path of set.obsolete) {
    out.line(`${path}: left over from a compaction (removed on start)`);
  }
  const expired = dropExpired(store, Date.now());
  out.line(
    `records: ${records}, operations: ${ops}, keys: ${store.totalKeys}` +
      (expired > 0 ? ` (and ${expired} expired)` : "") + `, files: ${files.length}`,
  );
  if (store.partitionCount > 0) {
    const names = store.partitionsByName().map((p) =>
      `${p.name} (${SCHEMA_NAMES[p.schema]} ${PERSISTENCE_NAMES[p.persistence]}, ` +
      `${p.keyspace.size} keys)`
    );
    out.line(`partitions: ${store.partitionCount}: ${names.join(", ")}`);
  }
  const bad = reports.find((r) => r.problem);
  if (!bad) {
    out.line(
      files.length === 0 ? "ok: no data files (an empty data set)" : "ok: every checksum verified",
    );
    return 0;
  }
  out.line(`first problem: ${describeProblem(bad, await mayBeTorn(files, bad.file))}`);
  return 1;
}

async function dumpLog(target: string, out: TextOutput): Promise<number> {
  let files: DataFile[];
  if ((await Deno.stat(target)).isFile) {
    const name = target.slice(target.lastIndexOf("/") + 1);
    const match = /^hermes-(\d+)\.(log|snapshot)$/.exec(name);
    const kind = match?.[2] === "snapshot" ? "snapshot" : "log";
    files = [{ generation: match ? Number(match[1]) : 0, kind, name, path: target }];
  } else {
    const set = await readDataSet(target);
    files = set.snapshot ? [set.snapshot, ...set.logs] : set.logs;
  }
  let ops: string[] = [];
  const printer: OpVisitor = {
    set: (db, key, value, at) =>
      ops.push(`SET db=${db} ${quote(key)} ${quote(value)}${deadline(at)}`),
    delete: (db, key) => ops.push(`DEL db=${db} ${quote(key)}`),
    expire: (db, key, at) =>
      ops.push(
        at === 0
          ? `PERSIST db=${db} ${quote(key)}`
          : `EXPIRE db=${db} ${quote(key)}${deadline(at)}`,
      ),
    flushDb: (db) => ops.push(`FLUSHDB db=${db}`),
    flushAll: () => ops.push("FLUSHALL"),
    swapDb: (a, b) => ops.push(`SWAPDB ${a} ${b}`),
    rename: (db, from, toDb, to) =>
      ops.push(
        toDb === db
          ? `RENAME db=${db} ${quote(from)} ${quote(to)}`
          : `MOVE db=${db} ${quote(from)} to db=${toDb} ${quote(to)}`,
      ),
    copy: (db, from, toDb, to) =>
      ops.push(`COPY db=${db} ${quote(from)} to db=${toDb} ${quote(to)}`),
    replPosition: (replid, offset, db) => ops.push(`REPLPOS ${replid} ${offset} db=${db}`),
    op: (db, key, code, args) => {
      const name = OPS.byCode(code)?.command.toUpperCase() ?? `OP#${code}`;
      ops.push(`${name} db=${db} ${quote(key)}${args.map((a) => " " + quote(a)).join("")}`);
    },
    createPartition: ({ id, name, schema, persistence, createdAtMs }) => {
      const schemaName = SCHEMA_NAMES[schema as Schema] ?? `schema#${schema}`;
      const mode = PERSISTENCE_NAMES[persistence as Persistence] ?? `persistence#${persistence}`;
      ops.push(
        `CREATE PARTITION db=${id} ${quote(name)} ${schemaName} ${mode} ` +
          `created=${createdAtMs} (${new Date(createdAtMs).toISOString()})`,
      );
    },
    dropPartition: (id) => ops.push(`DROP PARTITION db=${id}`),
    nextPartitionId: (id) => ops.push(`NEXT PARTITION ID ${id}`),
  };
  let current: DataFile | null = null;
  const reports = await scanFiles(files, (file, type, bytes, start, end, offset) => {
    if (file !== current) {
      current = file;
      out.line(`# ${file.name} (${file.kind}, generation ${file.generation})`);
    }
    if (type === RecordType.snapshotEnd) {
      out.line(`@${offset} SNAPSHOT_END keys=${decodeSnapshotEnd(bytes, start, end)}`);
      return;
    }
    ops = [];
    decodeChanges(bytes, start, end, printer);
    if (ops.length === 1) {
      out.line(`@${offset} ${ops[0]}`);
    } else if (ops.length === 0) {
      out.line(`@${offset} no changes (written to test the disk after a failure)`);
    } else {
      out.line(`@${offset} ${ops.length} changes, applied together:`);
      for (const op of ops) out.line(`    ${op}`);
    }
  });
  const bad = reports.find((r) => r.problem);
  if (!bad) return 0;
  out.line(`first problem: ${describeProblem(bad, await mayBeTorn(files, bad.file))}`);
  return 1;
}

function deadline(at: number): string {
  return at === 0 ? "" : ` deadline=${at} (${new Date(at).toISOString()})`;
}

/** Quotes a byte string the way redis-cli prints one: printable ASCII as is, the rest escaped. */
export function quote(text: string, limit = 256): string {
  let body = "";
  const shown = Math.min(text.length, limit);
  for (let i = 0; i < shown; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) body += "\\" + text[i];
    else if (c === 0x0a) body += "\\n";
    else if (c === 0x0d) body += "\\r";
    else if (c === 0x09) body += "\\t";
    else if (c >= 0x20 && c < 0x7f) body += text[i];
    else body += "\\x" + c.toString(16).padStart(2, "0");
  }
  const more = text.length > shown ? `...(${text.length} bytes)` : "";
  return `"${body}"${more}`;
}

/** Buffered stdout: dumping millions of records one console.log at a time would crawl. */
class TextOutput {
  #parts: string[] = [];
  #size = 0;
  readonly #encoder = new TextEncoder();

  line(text: string): void {
    this.#parts.push(text, "\n");
    this.#size += text.length + 1;
    if (this.#size >= 64 * 1024) this.flush();
  }

  flush(): void {
    if (this.#parts.length === 0) return;
    const bytes = this.#encoder.encode(this.#parts.join(""));
    this.#parts = [];
    this.#size = 0;
    let offset = 0;
    try {
      while (offset < bytes.length) offset += Deno.stdout.writeSync(bytes.subarray(offset));
    } catch (error) {
      if (error instanceof Deno.errors.BrokenPipe) throw new OutputClosed("stdout was closed");
      throw error;
    }
  }
}
