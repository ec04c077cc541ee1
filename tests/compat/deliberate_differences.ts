/**
 * Replies where Hermes differs from Redis on purpose. For these commands the differential test
 * accepts a reply of the same RESP type when the bytes differ, and counts it as tolerated.
 * Keep tests/compat/README.md in step with this table.
 */

/** Command (lower case, `container|sub` for subcommands) -> why its reply may differ. */
export const DELIBERATE_DIFFERENCES: ReadonlyMap<string, string> = new Map([
  ["hello", "names the server and its version and carries the connection id"],
  ["info", "describes the server itself: version, pid, uptime, memory and counters"],
  ["time", "the clock moves between the two requests"],
  ["lastsave", "each server has its own save history"],
  ["client|id", "connection ids count each server's own connections"],
  ["client|list", "ids, addresses, ages and buffer sizes belong to each server"],
  ["client|info", "ids, addresses, ages and buffer sizes belong to each server"],
  ["command", "Hermes implements a subset of Redis's commands (bare COMMAND)"],
  ["command|count", "Hermes implements a subset of Redis's commands"],
  ["command|list", "Hermes implements a subset of Redis's commands"],
  ["command|info", "Hermes implements a subset of Redis's commands and flags"],
  ["command|docs", "Hermes writes its own command documentation"],
  ["config|get", "Hermes has its own settings table and defaults"],
  ["memory|usage", "V8 strings and Redis objects take different amounts of memory"],
  ["memory|stats", "each server's own memory figures (V8's heap, not jemalloc's)"],
  ["memory|doctor", "Hermes writes its own report, from V8's figures"],
  ["memory|malloc-stats", "V8's heap statistics instead of jemalloc's"],
  ["randomkey", "each server picks its own random key"],
]);

/** Containers whose second word selects a subcommand. */
const CONTAINERS = new Set(["client", "command", "config", "memory", "object", "debug"]);

/** Why `args`'s reply may differ from Redis's, or null when it must match byte for byte. */
export function deliberateDifference(args: string[]): string | null {
  if (args.length === 0) return null;
  const name = args[0].toLowerCase();
  if (CONTAINERS.has(name) && args.length > 1) {
    return DELIBERATE_DIFFERENCES.get(`${name}|${args[1].toLowerCase()}`) ?? null;
  }
  return DELIBERATE_DIFFERENCES.get(name) ?? null;
}
