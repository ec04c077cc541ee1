/**
 * Command-line flags: parsed with `node:util` parseArgs from the settings table, so every
 * setting is a flag and `--help` lists exactly what exists.
 */
import { parseArgs } from "node:util";
import { type Config, DEFAULT_CONFIG, SETTINGS } from "./settings.ts";
import { VERSION } from "../version.ts";

/** What the command line asked for: run with a config, or print something and exit. */
export type FlagsOutcome =
  | { kind: "run"; config: Config }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string };

/** Thrown for an unknown flag or a bad value; main prints it and exits with status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Parses `args` (without the program name) into a config, starting from the defaults. */
export function parseFlags(args: string[]): FlagsOutcome {
  const options: Record<string, { type: "string" | "boolean" }> = {
    help: { type: "boolean" },
    version: { type: "boolean" },
  };
  for (const setting of SETTINGS) options[setting.name] = { type: "string" };

  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { kind: "help", text: helpText() };
  if (values.version) return { kind: "version", text: `hermes ${VERSION}` };

  const config: Config = { ...DEFAULT_CONFIG };
  for (const setting of SETTINGS) {
    const raw = values[setting.name];
    if (typeof raw !== "string") continue;
    try {
      (config as unknown as Record<string, unknown>)[setting.key] = setting.parse(raw);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  return { kind: "run", config };
}

/** The `--help` text, generated from the settings table. */
export function helpText(): string {
  const rows = SETTINGS.map((s) => {
    const flag = `--${s.name} ${s.valueName}`;
    const fallback = s.format(DEFAULT_CONFIG[s.key] as never);
    return `  ${flag.padEnd(26)} ${s.help} (default: ${fallback === "" ? '""' : fallback})`;
  });
  return [
    `hermes ${VERSION}: a Redis-compatible key-value server`,
    "",
    "Usage: hermes [flags]",
    "",
    "Flags:",
    ...rows,
    `  ${"--help".padEnd(26)} Print this help and exit`,
    `  ${"--version".padEnd(26)} Print the version and exit`,
  ].join("\n");
}
