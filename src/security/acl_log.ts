/**
 * The ACL log (ACL LOG): refused commands, keys, channels and failed AUTHs, newest first. A
 * refusal like one of the ten newest entries (same reason, context, object and user, within 60
 * seconds) bumps that entry's count instead of adding one, so a brute-force attack takes one
 * entry. Bounded by `acllog-max-len`.
 */

export type LogReason = "command" | "key" | "channel" | "auth";
export type LogContext = "toplevel" | "multi";

export interface LogEntry {
  count: number;
  reason: LogReason;
  context: LogContext;
  /** The command, key, channel or (for auth) the word AUTH as the client sent it. */
  object: string;
  username: string;
  /** Unix ms of the last time this entry was hit. */
  updatedMs: number;
  /** CLIENT INFO line of the last client that hit it. */
  clientInfo: string;
}

/** Entries further apart than this are not merged (Redis's ACL_LOG_GROUPING_MAX_TIME_DELTA). */
const GROUPING_MS = 60_000;
/** How many recent entries a new refusal is compared with. */
const GROUPING_SCAN = 10;

export class AclLog {
  #entries: LogEntry[] = [];

  get length(): number {
    return this.#entries.length;
  }

  add(entry: Omit<LogEntry, "count">, maxLength: number): void {
    const entries = this.#entries;
    const scan = Math.min(GROUPING_SCAN, entries.length);
    for (let i = 0; i < scan; i++) {
      const old = entries[i];
      if (
        old.reason === entry.reason && old.context === entry.context &&
        Math.abs(old.updatedMs - entry.updatedMs) <= GROUPING_MS &&
        old.object === entry.object && old.username === entry.username
      ) {
        entries.splice(i, 1);
        old.count++;
        old.updatedMs = entry.updatedMs;
        old.clientInfo = entry.clientInfo;
        entries.unshift(old);
        return;
      }
    }
    entries.unshift({ ...entry, count: 1 });
    if (entries.length > maxLength) entries.length = maxLength;
  }

  /** The newest `count` entries. */
  newest(count: number): readonly LogEntry[] {
    return this.#entries.slice(0, Math.max(0, count));
  }

  /** Drops entries past a lowered limit (CONFIG SET acllog-max-len). */
  trim(maxLength: number): void {
    if (this.#entries.length > maxLength) this.#entries.length = maxLength;
  }

  reset(): void {
    this.#entries = [];
  }
}
