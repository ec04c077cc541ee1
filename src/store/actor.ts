/**
 * The store actor: the single owner of all data. Connections submit batches of parsed commands
 * to its queue; it runs them one at a time, in arrival order, so every command is atomic.
 *
 * It works in rounds: everything queued when a round starts runs back to back, then the
 * `afterRound` hook runs with the round's sessions and a `release` function. The durability
 * layer makes the round's changes durable (one write and one fsync for the whole round: group
 * commit) and calls `release` once it has; only then does each batch of the round resolve.
 * The hook may release at once (the fsync blocked the thread, or nothing was written), or
 * later: the next rounds then run meanwhile (pipelined group commit), and rounds are released
 * strictly in order. A hook that returns a promise holds the next round back until it settles.
 *
 * A batch whose replies depend on nothing the hook does (commands confined to memory-only
 * partitions) is released before it (`releaseEarly`): its client gets its replies, and sends
 * its next request, without waiting for anyone's fsync.
 */

/**
 * Runs one command of a batch; returns false to drop the rest of the batch (QUIT), or a
 * promise when the command blocks its client (WAIT): the rest of the batch then runs once the
 * promise settles, and the batch is answered only after that.
 */
export type CommandRunner<S> = (session: S, argv: string[]) => boolean | Promise<void>;

/**
 * Called after each round's commands ran, with the session of each of its batches (in order)
 * that was not released early. It calls `release` once the round's output may be revealed:
 * before returning, or later (the actor goes on with the next rounds meanwhile). It returns a
 * promise when the next round must wait for it. It must not reject: a durability failure is
 * for the hook to record (the server then refuses writes).
 */
export type RoundHook<S> = (sessions: readonly S[], release: () => void) => Promise<void> | void;

/**
 * Called for each batch's session after the round's commands ran and before its hook: returns
 * true when the batch depends on nothing the hook does (writes to memory-only partitions need
 * no fsync) and its replies were sent; the batch then resolves at once.
 */
export type EarlyRelease<S> = (session: S) => boolean;

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

interface Job<S> {
  session: S | null;
  commands: string[][] | null;
  task: (() => void) | null;
  resolve: () => void;
}

/** A round waiting to be released: its jobs resolve once it and every earlier one are. */
interface PendingRound<S> {
  jobs: Job<S>[];
  parked: Job<S>[];
  released: boolean;
}

/** Called before a session's batch of several commands runs (the dispatcher warms its keys). */
export type BatchWarm<S> = (session: S, commands: readonly string[][]) => void;

const releaseNow = (_sessions: readonly unknown[], release: () => void) => release();

export class StoreActor<S> {
  #queue: Job<S>[] = [];
  #running = false;
  readonly #run: CommandRunner<S>;
  readonly #afterRound: RoundHook<S>;
  readonly #releaseEarly: EarlyRelease<S> | null;
  readonly #warm: BatchWarm<S> | null;
  /** Rounds not released yet, oldest first. */
  #unreleased: PendingRound<S>[] = [];

  constructor(
    run: CommandRunner<S>,
    afterRound: RoundHook<S> = releaseNow,
    releaseEarly: EarlyRelease<S> | null = null,
    warm: BatchWarm<S> | null = null,
  ) {
    this.#run = run;
    this.#afterRound = afterRound;
    this.#releaseEarly = releaseEarly;
    this.#warm = warm;
  }

  /** Rounds that ran and wait to be released (pipelined commit). */
  get unreleasedRounds(): number {
    return this.#unreleased.length;
  }

  /** Nothing is queued, running or waiting to be released: a command run now runs alone. */
  get idle(): boolean {
    return !this.#running && this.#queue.length === 0 && this.#unreleased.length === 0;
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
          if (commands.length > 1 && this.#warm !== null) this.#warm(job.session!, commands);
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
        const waiting: Job<S>[] = [];
        const sessions: S[] = [];
        const early = this.#releaseEarly;
        for (const job of round) {
          if (job.session === null) waiting.push(job);
          else if (early !== null && !parked.includes(job) && early(job.session)) job.resolve();
          else {
            waiting.push(job);
            sessions.push(job.session);
          }
        }
        const pending: PendingRound<S> = { jobs: waiting, parked, released: false };
        this.#unreleased.push(pending);
        const hold = this.#afterRound(sessions, () => {
          pending.released = true;
          this.#releaseInOrder();
        });
        if (hold) await hold;
      }
    } finally {
      this.#running = false;
    }
  }

  /** Resolves the jobs of released rounds, oldest first, stopping at one not released yet. */
  #releaseInOrder(): void {
    const rounds = this.#unreleased;
    while (rounds.length !== 0 && rounds[0].released) {
      const { jobs, parked } = rounds.shift()!;
      for (const job of jobs) if (!parked.includes(job)) job.resolve();
    }
  }
}
