/**
 * Both kinds of transaction, wired into the dispatcher:
 *
 * - MULTI/EXEC/DISCARD/WATCH as Redis 7.0 has them: commands after MULTI are checked and queued
 *   (a gate answers `+QUEUED`); EXEC runs them back to back as one unit of the change stream, so
 *   the log holds one record for the whole transaction; WATCH (watch.ts) makes EXEC fail when a
 *   watched key changed.
 * - BEGIN/COMMIT/ROLLBACK (interactive.ts): serializable interactive transactions.
 *
 * Both cost nothing to clients that use neither: their gates run only for sessions in MULTI or
 * in a BEGIN transaction, and their change listeners are registered only while in use.
 */
import type { Config } from "../config/settings.ts";
import type { Databases } from "../store/databases.ts";
import type { CommandContext } from "../commands/context.ts";
import {
  type CommandError,
  MultiErrors,
  notAllowedInBegin,
  tooManyWatchedKeys,
  TxErrors,
} from "../commands/errors.ts";
import { type Gate, GateOrder, HANDLED } from "../commands/gates.ts";
import type { Session } from "../commands/session.ts";
import type { CommandSpec } from "../commands/spec.ts";
import { type Execute, InteractiveTransactions } from "./interactive.ts";
import { MultiQueue } from "./multi_queue.ts";
import { WatchRegistry } from "./watch.ts";

/** What transactions need from the dispatcher. */
export interface TransactionHost {
  addGate(order: number, gate: Gate): void;
  /** Runs a command that was already looked up and checked (EXEC's queued commands). */
  execute: Execute;
}

/** Commands that run at once in MULTI instead of being queued (as in Redis 7.0). */
const NOT_QUEUED = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);

export type TransactionConfig = Pick<
  Config,
  "transactionTimeoutSec" | "transactionMaxKeys" | "transactionMaxBytes" | "maxWatchedKeys"
>;

/** Checks a queued command again at EXEC: the refusal to answer in its place, or null. */
export type ExecCheck = (
  session: Session,
  spec: CommandSpec,
  argv: string[],
) => CommandError | null;

export class Transactions {
  readonly watches: WatchRegistry<Session>;
  /**
   * Set by the security layer: EXEC checks each queued command's permissions again, since the
   * ACL rules may have changed after it was queued (Redis 7 does the same).
   */
  execCheck: ExecCheck | null = null;
  readonly interactive: InteractiveTransactions;
  readonly #host: TransactionHost;
  readonly #config: TransactionConfig;

  constructor(
    host: TransactionHost,
    store: Databases,
    config: TransactionConfig,
    clock: () => number,
  ) {
    this.#host = host;
    this.#config = config;
    this.watches = new WatchRegistry(store.journal, store, clock);
    this.interactive = new InteractiveTransactions(store, config, host.execute, clock);
    host.addGate(GateOrder.noMulti, this.#noMultiGate);
    host.addGate(GateOrder.transaction, this.#transactionGate);
  }

  /** MULTI. */
  multi(session: Session): void {
    if (session.multi !== null) throw MultiErrors.nested;
    if (this.interactive.isOpen(session)) throw notAllowedInBegin("multi");
    session.multi = new MultiQueue(() => this.#endMulti(session));
    session.addGateReason(inMulti);
    session.onClose(this.#closed);
  }

  /** DISCARD. */
  discard(session: Session): void {
    if (session.multi === null) throw MultiErrors.discardWithoutMulti;
    this.#endMulti(session);
  }

  /**
   * EXEC: EXECABORT when a command was refused while queueing, a null reply when a WATCHed key
   * changed, else every queued command's reply in one array. The queued commands run back to
   * back with the change stream held, so their changes are one atomic unit (one log record).
   */
  exec(ctx: CommandContext): void {
    const session = ctx.session;
    const multi = session.multi;
    if (multi === null) throw MultiErrors.execWithoutMulti;
    const dirty = this.watches.isDirty(session, ctx.now);
    this.#endMulti(session);
    if (multi.aborted) throw MultiErrors.execAbort;
    if (dirty) return ctx.out.nilArray();
    const journal = ctx.store.journal;
    ctx.out.arrayHeader(multi.commands.length);
    // Blocking commands act as their non-blocking forms, as Redis does inside EXEC.
    session.inTransaction = true;
    journal.hold();
    try {
      const check = this.execCheck;
      for (const { spec, argv } of multi.commands) {
        const refusal = check === null ? null : check(session, spec, argv);
        if (refusal === null) this.#host.execute(session, spec, argv);
        else ctx.out.error(refusal.line);
      }
    } finally {
      journal.release();
      session.inTransaction = false;
      session.lastCommand = "exec";
    }
  }

  /** BEGIN: the new transaction's id. */
  begin(session: Session): number {
    const id = this.interactive.begin(session);
    session.onClose(this.#closed);
    return id;
  }

  /** WATCH keys of the selected database. */
  watch(ctx: CommandContext, keys: string[]): void {
    const session = ctx.session;
    if (session.multi !== null) throw MultiErrors.watchInsideMulti;
    if (this.interactive.isOpen(session)) throw TxErrors.watchInsideBegin;
    const limit = this.#config.maxWatchedKeys;
    if (!this.watches.watch(session, ctx.db.index, keys, ctx.now, limit)) {
      throw tooManyWatchedKeys(limit);
    }
    session.onClose(this.#closed);
  }

  /** UNWATCH. */
  unwatch(session: Session): void {
    this.watches.unwatch(session);
  }

  /** INFO `clients` fields (Redis 7.4's names for the watch counters). */
  clientFields(): [string, number][] {
    return [
      ["watching_clients", this.watches.clients],
      ["total_watched_keys", this.watches.totalKeys],
    ];
  }

  /** INFO `stats` fields. */
  statsFields(): [string, number][] {
    const stats = this.interactive.stats;
    return [
      ["tx_open", this.interactive.live],
      ["tx_committed", stats.committed],
      ["tx_conflicts", stats.conflicts],
      ["tx_rolled_back", stats.rolledBack],
      ["tx_timed_out", stats.timedOut],
    ];
  }

  /** Leaves MULTI: the queue and the WATCHed keys go. */
  #endMulti(session: Session): void {
    session.multi = null;
    session.updateGated();
    this.watches.unwatch(session);
  }

  /** The connection ended: watches, a MULTI queue and an open transaction go with it. */
  readonly #closed = (session: Session): void => {
    session.multi = null;
    this.watches.unwatch(session);
    this.interactive.closed(session);
  };

  /** Redis's check of no_multi commands (SHUTDOWN, SAVE, BEGIN, ...) in MULTI. */
  readonly #noMultiGate: Gate = (session, spec) => {
    if (session.multi !== null && spec.flags.includes("no_multi")) return MultiErrors.notAllowed;
    return null;
  };

  /** Queues a command in MULTI, or runs it as a statement of the session's BEGIN transaction. */
  readonly #transactionGate: Gate = (session, spec, argv) => {
    const multi = session.multi;
    if (multi === null) return this.interactive.statement(session, spec, argv);
    if (NOT_QUEUED.has(spec.name)) return null;
    const refusal: CommandError | null = multi.push(spec, argv, this.#config.transactionMaxBytes);
    if (refusal !== null) return refusal;
    session.out.simple("QUEUED");
    return HANDLED;
  };
}

/** Gate reason: the session is in MULTI. */
const inMulti = (session: Session): boolean => session.multi !== null;
