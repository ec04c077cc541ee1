/**
 * Every setting Hermes has, in one table: the command-line flags, `--help`, CONFIG GET and
 * CONFIG SET all read it, so a setting is declared exactly once.
 */
import { parseByteSize, parseWholeNumber } from "./units.ts";
import {
  formatOutputLimits,
  type OutputLimits,
  parseOutputLimits,
  SettingValueError,
} from "./output_limits.ts";
import { BAD_EVENT_CLASS, formatEventClasses, parseEventClasses } from "../store/events.ts";
import { EVICTION_POLICIES, type EvictionPolicy } from "../memory/eviction_policy.ts";

export { SettingValueError };

/** The running configuration. Names carry their unit where they have one. */
export interface Config {
  host: string;
  port: number;
  dir: string;
  maxClients: number;
  idleTimeoutSec: number;
  maxInlineBytes: number;
  maxBulkBytes: number;
  maxArgs: number;
  /**
   * Reply bytes that may wait for a client, per class (client-output-buffer-limit); the normal
   * class's hard limit is also `--max-output`.
   */
  outputLimits: OutputLimits;
  logLevel: LogLevel;
  /** When log records are fdatasynced: before each reply, once a second, or when the OS decides. */
  fsync: FsyncPolicy;
  persistence: Persistence;
  /** Start even when the log is corrupt, cutting it at the first bad record. */
  repair: boolean;
  /** Compact the log once its files reach this size and... */
  compactMinBytes: number;
  /** ...this many times the size of the last snapshot. */
  compactGrowth: number;
  /** Most partitions that may exist at once (CREATE PARTITION refuses more). */
  maxPartitions: number;
  /** A BEGIN transaction open longer than this is rolled back. */
  transactionTimeoutSec: number;
  /** Most keys one BEGIN transaction may write. */
  transactionMaxKeys: number;
  /** Most bytes of changes a BEGIN transaction, or of commands a MULTI, may buffer. */
  transactionMaxBytes: number;
  /** Most keys one client may WATCH at once. */
  maxWatchedKeys: number;
  /** SAVE/BGSAVE write this file in `dir` (RDB format). */
  dbFilename: string;
  /** `"host port"` of the primary this server replicates, or "" for a primary. */
  replicaOf: string;
  /** Password sent with AUTH to the primary. */
  masterAuth: string;
  /** ACL user a replica authenticates as on its primary ("" = the default user). */
  masterUser: string;
  /** A replica connects to its primary's TLS port. */
  tlsReplication: boolean;
  /** Bytes of the replication stream kept for partial resyncs. */
  replBacklogBytes: number;
  /** A replica refuses writes from its own clients. */
  replicaReadOnly: boolean;
  /** A replica answers reads while its link to the primary is down. */
  replicaServeStaleData: boolean;
  /** Sentinel promotes the replica with the lowest non-zero priority first. */
  replicaPriority: number;
  /** A link silent this long (either side) is dropped. */
  replTimeoutSec: number;
  /** The primary PINGs its replicas this often. */
  replPingPeriodSec: number;
  /** Most fields of a hash kept packed (listpack). */
  hashMaxListpackEntries: number;
  /** Longest field or value, in bytes, of a hash kept packed. */
  hashMaxListpackValue: number;
  /** Most members of a set kept as an intset. */
  setMaxIntsetEntries: number;
  /** Size of each list node: -1..-5 = 4..64 KB, a positive number = elements per node. */
  listMaxListpackSize: number;
  /** Who may run DEBUG: everyone, local (loopback) connections, or nobody. */
  enableDebugCommand: DebugAccess;
  /** Longest sparse HyperLogLog, in bytes, before it turns dense. */
  hllSparseMaxBytes: number;
  /** Most members of a sorted set kept packed (listpack). */
  zsetMaxListpackEntries: number;
  /** Longest member, in bytes, of a sorted set kept packed. */
  zsetMaxListpackValue: number;
  /** The default user's password ("" = none: clients need not authenticate). */
  requirePass: string;
  /** File of ACL users loaded at start, written by ACL SAVE ("" = none). */
  aclFile: string;
  /** Most entries the ACL log keeps. */
  aclLogMaxLen: number;
  /** Refuse clients not on the loopback interface while the default user has no password. */
  protectedMode: boolean;
  /** Commands removed from the command table (lower case; `container|sub` for a subcommand). */
  disabledCommands: string[];
  /** TLS port (0 = no TLS). With a TLS port, `port` 0 turns the plain port off. */
  tlsPort: number;
  tlsCertFile: string;
  tlsKeyFile: string;
  /** CA certificates that client certificates must chain to. */
  tlsCaCertFile: string;
  /**
   * Client certificates: required (`yes`), refused unless valid when given (`optional`), or not
   * asked for (`no`).
   */
  tlsAuthClients: TlsAuthClients;
  /** Keyspace event classes published (EventClass bits; notify-keyspace-events). */
  notifyKeyspaceEvents: number;
  /** Longest channel or pattern name a client may subscribe to. */
  maxChannelBytes: number;
  /** Most channels, patterns and shard channels one client may be subscribed to at once. */
  maxSubscriptions: number;
  /** Port of the HTTP endpoint (/metrics, /healthz, the status page); null = off. */
  metricsPort: number | null;
  metricsHost: string;
  /** Commands running at least this long go to the slow log; negative = slow log off. */
  slowlogSlowerThanUs: number;
  /** Most entries the slow log keeps (the oldest are dropped). */
  slowlogMaxLen: number;
  /** LATENCY records events lasting at least this long; 0 = off. */
  latencyMonitorThresholdMs: number;
  /** Per-command latency histograms (INFO latencystats, LATENCY HISTOGRAM). */
  latencyTracking: boolean;
  /** The percentiles INFO latencystats reports. */
  latencyTrackingPercentiles: number[];
  /** used_memory past which keys are evicted (or writes refused); 0 = no limit. */
  maxmemoryBytes: number;
  /** Which keys go when over maxmemory, and how they are picked. */
  maxmemoryPolicy: EvictionPolicy;
  /** Keys sampled per database each time the eviction pool is filled. */
  maxmemorySamples: number;
  /** How long one eviction pass may run before the rest goes to the background (0-100). */
  maxmemoryEvictionTenacity: number;
  /** How slowly LFU counters grow: higher needs more accesses per step. */
  lfuLogFactor: number;
  /** Minutes without access after which an LFU counter loses one (0 = never). */
  lfuDecayTimeMin: number;
  /** A replica follows its primary's deletions instead of evicting on its own. */
  replicaIgnoreMaxmemory: boolean;
}

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];
export const FSYNC_POLICIES = ["always", "everysec", "no"] as const;
export type FsyncPolicy = typeof FSYNC_POLICIES[number];
export const PERSISTENCE_MODES = ["wal", "none"] as const;
export const DEBUG_ACCESS = ["yes", "local", "no"] as const;
export type DebugAccess = typeof DEBUG_ACCESS[number];
export type Persistence = typeof PERSISTENCE_MODES[number];
export const TLS_AUTH_CLIENTS = ["yes", "no", "optional"] as const;
export type TlsAuthClients = typeof TLS_AUTH_CLIENTS[number];

/** One setting: how it is parsed, shown, documented, and whether CONFIG SET may change it. */
export interface SettingSpec<K extends keyof Config = keyof Config> {
  key: K;
  /** Flag name (`--port`) and CONFIG name (`port`). */
  name: string;
  /** Redis's CONFIG names for the same setting, so Redis tooling finds it. */
  aliases?: string[];
  help: string;
  /** Placeholder shown in `--help` (`<n>`, `<bytes>`). */
  valueName: string;
  /**
   * Parses a value; `current` is the value in force (the default when parsing flags), for
   * settings that change only part of a structured value.
   */
  parse(text: string, current?: Config[K]): Config[K];
  format(value: Config[K]): string;
  /** Can CONFIG SET change it while the server runs? */
  mutable: boolean;
  /** A switch: the flag takes no value (`--repair`); CONFIG shows it as yes/no. */
  isSwitch?: boolean;
  /** The flag may be given more than once; the values are joined with spaces before parsing. */
  repeatable?: boolean;
  /**
   * A credential (Redis's SENSITIVE_CONFIG): the startup line shows only whether it is set, and
   * SLOWLOG shows CONFIG SET's value for it as `(redacted)`.
   */
  secret?: boolean;
  /**
   * The value is bytes, as a client sends it (one-byte string): the command line's UTF-8 text is
   * converted to its bytes first, so a password typed in a shell matches the one a client sends.
   */
  bytes?: boolean;
  /**
   * Set when this setting shows and changes one part of another setting's value (`max-output`
   * is the normal class's hard limit inside `client-output-buffer-limit`): the name of that one.
   */
  partOf?: string;
}

function wholeNumber(name: string, min: number, max: number) {
  return (text: string): number => {
    // A negative integer is a number out of range (as Redis words it), not a malformed one.
    const value = /^-[0-9]+$/.test(text) ? -Infinity : parseWholeNumber(text, name);
    if (value < min || value > max) {
      throw new RangeError(`Cannot use ${name} "${text}": must be between ${min} and ${max}`);
    }
    return value;
  };
}

function byteSize(name: string, min: number, max: number) {
  return (text: string): number => {
    const value = parseByteSize(text, name);
    if (value < min || value > max) {
      throw new RangeError(`Cannot use ${name} "${text}": must be between ${min} and ${max} bytes`);
    }
    return value;
  };
}

function oneOf<T extends string>(name: string, choices: readonly T[]) {
  return (text: string): T => {
    const value = text.toLowerCase() as T;
    if (!choices.includes(value)) {
      throw new TypeError(`Cannot use ${name} "${text}": expected one of ${choices.join(", ")}`);
    }
    return value;
  };
}

function yesNo(name: string) {
  return (text: string): boolean => oneOf(name, ["yes", "no"])(text) === "yes";
}

const formatYesNo = (value: boolean): string => value ? "yes" : "no";

/** `host port`, as REPLICAOF and redis.conf's `replicaof` take it; "" (or `no one`) for none. */
function replicaOfValue(text: string): string {
  const words = text.trim().split(/\s+/).filter((w) => w !== "");
  if (words.length === 0 || (words.length === 2 && words.join(" ").toLowerCase() === "no one")) {
    return "";
  }
  if (words.length !== 2) {
    throw new TypeError(`Cannot use replicaof "${text}": expected "<host> <port>"`);
  }
  wholeNumber("replicaof port", 1, 65535)(words[1]);
  return `${words[0]} ${words[1]}`;
}

function decimal(name: string, min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || value < min || value > max) {
      throw new RangeError(`Cannot use ${name} "${text}": must be between ${min} and ${max}`);
    }
    return value;
  };
}

function signedInteger(name: string, min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^-?[0-9]+$/.test(text) || value < min || value > max) {
      throw new RangeError(`Cannot use ${name} "${text}": must be between ${min} and ${max}`);
    }
    return value;
  };
}

/** Redis's LLONG_MAX: the upper bound it states for its unbounded integer settings. */
const LLONG_MAX = 9223372036854775807n;

/**
 * An integer from `min` to {@linkcode LLONG_MAX}, stated with Redis's bounds; values past 2^53
 * act as "never" and lose nothing by becoming the nearest double.
 */
function longInteger(name: string, min: number) {
  return (text: string): number => {
    if (!/^-?[0-9]+$/.test(text)) {
      throw new TypeError(`Cannot parse ${name} "${text}": not an integer`);
    }
    const value = BigInt(text);
    if (value < BigInt(min) || value > LLONG_MAX) {
      throw new RangeError(`Cannot use ${name} "${text}": must be between ${min} and ${LLONG_MAX}`);
    }
    return Number(value);
  };
}

/** A port, or "off" (null). */
function optionalPort(name: string) {
  return (text: string): number | null =>
    text.toLowerCase() === "off" ? null : wholeNumber(name, 0, 65535)(text);
}

/** Space-separated percentiles from 0 to 100 ("50 99 99.9"), as Redis words its refusals. */
function percentileList(text: string): number[] {
  return text.split(" ").filter((word) => word !== "").map((word) => {
    if (!/^-?[0-9]+(\.[0-9]+)?$/.test(word)) {
      throw new TypeError("Invalid latency-tracking-info-percentiles parameters");
    }
    const value = Number(word);
    if (value < 0 || value > 100) {
      throw new RangeError(
        "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]",
      );
    }
    return value;
  });
}

const asString = (value: unknown): string => String(value);
/** The most entries slowlog-max-len allows: each entry holds at most ~4 KB of arguments. */
export const SLOWLOG_MAX_LEN_LIMIT = 100_000;
const MAX_BULK_LIMIT = 512 * 1024 * 1024; // V8 strings stop at about 2^29 one-byte characters

export const SETTINGS: SettingSpec[] = [
  {
    key: "host",
    name: "host",
    aliases: ["bind"],
    help: "Address to listen on",
    valueName: "<addr>",
    parse: (text: string) => {
      if (text.length === 0) throw new TypeError('Cannot use host "": must not be empty');
      return text;
    },
    format: asString,
    mutable: false,
  },
  {
    key: "port",
    name: "port",
    help: "TCP port to listen on (0 picks a free port)",
    valueName: "<n>",
    parse: wholeNumber("port", 0, 65535),
    format: asString,
    mutable: false,
  },
  {
    key: "dir",
    name: "dir",
    help: "Data directory for the write-ahead log",
    valueName: "<path>",
    parse: (text: string) => {
      if (text.length === 0) throw new TypeError('Cannot use dir "": must not be empty');
      return text;
    },
    format: asString,
    mutable: false,
  },
  {
    key: "maxClients",
    name: "maxclients",
    help: "Most clients connected at once; more are refused",
    valueName: "<n>",
    parse: wholeNumber("maxclients", 1, 1_000_000),
    format: asString,
    mutable: true,
  },
  {
    key: "idleTimeoutSec",
    name: "timeout",
    help: "Close a client idle for this many seconds (0 = never)",
    valueName: "<seconds>",
    parse: wholeNumber("timeout", 0, 365 * 24 * 3600),
    format: asString,
    mutable: true,
  },
  {
    key: "maxInlineBytes",
    name: "max-inline",
    help: "Longest inline command line, in bytes",
    valueName: "<bytes>",
    parse: byteSize("max-inline", 16, 64 * 1024 * 1024),
    format: asString,
    mutable: true,
  },
  {
    key: "maxBulkBytes",
    name: "max-bulk",
    aliases: ["proto-max-bulk-len"],
    help: "Largest single argument, in bytes",
    valueName: "<bytes>",
    parse: byteSize("max-bulk", 1024, MAX_BULK_LIMIT),
    format: asString,
    mutable: true,
  },
  {
    key: "maxArgs",
    name: "max-args",
    help: "Most arguments in one command",
    valueName: "<n>",
    parse: wholeNumber("max-args", 16, 16 * 1024 * 1024),
    format: asString,
    mutable: true,
  },
  {
    key: "outputLimits",
    name: "max-output",
    help: "Reply bytes queued for one client before it is disconnected (the normal class of " +
      "--client-output-buffer-limit)",
    valueName: "<bytes>",
    parse: (text: string, current: OutputLimits = DEFAULT_OUTPUT_LIMITS) => {
      const hardBytes = byteSize("max-output", 1024, 1024 * 1024 * 1024 * 1024)(text);
      return { ...current, normal: { ...current.normal, hardBytes } };
    },
    format: (limits: OutputLimits) => String(limits.normal.hardBytes),
    mutable: true,
    partOf: "client-output-buffer-limit",
  },
  {
    key: "outputLimits",
    name: "client-output-buffer-limit",
    help: "Per client class (normal, replica, pubsub): reply bytes queued past which a client " +
      "is disconnected, or past a soft limit for some seconds, as <class> <hard> <soft> <seconds>",
    valueName: "<limits>",
    parse: (text: string, current: OutputLimits = DEFAULT_OUTPUT_LIMITS) =>
      parseOutputLimits(text, current),
    format: formatOutputLimits,
    mutable: true,
  },
  {
    key: "logLevel",
    name: "log-level",
    aliases: ["loglevel"],
    help: `Log verbosity: ${LOG_LEVELS.join(", ")}`,
    valueName: "<level>",
    parse: (text: string): LogLevel => {
      const level = text.toLowerCase() as LogLevel;
      if (!LOG_LEVELS.includes(level)) {
        throw new TypeError(
          `Cannot use log-level "${text}": expected one of ${LOG_LEVELS.join(", ")}`,
        );
      }
      return level;
    },
    format: asString,
    mutable: true,
  },
  {
    key: "fsync",
    name: "fsync",
    aliases: ["appendfsync"],
    help: `When the log is fdatasynced: ${FSYNC_POLICIES.join(", ")}`,
    valueName: "<policy>",
    parse: oneOf("fsync", FSYNC_POLICIES),
    format: asString,
    mutable: true,
  },
  {
    key: "persistence",
    name: "persistence",
    help: "wal: keep a write-ahead log in --dir; none: memory only, no files",
    valueName: "<mode>",
    parse: oneOf("persistence", PERSISTENCE_MODES),
    format: asString,
    mutable: false,
  },
  {
    key: "repair",
    name: "repair",
    help: "Start despite a corrupt log, keeping what precedes the damage (backs up originals)",
    valueName: "",
    parse: (text: string) => oneOf("repair", ["yes", "no"])(text) === "yes",
    format: (value: boolean) => value ? "yes" : "no",
    mutable: false,
    isSwitch: true,
  },
  {
    key: "compactMinBytes",
    name: "compact-min-size",
    aliases: ["auto-aof-rewrite-min-size"],
    help: "Compact the log once its files reach this size (see --compact-growth)",
    valueName: "<bytes>",
    parse: byteSize("compact-min-size", 1024, Number.MAX_SAFE_INTEGER),
    format: asString,
    mutable: true,
  },
  {
    key: "compactGrowth",
    name: "compact-growth",
    help: "Compact only once the log files are this many times the last snapshot",
    valueName: "<factor>",
    parse: decimal("compact-growth", 1.1, 1000),
    format: asString,
    mutable: true,
  },
  {
    key: "maxPartitions",
    name: "max-partitions",
    help: "Most partitions at once (about 10 KB each when empty); CREATE PARTITION refuses more",
    valueName: "<n>",
    parse: wholeNumber("max-partitions", 0, 100_000),
    format: asString,
    mutable: true,
  },
  {
    key: "transactionTimeoutSec",
    name: "transaction-timeout",
    help: "Roll back a BEGIN transaction open this many seconds",
    valueName: "<seconds>",
    parse: wholeNumber("transaction-timeout", 1, 365 * 24 * 3600),
    format: asString,
    mutable: true,
  },
  {
    key: "transactionMaxKeys",
    name: "transaction-max-keys",
    help: "Most keys one BEGIN transaction may write",
    valueName: "<n>",
    parse: wholeNumber("transaction-max-keys", 1, 100_000_000),
    format: asString,
    mutable: true,
  },
  {
    key: "transactionMaxBytes",
    name: "transaction-max-bytes",
    help: "Most bytes of changes a BEGIN transaction (or of commands a MULTI) may buffer",
    valueName: "<bytes>",
    parse: byteSize("transaction-max-bytes", 1024, 4 * 1024 * 1024 * 1024),
    format: asString,
    mutable: true,
  },
  {
    key: "maxWatchedKeys",
    name: "max-watched-keys",
    help: "Most keys one client may WATCH at once",
    valueName: "<n>",
    parse: wholeNumber("max-watched-keys", 1, 100_000_000),
    format: asString,
    mutable: true,
  },
  {
    key: "dbFilename",
    name: "dbfilename",
    help: "File in --dir that SAVE and BGSAVE write (RDB format, loadable by redis-server)",
    valueName: "<name>",
    parse: (text: string) => {
      if (text.length === 0 || text.includes("/")) {
        throw new TypeError(`Cannot use dbfilename "${text}": must be a plain file name`);
      }
      return text;
    },
    format: asString,
    mutable: true,
  },
  {
    key: "replicaOf",
    name: "replicaof",
    aliases: ["slaveof"],
    help: 'Replicate the primary at "<host> <port>" (REPLICAOF changes it at run time)',
    valueName: '"<host> <port>"',
    parse: replicaOfValue,
    format: asString,
    mutable: false,
  },
  {
    key: "masterAuth",
    name: "masterauth",
    help: "Password a replica sends (AUTH) to its primary",
    valueName: "<password>",
    parse: (text: string) => text,
    format: asString,
    mutable: true,
    secret: true,
    bytes: true,
  },
  {
    key: "masterUser",
    name: "masteruser",
    help: "ACL user a replica authenticates as on its primary (with --masterauth)",
    valueName: "<name>",
    parse: (text: string) => text,
    format: asString,
    mutable: true,
    bytes: true,
    secret: true,
  },
  {
    key: "tlsReplication",
    name: "tls-replication",
    help: "A replica connects to its primary over TLS (yes or no)",
    valueName: "<yes|no>",
    parse: yesNo("tls-replication"),
    format: formatYesNo,
    mutable: false,
  },
  {
    key: "replBacklogBytes",
    name: "repl-backlog-size",
    help: "Bytes of the replication stream kept so a reconnecting replica can resume",
    valueName: "<bytes>",
    parse: byteSize("repl-backlog-size", 16 * 1024, 1024 * 1024 * 1024),
    format: asString,
    mutable: true,
  },
  {
    key: "replicaReadOnly",
    name: "replica-read-only",
    aliases: ["slave-read-only"],
    help: "A replica refuses writes from its clients (yes or no)",
    valueName: "<yes|no>",
    parse: yesNo("replica-read-only"),
    format: formatYesNo,
    mutable: true,
  },
  {
    key: "replicaServeStaleData",
    name: "replica-serve-stale-data",
    aliases: ["slave-serve-stale-data"],
    help: "A replica answers reads while its link to the primary is down (yes or no)",
    valueName: "<yes|no>",
    parse: yesNo("replica-serve-stale-data"),
    format: formatYesNo,
    mutable: true,
  },
  {
    key: "replicaPriority",
    name: "replica-priority",
    aliases: ["slave-priority"],
    help: "Sentinel promotes lower priorities first; 0 never promotes this replica",
    valueName: "<n>",
    parse: wholeNumber("replica-priority", 0, 2_147_483_647),
    format: asString,
    mutable: true,
  },
  {
    key: "replTimeoutSec",
    name: "repl-timeout",
    help: "Drop a replication link silent for this many seconds",
    valueName: "<seconds>",
    parse: wholeNumber("repl-timeout", 1, 365 * 24 * 3600),
    format: asString,
    mutable: true,
  },
  {
    key: "replPingPeriodSec",
    name: "repl-ping-replica-period",
    aliases: ["repl-ping-slave-period"],
    help: "The primary PINGs its replicas this often, in seconds",
    valueName: "<seconds>",
    parse: wholeNumber("repl-ping-replica-period", 1, 3600),
    format: asString,
    mutable: true,
  },
  {
    key: "outputLimits",
    name: "replica-output-limit",
    help: "Stream bytes queued for one replica before it is disconnected: the hard limit of " +
      "the replica class of --client-output-buffer-limit",
    valueName: "<bytes>",
    parse: (text: string, current: OutputLimits = DEFAULT_OUTPUT_LIMITS) => {
      const hardBytes = byteSize("replica-output-limit", 1024 * 1024, 1024 ** 4)(text);
      return { ...current, replica: { ...current.replica, hardBytes } };
    },
    format: (limits: OutputLimits) => String(limits.replica.hardBytes),
    mutable: true,
    partOf: "client-output-buffer-limit",
  },
  {
    key: "hashMaxListpackEntries",
    name: "hash-max-listpack-entries",
    aliases: ["hash-max-ziplist-entries"],
    help: "Most fields of a hash stored in its compact form (listpack)",
    valueName: "<n>",
    parse: wholeNumber("hash-max-listpack-entries", 0, 1_000_000),
    format: asString,
    mutable: true,
  },
  {
    key: "hashMaxListpackValue",
    name: "hash-max-listpack-value",
    aliases: ["hash-max-ziplist-value"],
    help: "Longest field or value, in bytes, of a hash stored in its compact form",
    valueName: "<bytes>",
    parse: wholeNumber("hash-max-listpack-value", 0, 1_000_000),
    format: asString,
    mutable: true,
  },
  {
    key: "setMaxIntsetEntries",
    name: "set-max-intset-entries",
    help: "Most members of an all-integer set stored as an intset",
    valueName: "<n>",
    parse: wholeNumber("set-max-intset-entries", 0, 1_000_000),
    format: asString,
    mutable: true,
  },
  {
    key: "listMaxListpackSize",
    name: "list-max-listpack-size",
    aliases: ["list-max-ziplist-size"],
    help: "List node size: -1 to -5 for 4, 8, 16, 32 or 64 KB, or elements per node",
    valueName: "<n>",
    parse: signedInteger("list-max-listpack-size", -5, 65_535),
    format: asString,
    mutable: true,
  },
  {
    key: "requirePass",
    name: "requirepass",
    help: "Password of the default user; clients must AUTH first (empty = none)",
    valueName: "<password>",
    parse: (text: string) => text,
    format: asString,
    mutable: true,
    secret: true,
    bytes: true,
  },
  {
    key: "aclFile",
    name: "aclfile",
    help: "ACL users file: loaded at start (a missing file is created by ACL SAVE)",
    valueName: "<path>",
    parse: (text: string) => text,
    format: asString,
    mutable: false,
  },
  {
    key: "aclLogMaxLen",
    name: "acllog-max-len",
    help: "Most entries kept in the ACL log",
    valueName: "<n>",
    parse: wholeNumber("acllog-max-len", 0, 1_000_000),
    format: asString,
    mutable: true,
  },
  {
    key: "protectedMode",
    name: "protected-mode",
    help: "While the default user has no password, accept clients from 127.0.0.1/::1 only",
    valueName: "<yes|no>",
    parse: yesNo("protected-mode"),
    format: formatYesNo,
    mutable: true,
  },
  {
    key: "disabledCommands",
    name: "disable-command",
    help: "Remove a command (or container|subcommand) from the server; repeatable",
    valueName: "<name>",
    parse: (text: string) => text.toLowerCase().split(/[\s,]+/).filter((name) => name !== ""),
    format: (value: string[]) => value.join(" "),
    mutable: false,
    repeatable: true,
  },
  {
    key: "tlsPort",
    name: "tls-port",
    help: "TLS port (0 = none); with a TLS port, --port 0 turns the plain port off",
    valueName: "<n>",
    parse: wholeNumber("tls-port", 0, 65535),
    format: asString,
    mutable: false,
  },
  {
    key: "tlsCertFile",
    name: "tls-cert-file",
    help: "Server certificate (PEM) for the TLS port",
    valueName: "<path>",
    parse: (text: string) => text,
    format: asString,
    mutable: false,
  },
  {
    key: "tlsKeyFile",
    name: "tls-key-file",
    help: "Private key (PEM) of the server certificate",
    valueName: "<path>",
    parse: (text: string) => text,
    format: asString,
    mutable: false,
  },
  {
    key: "tlsCaCertFile",
    name: "tls-ca-cert-file",
    help: "CA certificates (PEM) client certificates must chain to",
    valueName: "<path>",
    parse: (text: string) => text,
    format: asString,
    mutable: false,
  },
  {
    key: "tlsAuthClients",
    name: "tls-auth-clients",
    help: "Client certificates on the TLS port: yes (required), optional, no",
    valueName: "<mode>",
    parse: oneOf("tls-auth-clients", TLS_AUTH_CLIENTS),
    format: asString,
    mutable: false,
  },
  {
    key: "notifyKeyspaceEvents",
    name: "notify-keyspace-events",
    help: "Keyspace events to publish, as Redis's letters: K and/or E, plus classes " +
      "(A = g$lshzxetd, m, n); empty = none",
    valueName: "<classes>",
    parse: (text: string) => {
      const flags = parseEventClasses(text);
      if (flags === null) throw new SettingValueError(BAD_EVENT_CLASS);
      return flags;
    },
    format: formatEventClasses,
    mutable: true,
  },
  {
    key: "maxChannelBytes",
    name: "max-channel",
    help: "Longest channel or pattern name a client may subscribe to, in bytes",
    valueName: "<bytes>",
    parse: byteSize("max-channel", 16, MAX_BULK_LIMIT),
    format: asString,
    mutable: true,
  },
  {
    key: "maxSubscriptions",
    name: "max-subscriptions",
    help: "Most channels, patterns and shard channels one client may subscribe to",
    valueName: "<n>",
    parse: wholeNumber("max-subscriptions", 1, 100_000_000),
    format: asString,
    mutable: true,
  },
  {
    key: "metricsPort",
    name: "metrics-port",
    help: "Serve /metrics, /healthz and the status page over HTTP on this port (off, or 0 = any)",
    valueName: "<n|off>",
    parse: optionalPort("metrics-port"),
    format: (value: number | null) => value === null ? "off" : String(value),
    mutable: false,
  },
  {
    key: "metricsHost",
    name: "metrics-host",
    help: "Address the HTTP endpoint listens on",
    valueName: "<addr>",
    parse: (text: string) => {
      if (text.length === 0) throw new TypeError('Cannot use metrics-host "": must not be empty');
      return text;
    },
    format: asString,
    mutable: false,
  },
  {
    key: "slowlogSlowerThanUs",
    name: "slowlog-log-slower-than",
    help: "Log commands running at least this many microseconds (-1 = off)",
    valueName: "<us>",
    parse: longInteger("slowlog-log-slower-than", -1),
    format: asString,
    mutable: true,
  },
  {
    key: "slowlogMaxLen",
    name: "slowlog-max-len",
    help: "Most entries the slow log keeps",
    valueName: "<n>",
    parse: wholeNumber("slowlog-max-len", 0, SLOWLOG_MAX_LEN_LIMIT),
    format: asString,
    mutable: true,
  },
  {
    key: "latencyMonitorThresholdMs",
    name: "latency-monitor-threshold",
    help: "Record LATENCY events lasting at least this many milliseconds (0 = off)",
    valueName: "<ms>",
    parse: longInteger("latency-monitor-threshold", 0),
    format: asString,
    mutable: true,
  },
  {
    key: "latencyTracking",
    name: "latency-tracking",
    help: "Keep a latency histogram per command (INFO latencystats, LATENCY HISTOGRAM)",
    valueName: "<yes|no>",
    parse: yesNo("latency-tracking"),
    format: formatYesNo,
    mutable: true,
  },
  {
    key: "latencyTrackingPercentiles",
    name: "latency-tracking-info-percentiles",
    help: "Percentiles INFO latencystats reports",
    valueName: "<list>",
    parse: percentileList,
    format: (value: number[]) => value.map(String).join(" "),
    mutable: true,
  },
  {
    key: "zsetMaxListpackEntries",
    name: "zset-max-listpack-entries",
    aliases: ["zset-max-ziplist-entries"],
    help: "Most members of a sorted set stored in its compact form (listpack)",
    valueName: "<n>",
    parse: wholeNumber("zset-max-listpack-entries", 0, 1_000_000),
    format: asString,
    mutable: true,
  },
  {
    key: "zsetMaxListpackValue",
    name: "zset-max-listpack-value",
    aliases: ["zset-max-ziplist-value"],
    help: "Longest member, in bytes, of a sorted set stored in its compact form",
    valueName: "<bytes>",
    parse: wholeNumber("zset-max-listpack-value", 0, 1_000_000),
    format: asString,
    mutable: true,
  },
  {
    key: "hllSparseMaxBytes",
    name: "hll-sparse-max-bytes",
    help: "Longest sparse HyperLogLog, in bytes, before it turns dense",
    valueName: "<bytes>",
    parse: byteSize("hll-sparse-max-bytes", 0, 1024 * 1024 * 1024),
    format: asString,
    mutable: true,
  },
  {
    key: "enableDebugCommand",
    name: "enable-debug-command",
    help: "Who may run DEBUG: yes (everyone), local (loopback connections) or no",
    valueName: "<yes|local|no>",
    parse: oneOf("enable-debug-command", DEBUG_ACCESS),
    format: asString,
    mutable: false,
  },
  {
    key: "maxmemoryBytes",
    name: "maxmemory",
    help: "Memory limit for data and clients (used_memory less the startup heap, replica " +
      "output and log buffers); past it keys are evicted per --maxmemory-policy (0 = no limit)",
    valueName: "<bytes>",
    parse: byteSize("maxmemory", 0, Number.MAX_SAFE_INTEGER),
    format: asString,
    mutable: true,
  },
  {
    key: "maxmemoryPolicy",
    name: "maxmemory-policy",
    help: "What goes past --maxmemory: noeviction (writes refused), allkeys-lru, allkeys-lfu, " +
      "allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl",
    valueName: "<policy>",
    parse: oneOf("maxmemory-policy", EVICTION_POLICIES),
    format: asString,
    mutable: true,
  },
  {
    key: "maxmemorySamples",
    name: "maxmemory-samples",
    help: "Keys sampled per database to pick each eviction (more: closer to true LRU/LFU)",
    valueName: "<n>",
    parse: wholeNumber("maxmemory-samples", 1, 2_147_483_647),
    format: asString,
    mutable: true,
  },
  {
    key: "maxmemoryEvictionTenacity",
    name: "maxmemory-eviction-tenacity",
    help: "0-100: how long one eviction pass may run (10 = 500 us) before the rest of the " +
      "work continues in the background",
    valueName: "<n>",
    parse: wholeNumber("maxmemory-eviction-tenacity", 0, 100),
    format: asString,
    mutable: true,
  },
  {
    key: "lfuLogFactor",
    name: "lfu-log-factor",
    help: "LFU counter growth: higher means more accesses per counter step",
    valueName: "<n>",
    parse: wholeNumber("lfu-log-factor", 0, 2_147_483_647),
    format: asString,
    mutable: true,
  },
  {
    key: "lfuDecayTimeMin",
    name: "lfu-decay-time",
    help: "Minutes without access after which an LFU counter decreases (0 = never)",
    valueName: "<n>",
    parse: wholeNumber("lfu-decay-time", 0, 2_147_483_647),
    format: asString,
    mutable: true,
  },
  {
    key: "replicaIgnoreMaxmemory",
    name: "replica-ignore-maxmemory",
    aliases: ["slave-ignore-maxmemory"],
    help: "A replica never evicts (it follows its primary's deletions) (yes or no)",
    valueName: "<yes|no>",
    parse: yesNo("replica-ignore-maxmemory"),
    format: formatYesNo,
    mutable: true,
  },
] as SettingSpec[];

/** Redis's defaults, with Hermes's bound for normal clients (`--max-output`, 64 MB). */
const DEFAULT_OUTPUT_LIMITS: OutputLimits = {
  normal: { hardBytes: 64 * 1024 * 1024, softBytes: 0, softSeconds: 0 },
  replica: { hardBytes: 256 * 1024 * 1024, softBytes: 64 * 1024 * 1024, softSeconds: 60 },
  pubsub: { hardBytes: 32 * 1024 * 1024, softBytes: 8 * 1024 * 1024, softSeconds: 60 },
};

/** Built-in defaults: what `deno task start` with no flags runs with. */
export const DEFAULT_CONFIG: Readonly<Config> = Object.freeze({
  host: "127.0.0.1",
  port: 8080,
  dir: "./data",
  maxClients: 10_000,
  idleTimeoutSec: 0,
  maxInlineBytes: 64 * 1024,
  maxBulkBytes: MAX_BULK_LIMIT,
  maxArgs: 1024 * 1024,
  outputLimits: DEFAULT_OUTPUT_LIMITS,
  logLevel: "info",
  fsync: "always",
  persistence: "wal",
  repair: false,
  compactMinBytes: 64 * 1024 * 1024,
  compactGrowth: 2,
  maxPartitions: 1024,
  transactionTimeoutSec: 60,
  transactionMaxKeys: 10_000,
  transactionMaxBytes: 16 * 1024 * 1024,
  maxWatchedKeys: 10_000,
  dbFilename: "dump.rdb",
  replicaOf: "",
  masterAuth: "",
  masterUser: "",
  tlsReplication: false,
  replBacklogBytes: 1024 * 1024,
  replicaReadOnly: true,
  replicaServeStaleData: true,
  replicaPriority: 100,
  replTimeoutSec: 60,
  replPingPeriodSec: 10,
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  listMaxListpackSize: -2,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  hllSparseMaxBytes: 3000,
  enableDebugCommand: "local",
  requirePass: "",
  aclFile: "",
  aclLogMaxLen: 128,
  protectedMode: true,
  disabledCommands: [],
  tlsPort: 0,
  tlsCertFile: "",
  tlsKeyFile: "",
  tlsCaCertFile: "",
  tlsAuthClients: "yes",
  notifyKeyspaceEvents: 0,
  maxChannelBytes: 64 * 1024,
  maxSubscriptions: 100_000,
  metricsPort: null,
  metricsHost: "127.0.0.1",
  slowlogSlowerThanUs: 10_000,
  slowlogMaxLen: 128,
  latencyMonitorThresholdMs: 0,
  latencyTracking: true,
  latencyTrackingPercentiles: [50, 99, 99.9],
  maxmemoryBytes: 0,
  maxmemoryPolicy: "noeviction",
  maxmemorySamples: 5,
  maxmemoryEvictionTenacity: 10,
  lfuLogFactor: 10,
  lfuDecayTimeMin: 1,
  replicaIgnoreMaxmemory: true,
});

/** Finds a setting by its name or a Redis alias, case-insensitively. */
export function findSetting(name: string): SettingSpec | undefined {
  const wanted = name.toLowerCase();
  return SETTINGS.find((s) => s.name === wanted || s.aliases?.includes(wanted));
}
