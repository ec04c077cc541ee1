/**
 * Blocking commands' waits, on top of the key queues of store/blocking.ts: a client that must
 * wait is queued on its keys with a function that serves it; a change to one of the keys
 * serves it after the command (or EXEC) that made the change; a timer, CLIENT UNBLOCK or a
 * disconnect ends the wait otherwise.
 *
 * Replies to a served client go out only after the round that served it was made durable: the
 * connection waits on `BlockState.woken`, resolved when the round is released: the round takes
 * its answered clients ({@linkcode Blocking.takeWoken}) and wakes them with its output
 * (round_output.ts). The served pop is a change of its own, journaled and logged like a command.
 *
 * Under the round ledger's undo log (`--fsync always`), blocking is undone with the round: a
 * client that blocked in a refused round is unblocked (its command is answered with the
 * refusal), and a client served in a refused round is put back in its queues where it was,
 * waiting as before, with its reply taken back: the element it was handed was never durable.
 */
import type { CommandContext } from "./context.ts";
import type { BlockState, Session } from "./session.ts";
import { BlockingQueues, type Waiter } from "../store/blocking.ts";
import { CommandError } from "./errors.ts";
import type { Journal } from "../store/journal.ts";

export const Unblocked = {
  error: new CommandError("UNBLOCKED client unblocked via CLIENT UNBLOCK"),
} as const;

/** What a blocking command leaves behind when it must wait. */
export interface BlockRequest {
  keys: readonly string[];
  /** Unix ms after which the wait ends (0 = never). */
  deadlineMs: number;
  /**
   * Tries to serve the client now that `key` may have what it waits for: writes the reply
   * and returns true, or returns false (nothing yet). Throwing a CommandError answers the
   * client with it and ends the wait.
   */
  serve(ctx: CommandContext, key: string): boolean;
  /** Writes the reply of a wait that ended without data (timeout, CLIENT UNBLOCK TIMEOUT). */
  timedOut(ctx: CommandContext): void;
}

/** Runs `fn` as a command of `session`; returns false when it answered an error. */
export type SessionRunner = (session: Session, fn: (ctx: CommandContext) => void) => boolean;

export class Blocking {
  readonly queues = new BlockingQueues();
  /** Set by the dispatcher; the store may wrap it. */
  runner: SessionRunner = () => {
    throw new TypeError("Cannot serve a blocked client: no runner");
  };
  /** Runs a task in the store actor (timers fire outside it). */
  schedule: (task: () => void) => void = (task) => task();
  #woken: BlockedClient[] = [];
  /** The change stream the queues listen to while anyone waits (free otherwise). */
  #journal: Journal | null = null;

  /** Blocked clients now (INFO `blocked_clients`). */
  get blockedClients(): number {
    return this.queues.size;
  }

  /** Queues the client of `ctx` until `request` can be served. */
  block(ctx: CommandContext, argv: string[], request: BlockRequest): void {
    const session = ctx.session;
    const journal = ctx.store.journal;
    const waiter = new BlockedClient(this, session, ctx.db.index, argv, request, journal);
    if (this.#journal === null) {
      this.#journal = ctx.store.journal;
      this.#journal.addSink(this.queues);
    }
    this.queues.add(waiter);
    session.blocked = true;
    session.blockState = waiter;
    waiter.arm();
    // A wait that began in a round that is then refused ends with the refusal.
    const undo = ctx.store.journal.undo;
    if (undo !== null && undo.coversUnlogged) undo.push(() => waiter.undoBlock());
  }

  /** Starts the wait's timer, if it has a deadline. */
  armTimer(waiter: BlockedClient, deadlineMs: number): void {
    if (deadlineMs <= 0) return;
    const delay = Math.max(0, deadlineMs - Date.now());
    waiter.timer = setTimeout(() => this.schedule(() => waiter.endWithTimeout()), delay);
  }

  /** Listens to the change stream again (a waiter came back after an undo). */
  attach(journal: Journal): void {
    if (this.#journal !== null) return;
    this.#journal = journal;
    journal.addSink(this.queues);
  }

  /** CLIENT UNBLOCK: ends `session`'s wait as a timeout or with an error; false if not blocked. */
  unblock(session: Session, how: "timeout" | "error"): boolean {
    const waiter = session.blockState;
    if (!(waiter instanceof BlockedClient) || !this.queues.remove(waiter)) return false;
    if (how === "timeout") waiter.answerTimeout();
    else session.out.error(Unblocked.error.line);
    waiter.finish();
    return true;
  }

  /** Serves the waiters of keys made ready by the last command (call after each command). */
  serveReady(): void {
    this.queues.serveReady();
    this.#detachIfIdle();
  }

  /**
   * The clients answered since the last call (the round being sealed): to be woken once the
   * round is released (see {@linkcode WokenClient.wake}).
   */
  takeWoken(): readonly WokenClient[] {
    if (this.#woken.length === 0) return NONE_WOKEN;
    const woken = this.#woken;
    this.#woken = [];
    return woken;
  }

  /** Whether answered clients wait for the round to end. */
  get hasWoken(): boolean {
    return this.#woken.length !== 0;
  }

  /** @internal */
  queueWake(waiter: BlockedClient): void {
    this.#woken.push(waiter);
    this.#detachIfIdle();
  }

  /** Nobody waits: stop listening to changes, so commands pay nothing for this feature. */
  #detachIfIdle(): void {
    if (this.queues.size === 0 && this.#journal !== null) {
      this.#journal.removeSink(this.queues);
      this.#journal = null;
    }
  }
}

/** A client answered in a round, to wake once the round is released. */
export interface WokenClient {
  readonly session: Session;
  /** Lets the connection go on, if the wait is still over (an undo may have renewed it). */
  wake(): void;
}

const NONE_WOKEN: readonly WokenClient[] = [];

class BlockedClient implements Waiter, BlockState, WokenClient {
  readonly db: number;
  readonly keys: readonly string[];
  readonly woken: Promise<void>;
  timer: ReturnType<typeof setTimeout> | undefined;
  #wake!: () => void;
  /** The wait is over (answered): the connection may be woken once the round is released. */
  #done = false;
  /** The client left while waiting: an undone serve does not queue it again. */
  #cancelled = false;
  readonly #blocking: Blocking;
  readonly #session: Session;
  readonly #request: BlockRequest;
  readonly #journal: Journal;

  constructor(
    blocking: Blocking,
    session: Session,
    db: number,
    readonly argv: string[],
    request: BlockRequest,
    journal: Journal,
  ) {
    this.#blocking = blocking;
    this.#session = session;
    this.db = db;
    this.keys = request.keys;
    this.#request = request;
    this.#journal = journal;
    this.woken = new Promise((resolve) => this.#wake = resolve);
  }

  get session(): Session {
    return this.#session;
  }

  arm(): void {
    this.#blocking.armTimer(this, this.#request.deadlineMs);
  }

  serve(key: string): boolean {
    if (this.#session.closeRequested) {
      this.finish(); // being disconnected: never hand it an element it cannot receive
      return true;
    }
    let served = false;
    const undo = this.#journal.undo;
    const steps = undo?.length ?? 0;
    const mark = this.#session.out.length;
    const positions = undo === null ? null : this.#blocking.queues.positionsOf(this);
    const completed = this.#blocking.runner(this.#session, (ctx) => {
      served = this.#request.serve(ctx, key);
    });
    if (!completed) served = true; // an error reply ends the wait too
    if (served) {
      this.finish();
      // Serving changed data the round may still lose: if it does, wait on as before.
      if (undo !== null && undo.length !== steps) {
        undo.push(() => this.#undoServe(positions!, mark));
      }
    }
    return served;
  }

  /** Undo of a serve: back in the queues where it was, its reply taken back, waiting on. */
  #undoServe(positions: readonly [string, number][], mark: number): void {
    if (this.#cancelled) return;
    this.#blocking.queues.restore(this, positions);
    this.#blocking.attach(this.#journal);
    this.#session.out.truncate(mark);
    this.#session.blocked = true;
    this.#done = false;
    this.arm();
  }

  /**
   * Undo of the wait itself: the command that blocked belongs to a refused round, which answers
   * it with the refusal (round_ledger.ts); the connection goes on with the rest of its batch.
   */
  undoBlock(): void {
    if (this.#blocking.queues.remove(this)) this.finish();
  }

  wake(): void {
    if (this.#done) this.#wake();
  }

  /** The timer fired (in the actor): answer as a timeout unless served meanwhile. */
  endWithTimeout(): void {
    if (!this.#blocking.queues.remove(this)) return;
    this.answerTimeout();
    this.finish();
  }

  answerTimeout(): void {
    this.#blocking.runner(this.#session, (ctx) => this.#request.timedOut(ctx));
  }

  cancel(): void {
    this.#cancelled = true;
    if (this.#blocking.queues.remove(this)) this.finish();
  }

  /**
   * The wait is over: the connection resumes after the round (it clears `blockState` once it
   * has run the rest of its batch, so a client served in the round it blocked in goes on too).
   */
  finish(): void {
    clearTimeout(this.timer);
    this.#session.blocked = false;
    this.#done = true;
    this.#blocking.queueWake(this);
  }
}
