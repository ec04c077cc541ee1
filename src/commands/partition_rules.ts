/**
 * What a command may do in a partition, decided from the command table: a spec's group and
 * `write` flag place it in one class, once (cached per spec), so commands that other families
 * add later (hashes, lists, sorted sets, bitmaps, HyperLogLogs) are covered without code of
 * their own. The dispatcher asks before it runs a command in a partition, so a refused command
 * changes nothing: an MSET with one bad value writes no key.
 *
 * - INT: writes may store only signed 64-bit integers. String writes whose values are
 *   arguments (SET, MSET, ...) have those arguments checked; INCR and friends, GETDEL and GETEX
 *   can only leave integers; every other string-valued write (APPEND, SETRANGE, INCRBYFLOAT,
 *   bitmaps, HyperLogLogs) and every collection write is refused.
 * - STRING: every string-valued write runs; collection writes are refused.
 * - ANY: everything runs.
 *
 * Whole values moved in from elsewhere (MOVE, COPY ... DB) are checked by those commands, and
 * the keyspace itself refuses a value its schema does not allow (`Keyspace.schema`).
 */
import {
  isInt64Text,
  type Partition,
  Persistence,
  Schema,
  SCHEMA_NAMES,
  type SchemaError,
} from "../store/partition.ts";
import type { Value } from "../store/value.ts";
import type { Journal } from "../store/journal.ts";
import {
  type CommandError,
  commandNotAllowedInPartition,
  notIntegerForPartition,
  notStringForPartition,
  PartitionErrors,
} from "./errors.ts";
import type { CommandSpec } from "./spec.ts";

/** Reads, and writes of groups that store no values of their own (DEL, EXPIRE, FLUSHDB). */
const FREE = 0;
/** String writes whose stored values are arguments at known positions (SET, MSET, ...). */
const VALUES_IN_ARGS = 1;
/** String writes that can only leave integers behind (INCR family, GETDEL, GETEX). */
const INTEGER_SAFE = 2;
/** Other string-valued writes (APPEND, SETRANGE, INCRBYFLOAT, bitmaps, HyperLogLogs). */
const STRING_VALUED = 3;
/** Writes of every other data group: they store collections. */
const COLLECTION = 4;

/** Groups whose writes store no values: they delete, expire, rename or administer. */
const VALUE_FREE_GROUPS = new Set([
  "generic",
  "server",
  "connection",
  "transactions",
  "pubsub",
  "scripting",
  "cluster",
  "sentinel",
  "partition",
]);

/** Groups whose values are strings (Redis keeps bitmaps and HyperLogLogs as strings). */
const STRING_GROUPS = new Set(["string", "bitmap", "hyperloglog"]);

/** Where string writes carry their values, as key positions are given: [first, last, step]. */
const VALUE_POSITIONS: Record<string, [first: number, last: number, step: number]> = {
  set: [2, 2, 1],
  put: [2, 2, 1],
  setnx: [2, 2, 1],
  getset: [2, 2, 1],
  setex: [3, 3, 1],
  psetex: [3, 3, 1],
  mset: [2, -1, 2],
  msetnx: [2, -1, 2],
};

/** String writes that leave an integer, or nothing, behind whatever their arguments. */
const INTEGER_SAFE_COMMANDS = new Set(["incr", "decr", "incrby", "decrby", "getdel", "getex"]);

/**
 * Groups whose commands look at nothing but the selected database's keys and the connection:
 * in a NONE partition their replies need no log write (see `Session.waitsForRound`). Unknown
 * groups are not here, so a new kind of command waits for the round until it is listed.
 */
const CONFINED_GROUPS = new Set([
  "string",
  "bitmap",
  "hyperloglog",
  "hash",
  "list",
  "set",
  "sorted-set",
  "geo",
  "stream",
  "generic",
  "connection",
]);

/**
 * Groups whose commands still run while the selected partition is dropped: they do not use
 * the selected database (so a client can SELECT again, QUIT, or end a MULTI).
 */
const WITHOUT_DATABASE_GROUPS = new Set(["connection", "transactions", "pubsub", "partition"]);

/** What the dispatcher needs to know about a spec in a partition, worked out once. */
interface SpecFacts {
  rule: number;
  write: boolean;
  read: boolean;
  confined: boolean;
  withoutDatabase: boolean;
}

const facts = new WeakMap<CommandSpec, SpecFacts>();

function factsOf(spec: CommandSpec): SpecFacts {
  let known = facts.get(spec);
  if (known === undefined) {
    const write = spec.flags.includes("write");
    known = {
      rule: ruleOf(spec, write),
      write,
      read: spec.flags.includes("readonly"),
      confined: CONFINED_GROUPS.has(spec.group),
      withoutDatabase: WITHOUT_DATABASE_GROUPS.has(spec.group),
    };
    facts.set(spec, known);
  }
  return known;
}

function ruleOf(spec: CommandSpec, write: boolean): number {
  if (!write || VALUE_FREE_GROUPS.has(spec.group)) return FREE;
  if (!STRING_GROUPS.has(spec.group)) return COLLECTION;
  if (spec.group === "string") {
    if (VALUE_POSITIONS[spec.name] !== undefined) return VALUES_IN_ARGS;
    if (INTEGER_SAFE_COMMANDS.has(spec.name)) return INTEGER_SAFE;
  }
  return STRING_VALUED;
}

/**
 * Why `spec` (with `argv`) must not run in `partition` (undefined: the selected partition was
 * dropped), or null when it may run.
 */
export function partitionRefusal(
  partition: Partition | undefined,
  spec: CommandSpec,
  argv: string[],
): CommandError | null {
  if (partition === undefined) {
    return factsOf(spec).withoutDatabase ? null : PartitionErrors.dropped;
  }
  const schema = partition.schema;
  if (schema === Schema.any) return null;
  switch (factsOf(spec).rule) {
    case FREE:
      return null;
    case VALUES_IN_ARGS:
      if (schema === Schema.int) return checkIntegerArgs(partition, spec.name, argv);
      return null;
    case INTEGER_SAFE:
      return null;
    case STRING_VALUED:
      if (schema === Schema.string) return null;
      break;
  }
  return commandNotAllowedInPartition(spec.name, partition.name, SCHEMA_NAMES[schema]);
}

function checkIntegerArgs(partition: Partition, name: string, argv: string[]): CommandError | null {
  const [first, last, step] = VALUE_POSITIONS[name];
  const end = last < 0 ? argv.length + last : last;
  // A malformed list (MSET with a key and no value) is left to the handler's own error.
  if (end >= argv.length || (end - first) % step !== 0) return null;
  for (let i = first; i <= end; i += step) {
    if (!isInt64Text(argv[i])) return notIntegerForPartition(partition.name);
  }
  return null;
}

/**
 * The refusal for storing `value` in `partition` (MOVE, COPY ... DB, and the keyspace's own
 * guard), or null when its schema allows it.
 */
export function valueRefusal(
  partition: Partition | null,
  value: Value,
): CommandError | null {
  if (partition === null || partition.schema === Schema.any) return null;
  if (typeof value === "string") {
    if (partition.schema === Schema.string || isInt64Text(value)) return null;
    return notIntegerForPartition(partition.name);
  }
  return partition.schema === Schema.int
    ? notIntegerForPartition(partition.name)
    : notStringForPartition(partition.name);
}

/** The reply for a value the keyspace itself refused (see `Keyspace.schema`). */
export function schemaErrorReply(error: SchemaError): CommandError {
  return error.schema === Schema.int
    ? notIntegerForPartition(error.partition)
    : notStringForPartition(error.partition);
}

/** Counts a command run in a partition as a read or a write (STATS PARTITION). */
export function countCommand(partition: Partition, spec: CommandSpec): void {
  const known = factsOf(spec);
  if (known.write) partition.stats.writes++;
  else if (known.read) partition.stats.reads++;
}

/**
 * Whether memory-only `partition` holds changes that a refused round may still undo (made by a
 * command whose reply waited for the log, such as MOVE from a numbered database): until that
 * round is settled, commands there wait for the log too, so an undo never takes back a change
 * whose reply already went out (see UndoLog.coversUnlogged).
 */
export function heldBack(journal: Journal, partition: Partition): boolean {
  const undo = journal.undo;
  return undo !== null && undo.touchedUnlogged(partition.id);
}

/**
 * Whether the reply of `spec` run in `partition` may go out before the round's log write:
 * the partition is not logged and the command looks at nothing outside it.
 */
export function confinedToPartition(partition: Partition, spec: CommandSpec): boolean {
  return partition.persistence === Persistence.none && factsOf(spec).confined;
}
