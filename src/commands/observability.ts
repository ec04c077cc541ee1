/**
 * What the server keeps so operators can see what it does: the slow log, the latency monitor,
 * the instantaneous rates and the MONITOR feed. The dispatcher owns one and sends it the
 * commands that ran long; SLOWLOG, LATENCY, MONITOR and INFO read it through the context, and
 * the HTTP endpoint reads it for /metrics and the status page.
 */
import type { Config } from "../config/settings.ts";
import { InstantaneousRates } from "../observe/instantaneous.ts";
import { LatencyEvents, LatencyMonitor } from "../observe/latency_monitor.ts";
import { SlowLog } from "../observe/slow_log.ts";
import type { CommandObserver } from "./gates.ts";
import { MonitorFeed, shownArgs } from "./monitor.ts";
import type { ServerControl } from "./server_control.ts";
import type { Session } from "./session.ts";
import type { CommandSpec } from "./spec.ts";

export class Observability {
  readonly slowLog = new SlowLog();
  readonly latency = new LatencyMonitor();
  readonly rates = new InstantaneousRates();
  readonly monitors: MonitorFeed;
  /** Commands at least this long (µs) are logged; -1 = slow log off. */
  slowlogSlowerThanUs = 10_000;
  slowlogMaxLen = 128;
  /**
   * Commands at least this long (µs) go to {@linkcode slowCommand}: the lower of the slow log
   * and latency monitor thresholds, Infinity when both are off. The dispatcher compares each
   * command's duration with it: the one cost these features add to every command.
   */
  slowCommandUs = 10_000;

  constructor(observers: CommandObserver[], server: ServerControl) {
    this.monitors = new MonitorFeed(observers, server);
  }

  /** Takes the thresholds from the settings (at start and after CONFIG SET). */
  configure(config: Config): void {
    this.slowlogSlowerThanUs = config.slowlogSlowerThanUs;
    this.slowlogMaxLen = config.slowlogMaxLen;
    this.latency.thresholdMs = config.latencyMonitorThresholdMs;
    const slowlog = config.slowlogSlowerThanUs < 0 ? Infinity : config.slowlogSlowerThanUs;
    const latency = config.latencyMonitorThresholdMs > 0
      ? config.latencyMonitorThresholdMs * 1000
      : Infinity;
    this.slowCommandUs = Math.min(slowlog, latency);
  }

  /** A command that ran at least {@linkcode slowCommandUs}: slow log entry, latency event. */
  slowCommand(session: Session, spec: CommandSpec, argv: string[], durationUs: number): void {
    const threshold = this.slowlogSlowerThanUs;
    if (threshold >= 0 && durationUs >= threshold && !spec.flags.includes("skip_slowlog")) {
      this.slowLog.push(
        shownArgs(spec, argv),
        Math.floor(durationUs),
        Math.floor(Date.now() / 1000),
        session.remoteAddr,
        session.name,
        this.slowlogMaxLen,
      );
    }
    const event = spec.flags.includes("fast") ? LatencyEvents.fastCommand : LatencyEvents.command;
    this.latency.record(event, durationUs / 1000);
  }
}
