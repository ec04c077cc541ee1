/**
 * Checks and runs one command: existence, subcommand and arity are checked here, once, with
 * Redis's texts; handlers do only their own work. Errors a handler throws as CommandError
 * become error replies; anything else is a bug, logged and answered generically, with the
 * connection and the data left intact.
 */
import type { Databases } from "../store/databases.ts";
import { FIRST_PARTITION_ID, type Partition, SchemaError } from "../store/partition.ts";
import { type Clock, systemClock } from "../store/clock.ts";
import type { Logger } from "../log/logger.ts";
import type { Config } from "../config/settings.ts";
import { type CommandCounters, CommandStats } from "./command_stats.ts";
import {
  argumentBytes,
  CommandTiming,
  mayShareTiming,
  SHARED_ARGUMENT_BYTES,
} from "./command_timing.ts";
import { Observability } from "./observability.ts";
import type { CommandContext } from "./context.ts";
import {
  CommandError,
  Errors,
  execAborted,
  unknownCommand,
  unknownSubcommand,
  wrongArity,
} from "./errors.ts";
import { arityAllows, findSubcommand, type Registry } from "./registry.ts";
import { batchWarmer } from "../store/batch_warmer.ts";
import type { ServerControl } from "./server_control.ts";
import type { Session } from "./session.ts";
import type { CommandSpec } from "./spec.ts";
import {
  confinedToPartition,
  countCommand,
  heldBack,
  partitionRefusal,
  schemaErrorReply,
} from "./partition_rules.ts";
import {
  commandHas,
  type CommandObserver,
  type Gate,
  GateOrder,
  HANDLED,
  ServerCondition,
} from "./gates.ts";
import { Transactions } from "../tx/transactions.ts";
import { Blocking } from "./blocking.ts";
import { retryAfter } from "../store/actor.ts";
import { AccessControl } from "../security/access_control.ts";
import { clientInfoLine } from "./client.ts";
import { PubSubHub } from "../pubsub/hub.ts";

export class Dispatcher {
  readonly stats = new CommandStats();
  /** Clients waiting in blocking commands; app.ts serves them after each command. */
  readonly blocking = new Blocking();
  /**
   * The checks run before a handler (gates.ts), in order; add them with {@linkcode addGate}.
   * All run for a session with `gated` set; while {@linkcode serverGated} is true, the gates of
   * the conditions that are on run for every session.
   */
  gates: Gate[] = [];
  /** Each gate's ServerCondition, or 0 for a session's gate. */
  readonly #gateConditions: number[] = [];
  /** A server-wide condition is on (see {@linkcode setServerCondition}). */
  serverGated = false;
  /** MULTI/EXEC, WATCH and BEGIN/COMMIT (src/tx/). */
  readonly transactions: Transactions;
  /** Users, AUTH, ACL rules and their log (src/security/). */
  readonly acl: AccessControl;
  readonly #gateOrders: number[] = [];
  /** The ServerCondition bits that are on. */
  #serverConditions = 0;
  #writeRefusal: CommandError | null = null;
  /** Called after each command while not empty (MONITOR). */
  readonly observers: CommandObserver[] = [];
  /**
   * Runs after every command while a primary propagates (null otherwise, so it costs one field
   * test): replication notes where the stream ended for the client (WAIT).
   */
  afterCommand: ((session: Session) => void) | null = null;
  /** Slow log, latency monitor, MONITOR feed, instantaneous rates. */
  readonly observability: Observability;
  /** Mirrors observability.slowCommandUs, so each command pays one field test. */
  #slowCommandUs: number;
  #latencyTracking = true;
  /** The spec of the last command {@linkcode run} looked up (the round ledger notes it). */
  lastSpec: CommandSpec | null = null;
  readonly #ctx: CommandContext;
  /** Start times and durations, with few clock reads (command_timing.ts). */
  readonly #timing: CommandTiming;
  /** Commands that may share their timing with their neighbours: @fast ones, and SET. */
  readonly #sharingSpecs = new Set<CommandSpec>();
  /** Handlers running now: more than one inside EXEC, whose commands are timed alone. */
  #depth = 0;
  /**
   * With the system clock, a command's wall-clock time is the round's (one Date.now per round)
   * plus the monotonic time since, which the command's start time already holds: no clock read
   * per command for `ctx.now`. Another clock (tests) is asked per command. (Reading Date.now
   * less often would leave the time up to a millisecond behind: it truncates, and a client's
   * own Date.now taken before its request could then be later than the server's.)
   */
  readonly #systemTime: boolean;
  #roundWall = 0;
  #roundMono = 0;
  /**
   * The latest `ctx.now` given under the system clock. Time never goes back between commands:
   * a round's Date.now can be a millisecond behind the previous round's derived time (the two
   * clocks are read apart), and TTLs and access clocks must not see time step back.
   */
  #latestNow = 0;
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
    pubsub: PubSubHub = new PubSubHub(server.config),
  ) {
    this.#registry = registry;
    this.#store = store;
    this.#clock = clock;
    this.#systemTime = clock === systemClock;
    this.#log = log;
    this.#timing = new CommandTiming(this.#charge, (mono) => {
      if (this.#systemTime) {
        this.#roundWall = Date.now();
        this.#roundMono = mono;
      }
    });
    for (const spec of registry.original) {
      for (const one of [spec, ...spec.subcommands ?? []]) {
        if (mayShareTiming(one)) this.#sharingSpecs.add(one);
      }
    }
    this.addGate(GateOrder.diskError, this.#diskErrorGate, ServerCondition.diskError);
    const transactions = new Transactions(this, store, server.config, clock);
    this.transactions = transactions;
    const acl = new AccessControl(
      this,
      registry.original,
      server,
      (session) => clientInfoLine(session, Date.now(), store.dbName(session.db)),
    );
    this.acl = acl;
    transactions.execCheck = acl.execCheck;
    const observability = new Observability(this.observers, server);
    this.observability = observability;
    this.#slowCommandUs = observability.slowCommandUs;
    this.#ctx = {
      session: undefined as unknown as Session,
      out: undefined as unknown as Session["out"],
      db: store.dbs[0],
      now: 0,
      store,
      server,
      registry,
      stats: this.stats,
      transactions,
      blocking: this.blocking,
      acl,
      pubsub,
      observability,
      notify(eventClass, name, key) {
        const journal = store.journal;
        if ((journal.notifyMask & eventClass) !== 0) {
          journal.notify(eventClass, name, this.db.index, key);
        }
      },
    };
    this.blocking.runner = (session, fn) => this.runFor(session, fn);
  }

  /**
   * Runs `fn` for `session` outside a request of its own (serving a blocked client): with a
   * context of its own, errors answered as replies, and its changes sealed as one unit.
   * Returns false when `fn` answered an error.
   */
  runFor(session: Session, fn: (ctx: CommandContext) => void): boolean {
    const ctx = this.#ctx;
    const out = session.out;
    ctx.session = session;
    ctx.out = out;
    ctx.db = this.#store.keyspace(session.db) ?? this.#store.dbs[0];
    ctx.now = this.#systemTime ? this.#forward(this.#clock()) : this.#clock();
    session.waitsForRound = true;
    // Serving a client blocked in a memory-only partition is final at once, like a command
    // confined to it (see UndoLog.coversUnlogged).
    const undo = this.#store.journal.undo;
    if (undo !== null) {
      undo.coversUnlogged = !ctx.db.memoryOnly || undo.touchedUnlogged(ctx.db.index);
    }
    const mark = out.length;
    let completed = true;
    try {
      fn(ctx);
    } catch (error) {
      out.truncate(mark);
      const refusal = error instanceof CommandError ? error : this.#unexpected(error, ["serve"]);
      out.error(refusal.line);
      this.stats.countError(refusal.prefix);
      completed = false;
    }
    if (undo !== null) undo.coversUnlogged = false;
    this.#store.journal.commandEnd();
    if (this.afterCommand !== null) this.afterCommand(session);
    return completed;
  }

  /**
   * Whether the command named `name` may run at once, outside a round, when the store is idle
   * (embedded/read_now.ts): a read that never blocks gains nothing from sharing a round's log
   * write, so an embedded caller need not wait for a round to be scheduled. Writes keep to
   * rounds (group commit).
   */
  runsAlone(name: string): boolean {
    const spec = this.#registry.lookup(name);
    return spec !== undefined && spec.flags.includes("readonly") &&
      !spec.flags.includes("blocking");
  }

  /**
   * The running command's `ctx.now` while a handler runs, else the clock's time: what a write
   * stamps on its key's access clock (a read is given `ctx.now` itself).
   */
  readonly accessTime = (): number => this.#depth !== 0 ? this.#ctx.now : this.#clock();

  /** The wall-clock time (Unix ms) the last command ran at: its `ctx.now`. */
  get commandTime(): number {
    return this.#ctx.now;
  }

  /** Set while the log cannot be written: writes (and PING) are refused with this MISCONF. */
  get writeRefusal(): CommandError | null {
    return this.#writeRefusal;
  }

  set writeRefusal(refusal: CommandError | null) {
    this.#writeRefusal = refusal;
    this.setServerCondition(ServerCondition.diskError, refusal !== null);
  }

  /**
   * Adds a gate at its place in Redis's order (`GateOrder`); equal orders keep insertion order.
   * With a `condition` (a ServerCondition) it is a server-wide gate, run for every session while
   * that condition is on; without, it is a session's gate, run only for sessions flagged
   * `gated` (it must find nothing to refuse in any other).
   */
  addGate(order: number, gate: Gate, condition = 0): void {
    let at = this.#gateOrders.length;
    while (at > 0 && this.#gateOrders[at - 1] > order) at--;
    this.#gateOrders.splice(at, 0, order);
    this.#gateConditions.splice(at, 0, condition);
    this.gates.splice(at, 0, gate);
  }

  /** Turns a ServerCondition on or off: while it is on, its gate runs for every command. */
  setServerCondition(condition: number, on: boolean): void {
    const conditions = on
      ? this.#serverConditions | condition
      : this.#serverConditions & ~condition;
    this.#serverConditions = conditions;
    this.serverGated = conditions !== 0;
  }

  /**
   * Before a pipelined batch runs: warms the table entries its commands' first keys (and the
   * members they name) will look up, all at once (store/batch_warmer.ts). A guess, so only
   * reads: a command that selects another database or fails its checks finds nothing changed.
   */
  readonly warm = (session: Session, batch: readonly string[][]): void => {
    if (session.db >= FIRST_PARTITION_ID) return;
    const warmer = batchWarmer;
    let name = "";
    let spec: CommandSpec | undefined;
    for (let i = 0; i < batch.length && !warmer.full; i++) {
      const argv = batch[i];
      if (argv.length < 2) continue;
      // A pipeline usually repeats one command: look its name up once.
      if (argv[0] !== name) spec = this.#registry.lookup(name = argv[0]);
      if (spec === undefined || spec.keys[0] !== 1) continue;
      const at = spec.memberAt;
      warmer.add(argv[1], at !== undefined && at < argv.length ? argv[at] : null);
    }
    warmer.run(this.#store.dbs[session.db]);
  };

  /**
   * Runs one command for `session`; returns false when the session must stop (QUIT), or a
   * promise when the command blocks (WAIT): the rest of the client's batch waits for it.
   */
  readonly run = (session: Session, argv: string[]): boolean | Promise<void> => {
    let spec = this.#registry.lookup(argv[0]);
    if (spec === undefined) {
      this.#reject(session, unknownCommand(argv), null);
      return true;
    }
    if (!arityAllows(spec.arity, argv.length)) {
      this.#reject(session, wrongArity(spec.name), spec);
      return true;
    }
    // A container called alone runs its own handler (bare COMMAND); others have arity <= -2.
    if (spec.subcommands && argv.length > 1) {
      const sub = findSubcommand(spec, argv[1]);
      if (sub === undefined) {
        this.#reject(session, unknownSubcommand(argv[1], spec.name), spec);
        return true;
      }
      spec = sub;
      if (!arityAllows(spec.arity, argv.length)) {
        this.#reject(session, wrongArity(spec.name), spec);
        return true;
      }
    }
    this.lastSpec = spec;

    if (session.gated || this.serverGated) {
      const gates = this.gates;
      // An ungated session skips the session's gates and those of conditions that are off.
      const all = session.gated;
      const on = this.#serverConditions;
      const conditions = this.#gateConditions;
      for (let i = 0; i < gates.length; i++) {
        if (!all && (conditions[i] & on) === 0) continue;
        const verdict = gates[i](session, spec, argv);
        if (verdict === null) continue;
        if (verdict !== HANDLED) this.#reject(session, verdict, spec);
        // A gate may hold the command back (writes paused by FAILOVER): it runs again later.
        if (session.blocking !== null) {
          const blocking = session.blocking;
          session.blocking = null;
          return retryAfter(blocking);
        }
        return !session.closeRequested;
      }
    }
    this.execute(session, spec, argv);
    if (session.blocking !== null) {
      const blocking = session.blocking;
      session.blocking = null;
      return blocking;
    }
    // A client blocked in BLPOP and friends: its connection runs the rest of the batch later.
    return !(session.closeRequested || session.blocked);
  };

  /**
   * Runs a command that was looked up and passed the checks: the handler, its stats, the end of
   * its unit in the change stream, the observers. EXEC runs its queued commands through here.
   */
  readonly execute = (session: Session, spec: CommandSpec, argv: string[]): void => {
    const out = session.out;
    const ctx = this.#ctx;
    const store = this.#store;
    ctx.session = session;
    ctx.out = out;
    let partition: Partition | undefined;
    let hits = 0;
    let misses = 0;
    if (session.db < FIRST_PARTITION_ID) {
      ctx.db = store.dbs[session.db];
      session.waitsForRound = true;
    } else {
      // A partition: it may have been dropped, and its schema may refuse the command.
      partition = store.partition(session.db);
      const refusal = partitionRefusal(partition, spec, argv);
      if (refusal !== null) {
        this.#reject(session, refusal, spec);
        return;
      }
      if (partition === undefined) {
        ctx.db = store.dbs[0]; // only commands that use no database get here
        session.waitsForRound = true;
      } else {
        ctx.db = partition.keyspace;
        if (!confinedToPartition(partition, spec) || heldBack(store.journal, partition)) {
          session.waitsForRound = true;
        }
        countCommand(partition, spec);
        hits = store.stats.keyspaceHits;
        misses = store.stats.keyspaceMisses;
      }
    }
    // Only a command that may share has its argument bytes counted (an MSET of many keys is
    // timed alone anyway).
    const mayShare = this.#depth === 0 && this.observers.length === 0 &&
      this.#sharingSpecs.has(spec);
    const argBytes = mayShare ? argumentBytes(argv) : 0;
    const shares = mayShare && argBytes <= SHARED_ARGUMENT_BYTES;
    const started = this.#timing.start(!shares);
    ctx.now = this.#systemTime
      ? this.#forward(Math.floor(this.#roundWall + (started - this.#roundMono)))
      : this.#clock();
    session.lastCommand = spec.name;
    // Under the round ledger, a command whose reply waits for the log has its changes to
    // memory-only partitions undone with a refused round; others' are final at once.
    const undo = session.inTransaction ? null : store.journal.undo;
    if (undo !== null) undo.coversUnlogged = session.waitsForRound;
    const counters = this.stats.counters(spec.name);
    const mark = out.length;
    this.#depth++;
    try {
      spec.handler!(ctx, argv);
    } catch (error) {
      // Handlers check before they write, but never leave a half-written reply on the wire.
      out.truncate(mark);
      const refusal = error instanceof CommandError
        ? error
        : error instanceof SchemaError
        ? schemaErrorReply(error)
        : this.#unexpected(error, argv);
      out.error(refusal.line);
      this.stats.countError(refusal.prefix);
      counters.failedCalls++;
    }
    this.#depth--;
    let durationUs = -1;
    if (shares) {
      this.#timing.share(session, spec, argv, counters, argBytes + Math.max(0, out.length - mark));
    } else {
      durationUs = this.#timing.endAlone(started);
      this.#charge(session, spec, argv, counters, durationUs);
    }
    counters.calls++;
    this.stats.totalCommandsProcessed++;
    if (partition !== undefined) {
      // Read lookups are counted store-wide (keyspace_hits); the part this command added is
      // the partition's. Only CONFIG RESETSTAT lowers the store's counts.
      partition.stats.hits += Math.max(0, store.stats.keyspaceHits - hits);
      partition.stats.misses += Math.max(0, store.stats.keyspaceMisses - misses);
    }
    if (undo !== null) undo.coversUnlogged = false;
    // Messages this client published to itself inside its transaction follow EXEC's reply.
    if (session.heldPushes !== null && !session.inTransaction) session.writeHeldPushes();
    store.journal.commandEnd();
    if (this.afterCommand !== null) this.afterCommand(session);
    if (this.observers.length !== 0 && durationUs >= 0) {
      const shown = this.observability.shown(argv);
      // The database after the command, as Redis's MONITOR shows it (SELECT shows the new one).
      for (const observe of this.observers) observe(session, spec, shown, durationUs, session.db);
    }
  };

  /** Applies the observability settings (at start and after CONFIG SET). */
  configure(config: Config): void {
    this.observability.configure(config);
    this.#slowCommandUs = this.observability.slowCommandUs;
    this.#latencyTracking = config.latencyTracking;
  }

  /** MISCONF: writes (an EXEC that would write, and PING too) while the log cannot be written. */
  readonly #diskErrorGate: Gate = (session, spec) => {
    const refusal = this.#writeRefusal;
    if (refusal === null) return null;
    return commandHas(session, spec, "write") || spec.name === "ping" ? refusal : null;
  };

  /** Charges a command its duration: commandstats, its latency histogram, the slow log. */
  readonly #charge = (
    session: Session,
    spec: CommandSpec,
    argv: string[],
    counters: CommandCounters,
    durationUs: number,
  ): void => {
    counters.usec += durationUs;
    if (this.#latencyTracking) counters.latency.record(durationUs);
    if (durationUs >= this.#slowCommandUs) {
      this.observability.slowCommand(session, spec, this.observability.shown(argv), durationUs);
    }
  };

  /**
   * The round's commands have run (the store actor's round hook, before replies are written):
   * charges the commands still sharing a timing, and ends the chain of start times.
   */
  endRound(): void {
    this.#timing.endRound();
  }

  /** Commands run whose durations are not charged yet (tests). */
  get unchargedCommands(): number {
    return this.#timing.pending;
  }

  /** `now`, or the latest time already given if the clocks put `now` before it. */
  #forward(now: number): number {
    if (now >= this.#latestNow) return this.#latestNow = now;
    return this.#latestNow;
  }

  /**
   * Answers a refused command. As Redis's rejectCommand, a refusal while the client is in MULTI
   * flags the transaction (EXEC then answers EXECABORT), and a refused EXEC ends it.
   */
  #reject(session: Session, error: CommandError, spec: CommandSpec | null): void {
    if (session.multi !== null) error = session.multi.refused(spec, error);
    else if (spec?.name === "exec") error = execAborted(error); // as Redis's rejectCommand
    session.out.error(error.line);
    this.stats.countError(error.prefix);
    if (spec) this.stats.counters(spec.name).rejectedCalls++;
  }

  #unexpected(error: unknown, argv: string[]): CommandError {
    this.#log.error(`Command ${argv[0]} failed unexpectedly`, error);
    return Errors.internal;
  }
}
