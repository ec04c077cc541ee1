/**
 * MONITOR: every command the server runs, as one line per command to every client in monitor
 * mode, in Redis's format: `+<unix seconds>.<microseconds> [<db> <ip:port>] "arg" "arg"...`,
 * arguments quoted and escaped as Redis's sdscatrepr does, passwords redacted (the dispatcher
 * hands observers the arguments as shown: see Observability.redact).
 *
 * It costs nothing while no client monitors: the feed registers its observer with the
 * dispatcher when the first monitor arrives and removes it when the last one leaves. Lines are
 * written into each monitor's reply buffer and sent when the round's replies are released; a
 * monitor that does not read is disconnected by its max-output limit like any client.
 */
import { ObservabilityErrors } from "./errors.ts";
import type { CommandObserver, Gate } from "./gates.ts";
import type { ServerControl } from "./server_control.ts";
import type { Session } from "./session.ts";
import type { CommandSpec } from "./spec.ts";
import { NO_KEYS } from "./spec.ts";

const ESCAPES: Record<number, string> = {
  0x5c: "\\\\",
  0x22: '\\"',
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
  0x07: "\\a",
  0x08: "\\b",
};

/** Printable ASCII without the quote and the backslash: copied as they are. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `arg` in double quotes with Redis's escapes (\n, \", \\, \xHH for unprintable bytes). */
export function quoteArg(arg: string): string {
  if (PLAIN.test(arg)) return `"${arg}"`;
  let out = '"';
  for (let i = 0; i < arg.length; i++) {
    const code = arg.charCodeAt(i);
    const escape = ESCAPES[code];
    if (escape !== undefined) out += escape;
    else if (code >= 0x20 && code <= 0x7e) out += arg[i];
    else out += "\\x" + code.toString(16).padStart(2, "0");
  }
  return out + '"';
}

/** The monitor line for one command, without the leading `+` and the CRLF. */
export function monitorLine(
  unixMs: number,
  db: number,
  peer: string,
  argv: readonly string[],
): string {
  const seconds = Math.floor(unixMs / 1000);
  const micros = Math.floor((unixMs - seconds * 1000) * 1000);
  let line = `${seconds}.${String(micros).padStart(6, "0")} [${db} ${peer}]`;
  for (const arg of argv) line += " " + quoteArg(arg);
  return line;
}

const isMonitoring = (session: Session): boolean => session.monitoring;

/** Refuses keyspace commands from a monitor, as Redis refuses them from its replicas. */
export const monitorGate: Gate = (session, spec) =>
  session.monitoring && (spec.flags.includes("readonly") || spec.flags.includes("write"))
    ? ObservabilityErrors.monitorKeyspace
    : null;

export class MonitorFeed {
  readonly #monitors = new Set<Session>();
  readonly #observers: CommandObserver[];
  readonly #server: ServerControl;

  /** `observers` is the dispatcher's list the feed joins while it has monitors. */
  constructor(observers: CommandObserver[], server: ServerControl) {
    this.#observers = observers;
    this.#server = server;
  }

  /** Clients in monitor mode. */
  get count(): number {
    return this.#monitors.size;
  }

  /** Puts `session` in monitor mode until it disconnects. */
  add(session: Session): void {
    session.monitoring = true;
    session.addGateReason(isMonitoring);
    this.#monitors.add(session);
    session.onClose(this.#remove);
    if (this.#monitors.size === 1) this.#observers.push(this.#observe);
  }

  /**
   * A monitor's connection ended, or it sent RESET (a close hook: run in the store actor); after
   * RESET it is an ordinary client again, as in Redis.
   */
  readonly #remove = (session: Session): void => {
    session.monitoring = false;
    session.updateGated();
    this.#monitors.delete(session);
    if (this.#monitors.size !== 0) return;
    const at = this.#observers.indexOf(this.#observe);
    if (at >= 0) this.#observers.splice(at, 1);
  };

  readonly #observe: CommandObserver = (session, spec, argv, _durationUs, db) => {
    if (spec.flags.includes("admin") || spec.flags.includes("skip_monitor")) return;
    // A line is at least as long as its arguments: one that cannot fit in max-output (monitors
    // are normal clients, as in Redis) would cut every monitor off anyway, so they are cut off
    // before it is built.
    const hard = this.#server.config.outputLimits.normal.hardBytes;
    let bytes = 0;
    for (const arg of argv) bytes += arg.length + 3;
    if (hard > 0 && bytes > hard) {
      for (const monitor of this.#monitors) this.#server.disconnect(monitor);
      return;
    }
    const now = performance.timeOrigin + performance.now();
    const line = monitorLine(now, db, session.remoteAddr, argv);
    for (const monitor of this.#monitors) {
      if (monitor.closeRequested) continue; // over its limit already: it is being cut off
      monitor.out.simple(line);
      // Its output now holds lines of this round: no early release before the round's fsync.
      monitor.waitsForRound = true;
      this.#server.deliver(monitor);
    }
  };
}

export const monitorCommands: CommandSpec[] = [
  {
    name: "monitor",
    arity: 1,
    flags: ["admin", "noscript", "loading", "stale"],
    keys: NO_KEYS,
    group: "server",
    summary: "Streams every command the server runs, until the connection closes.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [],
    handler(ctx) {
      const session = ctx.session;
      if (session.inTransaction) throw ObservabilityErrors.monitorInTransaction;
      // Already monitoring: Redis answers nothing at all.
      if (session.monitoring) return;
      ctx.observability.monitors.add(session);
      ctx.out.ok();
    },
  },
];
