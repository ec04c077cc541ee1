/**
 * A command is declared as data: name, arity, flags, key positions, documentation and handler.
 * The registry, the dispatcher's checks, COMMAND, COMMAND DOCS, and (later) MULTI queueing and
 * the durability layer all read these specs, so each fact about a command is stated once.
 */
import type { CommandContext } from "./context.ts";

/** Command flags, named as Redis names them in COMMAND INFO. */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "fast"
  | "no_auth"
  | "no_multi"
  | "allow_busy";

/**
 * How a command uses a key, as Redis 7's key-spec flags: one of RO/RW/OW/RM (read-only,
 * read-write, overwrite, remove) plus what it does with the value (`access` returns or uses it,
 * `update`, `insert`, `delete` change it). ACL `%R~` / `%W~` patterns are checked against these.
 */
export type KeyFlag =
  | "RO"
  | "RW"
  | "OW"
  | "RM"
  | "access"
  | "update"
  | "insert"
  | "delete"
  | "variable_flags"
  /** Not a key at all, only placed like one for cluster routing (shard channels). */
  | "not_key";

/** One group of key arguments and how the command uses them (a Redis 7 key spec). */
export interface KeySpec {
  flags: KeyFlag[];
  /** First key, last key (-1 = last argument, -2 = the one before, ...), step; as `keys`. */
  first: number;
  last: number;
  step: number;
  /**
   * Keys counted by an argument (Redis's `keynum` find_keys, as ZUNION's numkeys): the argument
   * at `first` holds the count and the keys follow it, `step` apart; `last` is unused.
   */
  keynum?: boolean;
}

/**
 * Where a pub/sub command names channels and what it does with them: ACL `&pattern` rules are
 * checked against the `publish` and `subscribe` ones (`pattern` for PSUBSCRIBE's patterns).
 */
export interface ChannelSpec {
  first: number;
  /** -1 = last argument. */
  last: number;
  step: number;
  flags: ("publish" | "subscribe" | "unsubscribe" | "pattern")[];
}

/** One argument, for COMMAND DOCS (redis-cli builds its hints from these). */
export interface ArgDoc {
  name: string;
  type:
    | "string"
    | "integer"
    | "double"
    | "key"
    | "pattern"
    | "unix-time"
    | "pure-token"
    | "oneof"
    | "block";
  token?: string;
  flags?: ("optional" | "multiple" | "multiple_token")[];
  arguments?: ArgDoc[];
}

/**
 * Runs one command whose name and arity were already checked. Replies go to `ctx.out`;
 * refusals are thrown as CommandError.
 */
export type Handler = (ctx: CommandContext, argv: string[]) => void;

export interface CommandSpec {
  /** Lower-case name (`get`), or `container|sub` for a subcommand. */
  name: string;
  /** Redis's convention: N means exactly N words including the name, -N means at least N. */
  arity: number;
  flags: CommandFlag[];
  /** Key positions as in COMMAND INFO: first key, last key (-1 = last argument), step. 0,0,0 when none. */
  keys: [first: number, last: number, step: number];
  /**
   * How the command uses the keys of `keys` (Redis's key-spec flags). Without it, a write command
   * is taken to read and write every key (RW access update) and any other command to read them
   * (RO access): the strictest reading, so an ACL never lets through what Redis would refuse.
   */
  keyFlags?: KeyFlag[];
  /** Several key specs, for commands whose keys are used differently (RENAME, COPY). */
  keySpecs?: KeySpec[];
  /**
   * For a command whose key flags depend on its arguments (`variable_flags`, as SET with GET):
   * the flags of this call.
   */
  keyFlagsFor?: (argv: string[]) => KeyFlag[];
  /**
   * The key arguments of a call, for commands whose keys no key spec can place (SORT's STORE
   * may come anywhere): replaces the key specs' positions (Redis's getkeys_proc).
   */
  keysOf?: (argv: string[]) => { index: number; flags: KeyFlag[] }[];
  /**
   * The argument naming a member of the collection at the first key (HSET's field, ZSCORE's
   * member), which a pipelined batch warms in the cache with the key (store/batch_warmer.ts).
   */
  memberAt?: number;
  /** Channel arguments of pub/sub commands (ACL `&` rules). */
  channels?: ChannelSpec;
  /** Redis command group: string, generic, connection, server, ... */
  group: string;
  summary: string;
  since: string;
  complexity: string;
  args?: ArgDoc[];
  /** Subcommands, for containers such as CONFIG and CLIENT. */
  subcommands?: CommandSpec[];
  handler?: Handler;
  /**
   * ACL categories beyond those implied by the flags and group (COMMAND INFO), without '@',
   * e.g. `["keyspace", "dangerous"]` for FLUSHALL.
   */
  aclCategories?: string[];
  /**
   * False when the command's group implies no category for it (WAIT is `generic` but not
   * `@keyspace` in Redis).
   */
  groupCategory?: false;
  /** Command tips for clients (COMMAND INFO), e.g. `nondeterministic_output`. */
  tips?: string[];
}

/** No keys. */
export const NO_KEYS: [number, number, number] = [0, 0, 0];
/** One key, the first argument. */
export const FIRST_KEY: [number, number, number] = [1, 1, 1];

/**
 * A container's HELP subcommand (`CONFIG HELP`, ...): answers `lines` as status replies, one
 * per line, as Redis's addReplyHelp does.
 */
export function helpSubcommand(
  container: string,
  group: string,
  since: string,
  lines: readonly string[],
  flags: CommandFlag[] = ["loading", "stale"],
): CommandSpec {
  return {
    name: `${container}|help`,
    arity: 2,
    flags,
    keys: NO_KEYS,
    group,
    summary: "Returns helpful text about the different subcommands.",
    since,
    complexity: "O(1)",
    handler(ctx) {
      ctx.out.arrayHeader(lines.length);
      for (const line of lines) ctx.out.simple(line);
    },
  };
}
