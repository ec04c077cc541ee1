/**
 * BEGIN / COMMIT / ROLLBACK: interactive transactions with serializable isolation, by
 * optimistic validation.
 *
 * Every statement runs at once, speculatively, in one step of the store actor: the
 * transaction's buffered changes are applied with an undo log (journal.undo) and captured so
 * they reach no one (journal.capture), the command runs (its reply goes to the client, its reads
 * go to the read set, its changes to the write set), and the undo log takes everything back.
 * Other clients never see a transaction's writes before COMMIT.
 *
 * COMMIT checks the read set against the version table (versions.ts): if any key the
 * transaction read, or any database whose key set it read, changed after the read, it answers
 * `-CONFLICT ...` and applies nothing. Otherwise it applies the write set through the keyspaces
 * as one command: one log record, WATCH touches and events as for any write. Commits are
 * serialized by the actor and each validates everything it read, so the committed history is
 * equivalent to running the transactions one after another in commit order: write skew cannot
 * happen.
 *
 * A transaction holds only memory, never a lock, so it cannot block anyone; still, it is rolled
 * back after `transaction-timeout` seconds or when its client disconnects, and it is bounded by
 * `transaction-max-keys` and `transaction-max-bytes`.
 */
import type { Config } from "../config/settings.ts";
import type { Databases } from "../store/databases.ts";
import { DISCARD_CHANGES } from "../store/journal.ts";
import { UndoLog } from "../store/undo_log.ts";
import {
  beginNested,
  type CommandError,
  conflictOnDropped,
  conflictOnKey,
  conflictOnRange,
  noSuchTransaction,
  notAllowedInBegin,
  transactionTimedOut,
  transactionTooManyBytes,
  transactionTooManyKeys,
  TxErrors,
} from "../commands/errors.ts";
import { toInt64 } from "../commands/args.ts";
import { type GateVerdict, HANDLED } from "../commands/gates.ts";
import type { Session } from "../commands/session.ts";
import type { CommandSpec } from "../commands/spec.ts";
import { type Conflict, ReadSet } from "./read_set.ts";
import { VersionTable } from "./versions.ts";
import { WriteSet } from "./write_set.ts";

/** The settings transactions read (live, so CONFIG SET applies to the next check). */
export type TransactionSettings = Pick<
  Config,
  "transactionTimeoutSec" | "transactionMaxKeys" | "transactionMaxBytes"
>;

/** Runs one checked command (the dispatcher's execute). */
export type Execute = (session: Session, spec: CommandSpec, argv: string[]) => void;

/** How often open transactions are checked against the timeout. */
const TIMEOUT_SWEEP_MS = 250;

/**
 * Commands that run as themselves inside a transaction rather than as statements: they end it,
 * refuse to nest, or do not touch data.
 */
const NOT_STATEMENTS = new Set([
  "commit",
  "rollback",
  "begin",
  "multi",
  "watch",
  "unwatch",
  "quit",
]);

class OpenTransaction {
  readonly id: number;
  readonly startSeq: number;
  readonly startedAtMs: number;
  /** Null once the transaction timed out: it holds nothing and waits for ROLLBACK. */
  writes: WriteSet | null;
  reads: ReadSet | null;
  /** The timeout that rolled it back, in seconds. */
  timedOutAfterSec = 0;
  /** A statement is running: the commands it runs are not statements themselves. */
  stepping = false;

  constructor(
    id: number,
    versions: VersionTable,
    startedAtMs: number,
    settings: TransactionSettings,
  ) {
    this.id = id;
    this.startSeq = versions.seq;
    this.startedAtMs = startedAtMs;
    this.reads = new ReadSet(versions);
    this.writes = new WriteSet({
      get maxKeys() {
        return settings.transactionMaxKeys;
      },
      get maxBytes() {
        return settings.transactionMaxBytes;
      },
      tooManyKeys: () => transactionTooManyKeys(id, settings.transactionMaxKeys),
      tooManyBytes: () => transactionTooManyBytes(id, settings.transactionMaxBytes),
    });
  }

  get live(): boolean {
    return this.writes !== null;
  }
}

/** Counters for INFO. */
export interface TransactionStats {
  committed: number;
  conflicts: number;
  rolledBack: number;
  timedOut: number;
}

export class InteractiveTransactions {
  readonly stats: TransactionStats = { committed: 0, conflicts: 0, rolledBack: 0, timedOut: 0 };
  readonly #open = new Map<Session, OpenTransaction>();
  /** Transactions in #open that have not timed out. */
  #live = 0;
  readonly #versions = new VersionTable();
  readonly #store: Databases;
  readonly #settings: TransactionSettings;
  readonly #execute: Execute;
  readonly #clock: () => number;
  #nextId = 1;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Runs a task in the store actor (the timeout sweep); set by the app. */
  schedule: (task: () => void) => void = (task) => task();
  /** Gate reason: a session with a transaction (live or timed out) runs through the gates. */
  readonly isOpen = (session: Session): boolean => this.#open.has(session);

  constructor(
    store: Databases,
    settings: TransactionSettings,
    execute: Execute,
    clock: () => number,
  ) {
    this.#store = store;
    this.#settings = settings;
    this.#execute = execute;
    this.#clock = clock;
    this.#versions.oldestOpen = () => {
      let oldest = this.#versions.seq;
      for (const tx of this.#open.values()) if (tx.live) oldest = Math.min(oldest, tx.startSeq);
      return oldest;
    };
  }

  /** Transactions open and not timed out. */
  get live(): number {
    return this.#live;
  }

  /** The id of `session`'s transaction, or null. */
  idOf(session: Session): number | null {
    return this.#open.get(session)?.id ?? null;
  }

  /** BEGIN: opens a transaction for `session` and returns its id. */
  begin(session: Session): number {
    const existing = this.#open.get(session);
    if (existing !== undefined) throw beginNested(existing.id);
    if (this.#live === 0) this.#store.journal.addSink(this.#versions);
    const tx = new OpenTransaction(this.#nextId++, this.#versions, this.#clock(), this.#settings);
    this.#open.set(session, tx);
    this.#live++;
    session.addGateReason(this.isOpen);
    this.#armTimer();
    return tx.id;
  }

  /**
   * The gate for a session with a transaction: runs the command as a statement (HANDLED), or
   * refuses it, or lets it run as itself (null).
   */
  statement(session: Session, spec: CommandSpec, argv: string[]): GateVerdict {
    const tx = this.#open.get(session);
    if (tx === undefined || tx.stepping || NOT_STATEMENTS.has(spec.name)) return null;
    if (!tx.live) return transactionTimedOut(tx.id, tx.timedOutAfterSec, true);
    if (spec.flags.includes("no_multi") || spec.flags.includes("pubsub")) {
      return notAllowedInBegin(spec.name);
    }
    this.#speculate(session, tx, spec, argv);
    return HANDLED;
  }

  /** Runs one statement against the store as the transaction sees it, then takes it back. */
  #speculate(session: Session, tx: OpenTransaction, spec: CommandSpec, argv: string[]): void {
    const journal = this.#store.journal;
    const writes = tx.writes!;
    const undo = new UndoLog();
    // The round ledger's log (under --fsync always) comes back once the statement is undone.
    const outer = journal.undo;
    tx.stepping = true;
    session.inTransaction = true;
    journal.undo = undo;
    journal.capture = DISCARD_CHANGES;
    try {
      try {
        writes.apply(this.#store, true);
      } catch {
        // The buffered changes no longer fit what they were made on (another client changed
        // the type of a key this transaction changed): it can only end in a conflict.
        undo.rollback();
        journal.undo = outer;
        journal.capture = null;
        session.out.error(this.#endInConflict(session, tx).line);
        return;
      }
      journal.capture = writes;
      journal.reads = tx.reads;
      tx.reads!.statementAt(this.#clock());
      this.#execute(session, spec, argv);
    } finally {
      journal.reads = null;
      journal.capture = null;
      if (journal.undo === undo) {
        undo.rollback();
        journal.undo = outer;
      }
      tx.stepping = false;
      session.inTransaction = false;
    }
    // A statement past a limit was answered with the refusal its capture threw; drop its part.
    if (tx.live) writes.endStatement();
  }

  /**
   * COMMIT [id]: null when committed, else the refusal. Once the transaction is found (a wrong
   * id throws), it is over either way: committed, or rolled back by a CONFLICT or its timeout.
   */
  commit(session: Session, id: string | undefined, now: number): CommandError | null {
    const tx = this.#find(session, id, TxErrors.commitWithoutBegin);
    if (!tx.live) {
      this.#end(session, tx);
      return transactionTimedOut(tx.id, tx.timedOutAfterSec, false);
    }
    const conflict = tx.reads!.validate(this.#store, now) ?? this.#droppedTarget(tx);
    if (conflict !== null) {
      this.stats.conflicts++;
      this.#end(session, tx);
      return conflictError(tx.id, conflict);
    }
    const journal = this.#store.journal;
    tx.writes!.apply(this.#store, false);
    tx.writes!.replayEvents({ event: (c, name, db, key) => journal.notify(c, name, db, key) });
    this.stats.committed++;
    this.#end(session, tx);
    return null;
  }

  /** ROLLBACK [id]. */
  rollback(session: Session, id: string | undefined): void {
    const tx = this.#find(session, id, TxErrors.rollbackWithoutBegin);
    if (tx.live) this.stats.rolledBack++;
    this.#end(session, tx);
  }

  /** The client went away: its transaction is rolled back. */
  closed(session: Session): void {
    const tx = this.#open.get(session);
    if (tx === undefined) return;
    if (tx.live) this.stats.rolledBack++;
    this.#end(session, tx);
  }

  /** The session's transaction, checking an explicit id; throws the refusal. */
  #find(session: Session, id: string | undefined, none: CommandError): OpenTransaction {
    const tx = this.#open.get(session);
    if (id === undefined) {
      if (tx === undefined) throw none;
      return tx;
    }
    if (tx === undefined || toInt64(id) !== BigInt(tx.id)) {
      throw noSuchTransaction(id, tx?.id ?? null);
    }
    return tx;
  }

  /** A database the transaction writes that no longer exists (a dropped partition). */
  #droppedTarget(tx: OpenTransaction): Conflict | null {
    for (const db of tx.writes!.databases()) {
      if (this.#store.keyspace(db) === undefined) return { kind: "dropped", db };
    }
    return null;
  }

  #endInConflict(session: Session, tx: OpenTransaction): CommandError {
    const conflict = tx.reads!.validate() ?? this.#droppedTarget(tx);
    this.stats.conflicts++;
    this.#end(session, tx);
    return conflict === null
      ? conflictOnRange(tx.id, session.db, null)
      : conflictError(tx.id, conflict);
  }

  #end(session: Session, tx: OpenTransaction): void {
    this.#open.delete(session);
    session.updateGated();
    if (tx.live) this.#released(tx);
  }

  /** The transaction no longer holds anything. */
  #released(tx: OpenTransaction): void {
    tx.writes = null;
    tx.reads = null;
    if (--this.#live === 0) {
      this.#store.journal.removeSink(this.#versions);
      this.#versions.clear();
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #armTimer(): void {
    if (this.#timer !== undefined) return;
    const timer = setInterval(() => this.schedule(() => this.#expire()), TIMEOUT_SWEEP_MS);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Rolls back the transactions open longer than transaction-timeout. */
  #expire(): void {
    const limitSec = this.#settings.transactionTimeoutSec;
    const now = this.#clock();
    for (const tx of this.#open.values()) {
      if (!tx.live || now - tx.startedAtMs < limitSec * 1000) continue;
      tx.timedOutAfterSec = limitSec;
      this.stats.timedOut++;
      this.#released(tx);
    }
  }
}

function conflictError(id: number, conflict: Conflict): CommandError {
  switch (conflict.kind) {
    case "key":
      return conflictOnKey(id, conflict.db, conflict.key);
    case "range":
      return conflictOnRange(id, conflict.db, conflict.key);
    case "dropped":
      return conflictOnDropped(id, conflict.db);
  }
}
