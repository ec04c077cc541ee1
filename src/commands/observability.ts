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
import { MonitorFeed } from "./monitor.ts";
import type { ServerControl } from "./server_control.ts";
import type { Session } from "./session.ts";
import type { CommandSpec } from "./spec.ts";

/** What MONITOR and SLOWLOG show in place of a redacted argument. */
export const REDACTED = "(redacted)";

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
  /** The command whose arguments a handler redacted last, and those arguments as shown. */
  #redactedFrom: readonly string[] | null = null;
  #redactedArgs: string[] = [];

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

  /**
   * Shows argument `index` of the running command (`argv`) as `(redacted)` in MONITOR and
   * SLOWLOG, as Redis's redactClientCommandArgument. Handlers of commands that carry secrets
   * (AUTH, HELLO ... AUTH, ACL SETUSER, CONFIG SET requirepass) call it at the point where Redis
   * does, so a command refused before that point is shown as sent, exactly as Redis shows it.
   * Costs nothing for other commands: the redacted copy is kept apart, for this `argv` only, and
   * forgotten once the round's synchronous work is done.
   */
  redact(argv: readonly string[], index: number): void {
    if (this.#redactedFrom !== argv) {
      if (this.#redactedFrom === null) queueMicrotask(this.#forgetRedacted);
      this.#redactedFrom = argv;
      this.#redactedArgs = argv.slice();
    }
    this.#redactedArgs[index] = REDACTED;
  }

  /** `argv` as MONITOR and SLOWLOG show it: with what its handler redacted replaced. */
  shown(argv: readonly string[]): readonly string[] {
    return this.#redactedFrom === argv ? this.#redactedArgs : argv;
  }

  readonly #forgetRedacted = (): void => {
    this.#redactedFrom = null;
    this.#redactedArgs = [];
  };

  /**
   * A command that ran at least {@linkcode slowCommandUs}: slow log entry, latency event.
   * `shown` is its arguments as {@linkcode shown} gives them.
   */
  slowCommand(
    session: Session,
    spec: CommandSpec,
    shown: readonly string[],
    durationUs: number,
  ): void {
    const threshold = this.slowlogSlowerThanUs;
    if (threshold >= 0 && durationUs >= threshold && !spec.flags.includes("skip_slowlog")) {
      this.slowLog.push(
        shown,
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
