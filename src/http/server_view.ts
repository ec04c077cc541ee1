/**
 * What the HTTP endpoint reads from a running server. Everything is a counter or a list the
 * server already keeps; reading it is synchronous and never walks the keyspace, so a scrape
 * costs the data port a few hundred microseconds of the one thread at most.
 */
import type { InfoSource } from "../commands/info.ts";
import type { WalMetrics } from "../wal/write_ahead_log.ts";

export interface ServerView {
  /** The sources INFO reads; `now` reads the clock. */
  readonly info: InfoSource;
  /** The write-ahead log's counters, or null with `--persistence none`. */
  readonly wal: WalMetrics | null;
  /** Why writes are refused (the MISCONF text), or null while they are accepted. */
  writeRefusal(): string | null;
  /** True once a shutdown has begun. */
  stopping(): boolean;
}

/** The health /healthz reports. */
export type Health =
  | { ok: true }
  | { ok: false; reason: "loading" | "misconf" | "shutting-down"; detail: string };

/** The server's health: null view means the data set is still being loaded. */
export function healthOf(view: ServerView | null): Health {
  if (view === null) {
    return { ok: false, reason: "loading", detail: "LOADING Hermes is loading the dataset" };
  }
  if (view.stopping()) {
    return { ok: false, reason: "shutting-down", detail: "Hermes is shutting down" };
  }
  const refusal = view.writeRefusal();
  if (refusal !== null) return { ok: false, reason: "misconf", detail: refusal };
  return { ok: true };
}
