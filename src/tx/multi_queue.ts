/**
 * What a client in MULTI has queued: the commands (checked when queued: existence, arity and
 * every gate), whether one was refused (EXEC then answers EXECABORT), and the union of their
 * flags (an EXEC that would write is refused under MISCONF as a whole, as in Redis).
 *
 * The queue is bounded by bytes (`transaction-max-bytes`): a command past the limit is refused,
 * which aborts the transaction like any refusal while queueing.
 */
import { type CommandError, execAborted, multiQueueFull } from "../commands/errors.ts";
import type { CommandFlag, CommandSpec } from "../commands/spec.ts";

/** One queued command: its resolved spec (the subcommand for containers) and its words. */
export interface QueuedCommand {
  spec: CommandSpec;
  argv: string[];
}

/** Bytes counted per queued command beyond its arguments (the array and the record itself). */
const COMMAND_OVERHEAD_BYTES = 64;

export class MultiQueue {
  readonly commands: QueuedCommand[] = [];
  /** A command was refused while queueing: EXEC answers EXECABORT. */
  aborted = false;
  /** Bytes queued, arguments plus a fixed overhead per command. */
  bytes = 0;
  readonly #flags = new Set<CommandFlag>();
  readonly #end: () => void;

  /** `end` discards the transaction (MULTI state and WATCHed keys) when EXEC itself is refused. */
  constructor(end: () => void) {
    this.#end = end;
  }

  /** Whether any queued command carries `flag`. */
  hasFlag(flag: CommandFlag): boolean {
    return this.#flags.has(flag);
  }

  /**
   * Queues a command, or returns the refusal when it would pass `maxBytes`. Once the transaction
   * is aborted nothing more is kept (EXEC will discard it anyway), as Redis does.
   */
  push(spec: CommandSpec, argv: string[], maxBytes: number): CommandError | null {
    if (this.aborted) return null;
    let size = COMMAND_OVERHEAD_BYTES;
    for (let i = 0; i < argv.length; i++) size += argv[i].length;
    if (this.bytes + size > maxBytes) return multiQueueFull(maxBytes);
    this.bytes += size;
    this.commands.push({ spec, argv });
    for (const flag of spec.flags) this.#flags.add(flag);
    return null;
  }

  /**
   * A command was refused while the client is in MULTI (Redis's rejectCommand): the transaction
   * is flagged so EXEC fails, and a refused EXEC ends it with the reason in an EXECABORT error.
   * Returns the error to send.
   */
  refused(spec: CommandSpec | null, error: CommandError): CommandError {
    this.aborted = true;
    if (spec?.name !== "exec") return error;
    this.#end();
    return execAborted(error);
  }
}
