/**
 * The store actor: the single owner of all data. Connections submit batches of parsed commands
 * to its queue; it runs them one at a time, in arrival order, so every command is atomic.
 *
 * It works in rounds: everything queued when a round starts runs back to back, then the
 * `afterRound` hook runs (the durability layer makes the round's changes durable there, one
 * write and one fsync for the whole round), and only then is every batch of the round released
 * to its connection. Batches that arrive while a round waits on its hook form the next round:
 * that is group commit.
 *
 * Release is synchronous and comes before the next round starts: `onRelease` runs for each
 * batch's session (the connection hands its replies to the socket there), then `onReleased`
 * once (pub/sub delivers to subscribers that ran nothing). So output another client caused in
 * a later round can never leave together with, or ahead of, this round's replies.
 */

/**
 * Runs one command of a batch; returns false to drop the rest of the batch (QUIT), or a
 * promise when the command blocks its client (WAIT): the rest of the batch then runs once the
 * promise settles, and the batch is answered only after that.
 */
export type CommandRunner<S> = (session: S, argv: string[]) => boolean | Promise<void>;

/**
 * Called after each round's commands ran and before any of its replies are released. It must
 * not reject: a durability failure is for the hook to record (the server then refuses writes).
 */
export type RoundHook = () => Promise<void> | void;

/**
 * Called for each batch of a round after all of the round's commands ran and before its hook:
 * may send the batch's replies at once when they depend on nothing the hook does (writes to
 * memory-only partitions need no fsync). The batch is still released after the hook.
 */
export type EarlyRelease<S> = (session: S) => void;

/** Promises that mean "run this same command again once settled" (see {@linkcode retryAfter}). */
const RETRIES = new WeakSet<Promise<void>>();

/**
 * Marks a blocking promise so that the command that returned it runs again once it settles
 * (instead of continuing after it): a gate holding a write back while writes are paused.
 */
export function retryAfter(until: Promise<void>): Promise<void> {
  RETRIES.add(until);
  return until;
}

/** What happens when a round is released (see the module comment); both optional. */
export interface ReleaseHooks<S> {
  /** Called for each batch's session, in round order, before its promise resolves. */
  onRelease?: (session: S) => void;
  /** Called once per round after every batch was released. */
  onReleased?: () => void;
}

interface Job<S> {
  session: S | null;
  commands: string[][] | null;
  task: (() => void) | null;
  resolve: () => void;
}

export class StoreActor<S> {
  #queue: Job<S>[] = [];
  #running = false;
  readonly #run: CommandRunner<S>;
  readonly #afterRound: RoundHook;
  readonly #releaseEarly: EarlyRelease<S> | null;
  readonly #onRelease: ((session: S) => void) | null;
  readonly #onReleased: (() => void) | null;

  constructor(
    run: CommandRunner<S>,
    afterRound: RoundHook = () => {},
    releaseEarly: EarlyRelease<S> | null = null,
    release: ReleaseHooks<S> = {},
  ) {
    this.#run = run;
    this.#afterRound = afterRound;
    this.#releaseEarly = releaseEarly;
    this.#onRelease = release.onRelease ?? null;
    this.#onReleased = release.onReleased ?? null;
  }

  /** Queues a batch of commands; resolves when all have run and their effects may be revealed. */
  submit(session: S, commands: string[][]): Promise<void> {
    return new Promise((resolve) => {
      this.#queue.push({ session, commands, task: null, resolve });
      this.#schedule();
    });
  }

  /** Queues internal work (active expiry, compaction slices) to run between commands. */
  run(task: () => void): Promise<void> {
    return new Promise((resolve) => {
      this.#queue.push({ session: null, commands: null, task, resolve });
      this.#schedule();
    });
  }

  /**
   * A command of `job` blocked: its remaining commands run in a later round, once `until`
   * settles, and the batch resolves only then (the client's replies stay in order).
   */
  #park(job: Job<S>, rest: string[][], until: Promise<void>, parked: Job<S>[]): void {
    parked.push(job);
    until.finally(() => {
      this.#queue.push({ session: job.session, commands: rest, task: null, resolve: job.resolve });
      this.#schedule();
    });
  }

  /**
   * Starts a round at the end of the current tick rather than at once, so that everything
   * submitted in one tick (every connection whose read completed together) runs in one round
   * and shares one fsync: with a blocking fsync in the hook, starting at once would give each
   * connection a round, and an fsync, of its own.
   */
  #schedule(): void {
    if (this.#running) return;
    this.#running = true;
    queueMicrotask(() => this.#drain());
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const round = this.#queue;
        this.#queue = [];
        const parked: Job<S>[] = [];
        for (const job of round) {
          if (job.task) {
            try {
              job.task();
            } catch (error) {
              console.error("Internal task failed:", error);
            }
            continue;
          }
          const commands = job.commands!;
          for (let i = 0; i < commands.length; i++) {
            const outcome = this.#run(job.session!, commands[i]);
            if (outcome === true) continue;
            if (outcome !== false) {
              const rest = commands.slice(RETRIES.has(outcome) ? i : i + 1);
              this.#park(job, rest, outcome, parked);
            }
            break;
          }
        }
        const early = this.#releaseEarly;
        if (early !== null) {
          for (const job of round) if (job.session !== null) early(job.session);
        }
        const pending = this.#afterRound();
        if (pending) await pending;
        const onRelease = this.#onRelease;
        for (const job of round) {
          if (onRelease !== null && job.session !== null) onRelease(job.session);
          if (!parked.includes(job)) job.resolve();
        }
        this.#onReleased?.();
      }
    } finally {
      this.#running = false;
    }
  }
}
