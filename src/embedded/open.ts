/** `open`: a Hermes store in this process, from a data directory or in memory only. */
import { type Config, DEFAULT_CONFIG } from "../config/settings.ts";
import { openStore } from "./store.ts";
import { type Database, wrapStore } from "./database.ts";
import { applyOptions, type ServerOptions } from "./options.ts";

/**
 * Options of {@linkcode open}: every server option (see `ServerOptions`), most often `dir`,
 * `fsync` and `persistence`. Network options (`port`, TLS) take effect when the store listens.
 */
export type OpenOptions = ServerOptions;

/**
 * Opens a store in this process: takes the data directory's lock and replays its log (or, with
 * `persistence: "none"`, starts empty in memory). Rejects with a clear error when the directory
 * is in use by another store (in this process or another), when its log is damaged (see
 * `repair`), or when an option is unknown or out of range.
 *
 * Under `fsync: "always"` (the default) a write's promise resolves only once the write is on
 * disk; concurrent writes share one fdatasync (group commit).
 *
 * @example
 * ```ts
 * import { open } from "../../mod.ts";
 * await using db = await open({ dir: "./data", fsync: "always" });
 * await db.incr("visits");
 * ```
 */
export async function open(options: OpenOptions = {}): Promise<Database> {
  const config: Config = { ...DEFAULT_CONFIG, logLevel: "warn" };
  applyOptions(config, options);
  return wrapStore(await openStore(config));
}
