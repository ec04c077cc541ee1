/**
 * When commands start, and how long they took (INFO commandstats and latencystats, SLOWLOG, the
 * latency monitor), with as few reads of the monotonic clock as that allows: `performance.now`
 * is an op call (about 90 ns here, against 23 for clock_gettime in C), a tenth of what a
 * pipelined command costs, and a read per command took 10% off RPUSH at pipeline 16.
 *
 * - A chain: commands of one round run back to back, so a command starts when the previous one
 *   ended, and one read serves as both. The chain is cut at the end of the round, so idle time
 *   and the round's writes are never charged to a command.
 * - Runs: consecutive commands that may share (the dispatcher decides: @fast commands and SET
 *   with small arguments, outside EXEC and while nothing watches each command) take one read per
 *   {@linkcode RUN_MAX} of them, or fewer at the end of the round or before a command timed
 *   alone. The run's time is split among its commands by weight: a constant for each, plus the
 *   bytes of its arguments and reply, so a GET of a big value takes the share it most likely
 *   used. Redis times each command alone, at whole microseconds: a @fast command's share is as
 *   close as that for all but the outliers a pause (a collection) lands on.
 */
import type { CommandCounters } from "./command_stats.ts";
import type { Session } from "./session.ts";
import type { CommandSpec } from "./spec.ts";

/** Most commands in a run. */
export const RUN_MAX = 16;
/** A command's weight besides its bytes: about what a @fast command costs, in bytes copied. */
export const COMMAND_WEIGHT = 4096;

/** Commands with more argument bytes than this are timed alone (copying them may take long). */
export const SHARED_ARGUMENT_BYTES = 1024;
/**
 * Commands Redis does not flag @fast whose work here is bounded by their arguments and reply
 * all the same: SET (Redis frees an overwritten value in place, O(N) for a big collection, which
 * is why it is @slow; here the collector takes it).
 */
const BOUNDED_SLOW_COMMANDS = new Set(["set"]);

/**
 * Whether calls of `spec` may share their timing (when their arguments are small, at the top
 * level and while nothing watches each command: the dispatcher checks those per call).
 */
export function mayShareTiming(spec: CommandSpec): boolean {
  return spec.flags.includes("fast") || BOUNDED_SLOW_COMMANDS.has(spec.name);
}

/** The chars of a command's arguments (its name included). */
export function argumentBytes(argv: string[]): number {
  let bytes = 0;
  for (let i = 0; i < argv.length; i++) bytes += argv[i].length;
  return bytes;
}

/** Charges a command its duration (counters, histograms, slow log). */
export type Charge = (
  session: Session,
  spec: CommandSpec,
  argv: string[],
  counters: CommandCounters,
  durationUs: number,
) => void;

export class CommandTiming {
  readonly #charge: Charge;
  readonly #clock: () => number;
  /** Told the clock read that opens a chain (the dispatcher derives wall time from it). */
  readonly #onChainStart: (mono: number) => void;
  /** The latest clock read of this round's chain, or -1 when no chain is open. */
  #lastRead = -1;
  #count = 0;
  #weightSum = 0;
  readonly #sessions: Session[] = new Array(RUN_MAX);
  readonly #specs: CommandSpec[] = new Array(RUN_MAX);
  readonly #argvs: string[][] = new Array(RUN_MAX);
  readonly #counters: CommandCounters[] = new Array(RUN_MAX);
  readonly #weights = new Float64Array(RUN_MAX);

  constructor(
    charge: Charge,
    onChainStart: (mono: number) => void,
    clock: () => number = () => performance.now(),
  ) {
    this.#charge = charge;
    this.#onChainStart = onChainStart;
    this.#clock = clock;
  }

  /** Commands run and not charged yet. */
  get pending(): number {
    return this.#count;
  }

  /**
   * When the next command starts (monotonic ms): the chain's latest read, or a new one. A command
   * to be timed alone (`alone`) first ends the run before it, so that none of its time goes to
   * the run.
   */
  start(alone: boolean): number {
    if (this.#lastRead < 0) {
      queueMicrotask(this.#cut);
      const mono = this.#clock();
      this.#lastRead = mono;
      this.#onChainStart(mono);
      return mono;
    }
    if (alone && this.#count !== 0) this.#closeRun(this.#clock());
    return this.#lastRead;
  }

  /** A command timed alone ended: returns its duration in microseconds (the caller charges it). */
  endAlone(started: number): number {
    const ended = this.#clock();
    this.#lastRead = ended;
    return (ended - started) * 1000;
  }

  /** A command that shares its timing ended; the run is charged when it ends. */
  share(
    session: Session,
    spec: CommandSpec,
    argv: string[],
    counters: CommandCounters,
    bytes: number,
  ): void {
    const i = this.#count++;
    this.#sessions[i] = session;
    this.#specs[i] = spec;
    this.#argvs[i] = argv;
    this.#counters[i] = counters;
    const weight = COMMAND_WEIGHT + bytes;
    this.#weights[i] = weight;
    this.#weightSum += weight;
    if (this.#count === RUN_MAX) this.#closeRun(this.#clock());
  }

  /**
   * The round's commands have all run: charges the run and cuts the chain (called before the
   * round's replies are written).
   */
  endRound(): void {
    if (this.#count !== 0) this.#closeRun(this.#clock());
    this.#lastRead = -1;
  }

  /** Splits the time since the chain's latest read among the run's commands. */
  #closeRun(now: number): void {
    const totalUs = (now - this.#lastRead) * 1000;
    this.#lastRead = now;
    const count = this.#count;
    const perWeight = totalUs / this.#weightSum;
    this.#count = 0;
    this.#weightSum = 0;
    for (let i = 0; i < count; i++) {
      this.#charge(
        this.#sessions[i],
        this.#specs[i],
        this.#argvs[i],
        this.#counters[i],
        this.#weights[i] * perWeight,
      );
      // Nothing kept past its charge (a closed client, a request's arguments).
      this.#argvs[i] = undefined as unknown as string[];
      this.#sessions[i] = undefined as unknown as Session;
    }
  }

  /** The end of the synchronous stretch the chain began in, when no round end came first. */
  readonly #cut = (): void => {
    if (this.#lastRead >= 0) this.endRound();
  };
}
