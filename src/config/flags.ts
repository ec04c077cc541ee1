/**
 * Command-line flags: parsed with `node:util` parseArgs from the settings table, so every
 * setting is a flag and `--help` lists exactly what exists. Flags take their value as the next
 * argument or after `=` (`--port 6380`, `--port=6380`).
 */
import { parseArgs } from "node:util";
import { type Config, DEFAULT_CONFIG, SETTINGS, type SettingSpec } from "./settings.ts";
import { VERSION } from "../version.ts";
import { applyConfigFile, ConfigFileError } from "./config_file.ts";
import { utf8ToLatin1 } from "../protocol/latin1.ts";

/** What the command line asked for: run with a config, or print something and exit. */
export type FlagsOutcome =
  | {
    kind: "run";
    config: Config;
    /** The config file given as the first argument (CONFIG REWRITE rewrites it), or null. */
    configFile: string | null;
    /** Lines of the config file that were ignored, to be logged. */
    warnings: string[];
  }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string };

/** Thrown for an unknown flag or a bad value; main prints it and exits with status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

type OptionSpec = { type: "string" | "boolean"; short?: string };

function optionTable(): Record<string, OptionSpec> {
  const options: Record<string, OptionSpec> = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "v" },
  };
  for (const setting of SETTINGS) {
    options[setting.name] = { type: setting.isSwitch ? "boolean" : "string" };
  }
  return options;
}

/**
 * Parses `args` (without the program name) into a config: the defaults, then the config file
 * when the first argument is one (`hermes /etc/hermes.conf --port 7000`), then the flags.
 */
export function parseFlags(args: string[]): FlagsOutcome {
  let configFile: string | null = null;
  if (args.length > 0 && !args[0].startsWith("-")) {
    configFile = args[0];
    args = args.slice(1);
  }
  const options = optionTable();
  // Not strict: every token is checked below, so the messages can name the flag plainly.
  const { tokens } = parseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const given = new Map<string, string>();
  let help = false;
  let version = false;
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      throw new UsageError(
        `Unexpected argument "${token.value}": hermes takes a config file first, then flags`,
      );
    }
    const option = options[token.name];
    const isShortAlias = !token.rawName.startsWith("--");
    if (!option || (isShortAlias && option.short === undefined)) {
      throw new UsageError(`Unknown flag "${token.rawName}"${suggestion(token.name)}`);
    }
    if (token.name === "help" || token.name === "version") {
      if (token.value !== undefined) {
        throw new UsageError(`Flag "${token.rawName}" takes no value`);
      }
      if (token.name === "help") help = true;
      else version = true;
      continue;
    }
    if (option.type === "boolean") {
      // A switch: `--repair`, or explicitly `--repair=yes` / `--repair=no`.
      given.set(token.name, token.value ?? "yes");
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) {
      throw new UsageError(
        `Missing value for "--${token.name}" (expected ${valueName(token.name)})`,
      );
    }
    const previous = given.get(token.name);
    const repeatable = SETTINGS.some((s) => s.name === token.name && s.repeatable);
    given.set(
      token.name,
      repeatable && previous !== undefined ? `${previous} ${token.value}` : token.value,
    );
  }
  if (help) return { kind: "help", text: helpText() };
  if (version) return { kind: "version", text: `hermes ${VERSION}` };

  const config: Config = { ...DEFAULT_CONFIG };
  let warnings: string[] = [];
  if (configFile !== null) {
    try {
      warnings = applyConfigFile(configFile, config);
    } catch (error) {
      if (error instanceof ConfigFileError) throw new UsageError(error.message);
      throw error;
    }
  }
  for (const setting of SETTINGS) {
    const raw = given.get(setting.name);
    if (raw === undefined) continue;
    try {
      const text = setting.bytes ? utf8ToLatin1(raw) : raw;
      (config as unknown as Record<string, unknown>)[setting.key] = setting.parse(
        text,
        config[setting.key] as never,
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const lowered = reason.charAt(0).toLowerCase() + reason.slice(1);
      throw new UsageError(`Invalid value for "--${setting.name}": ${lowered}`);
    }
  }
  return { kind: "run", config, configFile, warnings };
}

function valueName(flag: string): string {
  return SETTINGS.find((s) => s.name === flag)?.valueName ?? "a value";
}

/** ` (did you mean "--port"?)` for a near miss of a known flag, else "". */
function suggestion(name: string): string {
  const names = ["help", "version", ...SETTINGS.map((s: SettingSpec) => s.name)];
  let best = "";
  let bestDistance = 3;
  for (const candidate of names) {
    const distance = editDistance(name.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === "" ? "" : ` (did you mean "--${best}"?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

/** The `--help` text, generated from the settings table. */
export function helpText(): string {
  const flags = SETTINGS.map((s) => s.isSwitch ? `--${s.name}` : `--${s.name} ${s.valueName}`);
  const width = Math.max(28, ...flags.map((flag) => flag.length));
  const rows = SETTINGS.map((s, i) => {
    const fallback = s.format(DEFAULT_CONFIG[s.key] as never);
    return `  ${flags[i].padEnd(width)} ${s.help} (default: ${fallback === "" ? '""' : fallback})`;
  });
  return [
    `hermes ${VERSION}: a Redis-compatible key-value server`,
    "",
    "Usage: hermes [file] [flags]    run the server (file: redis.conf syntax; flags override)",
    "       hermes cli [options]     interactive client (hermes cli --help)",
    "       hermes check-log <dir>   verify every record of the log in <dir>",
    "       hermes dump-log <dir>    print the records of the log in <dir>",
    "",
    "Flags:",
    ...rows,
    `  ${"-h, --help".padEnd(width)} Print this help and exit`,
    `  ${"-v, --version".padEnd(width)} Print the version and exit`,
  ].join("\n");
}
