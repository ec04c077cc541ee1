/**
 * Checks and runs one command: existence, subcommand and arity are checked here, once, with
 * Redis's texts; handlers do only their own work. Errors a handler throws as CommandError
 * become error replies; anything else is a bug, logged and answered generically, with the
 * connection and the data left intact.
 */
import type { Databases } from "../store/databases.ts";
import type { Clock } from "../store/clock.ts";
import type { Logger } from "../log/logger.ts";
import { CommandStats } from "./command_stats.ts";
import type { CommandContext } from "./context.ts";
import { CommandError, Errors, unknownCommand, unknownSubcommand, wrongArity } from "./errors.ts";
import { arityAllows, findSubcommand, type Registry } from "./registry.ts";
import type { ServerControl } from "./server_control.ts";
import type { Session } from "./session.ts";
import type { CommandSpec } from "./spec.ts";

export class Dispatcher {
  readonly stats = new CommandStats();
  readonly #ctx: CommandContext;
  readonly #registry: Registry;
  readonly #store: Databases;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(
    registry: Registry,
    store: Databases,
    server: ServerControl,
    clock: Clock,
    log: Logger,
  ) {
    this.#registry = registry;
    this.#store = store;
    this.#clock = clock;
    this.#log = log;
    this.#ctx = {
      session: undefined as unknown as Session,
      out: undefined as unknown as Session["out"],
      db: store.dbs[0],
      now: 0,
      store,
      server,
      registry,
      stats: this.stats,
    };
  }

  /** Runs one command for `session`; returns false when the session must stop (QUIT). */
  readonly run = (session: Session, argv: string[]): boolean => {
    const out = session.out;
    let spec = this.#registry.lookup(argv[0]);
    if (spec === undefined) {
      this.#reject(out, unknownCommand(argv), null);
      return true;
    }
    if (!arityAllows(spec.arity, argv.length)) {
      this.#reject(out, wrongArity(spec.name), spec);
      return true;
    }
    if (spec.subcommands) {
      const sub = findSubcommand(spec, argv[1]);
      if (sub === undefined) {
        this.#reject(out, unknownSubcommand(argv[1], spec.name), spec);
        return true;
      }
      spec = sub;
      if (!arityAllows(spec.arity, argv.length)) {
        this.#reject(out, wrongArity(spec.name), spec);
        return true;
      }
    }

    const ctx = this.#ctx;
    ctx.session = session;
    ctx.out = out;
    ctx.db = this.#store.dbs[session.db];
    ctx.now = this.#clock();
    session.lastCommand = spec.name;
    const counters = this.stats.counters(spec.name);
    const mark = out.length;
    const started = performance.now();
    try {
      spec.handler!(ctx, argv);
    } catch (error) {
      // Handlers check before they write, but never leave a half-written reply on the wire.
      out.truncate(mark);
      const refusal = error instanceof CommandError ? error : this.#unexpected(error, argv);
      out.error(refusal.line);
      this.stats.countError(refusal.prefix);
      counters.failedCalls++;
    }
    counters.usec += (performance.now() - started) * 1000;
    counters.calls++;
    this.stats.totalCommandsProcessed++;
    this.#store.journal.commandEnd();
    return !session.closeRequested;
  };

  #reject(out: Session["out"], error: CommandError, spec: CommandSpec | null): void {
    out.error(error.line);
    this.stats.countError(error.prefix);
    if (spec) this.stats.counters(spec.name).rejectedCalls++;
  }

  #unexpected(error: unknown, argv: string[]): CommandError {
    this.#log.error(`Command ${argv[0]} failed unexpectedly`, error);
    return Errors.internal;
  }
}
