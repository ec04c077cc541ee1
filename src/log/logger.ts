/**
 * A small leveled logger writing to stderr, one line per event, prefixed with time, pid and level
 * as Redis does. The level can change at run time (CONFIG SET log-level).
 */
import type { LogLevel } from "../config/settings.ts";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const MARK: Record<LogLevel, string> = { debug: ".", info: "*", warn: "#", error: "!" };

export class Logger {
  level: LogLevel;
  /** Redis's role letter after the pid: M for a primary, S for a replica. */
  role: "M" | "S" = "M";
  readonly #encoder = new TextEncoder();

  constructor(level: LogLevel = "info") {
    this.level = level;
  }

  debug(message: string, detail?: unknown): void {
    this.#write("debug", message, detail);
  }

  info(message: string, detail?: unknown): void {
    this.#write("info", message, detail);
  }

  warn(message: string, detail?: unknown): void {
    this.#write("warn", message, detail);
  }

  error(message: string, detail?: unknown): void {
    this.#write("error", message, detail);
  }

  #write(level: LogLevel, message: string, detail: unknown): void {
    if (RANK[level] < RANK[this.level]) return;
    let line = `${Deno.pid}:${this.role} ${new Date().toISOString()} ${MARK[level]} ${message}`;
    if (detail !== undefined) {
      line += `: ${detail instanceof Error ? (detail.stack ?? detail.message) : String(detail)}`;
    }
    Deno.stderr.writeSync(this.#encoder.encode(line + "\n"));
  }
}
