/**
 * The status page's history: once a second, while the HTTP endpoint runs, one sample of what
 * the page plots (ops/s, clients, memory, keys per database, hit ratio, fsync latency,
 * group-commit batch size), read from the INFO fields and the log's histograms. The last five
 * minutes are kept: a fixed ring, so memory stays a few tens of KB.
 */
import { INFO_SECTIONS, type InfoField } from "../commands/info.ts";
import { infoNumber, infoPairs } from "./metrics.ts";
import type { ServerView } from "./server_view.ts";

/** Samples kept: five minutes at one a second. */
export const HISTORY_SAMPLES = 300;
export const HISTORY_INTERVAL_MS = 1000;

export interface StatsSample {
  /** Unix ms. */
  t: number;
  opsPerSec: number;
  clients: number;
  usedMemory: number;
  rss: number;
  /** Keys per database (or partition) that has any, by name. */
  keys: Record<string, number>;
  /** Hits / lookups over the interval, or null without lookups. */
  hitRatio: number | null;
  /** Mean fdatasync time over the interval in ms, or null without one. */
  fsyncMs: number | null;
  /** Mean records per group commit over the interval, or null without a commit. */
  batchSize: number | null;
  inputKbps: number;
  outputKbps: number;
}

/** The INFO sections a sample reads. */
const SAMPLED = new Set(["clients", "memory", "stats", "keyspace"]);

/** The INFO fields a sample needs, by name, plus the keyspace lines. */
export function sampledFields(view: ServerView): {
  fields: Map<string, string | number>;
  keyspace: InfoField[];
} {
  const fields = new Map<string, string | number>();
  let keyspace: InfoField[] = [];
  for (const section of INFO_SECTIONS) {
    if (!SAMPLED.has(section.name)) continue;
    const values = section.fields(view.info);
    if (section.name === "keyspace") keyspace = values;
    else for (const [name, value] of values) fields.set(name, value);
  }
  return { fields, keyspace };
}

interface Totals {
  t: number;
  commands: number;
  hits: number;
  misses: number;
  fsyncSum: number;
  fsyncCount: number;
  batchSum: number;
  batchCount: number;
}

export class StatsHistory {
  readonly #samples: StatsSample[] = [];
  #previous: Totals | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Samples `view` every second until {@linkcode stop}. */
  start(view: ServerView): void {
    this.sample(view);
    this.#timer = setInterval(() => this.sample(view), HISTORY_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Samples after `sinceMs` (all kept ones when omitted), oldest first. */
  samples(sinceMs = -Infinity): StatsSample[] {
    return this.#samples.filter((s) => s.t > sinceMs);
  }

  /** Takes one sample now. */
  sample(view: ServerView): void {
    const { fields, keyspace } = sampledFields(view);
    const number = (name: string) => {
      const value = infoNumber(fields.get(name) ?? NaN);
      return Number.isNaN(value) ? 0 : value;
    };
    const wal = view.wal;
    const totals: Totals = {
      t: Date.now(),
      commands: number("total_commands_processed"),
      hits: number("keyspace_hits"),
      misses: number("keyspace_misses"),
      fsyncSum: wal?.fsyncSeconds.sum ?? 0,
      fsyncCount: wal?.fsyncSeconds.count ?? 0,
      batchSum: wal?.batchRecords.sum ?? 0,
      batchCount: wal?.batchRecords.count ?? 0,
    };
    const before = this.#previous;
    this.#previous = totals;
    if (before === null) return; // rates need two readings
    const seconds = Math.max(0.001, (totals.t - before.t) / 1000);
    // Counters that went down were reset (CONFIG RESETSTAT): the interval counts as idle.
    const delta = (key: keyof Totals) => Math.max(0, totals[key] - before[key]);
    const lookups = delta("hits") + delta("misses");
    const fsyncs = delta("fsyncCount");
    const commits = delta("batchCount");
    const keys: Record<string, number> = {};
    for (const [name, value] of keyspace) keys[name] = Number(infoPairs(value).get("keys") ?? 0);
    this.#samples.push({
      t: totals.t,
      opsPerSec: Math.round(delta("commands") / seconds),
      clients: number("connected_clients"),
      usedMemory: number("used_memory"),
      rss: number("used_memory_rss"),
      keys,
      hitRatio: lookups === 0 ? null : delta("hits") / lookups,
      fsyncMs: fsyncs === 0 ? null : delta("fsyncSum") * 1000 / fsyncs,
      batchSize: commits === 0 ? null : delta("batchSum") / commits,
      inputKbps: number("instantaneous_input_kbps"),
      outputKbps: number("instantaneous_output_kbps"),
    });
    if (this.#samples.length > HISTORY_SAMPLES) this.#samples.shift();
  }
}
