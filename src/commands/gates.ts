/**
 * Checks that run before a command's handler, after the dispatcher found the command and
 * checked its arity: authentication, ACL permissions, the pub/sub context, MULTI queueing,
 * out of memory, MISCONF, read-only replicas. Each feature that adds a check adds a Gate here,
 * in Redis's order (processCommand), instead of growing the dispatcher.
 *
 * A gate costs nothing while it has nothing to check: the dispatcher calls the gates only when
 * the session is flagged (`session.gated`) or a server-wide condition is on
 * (`dispatcher.serverGated`). Gates are added with `dispatcher.addGate(GateOrder.x, gate)` so
 * features built apart still check in Redis's order.
 *
 * A refusal while the client is in MULTI flags the transaction (EXEC then answers EXECABORT),
 * and a refused EXEC ends it, as Redis's rejectCommand does: the dispatcher does that for every
 * gate, so a gate only decides.
 */
import type { CommandError } from "./errors.ts";
import type { Session } from "./session.ts";
import type { CommandFlag, CommandSpec } from "./spec.ts";

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
 * Runs after every command while registered (MONITOR): `shown` is the command's arguments as
 * MONITOR and SLOWLOG show them (secrets its handler redacted replaced), `durationUs` its run
 * time, `dbIndex` the client's database after the command.
 */
export type CommandObserver = (
  session: Session,
  spec: CommandSpec,
  shown: readonly string[],
  durationUs: number,
  dbIndex: number,
) => void;

/**
 * Where each check runs, in Redis 7's processCommand order. A gate added with the same order as
 * another runs after it.
 */
export const GateOrder = {
  /** NOAUTH: not authenticated. */
  auth: 10,
  /** Commands flagged no_multi inside MULTI. */
  noMulti: 20,
  /** NOPERM: ACL rules. */
  acl: 30,
  /** OOM: out of memory for denyoom commands. */
  outOfMemory: 40,
  /** MISCONF: the log cannot be written. */
  diskError: 50,
  /** READONLY: a read-only replica. */
  readOnlyReplica: 60,
  /** Only (P)(UN)SUBSCRIBE, PING, QUIT and RESET in a RESP2 subscribed context. */
  pubsubContext: 70,
  /** LOADING and the like. */
  loading: 80,
  /** A client in MONITOR mode sending a keyspace command (Redis refuses it as from a replica). */
  monitor: 90,
  /** MULTI queueing and BEGIN statements: after every check, since they run or keep the command. */
  transaction: 100,
} as const;

/**
 * Whether the command carries `flag`. EXEC carries the flags of every command it queued, as in
 * Redis (mstate.cmd_flags): an EXEC that would write is refused under MISCONF as a whole.
 */
export function commandHas(session: Session, spec: CommandSpec, flag: CommandFlag): boolean {
  if (spec.flags.includes(flag)) return true;
  return spec.name === "exec" && session.multi !== null && session.multi.hasFlag(flag);
}
