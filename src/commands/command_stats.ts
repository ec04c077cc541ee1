/** Per-command and per-error counters (INFO commandstats, errorstats and latencystats). */
import { LatencyHistogram } from "../observe/latency_histogram.ts";

export interface CommandCounters {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /** Durations of the calls while latency-tracking is on (a few KB, one per command). */
  latency: LatencyHistogram;
}

export class CommandStats {
  readonly commands = new Map<string, CommandCounters>();
  readonly errors = new Map<string, number>();
  totalCommandsProcessed = 0;
  totalErrorReplies = 0;

  counters(name: string): CommandCounters {
    let counters = this.commands.get(name);
    if (!counters) {
      counters = {
        calls: 0,
        usec: 0,
        rejectedCalls: 0,
        failedCalls: 0,
        latency: new LatencyHistogram(),
      };
      this.commands.set(name, counters);
    }
    return counters;
  }

  /** Counts an error reply by its prefix (ERR, WRONGTYPE, ...). */
  countError(prefix: string): void {
    this.totalErrorReplies++;
    this.errors.set(prefix, (this.errors.get(prefix) ?? 0) + 1);
  }

  reset(): void {
    this.commands.clear();
    this.errors.clear();
    this.totalCommandsProcessed = 0;
    this.totalErrorReplies = 0;
  }
}
