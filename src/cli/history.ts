/**
 * The CLI's history file: earlier sessions' lines for the up arrow. One line per command,
 * oldest first, in ~/.hermes_cli_history unless HERMES_CLI_HISTFILE names another file (an
 * empty value keeps no file). Lines that carry a password (AUTH, HELLO ... AUTH) are not saved.
 */

/** How many lines are kept in memory and loaded from the file. */
export const HISTORY_SIZE = 1000;

/** The history file's path, or null when no history file is kept. */
export function historyPath(env: (name: string) => string | undefined): string | null {
  const chosen = env("HERMES_CLI_HISTFILE");
  if (chosen !== undefined) return chosen === "" ? null : chosen;
  const home = env("HOME") ?? env("USERPROFILE");
  return home ? `${home}/.hermes_cli_history` : null;
}

/** Whether `line` may be written to the history file. */
export function worthSaving(line: string): boolean {
  if (line.trim() === "") return false;
  return !/^\s*(auth\b|hello\b.*\bauth\b)/i.test(line);
}

/** Reads and appends the history file; a file that cannot be used is skipped silently. */
export class HistoryFile {
  readonly #path: string | null;

  constructor(path: string | null) {
    this.#path = path;
  }

  /** The last {@linkcode HISTORY_SIZE} lines, oldest first. */
  load(): string[] {
    if (!this.#path) return [];
    try {
      const lines = Deno.readTextFileSync(this.#path).split("\n").filter((line) => line !== "");
      const kept = lines.slice(-HISTORY_SIZE);
      // Appending never shrinks the file; trim it now and then so it stays small.
      if (lines.length > 2 * HISTORY_SIZE) {
        Deno.writeTextFileSync(this.#path, kept.join("\n") + "\n", { mode: 0o600 });
      }
      return kept;
    } catch {
      return [];
    }
  }

  /** Adds one line (if it may be saved). */
  append(line: string): void {
    if (!this.#path || !worthSaving(line)) return;
    try {
      Deno.writeTextFileSync(this.#path, line.replaceAll("\n", " ") + "\n", {
        append: true,
        mode: 0o600,
      });
    } catch {
      // History is a convenience: a read-only home must not stop the CLI.
    }
  }
}
