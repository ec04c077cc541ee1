/**
 * The latency monitor (LATENCY LATEST/HISTORY/RESET/GRAPH/DOCTOR): for each kind of event that
 * can stall the server (a slow command, an fdatasync, an expire cycle, a compaction slice) the
 * latest 160 spikes of at least `latency-monitor-threshold` ms, one per second at most (a
 * second keeps its worst), and the worst ever. Memory is bounded by the fixed set of event
 * names times 160 samples.
 */

/** Samples kept per event (Redis's LATENCY_TS_LEN). */
export const LATENCY_SAMPLES = 160;

export interface LatencySample {
  /** Unix seconds. */
  timeSec: number;
  ms: number;
}

export interface LatencyEvent {
  name: string;
  /** Oldest first. */
  samples: LatencySample[];
  /** The worst spike since the event was created or reset. */
  maxMs: number;
}

/** The event names Hermes records. */
export const LatencyEvents = {
  /** A command not flagged fast ran long. */
  command: "command",
  /** A command flagged fast (O(1) or O(log N)) ran long. */
  fastCommand: "fast-command",
  /** The fdatasync before a round's replies, under `--fsync always`. */
  fsyncAlways: "aof-fsync-always",
  /** The write of a round's records to the log. */
  logWrite: "aof-write",
  /** One slice of a compaction holding the store. */
  compactionSlice: "compaction-slice",
  /** One active expiry cycle. */
  expireCycle: "expire-cycle",
} as const;

export class LatencyMonitor {
  /** Spikes shorter than this (ms) are ignored; 0 turns the monitor off. */
  thresholdMs = 0;
  readonly #events = new Map<string, LatencyEvent>();
  readonly #clockSec: () => number;

  constructor(clockSec: () => number = () => Math.floor(Date.now() / 1000)) {
    this.#clockSec = clockSec;
  }

  /** Records `ms` for `event` if the monitor is on and it reaches the threshold. */
  record(event: string, ms: number): void {
    const threshold = this.thresholdMs;
    if (threshold === 0 || ms < threshold) return;
    this.add(event, Math.floor(ms));
  }

  /** Adds a spike unconditionally (the caller checked the threshold). */
  add(event: string, ms: number): void {
    let entry = this.#events.get(event);
    if (entry === undefined) {
      entry = { name: event, samples: [], maxMs: 0 };
      this.#events.set(event, entry);
    }
    const now = this.#clockSec();
    if (ms > entry.maxMs) entry.maxMs = ms;
    const last = entry.samples.at(-1);
    if (last !== undefined && last.timeSec === now) {
      if (ms > last.ms) last.ms = ms;
      return;
    }
    entry.samples.push({ timeSec: now, ms });
    if (entry.samples.length > LATENCY_SAMPLES) entry.samples.shift();
  }

  events(): LatencyEvent[] {
    return [...this.#events.values()];
  }

  event(name: string): LatencyEvent | undefined {
    return this.#events.get(name);
  }

  /** Forgets the named events (all when none are named); returns how many were forgotten. */
  reset(names: readonly string[] = []): number {
    if (names.length === 0) {
      const count = this.#events.size;
      this.#events.clear();
      return count;
    }
    let count = 0;
    for (const name of names) if (this.#events.delete(name)) count++;
    return count;
  }
}
