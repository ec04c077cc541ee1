/**
 * CONFIG GET, SET, RESETSTAT, REWRITE and HELP over the settings table (src/config/settings.ts),
 * answering with Redis's names, shapes and error texts so that Redis tooling works unchanged.
 */
import type { CommandContext } from "./context.ts";
import { resetPartitionCounters } from "../store/partition.ts";
import type { CommandSpec } from "./spec.ts";
import { helpSubcommand, NO_KEYS } from "./spec.ts";
import { CommandError, configSetFailed, Errors, unknownConfigOption } from "./errors.ts";
import {
  type Config,
  findSetting,
  SETTINGS,
  type SettingSpec,
  SettingValueError,
} from "../config/settings.ts";
import type { ServerControl } from "./server_control.ts";
import { DATABASE_COUNT } from "../store/databases.ts";
import { globMatch } from "../store/glob.ts";
import { rewriteConfigFile } from "../config/config_file.ts";

/**
 * Redis parameters that are not Hermes settings but that Redis tooling asks about
 * (redis-benchmark reads `save` and `appendonly`, exporters read `databases`). Each answers
 * truthfully from what Hermes does; CONFIG SET accepts only the value already in force.
 * A real setting of the same name or alias in settings.ts takes precedence over an entry here.
 */
const DERIVED: { name: string; value: (config: Config) => string }[] = [
  { name: "save", value: () => "" }, // Hermes never writes snapshots
  { name: "appendonly", value: (config) => config.persistence === "wal" ? "yes" : "no" },
  { name: "databases", value: () => String(DATABASE_COUNT) },
  { name: "cluster-enabled", value: () => "no" },
];

/** A parameter CONFIG GET can report: a setting under one of its names, or a derived entry. */
interface Parameter {
  /** Identifies the parameter whatever name it was found by (for de-duplication). */
  id: string;
  value(server: ServerControl): string;
  setting?: SettingSpec;
}

function settingParameter(setting: SettingSpec): Parameter {
  return {
    id: setting.name,
    setting,
    // The port actually bound, which differs from the setting when it was 0.
    value: (server) =>
      setting.key === "port"
        ? String(server.port)
        : setting.key === "tlsPort"
        ? String(server.tlsPort)
        : setting.format(server.config[setting.key] as never),
  };
}

function derivedParameter(entry: typeof DERIVED[number]): Parameter {
  return { id: entry.name, value: (server) => entry.value(server.config) };
}

/**
 * Every name CONFIG GET matches patterns against, with the parameter it stands for. Aliases come
 * before their setting's own name so that `CONFIG GET *` lists both, as Redis usually does.
 */
function allNames(): [name: string, parameter: Parameter][] {
  const names: [string, Parameter][] = [];
  for (const setting of SETTINGS) {
    const parameter = settingParameter(setting);
    for (const alias of setting.aliases ?? []) names.push([alias, parameter]);
    names.push([setting.name, parameter]);
  }
  for (const entry of DERIVED) {
    if (!findSetting(entry.name)) names.push([entry.name, derivedParameter(entry)]);
  }
  return names;
}

/** The parameter called `name` (any case), or undefined. */
function lookup(name: string): Parameter | undefined {
  const setting = findSetting(name);
  if (setting) return settingParameter(setting);
  const wanted = name.toLowerCase();
  const entry = DERIVED.find((d) => d.name === wanted);
  return entry ? derivedParameter(entry) : undefined;
}

/**
 * CONFIG GET pattern [pattern ...], with Redis's de-duplication: a name without glob characters
 * is looked up directly and reported as the client spelled it, once per name; a pattern matches
 * names and aliases case-insensitively but skips a parameter already reported by its own name.
 */
function configGet(ctx: CommandContext, argv: string[]): void {
  const found = new Map<string, [name: string, value: string]>();
  const names = allNames();
  for (let i = 2; i < argv.length; i++) {
    const pattern = argv[i];
    if (!/[*?[]/.test(pattern)) {
      const parameter = lookup(pattern);
      const key = pattern.toLowerCase();
      if (parameter && !found.has(key)) found.set(key, [pattern, parameter.value(ctx.server)]);
      continue;
    }
    const lowered = pattern.toLowerCase();
    for (const [name, parameter] of names) {
      if (found.has(parameter.id) || found.has(name) || !globMatch(lowered, name)) continue;
      found.set(name, [name, parameter.value(ctx.server)]);
    }
  }
  ctx.out.mapHeader(found.size);
  for (const [name, value] of found.values()) {
    ctx.out.bulk(name);
    ctx.out.bulk(value);
  }
}

/** Redis's log level names, accepted by CONFIG SET loglevel as the nearest Hermes level. */
const REDIS_LOG_LEVELS: Record<string, string> = {
  verbose: "debug",
  notice: "info",
  warning: "warn",
};

/**
 * Parses a CONFIG SET value for `setting` given the value in force (`current`), refusing with
 * Redis's wording for the kind of value (integer, memory size, one of a list). `name` is the
 * parameter as the client spelled it.
 */
export function parseSettingValue(
  setting: SettingSpec,
  name: string,
  text: string,
  current: unknown,
): unknown {
  try {
    if (setting.key === "logLevel") text = REDIS_LOG_LEVELS[text.toLowerCase()] ?? text;
    return setting.parse(text, current as never);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const range = /between (-?[0-9.]+) and ([0-9.]+)/.exec(message);
    const choices = /expected one of (.+)$/.exec(message);
    let reason: string;
    if (error instanceof SettingValueError) {
      reason = message; // already Redis's own words
    } else if (error instanceof RangeError && range) {
      reason = `argument must be between ${range[1]} and ${range[2]} inclusive`;
    } else if (choices?.[1] === "yes, no") {
      reason = "argument must be 'yes' or 'no'";
    } else if (choices) {
      reason = `argument(s) must be one of the following: ${choices[1]}`;
    } else if (setting.valueName === "<bytes>") {
      reason = "argument must be a memory value";
    } else if (["<n>", "<seconds>", "<us>", "<ms>"].includes(setting.valueName)) {
      reason = "argument couldn't be parsed into an integer";
    } else {
      reason = message;
    }
    throw configSetFailed(name, reason);
  }
}

/**
 * CONFIG SET name value [name value ...]: all or nothing. Every name is checked first (unknown,
 * immutable, named twice), then every value, and only then is anything applied.
 */
function configSet(ctx: CommandContext, argv: string[]): void {
  if (argv.length % 2 !== 0) throw Errors.syntax;
  // Credentials are hidden from SLOWLOG before anything is checked, so even a refused CONFIG SET
  // shows none (Redis's SENSITIVE_CONFIG).
  for (let i = 2; i < argv.length; i += 2) {
    if (findSetting(argv[i])?.secret) ctx.observability.redact(argv, i + 1);
  }
  const pairs: { name: string; value: string; parameter: Parameter }[] = [];
  let unknown: string | null = null;
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i];
    const parameter = lookup(name);
    if (!parameter) {
      unknown ??= name;
      continue;
    }
    const derivedUnchanged = !parameter.setting &&
      argv[i + 1].toLowerCase() === parameter.value(ctx.server);
    if (!parameter.setting?.mutable && !derivedUnchanged) {
      throw unknown !== null
        ? unknownConfigOption(unknown)
        : configSetFailed(name, "can't set immutable config");
    }
    if (pairs.some((p) => p.parameter.id === parameter.id)) {
      throw unknown !== null
        ? unknownConfigOption(unknown)
        : configSetFailed(name, "duplicate parameter");
    }
    pairs.push({ name, value: argv[i + 1], parameter });
  }
  if (unknown !== null) throw unknownConfigOption(unknown);
  // Checked against the values in force, then applied in order: two names for parts of one
  // value (max-output and client-output-buffer-limit) both take effect.
  for (const { name, value, parameter } of pairs) {
    const setting = parameter.setting;
    if (setting) parseSettingValue(setting, name, value, ctx.server.config[setting.key]);
  }
  for (const { value, parameter } of pairs) {
    if (parameter.setting) ctx.server.setConfig(parameter.setting.name, value);
  }
  ctx.out.ok();
}

/** CONFIG RESETSTAT: zeroes the counters INFO reports, as Redis's resetServerStats does. */
function resetStats(ctx: CommandContext): void {
  // Counters are zeroed in place: the dispatcher holds this command's own counters and adds this
  // call to them afterwards, so RESETSTAT shows up with calls=1 as in Redis.
  const stats = ctx.stats;
  for (const counters of stats.commands.values()) {
    counters.calls = 0;
    counters.usec = 0;
    counters.rejectedCalls = 0;
    counters.failedCalls = 0;
    counters.latency.clear();
  }
  stats.errors.clear();
  stats.totalCommandsProcessed = 0;
  const acl = ctx.acl.stats;
  acl.deniedAuth = 0;
  acl.deniedCommand = 0;
  acl.deniedKey = 0;
  acl.deniedChannel = 0;
  stats.totalErrorReplies = 0;
  for (const partition of ctx.store.partitions()) resetPartitionCounters(partition.stats);
  const store = ctx.store.stats;
  store.expiredKeys = 0;
  store.keyspaceHits = 0;
  store.keyspaceMisses = 0;
  const network = ctx.server.network;
  network.totalConnectionsReceived = 0;
  network.rejectedConnections = 0;
  network.totalNetInputBytes = 0;
  network.totalNetOutputBytes = 0;
  ctx.out.ok();
}

const HELP = [
  "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET <pattern> [<pattern> ...]",
  "    Return the parameters matching the glob-like patterns and their values.",
  "SET <directive> <value> [<directive> <value> ...]",
  "    Set each configuration <directive> to its <value>, all or none.",
  "RESETSTAT",
  "    Reset the statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
  "HELP",
  "    Print this help.",
];

export const configCommands: CommandSpec[] = [
  {
    name: "config",
    arity: -2,
    flags: [],
    keys: NO_KEYS,
    group: "server",
    summary: "A container for server configuration commands.",
    since: "2.0.0",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "config|get",
        arity: -3,
        flags: ["admin", "noscript", "loading", "stale"],
        keys: NO_KEYS,
        group: "server",
        summary: "Returns the effective values of configuration parameters.",
        since: "2.0.0",
        complexity: "O(N) when N is the number of configuration parameters provided",
        args: [{ name: "parameter", type: "string", flags: ["multiple"] }],
        handler: configGet,
      },
      {
        name: "config|set",
        arity: -4,
        flags: ["admin", "noscript", "loading", "stale"],
        keys: NO_KEYS,
        group: "server",
        summary: "Sets configuration parameters in-flight.",
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        since: "2.0.0",
        complexity: "O(N) when N is the number of configuration parameters provided",
        args: [{
          name: "data",
          type: "block",
          flags: ["multiple"],
          arguments: [
            { name: "parameter", type: "string" },
            { name: "value", type: "string" },
          ],
        }],
        handler: configSet,
      },
      {
        name: "config|resetstat",
        arity: 2,
        flags: ["admin", "noscript", "loading", "stale"],
        keys: NO_KEYS,
        group: "server",
        summary: "Resets the server's statistics.",
        since: "2.0.0",
        complexity: "O(1)",
        handler: resetStats,
      },
      {
        name: "config|rewrite",
        arity: 2,
        flags: ["admin", "noscript", "loading", "stale"],
        keys: NO_KEYS,
        group: "server",
        summary: "Persists the effective configuration to file.",
        since: "2.8.0",
        complexity: "O(1)",
        handler(ctx) {
          const path = ctx.server.configFile;
          if (path === null) throw Errors.noConfigFile;
          try {
            rewriteConfigFile(path, ctx.server.config);
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            throw new CommandError(`ERR Rewriting config file: ${reason}`);
          }
          ctx.out.ok();
        },
      },
      helpSubcommand("config", "server", "5.0.0", HELP),
    ],
  },
];
