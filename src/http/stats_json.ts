/**
 * /stats.json: what the status page shows, as JSON. The server facts and the replication
 * state come from INFO's own fields, the plots from {@linkcode StatsHistory}, the slow log
 * from the slow log itself; `?since=<ms>` returns only the samples newer than that, so a page
 * polling once a second transfers one sample each time.
 */
import { INFO_SECTIONS } from "../commands/info.ts";
import { infoPairs } from "./metrics.ts";
import type { StatsHistory, StatsSample } from "./stats_history.ts";
import { healthOf, type ServerView } from "./server_view.ts";

/** The INFO sections the page reads. */
const SECTIONS = ["server", "clients", "memory", "persistence", "stats", "replication", "keyspace"];

/** Slow log entries the page lists. */
const SLOWLOG_SHOWN = 10;

/** INFO server and persistence fields the page shows in its header. */
const SERVER_FIELDS = [
  "hermes_version",
  "redis_version",
  "process_id",
  "tcp_port",
  "uptime_in_seconds",
  "aof_enabled",
  "aof_fsync_policy",
  "aof_last_write_status",
  "aof_rewrite_in_progress",
  "aof_rewrites",
];

/** INFO counters the page shows as they are now. */
const TOTAL_FIELDS = [
  "connected_clients",
  "blocked_clients",
  "used_memory",
  "used_memory_human",
  "used_memory_rss",
  "total_commands_processed",
  "instantaneous_ops_per_sec",
  "total_connections_received",
  "keyspace_hits",
  "keyspace_misses",
  "expired_keys",
  "evicted_keys",
  "total_net_input_bytes",
  "total_net_output_bytes",
  "total_error_replies",
];

export interface StatsJson {
  loading: boolean;
  now: number;
  health: { ok: boolean; detail?: string };
  server: Record<string, string | number>;
  totals: Record<string, string | number>;
  replication: Record<string, string | number>;
  databases: { name: string; keys: number; expires: number }[];
  history: StatsSample[];
  slowlog: {
    id: number;
    time: number;
    durationUs: number;
    args: string[];
    client: string;
    name: string;
  }[];
}

export function statsJson(
  view: ServerView | null,
  history: StatsHistory | null,
  sinceMs?: number,
): StatsJson {
  const health = healthOf(view);
  const base = {
    now: Date.now(),
    health: health.ok ? { ok: true } : { ok: false, detail: health.detail },
  };
  if (view === null || history === null) {
    return {
      ...base,
      loading: true,
      server: {},
      totals: {},
      replication: {},
      databases: [],
      history: [],
      slowlog: [],
    };
  }
  const server: Record<string, string | number> = {};
  const totals: Record<string, string | number> = {};
  const replication: Record<string, string | number> = {};
  const databases: StatsJson["databases"] = [];
  for (const section of INFO_SECTIONS) {
    if (!SECTIONS.includes(section.name)) continue;
    for (const [name, value] of section.fields(view.info)) {
      if (section.name === "replication") replication[name] = value;
      else if (section.name === "keyspace") {
        const pairs = infoPairs(value);
        databases.push({
          name,
          keys: Number(pairs.get("keys") ?? 0),
          expires: Number(pairs.get("expires") ?? 0),
        });
      } else if (SERVER_FIELDS.includes(name)) server[name] = value;
      else if (TOTAL_FIELDS.includes(name)) totals[name] = value;
    }
  }
  return {
    ...base,
    loading: false,
    server,
    totals,
    replication,
    databases,
    history: history.samples(sinceMs),
    slowlog: view.info.observability.slowLog.newest(SLOWLOG_SHOWN).map((entry) => ({
      id: entry.id,
      time: entry.timeSec,
      durationUs: entry.durationUs,
      args: entry.args,
      client: entry.peer,
      name: entry.clientName,
    })),
  };
}
