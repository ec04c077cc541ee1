/**
 * Partition commands: CREATE PARTITION, DROP PARTITION, LIST PARTITIONS, DESCRIBE PARTITION,
 * STATS PARTITION (see src/store/partition.ts for the model). Each is a container with its
 * subcommand and a HELP, so a mistyped second word gets the dispatcher's usual error.
 *
 * CREATE and DROP are durable records: under `--fsync always` their +OK follows the fsync.
 * They are refused inside MULTI and BEGIN (`no_multi`), as SHUTDOWN is.
 */
import type { CommandContext } from "./context.ts";
import type { ArgDoc, CommandSpec, Handler } from "./spec.ts";
import { NO_KEYS } from "./spec.ts";
import {
  invalidPartitionName,
  invalidPersistenceMode,
  invalidValueType,
  PartitionErrors,
  partitionExists,
  tooManyPartitions,
} from "./errors.ts";
import {
  isPartitionName,
  type Partition,
  Persistence,
  PERSISTENCE_NAMES,
  Schema,
  SCHEMA_NAMES,
} from "../store/partition.ts";

const SCHEMAS: Record<string, Schema> = {
  INT: Schema.int,
  STRING: Schema.string,
  ANY: Schema.any,
};
const PERSISTENCE_MODES: Record<string, Persistence> = {
  WAL: Persistence.wal,
  NONE: Persistence.none,
};

const createPartition: Handler = (ctx, argv) => {
  const name = argv[2];
  if (!isPartitionName(name)) throw invalidPartitionName(name);
  const schema = SCHEMAS[argv[3].toUpperCase()];
  if (schema === undefined) throw invalidValueType(argv[3]);
  const persistence = PERSISTENCE_MODES[argv[4].toUpperCase()];
  if (persistence === undefined) throw invalidPersistenceMode(argv[4]);
  if (ctx.store.partitionNamed(name) !== undefined) throw partitionExists(name);
  const max = ctx.server.config.maxPartitions;
  if (ctx.store.partitionCount >= max) throw tooManyPartitions(max);
  ctx.store.createPartition({ name, schema, persistence, createdAtMs: ctx.now });
  ctx.out.ok();
};

/** The partition `name` names, or `ERR partition not found`. */
function existing(ctx: CommandContext, name: string): Partition {
  const partition = ctx.store.partitionNamed(name);
  if (partition === undefined) throw PartitionErrors.notFound;
  return partition;
}

const dropPartition: Handler = (ctx, argv) => {
  ctx.store.dropPartition(existing(ctx, argv[2]).id);
  ctx.out.ok();
};

const listPartitions: Handler = (ctx) => {
  const partitions = ctx.store.partitionsByName();
  ctx.out.arrayHeader(partitions.length);
  for (const partition of partitions) ctx.out.bulk(partition.name);
};

/** Writes `fields` as a map (RESP3) or flat name/value pairs (RESP2). */
function replyFields(ctx: CommandContext, fields: [string, string | number][]): void {
  ctx.out.mapHeader(fields.length);
  for (const [name, value] of fields) {
    ctx.out.bulk(name);
    if (typeof value === "number") ctx.out.integer(value);
    else ctx.out.bulk(value);
  }
}

const describePartition: Handler = (ctx, argv) => {
  const partition = existing(ctx, argv[2]);
  replyFields(ctx, [
    ["name", partition.name],
    ["id", partition.id],
    ["schema", SCHEMA_NAMES[partition.schema]],
    ["persistence", PERSISTENCE_NAMES[partition.persistence]],
    ["keys", partition.keyspace.size],
    ["expires", partition.keyspace.volatileCount],
    ["created-at", partition.createdAtMs],
  ]);
};

const statsPartition: Handler = (ctx, argv) => {
  const { keyspace, stats } = existing(ctx, argv[2]);
  replyFields(ctx, [
    ["keys", keyspace.size],
    ["reads", stats.reads],
    ["writes", stats.writes],
    ["hits", stats.hits],
    ["misses", stats.misses],
    ["expired", stats.expired],
    ["key-bytes", stats.keyBytes],
    ["value-bytes", stats.valueBytes],
  ]);
};

const HELP = [
  "Partitions are named databases with a value schema and a persistence mode:",
  "CREATE PARTITION <name> <INT|STRING|ANY> <WAL|NONE>",
  "    Create a partition. Names: letters, digits, '_', '-', ':'; at most 64 bytes; not a number.",
  "DROP PARTITION <name>",
  "    Remove a partition and its keys.",
  "LIST PARTITIONS",
  "    Return the names of the partitions, sorted.",
  "DESCRIBE PARTITION <name>",
  "    Return name, id, schema, persistence, keys, keys with a TTL and creation time (Unix ms).",
  "STATS PARTITION <name>",
  "    Return keys, reads, writes, hits, misses, expired keys and bytes of keys and values.",
  "SELECT <name>, MOVE <key> <name>, COPY <source> <destination> DB <name>",
  "    Use a partition where a database number goes (its id works too).",
];

const NAME_ARG: ArgDoc = { name: "name", type: "string" };

/** COMMAND DOCS for one of the words of `table` (the table CREATE PARTITION parses with). */
function oneOfWords(name: string, table: Record<string, unknown>): ArgDoc {
  const words = Object.keys(table);
  return {
    name,
    type: "oneof",
    arguments: words.map((word) => ({
      name: word.toLowerCase(),
      type: "pure-token",
      token: word,
    })),
  };
}

/** A container (`create`) with its one subcommand (`create|partition`) and HELP. */
function container(
  word: string,
  summary: string,
  sub: Omit<CommandSpec, "group" | "keys" | "since" | "name"> & { word: string },
): CommandSpec {
  const { word: subWord, ...fields } = sub;
  return {
    name: word,
    arity: -2,
    flags: [],
    keys: NO_KEYS,
    group: "partition",
    summary,
    since: "0.1.0",
    complexity: "Depends on subcommand.",
    subcommands: [
      { ...fields, name: `${word}|${subWord}`, group: "partition", keys: NO_KEYS, since: "0.1.0" },
      {
        name: `${word}|help`,
        arity: 2,
        flags: ["loading", "stale"],
        keys: NO_KEYS,
        group: "partition",
        summary: "Returns helpful text about the partition commands.",
        since: "0.1.0",
        complexity: "O(1)",
        handler(ctx) {
          ctx.out.arrayHeader(HELP.length);
          for (const line of HELP) ctx.out.simple(line);
        },
      },
    ],
  };
}

export const partitionCommands: CommandSpec[] = [
  container("create", "A container for creating partitions.", {
    word: "partition",
    arity: 5,
    flags: ["write", "denyoom", "no_multi"],
    summary: "Creates a partition with a value schema and a persistence mode.",
    complexity: "O(1)",
    args: [NAME_ARG, oneOfWords("schema", SCHEMAS), oneOfWords("persistence", PERSISTENCE_MODES)],
    handler: createPartition,
  }),
  container("drop", "A container for dropping partitions.", {
    word: "partition",
    arity: 3,
    flags: ["write", "no_multi"],
    summary: "Removes a partition and all its keys.",
    complexity: "O(N) where N is the number of keys in the partition (as FLUSHDB).",
    args: [NAME_ARG],
    handler: dropPartition,
  }),
  container("list", "A container for listing partitions.", {
    word: "partitions",
    arity: 2,
    flags: ["loading", "stale"],
    summary: "Returns the names of the partitions, sorted.",
    complexity: "O(N log N) where N is the number of partitions.",
    handler: listPartitions,
  }),
  container("describe", "A container for describing partitions.", {
    word: "partition",
    arity: 3,
    flags: ["loading", "stale", "fast"],
    summary: "Returns a partition's name, id, schema, persistence, key counts and creation time.",
    complexity: "O(1)",
    args: [NAME_ARG],
    handler: describePartition,
  }),
  container("stats", "A container for partition statistics.", {
    word: "partition",
    arity: 3,
    flags: ["loading", "stale", "fast"],
    summary: "Returns a partition's keys, reads, writes, hits, misses, expired keys and bytes.",
    complexity: "O(1)",
    args: [NAME_ARG],
    handler: statsPartition,
  }),
];
