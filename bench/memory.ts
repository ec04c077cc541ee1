/**
 * Memory per key, Hermes against Redis: load N keys (16-byte names, 16-byte values) into a
 * fresh server of each through `redis-cli --pipe`, and divide the growth by N.
 *
 * - Redis: growth of INFO used_memory (what its allocator handed out), and of its RSS for
 *   fairness, since Hermes is measured by RSS.
 * - Hermes: growth of the process RSS (/proc/<pid>/status VmRSS), everything the process holds.
 *   Right after a load that includes garbage and heap V8 grew for it; V8 gives much of that
 *   back once the server idles (its "memory reducer" runs a GC about 20 to 30 s later), so the
 *   RSS is sampled again after a minute of idling and reported as "settled". INFO used_memory
 *   (V8 heap used + external) is printed too.
 *
 * Hermes runs with `--persistence none` (when it has the flag), as the reference Redis keeps no
 * log either. Part of `deno task bench`; on its own:
 *
 *   deno run --allow-all bench/memory.ts [--keys 1000000] [--settle 60] [-- hermes flags...]
 */
import { parseArgs } from "node:util";
import {
  type BenchServer,
  dbSize,
  infoFields,
  memoryOnlyHermesArgs,
  startHermesServer,
  startRedisServer,
} from "./lib/servers.ts";
import { bulkLoad, bulkLoadSkipReason, KEY_BYTES, VALUE_BYTES } from "./lib/bulk_load.ts";
import { rssBytes } from "./lib/proc.ts";
import { type Align, formatCount, formatFixed, formatMiB, textTable } from "./lib/format.ts";
import { ratio } from "./lib/stats.ts";

/** Growth in bytes of each figure over the load. */
export interface ServerMemory {
  loadMs: number;
  /** INFO used_memory growth, sampled just after the load. */
  usedMemoryBytes: number;
  /** Process RSS growth, sampled just after the load. */
  rssBytes: number;
  /** RSS growth after the server idled for a while (NaN when not waited for). */
  settledRssBytes: number;
  /** How long after the load the settled figure was sampled. */
  settledAfterMs: number;
}

export interface MemoryResult {
  keys: number;
  /** How long Hermes idled after the load before its settled RSS was sampled. */
  settleMs: number;
  redis: ServerMemory | null;
  hermes: ServerMemory | null;
  /** Why a side was not measured. */
  skipped: string[];
  /** How each server was started. */
  settings: string[];
}

export interface MemoryOptions {
  keys: number;
  hermesArgs: string[];
  redisArgs: string[];
  /** How long Hermes idles after the load before its settled RSS is sampled; 0 skips it. */
  settleMs: number;
}

/** Lets a server finish what the load left behind (replies, timers) before sampling. */
const QUIET_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sample(server: BenchServer): Promise<{ used: number; rss: number }> {
  const info = await infoFields(server.port, "memory");
  const used = Number(info.get("used_memory"));
  // Hermes is measured by its process; Redis reports its own RSS.
  const rss = server.pid !== null ? rssBytes(server.pid) : Number(info.get("used_memory_rss"));
  return { used, rss };
}

async function measure(server: BenchServer, keys: number, settleMs: number) {
  await sleep(QUIET_MS);
  const before = await sample(server);
  const load = await bulkLoad(server.port, keys);
  if (load.errors !== 0 || load.replies !== keys) {
    throw new Error(`${server.name} load: ${load.errors} errors, ${load.replies} replies`);
  }
  const size = await dbSize(server.port);
  if (size !== keys) throw new Error(`${server.name} DBSIZE is ${size} after loading ${keys} keys`);
  await sleep(QUIET_MS);
  const after = await sample(server);
  const memory: ServerMemory = {
    loadMs: load.ms,
    usedMemoryBytes: after.used - before.used,
    rssBytes: after.rss - before.rss,
    settledRssBytes: NaN,
    settledAfterMs: NaN,
  };
  if (server.pid !== null && settleMs > 0) {
    // Only /proc is read meanwhile: a request would allocate and put V8's idle GC off.
    await sleep(settleMs);
    memory.settledRssBytes = rssBytes(server.pid) - before.rss;
    memory.settledAfterMs = QUIET_MS + settleMs;
  }
  return memory;
}

/** Loads the keys into a fresh Redis, then into a fresh Hermes, one at a time. */
export async function measureMemory(options: MemoryOptions): Promise<MemoryResult> {
  const { keys, settleMs } = options;
  const result: MemoryResult = {
    keys,
    settleMs,
    redis: null,
    hermes: null,
    skipped: [],
    settings: [],
  };
  const skip = bulkLoadSkipReason();
  if (skip) {
    result.skipped.push(`memory: ${skip}`);
    return result;
  }
  const sides: [keyof Pick<MemoryResult, "redis" | "hermes">, () => Promise<BenchServer>][] = [
    ["redis", () => startRedisServer(options.redisArgs)],
    ["hermes", () => startHermesServer(options.hermesArgs)],
  ];
  for (const [side, start] of sides) {
    let server: BenchServer;
    try {
      server = await start();
    } catch (error) {
      result.skipped.push(`memory, ${side}: cannot start: ${(error as Error).message}`);
      continue;
    }
    result.settings.push(`memory: ${server.name} ${server.settings}`);
    try {
      result[side] = await measure(server, keys, settleMs);
    } catch (error) {
      result.skipped.push(`memory, ${side}: ${(error as Error).message}`);
    } finally {
      await server.stop();
    }
  }
  return result;
}

/** Hermes RSS growth right after the load over Redis used_memory growth (goal: <= 1.3). */
export function memoryRatio(result: MemoryResult): number {
  return ratio(result.hermes?.rssBytes ?? NaN, result.redis?.usedMemoryBytes ?? NaN);
}

/** The same with Hermes's settled RSS, once V8 gave back what the load left behind. */
export function settledMemoryRatio(result: MemoryResult): number {
  return ratio(result.hermes?.settledRssBytes ?? NaN, result.redis?.usedMemoryBytes ?? NaN);
}

export const MEMORY_HEADERS = ["figure", "bytes/key", "total", "load keys/s"];
export const MEMORY_ALIGN: Align[] = ["left", "right", "right", "right"];

/** One row per figure: bytes per key, total growth, and the load rate. */
export function memoryRows(result: MemoryResult): string[][] {
  const row = (what: string, side: ServerMemory | null, bytes: number | undefined) => [
    what,
    formatFixed((bytes ?? NaN) / result.keys, 1),
    formatMiB(bytes ?? NaN),
    side ? formatCount(result.keys / (side.loadMs / 1000)) : "-",
  ];
  const { redis, hermes } = result;
  const settledAfter = hermes && Number.isFinite(hermes.settledAfterMs)
    ? `, ${(hermes.settledAfterMs / 1000).toFixed(0)} s after the load`
    : " (not waited for)";
  return [
    row("Redis used_memory growth", redis, redis?.usedMemoryBytes),
    row("Redis RSS growth", redis, redis?.rssBytes),
    row("Hermes RSS growth, right after the load", hermes, hermes?.rssBytes),
    row(`Hermes RSS growth, settled${settledAfter}`, hermes, hermes?.settledRssBytes),
    row("Hermes used_memory growth (V8 heap + external)", hermes, hermes?.usedMemoryBytes),
  ];
}

/** A one-line description of the data set and the headline ratios. */
export function memoryCaption(result: MemoryResult): string {
  const settled = settledMemoryRatio(result);
  return `${formatCount(result.keys)} keys of ${KEY_BYTES}-byte names and ${VALUE_BYTES}-byte ` +
    `values, loaded with redis-cli --pipe. Hermes RSS / Redis used_memory: ` +
    `${formatFixed(memoryRatio(result), 2)}x right after the load` +
    (Number.isFinite(settled) ? `, ${formatFixed(settled, 2)}x settled` : "") +
    " (goal <= 1.3)";
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: {
      keys: { type: "string", default: "1000000" },
      settle: { type: "string", default: "60" },
    },
    allowPositionals: true,
  });
  const result = await measureMemory({
    keys: Number(values.keys),
    hermesArgs: [...memoryOnlyHermesArgs(), ...positionals],
    redisArgs: [],
    settleMs: Number(values.settle) * 1000,
  });
  console.log(memoryCaption(result));
  console.log(textTable(MEMORY_HEADERS, memoryRows(result), MEMORY_ALIGN));
  for (const reason of result.skipped) console.log(`Skipped ${reason}`);
}
