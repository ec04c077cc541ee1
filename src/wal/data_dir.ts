/**
 * The data directory: file names, which files make up the data set, the directory lock, and
 * the directory fsync that makes a create or rename durable. The layout is described at the top
 * of codec.ts.
 */
import { FILE_HEADER_BYTES } from "./codec.ts";

export const LOCK_FILE = "hermes.lock";
const GEN_DIGITS = 8;
const FILE_PATTERN = /^hermes-(\d{8,})\.(log|snapshot)$/;
const TEMP_PATTERN = /^hermes-\d{8,}\.snapshot\.tmp$/;

export type DataFileKind = "log" | "snapshot";

export interface DataFile {
  generation: number;
  kind: DataFileKind;
  /** File name within the directory. */
  name: string;
  /** Full path. */
  path: string;
}

/** Thrown when the directory cannot be used; the message is meant for the user as is. */
export class DataDirError extends Error {
  override name = "DataDirError";
}

export function fileName(kind: DataFileKind, generation: number): string {
  return `hermes-${String(generation).padStart(GEN_DIGITS, "0")}.${kind}`;
}

export function dataFile(dir: string, kind: DataFileKind, generation: number): DataFile {
  const name = fileName(kind, generation);
  return { generation, kind, name, path: joinPath(dir, name) };
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** The files that make up the data set, in replay order, and the ones left over. */
export interface DataSet {
  /** The newest snapshot, or null before the first compaction. */
  snapshot: DataFile | null;
  /** Logs from the snapshot's generation on, oldest first, with no gaps. */
  logs: DataFile[];
  /** Files older than the snapshot, and unfinished snapshots: safe to remove. */
  obsolete: string[];
}

/**
 * Reads the directory and works out the data set. Throws {@linkcode DataDirError} when a log
 * in the middle of the sequence is missing (the data set cannot be rebuilt without it).
 */
export async function readDataSet(dir: string): Promise<DataSet> {
  const files: DataFile[] = [];
  const temps: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile) continue;
    const match = FILE_PATTERN.exec(entry.name);
    if (match) {
      const generation = Number(match[1]);
      files.push({
        generation,
        kind: match[2] as DataFileKind,
        name: entry.name,
        path: joinPath(dir, entry.name),
      });
    } else if (TEMP_PATTERN.test(entry.name)) {
      temps.push(joinPath(dir, entry.name));
    }
  }
  files.sort((a, b) => a.generation - b.generation || (a.kind === "snapshot" ? -1 : 1));
  let snapshot: DataFile | null = null;
  for (const file of files) if (file.kind === "snapshot") snapshot = file;
  const base = snapshot?.generation ?? 0;
  const logs = files.filter((f) => f.kind === "log" && f.generation >= base);
  const obsolete = [
    ...files.filter((f) => f.generation < base).map((f) => f.path),
    ...temps,
  ];
  for (let i = 0; i < logs.length; i++) {
    const expected = i === 0 ? (snapshot ? base : logs[0].generation) : logs[i - 1].generation + 1;
    if (logs[i].generation !== expected) {
      throw new DataDirError(
        `Cannot load the data set in "${dir}": ${fileName("log", expected)} is missing ` +
          `(found ${logs[i].name} after it); restore it or move the later logs away`,
      );
    }
  }
  return { snapshot, logs, obsolete };
}

/**
 * Makes the directory's entries durable (a created, renamed or removed file), as fsync on the
 * file itself does not.
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}

/** Makes a create or rename of `path` durable by syncing its directory, synchronously. */
export function syncParentSync(path: string): void {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
  const handle = Deno.openSync(dir, { read: true });
  try {
    handle.syncSync();
  } finally {
    handle.close();
  }
}

/**
 * Creates the directory if needed and takes its lock, so two servers never write one log. The
 * lock is released when the returned file is closed or the process dies. Throws
 * {@linkcode DataDirError} naming the holder's pid when another server has it.
 */
export async function lockDataDir(dir: string): Promise<Deno.FsFile> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new DataDirError(`Cannot create data directory "${dir}": ${reasonOf(error)}`);
  }
  const path = joinPath(dir, LOCK_FILE);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true, create: true });
  } catch (error) {
    throw new DataDirError(`Cannot open lock file "${path}": ${reasonOf(error)}`);
  }
  if (!(await file.tryLock(true))) {
    const holder = await readHolder(file);
    file.close();
    if (holder === ` (pid ${Deno.pid})`) {
      throw new DataDirError(
        `Cannot use data directory "${dir}": this process already has it open ` +
          `(${LOCK_FILE} is locked); close that store first`,
      );
    }
    throw new DataDirError(
      `Cannot use data directory "${dir}": another Hermes process${holder} is using it ` +
        `(${LOCK_FILE} is locked)`,
    );
  }
  await file.truncate(0);
  await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  return file;
}

async function readHolder(file: Deno.FsFile): Promise<string> {
  try {
    const buf = new Uint8Array(32);
    const n = await file.read(buf);
    const pid = new TextDecoder().decode(buf.subarray(0, n ?? 0)).trim();
    return /^\d+$/.test(pid) ? ` (pid ${pid})` : "";
  } catch {
    return "";
  }
}

/** An error's message without Deno's "(os error N)" suffix, as Redis prints strerror(). */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\(os error \d+\)/, "").replace(/[\r\n]+/g, " ");
}

/**
 * Index in `files` (the data set in replay order, with their `sizes`) of the newest file that
 * may hold records, so the one whose torn tail a crash may have left. A compaction creates its
 * log before it switches to it, so the newest logs may hold nothing but their header.
 */
export function newestWithRecords(files: readonly DataFile[], sizes: readonly number[]): number {
  let newest = files.length - 1;
  while (newest > 0 && files[newest].kind === "log" && sizes[newest] <= FILE_HEADER_BYTES) {
    newest--;
  }
  return newest;
}
