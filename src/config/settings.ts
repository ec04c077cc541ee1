/**
 * Every setting Hermes has, in one table: the command-line flags, `--help`, CONFIG GET and
 * CONFIG SET all read it, so a setting is declared exactly once.
 */
import { parseByteSize, parseWholeNumber } from "./units.ts";

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
  maxOutputBytes: number;
  logLevel: LogLevel;
}

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];

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
  parse(text: string): Config[K];
  format(value: Config[K]): string;
  /** Can CONFIG SET change it while the server runs? */
  mutable: boolean;
}

function wholeNumber(name: string, min: number, max: number) {
  return (text: string): number => {
    const value = parseWholeNumber(text, name);
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

const asString = (value: unknown): string => String(value);
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
    key: "maxOutputBytes",
    name: "max-output",
    help: "Reply bytes queued for one client before it is disconnected",
    valueName: "<bytes>",
    parse: byteSize("max-output", 1024, 1024 * 1024 * 1024 * 1024),
    format: asString,
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
] as SettingSpec[];

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
  maxOutputBytes: 64 * 1024 * 1024,
  logLevel: "info",
});

/** Finds a setting by its name or a Redis alias, case-insensitively. */
export function findSetting(name: string): SettingSpec | undefined {
  const wanted = name.toLowerCase();
  return SETTINGS.find((s) => s.name === wanted || s.aliases?.includes(wanted));
}
