/**
 * Database arguments that may name a partition: SELECT, MOVE and COPY ... DB take a database
 * number, parsed by each command exactly as Redis does (its errors differ between them), a
 * partition name, or a partition's id (16 and up, shown by DESCRIBE PARTITION), for clients
 * that only take a number (redis-benchmark --dbnum, ioredis's `db`). An id no partition has
 * gets Redis's own "out of range" error.
 */
import type { Keyspace } from "../store/keyspace.ts";
import { FIRST_PARTITION_ID, isPartitionName, Persistence } from "../store/partition.ts";
import { parseIntText } from "./args.ts";
import type { CommandContext } from "./context.ts";
import { PartitionErrors } from "./errors.ts";
import { heldBack, valueRefusal } from "./partition_rules.ts";
import type { Value } from "../store/value.ts";

/**
 * The keyspace of the partition `text` names (or whose id it is), or null when `text` is
 * neither: the command then parses it as a database number, with Redis's errors. A name with
 * no partition is `ERR partition not found`.
 */
export function partitionArg(ctx: CommandContext, text: string): Keyspace | null {
  if (!isPartitionName(text)) {
    const id = parseIntText(text);
    if (typeof id !== "number" || id < FIRST_PARTITION_ID) return null;
    return ctx.store.partition(id)?.keyspace ?? null;
  }
  const partition = ctx.store.partitionNamed(text);
  if (partition === undefined) throw PartitionErrors.notFound;
  return partition.keyspace;
}

/**
 * Before a command reads or writes `target` besides the selected keyspace (MOVE, COPY): a
 * logged target makes the batch wait for the round's log write, and a value its schema does
 * not allow is refused.
 */
export function reachTarget(ctx: CommandContext, target: Keyspace, value?: Value): void {
  const partition = target.partition;
  const journal = ctx.store.journal;
  if (
    partition === null || partition.persistence === Persistence.wal || heldBack(journal, partition)
  ) {
    ctx.session.waitsForRound = true;
    // Its changes, memory-only ones included, are now undone with a refused round.
    if (journal.undo !== null) journal.undo.coversUnlogged = true;
  }
  if (value === undefined) return;
  const refusal = valueRefusal(partition, value);
  if (refusal !== null) throw refusal;
}
