/**
 * The options of `open` and `db.listen`: every server setting (src/config/settings.ts), named
 * as its flag in camelCase (`--notify-keyspace-events` is `notifyKeyspaceEvents`), taking what
 * the flag takes (numbers, booleans for yes/no settings, or the flag's own text such as "64mb").
 * Each value is parsed by its setting, with the same checks and errors as the flag.
 */
import { type Config, findSetting, SETTINGS, type SettingSpec } from "../config/settings.ts";
import { utf8ToLatin1 } from "../protocol/latin1.ts";

/** A byte size: a number of bytes, or text with a unit as the flag takes it ("64mb"). */
export type ByteSize = number | string;

/**
 * Every server setting, as an option of `open` and `db.listen`. `--help` of the `hermes`
 * executable describes each; the README lists them.
 */
export interface ServerOptions {
  /** Address to listen on (default `127.0.0.1`). */
  host?: string;
  /** TCP port to listen on (0 picks a free port). */
  port?: number;
  /** Data directory for the write-ahead log (default `./data`). */
  dir?: string;
  /** Most clients connected at once; more are refused. */
  maxclients?: number;
  /** Close a client idle for this many seconds (0 = never). */
  timeout?: number;
  /** Longest inline command line, in bytes. */
  maxInline?: ByteSize;
  /** Largest single argument, in bytes. */
  maxBulk?: ByteSize;
  /** Most arguments in one command. */
  maxArgs?: number;
  /** Reply bytes queued for one client before it is disconnected. */
  maxOutput?: ByteSize;
  /** Per client class: `<class> <hard> <soft> <seconds>`, as the flag. */
  clientOutputBufferLimit?: string;
  /** Log verbosity (default for an embedded store: `warn`). */
  logLevel?: "debug" | "info" | "warn" | "error";
  /** When the log is fdatasynced: `always` (default: a write resolves once durable), `everysec`, `no`. */
  fsync?: "always" | "everysec" | "no";
  /** `wal`: keep a write-ahead log in `dir` (default); `none`: memory only, no files. */
  persistence?: "wal" | "none";
  /** Open despite a corrupt log, keeping what precedes the damage (backs up originals). */
  repair?: boolean;
  /** Compact the log once its files reach this size. */
  compactMinSize?: ByteSize;
  /** Compact only once the log files are this many times the last snapshot. */
  compactGrowth?: number;
  /** Most partitions at once. */
  maxPartitions?: number;
  /** Roll back a BEGIN transaction open this many seconds. */
  transactionTimeout?: number;
  /** Most keys one BEGIN transaction may write. */
  transactionMaxKeys?: number;
  /** Most bytes of changes a BEGIN transaction (or of commands a MULTI) may buffer. */
  transactionMaxBytes?: ByteSize;
  /** Most keys one client may WATCH at once. */
  maxWatchedKeys?: number;
  /** File in `dir` that SAVE and BGSAVE write (RDB format). */
  dbfilename?: string;
  /** Replicate the primary at `"<host> <port>"`. */
  replicaof?: string;
  /** Password a replica sends to its primary. */
  masterauth?: string;
  /** ACL user a replica authenticates as on its primary. */
  masteruser?: string;
  /** A replica connects to its primary over TLS. */
  tlsReplication?: boolean;
  /** Bytes of the replication stream kept for partial resyncs. */
  replBacklogSize?: ByteSize;
  /** A replica refuses writes from its clients. */
  replicaReadOnly?: boolean;
  /** A replica answers reads while its link to the primary is down. */
  replicaServeStaleData?: boolean;
  /** Sentinel promotes lower priorities first; 0 never promotes this replica. */
  replicaPriority?: number;
  /** Drop a replication link silent for this many seconds. */
  replTimeout?: number;
  /** The primary PINGs its replicas this often, in seconds. */
  replPingReplicaPeriod?: number;
  /** Stream bytes queued for one replica before it is disconnected. */
  replicaOutputLimit?: ByteSize;
  /** Most fields of a hash stored in its compact form. */
  hashMaxListpackEntries?: number;
  /** Longest field or value of a hash stored in its compact form, in bytes. */
  hashMaxListpackValue?: number;
  /** Most members of an all-integer set stored as an intset. */
  setMaxIntsetEntries?: number;
  /** List node size: -1 to -5 for 4 to 64 KB, or elements per node. */
  listMaxListpackSize?: number;
  /** Most members of a sorted set stored in its compact form (listpack). */
  zsetMaxListpackEntries?: number;
  /** Longest member of a sorted set stored in its compact form, in bytes. */
  zsetMaxListpackValue?: number;
  /** Largest sparse HyperLogLog, in bytes, before it turns dense. */
  hllSparseMaxBytes?: ByteSize;
  /** Who may run DEBUG: `yes` (everyone), `local` (loopback and embedded sessions), `no`. */
  enableDebugCommand?: "yes" | "local" | "no";
  /** Password of the default user for network clients (embedded sessions are trusted). */
  requirepass?: string;
  /** ACL users file. */
  aclfile?: string;
  /** Most entries kept in the ACL log. */
  acllogMaxLen?: number;
  /** While the default user has no password, accept clients from loopback only. */
  protectedMode?: boolean;
  /** Commands (or `container|subcommand`) removed from the command table. */
  disableCommand?: string | string[];
  /** TLS port (0 = none). */
  tlsPort?: number;
  /** Server certificate (PEM file) for the TLS port. */
  tlsCertFile?: string;
  /** Private key (PEM file) of the server certificate. */
  tlsKeyFile?: string;
  /** CA certificates (PEM file) client certificates must chain to. */
  tlsCaCertFile?: string;
  /** Client certificates on the TLS port: `yes` (required), `optional`, `no`. */
  tlsAuthClients?: "yes" | "optional" | "no";
  /** Keyspace events to publish, as Redis's letters (`KEA`, `Ex`, ...). */
  notifyKeyspaceEvents?: string;
  /** Longest channel or pattern name a client may subscribe to, in bytes. */
  maxChannel?: ByteSize;
  /** Most channels, patterns and shard channels one client may subscribe to. */
  maxSubscriptions?: number;
  /** Serve /metrics, /healthz and the status page on this port while listening (0 = any). */
  metricsPort?: number | "off";
  /** Address the HTTP endpoint listens on. */
  metricsHost?: string;
  /** Slow log threshold in microseconds (-1 = off). */
  slowlogLogSlowerThan?: number;
  /** Most entries the slow log keeps. */
  slowlogMaxLen?: number;
  /** Record LATENCY events lasting at least this many milliseconds (0 = off). */
  latencyMonitorThreshold?: number;
  /** Keep a latency histogram per command. */
  latencyTracking?: boolean;
  /** Percentiles INFO latencystats reports. */
  latencyTrackingInfoPercentiles?: number[] | string;
  /** Memory limit (used_memory); past it keys are evicted per `maxmemoryPolicy` (0 = none). */
  maxmemory?: ByteSize;
  /** What goes past `maxmemory`: `noeviction` (default: writes refused) or an eviction policy. */
  maxmemoryPolicy?:
    | "noeviction"
    | "allkeys-lru"
    | "allkeys-lfu"
    | "allkeys-random"
    | "volatile-lru"
    | "volatile-lfu"
    | "volatile-random"
    | "volatile-ttl";
  /** Keys sampled per database to pick each eviction (default 5). */
  maxmemorySamples?: number;
  /** 0-100: how long one eviction pass may run before the rest goes to the background. */
  maxmemoryEvictionTenacity?: number;
  /** LFU counter growth: higher means more accesses per counter step (default 10). */
  lfuLogFactor?: number;
  /** Minutes without access after which an LFU counter decreases (0 = never). */
  lfuDecayTime?: number;
  /** A replica never evicts: it follows its primary's deletions (default true). */
  replicaIgnoreMaxmemory?: boolean;
}

/**
 * Every option of {@linkcode ServerOptions}, as a value: the compiler checks it names each one,
 * and a test checks the settings table has no setting without an option.
 */
export const OPTION_NAMES: Readonly<Record<keyof ServerOptions, true>> = {
  host: true,
  port: true,
  dir: true,
  maxclients: true,
  timeout: true,
  maxInline: true,
  maxBulk: true,
  maxArgs: true,
  maxOutput: true,
  clientOutputBufferLimit: true,
  logLevel: true,
  fsync: true,
  persistence: true,
  repair: true,
  compactMinSize: true,
  compactGrowth: true,
  maxPartitions: true,
  transactionTimeout: true,
  transactionMaxKeys: true,
  transactionMaxBytes: true,
  maxWatchedKeys: true,
  dbfilename: true,
  replicaof: true,
  masterauth: true,
  masteruser: true,
  tlsReplication: true,
  replBacklogSize: true,
  replicaReadOnly: true,
  replicaServeStaleData: true,
  replicaPriority: true,
  replTimeout: true,
  replPingReplicaPeriod: true,
  replicaOutputLimit: true,
  hashMaxListpackEntries: true,
  hashMaxListpackValue: true,
  setMaxIntsetEntries: true,
  listMaxListpackSize: true,
  zsetMaxListpackEntries: true,
  zsetMaxListpackValue: true,
  hllSparseMaxBytes: true,
  enableDebugCommand: true,
  requirepass: true,
  aclfile: true,
  acllogMaxLen: true,
  protectedMode: true,
  disableCommand: true,
  tlsPort: true,
  tlsCertFile: true,
  tlsKeyFile: true,
  tlsCaCertFile: true,
  tlsAuthClients: true,
  notifyKeyspaceEvents: true,
  maxChannel: true,
  maxSubscriptions: true,
  metricsPort: true,
  metricsHost: true,
  slowlogLogSlowerThan: true,
  slowlogMaxLen: true,
  latencyMonitorThreshold: true,
  latencyTracking: true,
  latencyTrackingInfoPercentiles: true,
  maxmemory: true,
  maxmemoryPolicy: true,
  maxmemorySamples: true,
  maxmemoryEvictionTenacity: true,
  lfuLogFactor: true,
  lfuDecayTime: true,
  replicaIgnoreMaxmemory: true,
};

/** The option name of a setting: its flag name in camelCase. */
export function optionName(setting: SettingSpec): string {
  return setting.name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

const BY_OPTION = new Map(SETTINGS.map((setting) => [optionName(setting), setting]));

/** One option: its setting, and its value as the flag's text. */
export interface OptionValue {
  setting: SettingSpec;
  text: string;
}

/**
 * The given options as settings and flag text, in the settings table's order (so `maxOutput`
 * lands inside `clientOutputBufferLimit` as the flags do). Throws a TypeError for an unknown
 * option.
 */
export function optionValues(options: object): OptionValue[] {
  const given = new Map<SettingSpec, string>();
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const setting = BY_OPTION.get(name);
    if (setting === undefined) {
      throw new TypeError(`Cannot use option "${name}": no such setting${hint(name)}`);
    }
    given.set(setting, optionText(value));
  }
  return SETTINGS.filter((setting) => given.has(setting))
    .map((setting) => ({ setting, text: given.get(setting)! }));
}

/** Applies options to `config` as flags are applied (parsed by each setting). */
export function applyOptions(config: Config, options: object): void {
  for (const { setting, text } of optionValues(options)) {
    const raw = setting.bytes ? utf8ToLatin1(text) : text;
    (config as unknown as Record<string, unknown>)[setting.key] = setting.parse(
      raw,
      config[setting.key] as never,
    );
  }
}

function optionText(value: unknown): string {
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.map(String).join(" ");
  if (value === null) return "off";
  return String(value);
}

function hint(name: string): string {
  const lower = name.toLowerCase();
  for (const known of BY_OPTION.keys()) {
    if (known.toLowerCase() === lower) return ` (did you mean "${known}"?)`;
  }
  const setting = findSetting(name);
  return setting ? ` (as an option it is "${optionName(setting)}")` : "";
}
