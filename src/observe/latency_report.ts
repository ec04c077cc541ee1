/**
 * The human-readable side of the latency monitor: LATENCY GRAPH (an ASCII chart of one event's
 * spikes, in the layout redis-cli users know) and LATENCY DOCTOR (an analysis with advice).
 * The texts for "monitoring is off" and "no spikes" are Redis's own, since tools compare them.
 */
import type { LatencyEvent, LatencyMonitor } from "./latency_monitor.ts";

const GRAPH_ROWS = 4;
const GRAPH_COLUMNS = 80;
/** Levels within one row, lowest first; the rows under a column's top are filled with '|'. */
const LEVEL_CHARS = "_o#";

/** How long ago `timeSec` was, as the graph labels it: 12s, 5m, 3h, 2d. */
function ago(nowSec: number, timeSec: number): string {
  const seconds = Math.max(0, nowSec - timeSec);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** One block of up to 80 columns: the chart rows, then each label written downwards. */
function chartBlock(values: number[], labels: string[], low: number, high: number): string {
  const steps = GRAPH_ROWS * LEVEL_CHARS.length;
  const levels = values.map((v) =>
    high > low ? Math.round((v - low) / (high - low) * (steps - 1)) : 0
  );
  let text = "";
  for (let row = GRAPH_ROWS - 1; row >= 0; row--) {
    let line = "";
    for (const level of levels) {
      const top = Math.floor(level / LEVEL_CHARS.length);
      if (top === row) line += LEVEL_CHARS[level % LEVEL_CHARS.length];
      else line += top > row ? "|" : " ";
    }
    text += line + "\n";
  }
  const height = Math.max(...labels.map((label) => label.length));
  for (let i = 0; i < height; i++) {
    text += labels.map((label) => label[i] ?? " ").join("") + "\n";
  }
  return text;
}

/** LATENCY GRAPH's text for `event` (which has at least one sample). */
export function latencyGraph(event: LatencyEvent, nowSec: number): string {
  const values = event.samples.map((s) => s.ms);
  const high = Math.max(...values);
  const low = Math.min(...values);
  let text = `${event.name} - high ${high} ms, low ${low} ms (all time high ${event.maxMs} ms)\n` +
    "-".repeat(GRAPH_COLUMNS) + "\n";
  const blocks: string[] = [];
  for (let start = 0; start < values.length; start += GRAPH_COLUMNS) {
    const slice = event.samples.slice(start, start + GRAPH_COLUMNS);
    blocks.push(chartBlock(
      slice.map((s) => s.ms),
      slice.map((s) => ago(nowSec, s.timeSec)),
      low,
      high,
    ));
  }
  text += blocks.join("\n");
  return text;
}

export const DOCTOR_DISABLED = "I'm sorry, Dave, I can't do that. Latency monitoring is disabled " +
  'in this Redis instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." ' +
  "in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at " +
  "https://redis.io/topics/latency-monitor.\n";

export const DOCTOR_NO_SPIKES = "Dave, no latency spike was observed during the lifetime of this " +
  "Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, " +
  "take a stress pill, and think things over.\n";

/** What to do about each kind of spike, in Hermes's terms. */
const ADVICE: Record<string, string> = {
  "command": "Commands ran long. SLOWLOG GET names them with their arguments; commands over " +
    "whole keyspaces (KEYS, FLUSHALL) or big values block every other client while they run.",
  "fast-command": "Commands that should take constant time ran long: the process was probably " +
    "paused (CPU starved by other processes, swapping, or a long garbage collection).",
  "aof-fsync-always": "The disk took long to make the log durable. Under --fsync always every " +
    "reply waits for it; a faster disk, or --fsync everysec (up to a second of acknowledged " +
    "writes at risk on power loss), removes the wait.",
  "aof-write": "Writing a round's records to the log took long: the disk or the page cache is " +
    "under pressure.",
  "compaction-slice": "A compaction slice held the store for long; compaction runs in small " +
    "slices, so this points at a paused process or a very large value being written.",
  "expire-cycle": "An active expiry cycle ran long: many keys expired at once. Spreading the " +
    "TTLs of keys written together (a random offset) avoids mass expiries.",
};

/** Mean, mean absolute deviation and period (seconds between spikes) of one event. */
function analyse(event: LatencyEvent): { mean: number; deviation: number; period: number } {
  const values = event.samples.map((s) => s.ms);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const deviation = values.reduce((a, v) => a + Math.abs(v - mean), 0) / values.length;
  const span = event.samples.at(-1)!.timeSec - event.samples[0].timeSec;
  return { mean, deviation, period: span / values.length };
}

/** LATENCY DOCTOR's report. */
export function latencyDoctor(monitor: LatencyMonitor): string {
  if (monitor.thresholdMs === 0) return DOCTOR_DISABLED;
  const events = monitor.events().filter((e) => e.samples.length > 0);
  if (events.length === 0) return DOCTOR_NO_SPIKES;
  let text = `Hermes latency doctor: spikes of at least ${monitor.thresholdMs} ms were recorded ` +
    `for ${events.length} kind${events.length === 1 ? "" : "s"} of event.\n\n`;
  events.forEach((event, i) => {
    const { mean, deviation, period } = analyse(event);
    const count = event.samples.length;
    text += `${i + 1}. ${event.name}: ${count} latency spike${count === 1 ? "" : "s"} ` +
      `(average ${Math.round(mean)}ms, mean deviation ${Math.round(deviation)}ms, ` +
      `period ${period.toFixed(2)} sec). Worst all time event ${event.maxMs}ms.\n`;
  });
  text += "\nAdvice:\n\n";
  for (const event of events) {
    text += `- ${event.name}: ${ADVICE[event.name] ?? "No advice for this kind of event."}\n`;
  }
  return text;
}
