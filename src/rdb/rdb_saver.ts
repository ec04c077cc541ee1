/**
 * SAVE and BGSAVE: the whole store as an RDB file (`dir`/`dbfilename`, dump.rdb by default)
 * that redis-server loads, so a Hermes data set can move to Redis. SAVE writes it inside the
 * command; BGSAVE walks the store in slices (see rdb_snapshot.ts) and writes it in the
 * background. Either way the file is written under a temporary name, fdatasynced, renamed
 * into place and its directory synced.
 */
import type { Config } from "../config/settings.ts";
import type { Databases } from "../store/databases.ts";
import type { Logger } from "../log/logger.ts";
import { REDIS_COMPAT_VERSION } from "../version.ts";
import { saveRdbSync, startRdbSnapshot, streamRdbSnapshot } from "./rdb_snapshot.ts";
import { syncParentSync } from "../wal/data_dir.ts";

export interface RdbSaverOptions {
  store: Databases;
  config: Config;
  log: Logger;
  runInStore: (task: () => void) => Promise<void>;
  now: () => number;
  /** Extra AUX fields (the replication id and offset, when there are any). */
  replicationAux?: () => [string, string][];
}

/** The AUX fields Redis writes at the top of every RDB. */
export function standardAux(nowMs: number): [string, string][] {
  const memory = Deno.memoryUsage();
  return [
    ["redis-ver", REDIS_COMPAT_VERSION],
    ["redis-bits", "64"],
    ["ctime", String(Math.floor(nowMs / 1000))],
    ["used-mem", String(memory.heapUsed + memory.external)],
    ["aof-base", "0"],
  ];
}

export class RdbSaver {
  readonly #options: RdbSaverOptions;
  #background: Promise<void> | null = null;
  #lastSaveMs = 0;
  #lastStatusOk = true;
  #lastBgsaveSec = -1;
  #saves = 0;
  /** BGSAVE SCHEDULE arrived during a save: another starts when it ends. */
  #scheduled = false;

  constructor(options: RdbSaverOptions) {
    this.#options = options;
  }

  get path(): string {
    const { dir, dbFilename } = this.#options.config;
    return dir.endsWith("/") ? dir + dbFilename : `${dir}/${dbFilename}`;
  }

  get inProgress(): boolean {
    return this.#background !== null;
  }

  /** Unix ms of the last successful save, or 0. */
  get lastSaveMs(): number {
    return this.#lastSaveMs;
  }

  #aux(now: number): [string, string][] {
    return [...standardAux(now), ...(this.#options.replicationAux?.() ?? [])];
  }

  /** SAVE: writes the file now; throws when it cannot (the caller answers -ERR). */
  save(): void {
    const now = this.#options.now();
    const started = performance.now();
    try {
      const keys = saveRdbSync(this.#options.store, this.path, this.#aux(now), now);
      this.#saved(true);
      this.#options.log.info(
        `DB saved on disk: ${keys} keys in ${((performance.now() - started) / 1000).toFixed(3)} s`,
      );
    } catch (error) {
      this.#saved(false);
      this.#options.log.error(`Cannot save ${this.path}`, error);
      throw error;
    }
  }

  /** BGSAVE: starts a background save, or says one is running (or will follow it). */
  bgsave(schedule = false): "started" | "in-progress" | "scheduled" {
    if (this.#background) {
      if (!schedule) return "in-progress";
      this.#scheduled = true;
      return "scheduled";
    }
    const start = startRdbSnapshot(this.#options.store);
    const begun = Date.now();
    this.#options.log.info("Background saving started");
    this.#background = this.#write(start).then(
      (keys) => {
        this.#lastBgsaveSec = Math.round((Date.now() - begun) / 1000);
        this.#saved(true);
        this.#options.log.info(`Background saving terminated with success (${keys} keys)`);
      },
      (error) => {
        this.#saved(false);
        this.#options.log.error(`Background saving of ${this.path} failed`, error);
      },
    ).finally(() => {
      this.#background = null;
      if (this.#scheduled) {
        this.#scheduled = false;
        this.#options.runInStore(() => this.bgsave());
      }
    });
    return "started";
  }

  async #write(start: ReturnType<typeof startRdbSnapshot>): Promise<number> {
    const path = this.path;
    const temp = `${path}.tmp-bg-${Deno.pid}`;
    const file = await Deno.open(temp, { write: true, create: true, truncate: true });
    try {
      const { keys } = await streamRdbSnapshot(start, {
        aux: this.#aux(this.#options.now()),
        runInStore: this.#options.runInStore,
        now: this.#options.now,
        write: async (chunk) => {
          let at = 0;
          while (at < chunk.length) at += await file.write(chunk.subarray(at));
        },
      });
      await file.syncData();
      file.close();
      await Deno.rename(temp, path);
      syncParentSync(path);
      return keys;
    } catch (error) {
      try {
        file.close();
      } catch { /* closed */ }
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
  }

  #saved(ok: boolean): void {
    this.#lastStatusOk = ok;
    if (!ok) return;
    this.#saves++;
    this.#lastSaveMs = this.#options.now();
  }

  /** Waits for a background save in progress (shutdown). */
  async settle(): Promise<void> {
    await this.#background;
  }

  /** INFO persistence fields for RDB. */
  info(): [string, string | number][] {
    return [
      ["rdb_bgsave_in_progress", this.#background ? 1 : 0],
      ["rdb_last_save_time", Math.floor(this.#lastSaveMs / 1000)],
      ["rdb_last_bgsave_status", this.#lastStatusOk ? "ok" : "err"],
      ["rdb_last_bgsave_time_sec", this.#lastBgsaveSec],
      ["rdb_saves", this.#saves],
    ];
  }
}
