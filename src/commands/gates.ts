/**
 * Checks that run before a command's handler, after the dispatcher found the command and
 * checked its arity: authentication, ACL permissions, the pub/sub context, MULTI queueing,
 * out of memory, MISCONF, read-only replicas. Each feature that adds a check adds a Gate here,
 * in Redis's order (processCommand), instead of growing the dispatcher.
 *
 * A gate costs nothing while it has nothing to check. A session's gates (authentication, ACL,
 * MULTI, pub/sub context, MONITOR) run only for a session flagged `session.gated`; a server-wide
 * gate (out of memory, MISCONF, a replica's checks, DEBUG RELOAD) is tied to its
 * {@linkcode ServerCondition} and runs for every session while that condition is on. Gates are
 * added with `dispatcher.addGate(GateOrder.x, gate[, condition])` so features built apart still
 * check in Redis's order.
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
 * Server-wide conditions, one bit each: while one is on, the gate added with it runs for every
 * command (see `dispatcher.setServerCondition`). Memory over the limit turns its condition on
 * and off around every write under a steady eviction load, so these are bits, not names.
 */
export const ServerCondition = {
  /** MISCONF: the log cannot be written. */
  diskError: 1,
  /** Memory is over maxmemory. */
  outOfMemory: 2,
  /** A replica (read-only, stale data) or a primary with min-replicas-to-write. */
  replication: 4,
  /** DEBUG RELOAD is reading the log back. */
  reload: 8,
} as const;

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
