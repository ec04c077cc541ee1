/**
 * /metrics: the server's state in the Prometheus text format, named as oliver006/redis_exporter
 * names it (so existing Grafana dashboards work) plus Hermes's own `hermes_*` metrics.
 *
 * Most metrics are INFO fields: the INFO sections are generated from the same sources INFO
 * uses and mapped through {@linkcode INFO_METRICS} (one row per field) and
 * {@linkcode LABELLED_FIELDS} (fields that carry a name: `cmdstat_get`, `db0`, `slave0`). A
 * field that does not exist yet (pub/sub, replication) is skipped, so a feature that adds an
 * INFO field gets its metric by adding one row here, or none when a family already matches.
 */
import { INFO_SECTIONS, type InfoField } from "../commands/info.ts";
import type { PartitionStats } from "../store/partition.ts";
import { VERSION } from "../version.ts";
import { ExpositionWriter, type Labels, type MetricType } from "./prometheus_text.ts";
import type { ServerView } from "./server_view.ts";

/** One INFO field exported as one metric. */
export interface InfoMetric {
  field: string;
  name: string;
  type: MetricType;
  help: string;
  /** Multiplies the value (µs to seconds, ...). */
  scale?: number;
}

const g = (field: string, name: string, help: string, scale?: number): InfoMetric => ({
  field,
  name,
  type: "gauge",
  help,
  scale,
});
const c = (field: string, name: string, help: string, scale?: number): InfoMetric => ({
  field,
  name,
  type: "counter",
  help,
  scale,
});

/** INFO fields and their metrics, in the order they are printed. */
export const INFO_METRICS: readonly InfoMetric[] = [
  g("uptime_in_seconds", "redis_uptime_in_seconds", "Seconds since the server started"),
  g("connected_clients", "redis_connected_clients", "Clients connected"),
  g("blocked_clients", "redis_blocked_clients", "Clients waiting in a blocking command"),
  g("pubsub_clients", "redis_pubsub_clients", "Clients subscribed to channels or patterns"),
  g("maxclients", "redis_config_maxclients", "Most clients allowed at once"),
  g(
    "client_recent_max_input_buffer",
    "redis_client_recent_max_input_buffer_bytes",
    "Largest client input buffer",
  ),
  g(
    "client_recent_max_output_buffer",
    "redis_client_recent_max_output_buffer_bytes",
    "Largest queue of reply bytes of a client",
  ),
  g(
    "used_memory",
    "redis_memory_used_bytes",
    "Accounted memory: data, client buffers, backlog, log buffers, startup heap",
  ),
  g("used_memory_rss", "redis_memory_used_rss_bytes", "Resident memory of the process"),
  g("used_memory_peak", "redis_memory_used_peak_bytes", "Highest used_memory seen"),
  g("used_memory_overhead", "redis_memory_used_overhead_bytes", "used_memory but the dataset"),
  g("used_memory_startup", "redis_memory_used_startup_bytes", "Heap in use at start"),
  g("used_memory_dataset", "redis_memory_used_dataset_bytes", "Keys, values and deadlines"),
  g("maxmemory", "redis_memory_max_bytes", "Memory limit (0 = none)"),
  g("mem_clients_normal", "redis_mem_clients_normal", "Memory of normal clients"),
  g("mem_clients_slaves", "redis_mem_clients_slaves", "Memory of replica clients"),
  g(
    "mem_not_counted_for_evict",
    "redis_mem_not_counted_for_eviction_bytes",
    "Memory left out of the maxmemory comparison (replica output, log buffers)",
  ),
  g("total_system_memory", "redis_total_system_memory_bytes", "Memory of the machine"),
  g("mem_fragmentation_ratio", "redis_mem_fragmentation_ratio", "Resident memory / used memory"),
  g("used_memory_v8_heap_total", "hermes_memory_v8_heap_total_bytes", "V8 heap size"),
  g("loading", "redis_loading_dump_file", "1 while the data set is being loaded"),
  g("rdb_bgsave_in_progress", "redis_rdb_bgsave_in_progress", "1 while a snapshot is written"),
  g("rdb_last_bgsave_status", "redis_rdb_last_bgsave_status", "1 if the last snapshot worked"),
  g("aof_enabled", "redis_aof_enabled", "1 when the write-ahead log is on"),
  g("aof_rewrite_in_progress", "redis_aof_rewrite_in_progress", "1 while a compaction runs"),
  g("aof_rewrite_scheduled", "redis_aof_rewrite_scheduled", "1 while a compaction is starting"),
  g(
    "aof_last_rewrite_time_sec",
    "redis_aof_last_rewrite_duration_seconds",
    "Seconds the last compaction took (-1 = none yet)",
  ),
  g(
    "aof_last_bgrewrite_status",
    "redis_aof_last_bgrewrite_status",
    "1 if the last compaction worked",
  ),
  g("aof_last_write_status", "redis_aof_last_write_status", "1 while the log can be written"),
  g("aof_current_size", "redis_aof_current_size_bytes", "Bytes of the log and snapshot files"),
  g("aof_base_size", "redis_aof_base_size_bytes", "Bytes of the last snapshot"),
  g("aof_buffer_length", "redis_aof_buffer_length", "Bytes kept in memory while the log fails"),
  c("aof_rewrites", "hermes_compactions_total", "Compactions of the write-ahead log"),
  c("aof_failures", "hermes_aof_failures_total", "Failures of the log (each until it recovered)"),
  c(
    "aof_refused_rounds",
    "hermes_aof_refused_rounds_total",
    "Rounds undone and refused with MISCONF because the log failed (fsync always)",
  ),
  g(
    "aof_last_failure_ms",
    "hermes_aof_last_failure_duration_seconds",
    "How long the last log failure lasted (so far, while it lasts)",
    0.001,
  ),
  c("total_connections_received", "redis_connections_received_total", "Connections accepted"),
  c("total_commands_processed", "redis_commands_processed_total", "Commands run"),
  g("instantaneous_ops_per_sec", "redis_instantaneous_ops_per_second", "Commands per second now"),
  c("total_net_input_bytes", "redis_net_input_bytes_total", "Bytes read from clients"),
  c("total_net_output_bytes", "redis_net_output_bytes_total", "Bytes written to clients"),
  g("instantaneous_input_kbps", "redis_instantaneous_input_kbps", "KiB/s read from clients now"),
  g(
    "instantaneous_output_kbps",
    "redis_instantaneous_output_kbps",
    "KiB/s written to clients now",
  ),
  c("rejected_connections", "redis_rejected_connections_total", "Connections refused (maxclients)"),
  c("expired_keys", "redis_expired_keys_total", "Keys removed because their TTL passed"),
  c("evicted_keys", "redis_evicted_keys_total", "Keys evicted by the memory limit"),
  c("keyspace_hits", "redis_keyspace_hits_total", "Read lookups that found the key"),
  c("keyspace_misses", "redis_keyspace_misses_total", "Read lookups that found no key"),
  g("pubsub_channels", "redis_pubsub_channels", "Channels with subscribers"),
  g("pubsub_patterns", "redis_pubsub_patterns", "Patterns with subscribers"),
  g("pubsubshard_channels", "redis_pubsubshard_channels", "Shard channels with subscribers"),
  c("total_error_replies", "redis_error_replies_total", "Error replies sent"),
  c("acl_access_denied_auth", "redis_acl_access_denied_auth_total", "Failed AUTH and HELLO AUTH"),
  c(
    "acl_access_denied_cmd",
    "redis_acl_access_denied_cmd_total",
    "Commands refused by ACL rules",
  ),
  c(
    "acl_access_denied_key",
    "redis_acl_access_denied_key_total",
    "Commands refused by ACL key rules",
  ),
  c(
    "acl_access_denied_channel",
    "redis_acl_access_denied_channel_total",
    "Commands refused by ACL channel rules",
  ),
  g("connected_slaves", "redis_connected_slaves", "Replicas connected"),
  g("master_repl_offset", "redis_master_repl_offset", "Replication offset of this server"),
  g("repl_backlog_active", "redis_repl_backlog_is_active", "1 while a replication backlog exists"),
  g("repl_backlog_size", "redis_replication_backlog_bytes", "Size of the replication backlog"),
  g(
    "repl_backlog_histlen",
    "redis_repl_backlog_history_bytes",
    "Bytes held in the replication backlog",
  ),
  g(
    "repl_backlog_first_byte_offset",
    "redis_repl_backlog_first_byte_offset",
    "Offset of the first byte in the replication backlog",
  ),
  g("master_link_status", "redis_master_link_up", "1 while the link to the primary is up"),
  g(
    "master_last_io_seconds_ago",
    "redis_master_last_io_seconds_ago",
    "Seconds since the primary spoke",
  ),
  g("master_sync_in_progress", "redis_master_sync_in_progress", "1 while syncing from the primary"),
  g("slave_repl_offset", "redis_slave_repl_offset", "Replication offset of this replica"),
  c("used_cpu_sys", "redis_cpu_sys_seconds_total", "System CPU time of the process"),
  c("used_cpu_user", "redis_cpu_user_seconds_total", "User CPU time of the process"),
  c("used_cpu_sys_children", "redis_cpu_sys_children_seconds_total", "System CPU of children"),
  c("used_cpu_user_children", "redis_cpu_user_children_seconds_total", "User CPU of children"),
  g("cluster_enabled", "redis_cluster_enabled", "1 in cluster mode"),
];

/** An INFO value as a number, as redis_exporter reads it (ok/up = 1, err/down = 0), or NaN. */
export function infoNumber(value: string | number): number {
  if (typeof value === "number") return value;
  switch (value) {
    case "ok":
    case "up":
    case "true":
    case "yes":
      return 1;
    case "err":
    case "fail":
    case "down":
    case "false":
    case "no":
      return 0;
  }
  return value.trim() === "" ? NaN : Number(value);
}

/** `a=1,b=x` as a map. */
export function infoPairs(value: string | number): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const part of String(value).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) pairs.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return pairs;
}

/** A family of INFO fields named by a prefix, each exported with a label. */
interface LabelledField {
  /** Which section's fields (every field of the section when `prefix` is ""). */
  section: string;
  prefix: string;
  export(
    out: ExpositionWriter,
    name: string,
    value: string | number,
    all: Map<string, string | number>,
  ): void;
}

const LABELLED_FIELDS: readonly LabelledField[] = [
  {
    section: "commandstats",
    prefix: "cmdstat_",
    export(out, cmd, value) {
      const pairs = infoPairs(value);
      const labels = { cmd };
      const metric = (name: string, help: string, key: string, scale = 1) => {
        const n = Number(pairs.get(key));
        if (Number.isNaN(n)) return;
        out.family(name, "counter", help);
        out.sample(name, n * scale, labels);
      };
      metric("redis_commands_total", "Calls per command", "calls");
      metric(
        "redis_commands_duration_seconds_total",
        "Time spent per command",
        "usec",
        1e-6,
      );
      metric(
        "redis_commands_rejected_calls_total",
        "Calls refused before running (arity, gates)",
        "rejected_calls",
      );
      metric("redis_commands_failed_calls_total", "Calls that answered an error", "failed_calls");
    },
  },
  {
    section: "errorstats",
    prefix: "errorstat_",
    export(out, err, value) {
      out.family("redis_errors_total", "counter", "Error replies by their code");
      out.sample("redis_errors_total", Number(infoPairs(value).get("count")), { err });
    },
  },
  {
    section: "latencystats",
    prefix: "latency_percentiles_usec_",
    export(out, cmd, value, all) {
      const name = "redis_latency_percentiles_usec";
      out.family(name, "summary", "Latency percentiles per command, in microseconds");
      for (const [key, usec] of infoPairs(value)) {
        // p99.9 -> 0.999 (rounded, so no 0.9990000000000001 from the division).
        const quantile = String(Number((Number(key.slice(1)) / 100).toFixed(10)));
        out.sample(name, Number(usec), { cmd, quantile });
      }
      const stats = all.get(`cmdstat_${cmd}`);
      if (stats !== undefined) {
        const pairs = infoPairs(stats);
        out.sample(name, Number(pairs.get("usec")), { cmd }, "_sum");
        out.sample(name, Number(pairs.get("calls")), { cmd }, "_count");
      }
    },
  },
  {
    section: "keyspace",
    prefix: "",
    export(out, db, value) {
      const pairs = infoPairs(value);
      const labels = { db };
      out.family("redis_db_keys", "gauge", "Keys per database");
      out.sample("redis_db_keys", Number(pairs.get("keys") ?? NaN), labels);
      out.family("redis_db_keys_expiring", "gauge", "Keys with a TTL per database");
      out.sample("redis_db_keys_expiring", Number(pairs.get("expires") ?? NaN), labels);
      if (pairs.has("avg_ttl")) {
        out.family("redis_db_avg_ttl_seconds", "gauge", "Mean remaining TTL (sampled)");
        out.sample("redis_db_avg_ttl_seconds", Number(pairs.get("avg_ttl")) / 1000, labels);
      }
    },
  },
  {
    section: "replication",
    prefix: "slave",
    export(out, suffix, value) {
      if (!/^[0-9]+$/.test(suffix)) return; // slave_repl_offset and the like are plain fields
      const pairs = infoPairs(value);
      const labels = {
        slave_ip: pairs.get("ip") ?? "",
        slave_port: pairs.get("port") ?? "",
        slave_state: pairs.get("state") ?? "",
      };
      out.family("redis_connected_slave_offset_bytes", "gauge", "Offset acknowledged per replica");
      out.sample("redis_connected_slave_offset_bytes", Number(pairs.get("offset")), labels);
      out.family("redis_connected_slave_lag_seconds", "gauge", "Lag of each replica");
      out.sample("redis_connected_slave_lag_seconds", Number(pairs.get("lag")), labels);
    },
  },
];

/** A partition's event counters, exported as `hermes_partition_<name>_total{db}`. */
const PARTITION_COUNTERS: [keyof PartitionStats, string][] = [
  ["reads", "Read commands run in the partition"],
  ["writes", "Write commands run in the partition"],
  ["hits", "Read lookups in the partition that found the key"],
  ["misses", "Read lookups in the partition that found none"],
  ["expired", "Keys of the partition removed because their TTL passed"],
];
/** Sizes of a partition's data, exported as `hermes_partition_{key,value}_bytes{db}`. */
const PARTITION_GAUGES: [keyof PartitionStats, string][] = [
  ["keyBytes", "Bytes of the key names stored in the partition"],
  ["valueBytes", "Bytes of the values stored in the partition"],
];

/** Labels of redis_instance_info: server facts as the exporter reports them. */
const INSTANCE_LABELS = [
  "role",
  "redis_version",
  "hermes_version",
  "redis_mode",
  "os",
  "maxmemory_policy",
  "tcp_port",
  "run_id",
  "process_id",
];

/** Every INFO section's fields, by section name, from the sources INFO itself uses. */
export function infoSections(view: ServerView): Map<string, InfoField[]> {
  const sections = new Map<string, InfoField[]>();
  for (const section of INFO_SECTIONS) sections.set(section.name, section.fields(view.info));
  return sections;
}

/** The whole /metrics text. */
export function metricsText(view: ServerView): string {
  const out = new ExpositionWriter();
  const sections = infoSections(view);
  const all = new Map<string, string | number>();
  for (const fields of sections.values()) for (const [name, value] of fields) all.set(name, value);

  out.family("redis_up", "gauge", "1 when the server answers");
  out.sample("redis_up", 1);
  const labels: Labels = {};
  for (const label of INSTANCE_LABELS) {
    const value = all.get(label);
    if (value !== undefined) labels[label] = String(value);
  }
  out.family("redis_instance_info", "gauge", "Facts about the server, as labels");
  out.sample("redis_instance_info", 1, labels);
  const uptime = Number(all.get("uptime_in_seconds"));
  out.family("redis_start_time_seconds", "gauge", "Unix time the server started");
  out.sample("redis_start_time_seconds", Math.floor(view.info.now / 1000) - uptime);

  for (const metric of INFO_METRICS) {
    const raw = all.get(metric.field);
    if (raw === undefined) continue;
    const value = infoNumber(raw);
    if (Number.isNaN(value)) continue;
    out.family(metric.name, metric.type, metric.help);
    out.sample(metric.name, value * (metric.scale ?? 1));
  }
  for (const family of LABELLED_FIELDS) {
    for (const [name, value] of sections.get(family.section) ?? []) {
      if (!name.startsWith(family.prefix)) continue;
      family.export(out, name.slice(family.prefix.length), value, all);
    }
  }
  hermesMetrics(out, view);
  return out.text();
}

/** Hermes's own metrics: counters INFO does not print. */
function hermesMetrics(out: ExpositionWriter, view: ServerView): void {
  const wal = view.wal;
  if (wal !== null) {
    out.histogram(
      "hermes_wal_fsync_duration_seconds",
      "Time each fdatasync of the write-ahead log took",
      wal.fsyncSeconds,
    );
    out.histogram(
      "hermes_group_commit_batch_size",
      "Records written by each group commit (one actor round)",
      wal.batchRecords,
    );
    out.family("hermes_wal_bytes_written_total", "counter", "Bytes appended to the log");
    out.sample("hermes_wal_bytes_written_total", wal.bytesWritten);
    out.family("hermes_wal_records_total", "counter", "Records handed to the log");
    out.sample("hermes_wal_records_total", wal.records);
  }
  // Each partition's own counters, labelled as INFO keyspace names it.
  const store = view.info.store;
  for (const partition of store.partitions()) {
    const labels = { db: store.keyspaceName(partition.id) };
    for (const [field, help] of PARTITION_COUNTERS) {
      const name = `hermes_partition_${field}_total`;
      out.family(name, "counter", help);
      out.sample(name, partition.stats[field], labels);
    }
    for (const [field, help] of PARTITION_GAUGES) {
      const name = `hermes_partition_${field === "keyBytes" ? "key" : "value"}_bytes`;
      out.family(name, "gauge", help);
      out.sample(name, partition.stats[field], labels);
    }
  }

  const observability = view.info.observability;
  const slowLog = observability.slowLog;
  out.family("redis_slowlog_length", "gauge", "Entries in the slow log");
  out.sample("redis_slowlog_length", slowLog.length);
  const [newest] = slowLog.newest(1);
  if (newest !== undefined) {
    out.family("redis_slowlog_last_id", "gauge", "Id of the newest slow log entry");
    out.sample("redis_slowlog_last_id", newest.id);
    out.family(
      "redis_last_slow_execution_duration_seconds",
      "gauge",
      "Duration of the newest slow log entry",
    );
    out.sample("redis_last_slow_execution_duration_seconds", newest.durationUs / 1e6);
  }
  for (const event of observability.latency.events()) {
    const last = event.samples.at(-1);
    if (last === undefined) continue;
    const labels = { event_name: event.name };
    out.family("redis_latency_spike_last", "gauge", "Unix time of the latest spike per event");
    out.sample("redis_latency_spike_last", last.timeSec, labels);
    out.family(
      "redis_latency_spike_duration_seconds",
      "gauge",
      "Duration of the latest spike per event",
    );
    out.sample("redis_latency_spike_duration_seconds", last.ms / 1000, labels);
  }
  out.family("hermes_monitor_clients", "gauge", "Clients in MONITOR mode");
  out.sample("hermes_monitor_clients", observability.monitors.count);
  out.family("hermes_build_info", "gauge", "The Hermes version, as a label");
  out.sample("hermes_build_info", 1, { version: VERSION, deno: Deno.version.deno });
}

/** What /metrics answers while the data set is loading: up, and loading. */
export function loadingMetricsText(): string {
  const out = new ExpositionWriter();
  out.family("redis_up", "gauge", "1 when the server answers");
  out.sample("redis_up", 1);
  out.family("redis_loading_dump_file", "gauge", "1 while the data set is being loaded");
  out.sample("redis_loading_dump_file", 1);
  return out.text();
}
