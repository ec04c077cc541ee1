/**
 * INFO [section ...]: the server's state in Redis's text format (`# Section` headers, `field:value`
 * lines, CRLF line ends), with Redis's field names so redis-cli --stat, ioredis's ready check and
 * exporters read it unchanged. RESP3 clients get it as a verbatim string.
 */
import process from "node:process";
import type { CommandContext } from "./context.ts";
import type { CommandSpec } from "./spec.ts";
import { NO_KEYS } from "./spec.ts";
import type { Keyspace } from "../store/keyspace.ts";
import { PERSISTENCE_NAMES, SCHEMA_NAMES } from "../store/partition.ts";
import { utf8ToLatin1 } from "../protocol/latin1.ts";
import { REDIS_COMPAT_VERSION, VERSION } from "../version.ts";
import { memoryReport, ratio, systemMemory } from "./memory_report.ts";

export type InfoField = [name: string, value: string | number];
type Field = InfoField;

/**
 * What INFO reads. A command's context has all of it; the HTTP endpoint builds one too, so
 * /metrics and the status page report the very numbers INFO does.
 */
export type InfoSource = Pick<
  CommandContext,
  | "server"
  | "store"
  | "stats"
  | "transactions"
  | "blocking"
  | "acl"
  | "pubsub"
  | "observability"
  | "now"
>;

export interface InfoSection {
  /** Lower-case name used to ask for it (`INFO keyspace`). */
  name: string;
  /** Header as printed (`# Keyspace`). */
  title: string;
  /** In plain `INFO` and `INFO default`; every section is in `all` and `everything`. */
  inDefault: boolean;
  fields(source: InfoSource): Field[];
}
type Section = InfoSection;

/** Redis's bytesToHuman: 1023B, 1.50K, 2.00M, ... */
export function bytesToHuman(bytes: number): string {
  const units = ["K", "M", "G", "T", "P"];
  if (bytes < 1024) return `${bytes}B`;
  let value = bytes / 1024;
  for (const unit of units) {
    if (value < 1024 || unit === "P") return `${value.toFixed(2)}${unit}`;
    value /= 1024;
  }
  return `${bytes}B`;
}

/** A system fact that needs --allow-sys; unknown without it. */
function systemFact<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function serverFields(ctx: InfoSource): Field[] {
  const server = ctx.server;
  const uptime = Math.max(0, Math.floor((ctx.now - server.startedAtMs) / 1000));
  const os = Deno.build.os[0].toUpperCase() + Deno.build.os.slice(1);
  const release = systemFact(() => Deno.osRelease(), "unknown");
  return [
    ["redis_version", REDIS_COMPAT_VERSION],
    ["hermes_version", VERSION],
    ["deno_version", Deno.version.deno],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_mode", "standalone"],
    ["os", `${os} ${release} ${Deno.build.arch}`],
    ["arch_bits", 64],
    ["process_id", Deno.pid],
    ["process_supervised", "no"],
    ["run_id", server.runId],
    ["tcp_port", server.port],
    ["server_time_usec", ctx.now * 1000],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", 10],
    ["configured_hz", 10],
    ["executable", systemFact(() => Deno.execPath(), "")],
    ["config_file", server.configFile === null ? "" : absolutePath(server.configFile)],
    ["io_threads_active", 0],
  ];
}

function absolutePath(path: string): string {
  return path.startsWith("/") ? path : `${systemFact(() => Deno.cwd(), ".")}/${path}`;
}

function clientFields(ctx: InfoSource): Field[] {
  let connected = 0;
  let maxInput = 0;
  let maxOutput = 0;
  for (const session of ctx.server.sessions()) {
    connected++;
    maxInput = Math.max(maxInput, session.stats.inputBufferBytes);
    maxOutput = Math.max(maxOutput, session.stats.queuedOutputBytes);
  }
  return [
    ["connected_clients", connected],
    ["cluster_connections", 0],
    ["maxclients", ctx.server.config.maxClients],
    ["client_recent_max_input_buffer", maxInput],
    ["client_recent_max_output_buffer", maxOutput],
    ["blocked_clients", ctx.blocking.blockedClients],
    ["tracking_clients", 0],
    ["clients_in_timeout_table", 0],
    ...ctx.transactions.clientFields(),
  ];
}

/**
 * Redis's memory fields, in its order. used_memory is the memory account (what the data,
 * clients, backlog and log buffers cost, plus the heap at start); the allocator_* fields are
 * V8's own view (heap in use, heap reserved, plus buffers outside the heap).
 */
function memoryFields(ctx: InfoSource): Field[] {
  const report = memoryReport(ctx);
  const total = systemMemory();
  const maxmemory = ctx.server.config.maxmemoryBytes;
  const human = (bytes: number) => bytesToHuman(bytes);
  const sinceStartup = report.used - report.startup;
  return [
    ["used_memory", report.used],
    ["used_memory_human", human(report.used)],
    ["used_memory_rss", report.rss],
    ["used_memory_rss_human", human(report.rss)],
    ["used_memory_peak", report.peak],
    ["used_memory_peak_human", human(report.peak)],
    ["used_memory_peak_perc", `${(report.used / Math.max(1, report.peak) * 100).toFixed(2)}%`],
    ["used_memory_overhead", report.overhead],
    ["used_memory_startup", report.startup],
    ["used_memory_dataset", report.dataset],
    [
      "used_memory_dataset_perc",
      `${(sinceStartup <= 0 ? 0 : report.dataset / sinceStartup * 100).toFixed(2)}%`,
    ],
    ["used_memory_v8_heap_total", report.heapTotal],
    ["used_memory_v8_external", report.external],
    ["allocator_allocated", report.allocated],
    ["allocator_active", report.active],
    ["allocator_resident", report.rss],
    ["total_system_memory", total],
    ["total_system_memory_human", human(total)],
    ...NO_SCRIPTING,
    ["maxmemory", maxmemory],
    ["maxmemory_human", human(maxmemory)],
    ["maxmemory_policy", ctx.server.config.maxmemoryPolicy],
    ["allocator_frag_ratio", ratio(report.active, report.allocated)],
    ["allocator_frag_bytes", report.active - report.allocated],
    ["allocator_rss_ratio", ratio(report.rss, report.active)],
    ["allocator_rss_bytes", report.rss - report.active],
    ["rss_overhead_ratio", "1.00"],
    ["rss_overhead_bytes", 0],
    ["mem_fragmentation_ratio", ratio(report.rss, report.used)],
    ["mem_fragmentation_bytes", report.rss - report.used],
    ["mem_not_counted_for_evict", report.notCountedForEvict],
    ["mem_replication_backlog", report.backlog],
    ["mem_total_replication_buffers", report.backlog + report.clientsReplicas],
    ["mem_clients_slaves", report.clientsReplicas],
    ["mem_clients_normal", report.clientsNormal],
    ["mem_cluster_links", 0],
    ["mem_aof_buffer", report.logPending],
    ["mem_allocator", "v8"],
    ["active_defrag_running", 0],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0],
  ];
}

/** Hermes runs no scripts: Redis's Lua and function fields, all zero. */
const NO_SCRIPTING: Field[] = [
  ["used_memory_lua", 0],
  ["used_memory_vm_eval", 0],
  ["used_memory_lua_human", "0B"],
  ["used_memory_scripts_eval", 0],
  ["number_of_cached_scripts", 0],
  ["number_of_functions", 0],
  ["number_of_libraries", 0],
  ["used_memory_vm_functions", 0],
  ["used_memory_vm_total", 0],
  ["used_memory_vm_total_human", "0B"],
  ["used_memory_functions", 0],
  ["used_memory_scripts", 0],
  ["used_memory_scripts_human", "0B"],
];

/**
 * Fields redis-cli --stat and exporters expect in every Persistence section. Hermes never
 * writes snapshots; the durability layer's own fields replace any default of the same name.
 */
const PERSISTENCE_DEFAULTS: Field[] = [
  ["rdb_bgsave_in_progress", 0],
  ["rdb_last_bgsave_status", "ok"],
  ["aof_enabled", 0],
  ["aof_rewrite_in_progress", 0],
  ["aof_rewrite_scheduled", 0],
  ["aof_last_write_status", "ok"],
];

function persistenceFields(ctx: InfoSource): Field[] {
  const provided = ctx.server.persistenceInfo();
  const names = new Set(provided.map(([name]) => name));
  const missing = PERSISTENCE_DEFAULTS.filter(([name]) => !names.has(name));
  return [
    ["loading", 0],
    ["async_loading", 0],
    ...missing.filter(([name]) => name.startsWith("rdb_")),
    ...provided,
    ...missing.filter(([name]) => !name.startsWith("rdb_")),
  ];
}

/** A rate in bytes per second as Redis prints kbps: KiB/s with two decimals. */
const kbps = (bytesPerSecond: number): string => (bytesPerSecond / 1024).toFixed(2);

function statsFields(ctx: InfoSource): Field[] {
  const network = ctx.server.network;
  const store = ctx.store.stats;
  const rates = ctx.observability.rates;
  const exceeded = ctx.server.eviction.exceededTimes();
  return [
    ["total_connections_received", network.totalConnectionsReceived],
    ["total_commands_processed", ctx.stats.totalCommandsProcessed],
    ["instantaneous_ops_per_sec", Math.round(rates.ops.perSecond)],
    ["total_net_input_bytes", network.totalNetInputBytes],
    ["total_net_output_bytes", network.totalNetOutputBytes],
    ["instantaneous_input_kbps", kbps(rates.netInput.perSecond)],
    ["instantaneous_output_kbps", kbps(rates.netOutput.perSecond)],
    ["rejected_connections", network.rejectedConnections],
    ["expired_keys", store.expiredKeys],
    ["evicted_keys", store.evictedKeys],
    ["evicted_clients", 0],
    ["total_eviction_exceeded_time", exceeded[0]],
    ["current_eviction_exceeded_time", exceeded[1]],
    ["keyspace_hits", store.keyspaceHits],
    ["keyspace_misses", store.keyspaceMisses],
    ["pubsub_channels", ctx.pubsub.nameCount("channel")],
    ["pubsub_patterns", ctx.pubsub.nameCount("pattern")],
    ["pubsubshard_channels", ctx.pubsub.nameCount("shard")],
    ["total_error_replies", ctx.stats.totalErrorReplies],
    ["acl_access_denied_auth", ctx.acl.stats.deniedAuth],
    ["acl_access_denied_cmd", ctx.acl.stats.deniedCommand],
    ["acl_access_denied_key", ctx.acl.stats.deniedKey],
    ["acl_access_denied_channel", ctx.acl.stats.deniedChannel],
    ...ctx.transactions.statsFields(),
  ];
}

function replicationFields(ctx: InfoSource): Field[] {
  return ctx.server.replication.info();
}

function cpuFields(): Field[] {
  const usage = process.cpuUsage();
  const seconds = (micros: number) => (micros / 1e6).toFixed(6);
  return [
    ["used_cpu_sys", seconds(usage.system)],
    ["used_cpu_user", seconds(usage.user)],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
  ];
}

function commandStatsFields(ctx: InfoSource): Field[] {
  const fields: Field[] = [];
  for (const [name, c] of ctx.stats.commands) {
    if (c.calls === 0 && c.failedCalls === 0 && c.rejectedCalls === 0) continue;
    const usec = Math.floor(c.usec);
    const perCall = c.calls === 0 ? 0 : usec / c.calls;
    fields.push([
      `cmdstat_${name}`,
      `calls=${c.calls},usec=${usec},usec_per_call=${perCall.toFixed(2)},` +
      `rejected_calls=${c.rejectedCalls},failed_calls=${c.failedCalls}`,
    ]);
  }
  return fields;
}

function errorStatsFields(ctx: InfoSource): Field[] {
  return [...ctx.stats.errors].map(([prefix, count]) => [`errorstat_${prefix}`, `count=${count}`]);
}

/** `p50=1.003,p99=2.007,p99.9=3.015` per command that ran, as Redis 7 prints them. */
function latencyStatsFields(ctx: InfoSource): Field[] {
  const percentiles = ctx.server.config.latencyTrackingPercentiles;
  const fields: Field[] = [];
  for (const [name, counters] of ctx.stats.commands) {
    const histogram = counters.latency;
    if (histogram.total === 0) continue;
    const values = percentiles.map((p) => `p${p}=${histogram.percentileUs(p).toFixed(3)}`);
    fields.push([`latency_percentiles_usec_${name}`, values.join(",")]);
  }
  return fields;
}

/** Keys with a deadline looked at to estimate avg_ttl (Redis estimates it by sampling too). */
const TTL_SAMPLE = 1024;

/** The mean remaining TTL in ms over a sample of the keys that have one, or 0. */
function averageTtl(db: Keyspace, now: number): number {
  let sum = 0;
  let counted = 0;
  let seen = 0;
  for (const shard of db.expires.shards) {
    for (const deadline of shard.values()) {
      if (++seen > TTL_SAMPLE) break;
      if (deadline > now) {
        sum += deadline - now;
        counted++;
      }
    }
    if (seen > TTL_SAMPLE) break;
  }
  return counted === 0 ? 0 : Math.round(sum / counted);
}

/**
 * Numbered databases that hold keys (as Redis), then every partition by name, with its schema
 * and persistence: `users:keys=3,expires=0,avg_ttl=0,schema=int,persistence=none`.
 */
function keyspaceFields(ctx: InfoSource): Field[] {
  const fields: Field[] = [];
  const counts = (db: Keyspace) =>
    `keys=${db.size},expires=${db.volatileCount},avg_ttl=${averageTtl(db, ctx.now)}`;
  ctx.store.dbs.forEach((db, index) => {
    if (db.size !== 0) fields.push([ctx.store.keyspaceName(index), counts(db)]);
  });
  for (const partition of ctx.store.partitionsByName()) {
    const schema = SCHEMA_NAMES[partition.schema].toLowerCase();
    const persistence = PERSISTENCE_NAMES[partition.persistence].toLowerCase();
    fields.push([
      ctx.store.keyspaceName(partition.id),
      `${counts(partition.keyspace)},schema=${schema},persistence=${persistence}`,
    ]);
  }
  return fields;
}

/** In Redis's order. */
export const INFO_SECTIONS: readonly Section[] = [
  { name: "server", title: "Server", inDefault: true, fields: serverFields },
  { name: "clients", title: "Clients", inDefault: true, fields: clientFields },
  { name: "memory", title: "Memory", inDefault: true, fields: memoryFields },
  { name: "persistence", title: "Persistence", inDefault: true, fields: persistenceFields },
  { name: "stats", title: "Stats", inDefault: true, fields: statsFields },
  { name: "replication", title: "Replication", inDefault: true, fields: replicationFields },
  { name: "cpu", title: "CPU", inDefault: true, fields: cpuFields },
  { name: "modules", title: "Modules", inDefault: true, fields: () => [] },
  { name: "commandstats", title: "Commandstats", inDefault: false, fields: commandStatsFields },
  { name: "errorstats", title: "Errorstats", inDefault: true, fields: errorStatsFields },
  { name: "latencystats", title: "Latencystats", inDefault: false, fields: latencyStatsFields },
  { name: "cluster", title: "Cluster", inDefault: true, fields: () => [["cluster_enabled", 0]] },
  { name: "keyspace", title: "Keyspace", inDefault: true, fields: keyspaceFields },
];

/** The sections `INFO args...` selects: named ones, `default`, `all` or `everything`. */
function selectSections(argv: string[]): readonly Section[] {
  if (argv.length === 1) return INFO_SECTIONS.filter((s) => s.inDefault);
  const wanted = new Set(argv.slice(1).map((a) => a.toLowerCase()));
  if (wanted.has("all") || wanted.has("everything")) return INFO_SECTIONS;
  return INFO_SECTIONS.filter((s) => wanted.has(s.name) || (s.inDefault && wanted.has("default")));
}

/** The INFO text for `argv` (`["info", ...sections]`). */
export function infoText(ctx: InfoSource, argv: string[]): string {
  const parts: string[] = [];
  for (const section of selectSections(argv)) {
    let text = `# ${section.title}\r\n`;
    for (const [name, value] of section.fields(ctx)) text += `${name}:${value}\r\n`;
    parts.push(text);
  }
  return utf8ToLatin1(parts.join("\r\n"));
}

export const infoCommands: CommandSpec[] = [
  {
    name: "info",
    arity: -1,
    flags: ["loading", "stale"],
    keys: NO_KEYS,
    group: "server",
    summary: "Returns information and statistics about the server.",
    aclCategories: ["dangerous"],
    tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "section", type: "string", flags: ["optional", "multiple"] }],
    handler(ctx, argv) {
      ctx.out.verbatim(infoText(ctx, argv));
    },
  },
];
