/** Every command family, in the order COMMAND lists them. */
import type { CommandSpec } from "./spec.ts";
import { connectionCommands } from "./connection.ts";
import { serverCommands } from "./server.ts";
import { configCommands } from "./config.ts";
import { clientCommands } from "./client.ts";
import { infoCommands } from "./info.ts";
import { introspectionCommands } from "./introspection.ts";
import { stringCommands } from "./strings.ts";
import { keyCommands } from "./keys.ts";
import { expireCommands } from "./expire.ts";
import { persistenceCommands } from "./persistence.ts";
import { partitionCommands } from "./partitions.ts";
import { transactionCommands } from "./transactions.ts";
import { dumpRestoreCommands } from "./dump_restore.ts";
import { replicationCommands } from "./replication.ts";
import { hashCommands } from "./hashes.ts";
import { listCommands } from "./lists.ts";
import { listBlockingCommands } from "./list_blocking.ts";
import { setCommands } from "./sets.ts";
import { objectCommands } from "./object.ts";
import { aclCommands } from "./acl.ts";
import { pubsubCommands } from "./pubsub.ts";
import { slowlogCommands } from "./slowlog.ts";
import { latencyCommands } from "./latency.ts";
import { monitorCommands } from "./monitor.ts";
import { sortedSetCommands } from "./sorted_sets.ts";
import { zsetRangeCommands } from "./zset_ranges.ts";
import { zsetPopCommands } from "./zset_pops.ts";
import { zsetAlgebraCommands } from "./zset_algebra.ts";
import { bitmapCommands } from "./bitmaps.ts";
import { bitfieldCommands } from "./bitfield.ts";
import { hyperLogLogCommands } from "./hyperloglog.ts";
import { lcsCommands } from "./lcs.ts";
import { sortCommands } from "./sort.ts";
import { debugCommands } from "./debug.ts";
import { memoryCommands } from "./memory.ts";

export const ALL_COMMANDS: CommandSpec[] = [
  ...connectionCommands,
  ...serverCommands,
  ...configCommands,
  ...clientCommands,
  ...infoCommands,
  ...introspectionCommands,
  ...stringCommands,
  ...keyCommands,
  ...expireCommands,
  ...persistenceCommands,
  ...partitionCommands,
  ...transactionCommands,
  ...dumpRestoreCommands,
  ...replicationCommands,
  ...hashCommands,
  ...listCommands,
  ...listBlockingCommands,
  ...setCommands,
  ...sortedSetCommands,
  ...zsetRangeCommands,
  ...zsetPopCommands,
  ...zsetAlgebraCommands,
  ...bitmapCommands,
  ...bitfieldCommands,
  ...hyperLogLogCommands,
  ...lcsCommands,
  ...sortCommands,
  ...debugCommands,
  ...objectCommands,
  ...aclCommands,
  ...pubsubCommands,
  ...slowlogCommands,
  ...latencyCommands,
  ...monitorCommands,
  ...memoryCommands,
];
