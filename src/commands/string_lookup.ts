/**
 * The string lookups every string-valued family shares (strings, bitmaps, HyperLogLogs, LCS):
 * WRONGTYPE decided in one place, read counting for INFO, and the length limit of new values.
 */
import type { CommandContext } from "./context.ts";
import { Errors } from "./errors.ts";
import { EventClass } from "../store/events.ts";

/** V8 cannot build a one-byte string longer than this, whatever max-bulk allows. */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;

/** The live string at `key`, undefined when missing; WRONGTYPE for other kinds of value. */
export function lookupString(ctx: CommandContext, key: string): string | undefined {
  const value = ctx.db.get(key, ctx.now);
  if (value !== undefined && typeof value !== "string") throw Errors.wrongType;
  return value;
}

/** Refuses a result longer than proto-max-bulk-len, as Redis's checkStringLength. */
export function checkStringLength(ctx: CommandContext, length: number): void {
  if (length > ctx.server.config.maxBulkBytes || length > MAX_STRING_LENGTH) {
    throw Errors.stringTooLong;
  }
}

/**
 * Counts a read lookup of `key` for INFO's keyspace_hits / keyspace_misses, and raises
 * `keymiss` for a missing key, as Redis's lookupKeyRead.
 */
export function countRead<T>(ctx: CommandContext, key: string, value: T): T {
  if (value === undefined) {
    ctx.store.stats.keyspaceMisses++;
    ctx.notify(EventClass.keyMiss, "keymiss", key);
  } else {
    ctx.store.stats.keyspaceHits++;
  }
  return value;
}
