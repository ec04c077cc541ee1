/**
 * Checks that run before a command's handler, after the dispatcher found the command and
 * checked its arity: authentication, ACL permissions, the pub/sub context, MULTI queueing,
 * out of memory, MISCONF, read-only replicas. Each feature that adds a check adds a Gate here,
 * in Redis's order (processCommand), instead of growing the dispatcher.
 *
 * A gate costs nothing while it has nothing to check: the dispatcher calls the gates only when
 * the session is flagged (`session.gated`) or a server-wide condition is on
 * (`dispatcher.serverGated`).
 */
import type { CommandError } from "./errors.ts";
import type { Session } from "./session.ts";
import type { CommandSpec } from "./spec.ts";

/** What a gate decided: let the command run, refuse it, or it answered the command itself. */
export type GateVerdict = null | CommandError | typeof HANDLED;

/** The gate wrote the reply itself (MULTI's `+QUEUED`); the handler does not run. */
export const HANDLED = Symbol("handled");

/**
 * One check. `spec` is the resolved command (the subcommand for containers); `argv` is as the
 * client sent it.
 */
export type Gate = (session: Session, spec: CommandSpec, argv: string[]) => GateVerdict;

/**
 * Runs after every command when someone listens (MONITOR, SLOWLOG, latency tracking):
 * `durationUs` is the command's run time, `failed` whether it answered an error.
 */
export type CommandObserver = (
  session: Session,
  spec: CommandSpec,
  argv: string[],
  durationUs: number,
  dbIndex: number,
) => void;
