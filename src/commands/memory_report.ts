/**
 * The figures INFO memory, MEMORY STATS and MEMORY DOCTOR report, computed in one place from
 * the memory account (kept current by the store, the connections, the log and replication)
 * and from what V8 and the OS say about the process.
 */
import type { InfoSource } from "./info.ts";

export interface MemoryReport {
  /** used_memory. */
  used: number;
  peak: number;
  startup: number;
  /** Keyspace structures: each database's tables and objects (not its keys and values). */
  dbOverhead: number;
  /** Keys, values and deadlines. */
  dataset: number;
  /** Everything but the dataset. */
  overhead: number;
  backlog: number;
  clientsNormal: number;
  clientsReplicas: number;
  logPending: number;
  notCountedForEvict: number;
  keys: number;
  /** V8's heap in use plus buffers outside it. */
  allocated: number;
  /** V8's reserved heap plus buffers outside it. */
  active: number;
  rss: number;
  heapTotal: number;
  external: number;
  /** Per database (and partition) with keys: its name and table bytes. */
  databases: { name: string; main: number; expires: number; clocks: number }[];
}

/** Gathers the report (samples the peak too). */
export function memoryReport(ctx: InfoSource): MemoryReport {
  const account = ctx.store.memory;
  const used = account.samplePeak();
  const databases: MemoryReport["databases"] = [];
  let dbOverhead = 0;
  let dataset = 0;
  let keys = 0;
  for (const keyspace of ctx.store.keyspaces()) {
    dataset += keyspace.contentBytes;
    dbOverhead += keyspace.bytes - keyspace.contentBytes;
    keys += keyspace.data.size;
    if (keyspace.data.size === 0) continue;
    databases.push({
      name: ctx.store.dbName(keyspace.index),
      main: keyspace.data.tableBytes,
      expires: keyspace.expires.tableBytes,
      clocks: keyspace.data.auxBytes,
    });
  }
  const heap = processMemory();
  return {
    used,
    peak: account.peak,
    startup: account.startup,
    dbOverhead,
    dataset,
    overhead: used - dataset,
    backlog: account.backlog,
    clientsNormal: account.clients,
    clientsReplicas: account.replicaOutput,
    logPending: account.logPending,
    notCountedForEvict: account.notCounted,
    keys,
    databases,
    ...heap,
  };
}

/** What V8 and the OS say (Deno.memoryUsage). */
function processMemory() {
  const usage = Deno.memoryUsage();
  return {
    allocated: usage.heapUsed + usage.external,
    active: usage.heapTotal + usage.external,
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    external: usage.external,
  };
}

/** A ratio with two decimals, as INFO prints them ("1.00" when the base is 0). */
export function ratio(part: number, whole: number): string {
  return (whole <= 0 ? 1 : part / whole).toFixed(2);
}

/** Total system memory, or 0 when unknown (no --allow-sys). */
export function systemMemory(): number {
  try {
    return Deno.systemMemoryInfo().total;
  } catch {
    return 0;
  }
}
