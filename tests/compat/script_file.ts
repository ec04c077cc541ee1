/**
 * Parses the differential scripts in tests/compat/scripts/*.redis: one command per line in
 * inline syntax (quotes and \xHH escapes, tokenized exactly as the server's inline reader does),
 * `#` comments and blank lines skipped, and a few prefixes and directives described in
 * tests/compat/README.md.
 */
import { splitInlineArgs } from "../../src/protocol/inline.ts";
import { ProtocolError } from "../../src/protocol/protocol_error.ts";
import { bytesToLatin1 } from "../../src/protocol/latin1.ts";

/** How the replies of Hermes and Redis are compared. */
export type CompareMode =
  /** Byte for byte. */
  | "exact"
  /** `~ ` prefix: only the reply's type byte. */
  | "type"
  /** `^ ` prefix: the same elements in any order (KEYS, SCAN results). */
  | "unordered"
  /**
   * `% ` prefix: the same shape and strings, with every integer and every client address
   * (`ip:port`) masked (SLOWLOG entries: ids, times, durations and ports differ).
   */
  | "masked"
  /**
   * `= ` prefix: byte for byte even for a command listed in deliberate_differences.ts (COMMAND
   * INFO of one command whose flags must match).
   */
  | "strict"
  /**
   * `& ` prefix: byte for byte except the values of fields that belong to the moment or the
   * connection (ACL LOG's `age-seconds` and `client-info`), compared by type only.
   */
  | "fields";

/**
 * `@name ` before a request sends it on a second connection of that name (opened on first use,
 * in the same protocol), so a script can show what one client's commands do to another's.
 * Without it, requests go on the main connection.
 */
export interface OnConnection {
  connection?: string;
}

export type ScriptStep =
  /** A command sent as a RESP multibulk; one reply compared. */
  | { kind: "command"; line: number; text: string; args: string[]; mode: CompareMode }
    & OnConnection
  /** `!inline <text>`: the text is sent as it stands plus CRLF; one reply compared. */
  | { kind: "inline"; line: number; text: string; bytes: string; mode: CompareMode } & OnConnection
  /** `!raw "<bytes>"`: the quoted bytes (escapes allowed) are sent as they are; one reply compared. */
  | { kind: "raw"; line: number; text: string; bytes: string; mode: CompareMode } & OnConnection
  /**
   * `!noreply "<bytes>"`: the bytes are sent and neither server may answer within a moment
   * (an incomplete request); the connection is then dropped.
   */
  | { kind: "noreply"; line: number; text: string; bytes: string; mode: CompareMode }
    & OnConnection
  /** `!pipeline N`: the next N commands go out in one write, then the N replies are compared. */
  | { kind: "pipeline"; line: number; text: string; steps: ScriptStep[] }
  /** `!sleep MS`: wait (for TTLs to pass). */
  | { kind: "sleep"; line: number; text: string; ms: number }
  /** `!reconnect`: fresh connections to both servers (after QUIT or a protocol error). */
  | { kind: "reconnect"; line: number; text: string }
  /**
   * `!read N`: read N more frames (pub/sub messages, the extra confirmations of SUBSCRIBE a b)
   * without sending anything; with `^`, in any order; with `@name`, from that connection.
   */
  | { kind: "read"; line: number; text: string; count: number; mode: CompareMode } & OnConnection;

/** A script line that cannot be parsed: the script itself is wrong. */
export class ScriptSyntaxError extends Error {
  override name = "ScriptSyntaxError";
}

const PREFIXES: [string, CompareMode][] = [
  ["~ ", "type"],
  ["^ ", "unordered"],
  ["% ", "masked"],
  ["= ", "strict"],
  ["& ", "fields"],
];

/** Parses a script's bytes (read as one-byte characters, so any byte can appear in it). */
export function parseScript(name: string, bytes: Uint8Array): ScriptStep[] {
  const lines = bytesToLatin1(bytes).split("\n");
  const steps: ScriptStep[] = [];
  let open: { step: ScriptStep & { kind: "pipeline" }; count: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const text = lines[i].replace(/\r$/, "");
    const trimmed = text.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const parsed = parseLine(name, line, text.trimStart());
    if (open) {
      if (parsed.kind !== "command" && parsed.kind !== "inline" && parsed.kind !== "raw") {
        throw new ScriptSyntaxError(
          `${name}:${line}: only commands may follow !pipeline, got "${trimmed}"`,
        );
      }
      const first = open.step.steps[0];
      if (first !== undefined && connectionOf(first) !== connectionOf(parsed)) {
        throw new ScriptSyntaxError(`${name}:${line}: a !pipeline goes on one connection`);
      }
      open.step.steps.push(parsed);
      if (open.step.steps.length === open.count) open = null;
    } else if (parsed.kind === "pipelineHeader") {
      const step = { kind: "pipeline" as const, line, text, steps: [] as ScriptStep[] };
      steps.push(step);
      open = { step, count: parsed.count };
    } else {
      steps.push(parsed);
    }
  }
  if (open) {
    throw new ScriptSyntaxError(
      `${name}:${open.step.line}: !pipeline ${open.count} is followed by only ${open.step.steps.length} commands`,
    );
  }
  return steps;
}

function connectionOf(step: ScriptStep): string | undefined {
  return "connection" in step ? step.connection : undefined;
}

/** `!pipeline N` before the N commands that follow it have been read. */
type PipelineHeader = { kind: "pipelineHeader"; count: number };

function parseLine(name: string, line: number, text: string): ScriptStep | PipelineHeader {
  const named = /^@(\w+)\s+/.exec(text);
  if (named === null) return parseRequestLine(name, line, text);
  const step = parseRequestLine(name, line, text.slice(named[0].length));
  if (!("mode" in step)) {
    throw new ScriptSyntaxError(`${name}:${line}: only requests may name a connection (@name)`);
  }
  return { ...step, text, connection: named[1] };
}

function parseRequestLine(name: string, line: number, text: string): ScriptStep | PipelineHeader {
  let mode: CompareMode = "exact";
  let body = text;
  for (const [prefix, prefixMode] of PREFIXES) {
    if (body.startsWith(prefix)) {
      mode = prefixMode;
      body = body.slice(prefix.length).trimStart();
    }
  }
  if (body.startsWith("!")) {
    const space = body.search(/\s/);
    const directive = space < 0 ? body : body.slice(0, space);
    const rest = space < 0 ? "" : body.slice(space + 1);
    switch (directive) {
      case "!inline":
        return { kind: "inline", line, text, bytes: rest + "\r\n", mode };
      case "!raw":
      case "!noreply": {
        const parts = tokenize(name, line, rest);
        if (parts.length !== 1) {
          throw new ScriptSyntaxError(`${name}:${line}: ${directive} takes one quoted string`);
        }
        const kind = directive === "!raw" ? "raw" : "noreply";
        return { kind, line, text, bytes: parts[0], mode };
      }
      case "!read":
        return { kind: "read", line, text, count: wholeNumber(name, line, rest), mode };
      case "!pipeline":
        return { kind: "pipelineHeader", count: wholeNumber(name, line, rest) };
      case "!sleep":
        return { kind: "sleep", line, text, ms: wholeNumber(name, line, rest) };
      case "!reconnect":
        return { kind: "reconnect", line, text };
      default:
        throw new ScriptSyntaxError(`${name}:${line}: unknown directive "${directive}"`);
    }
  }
  const args = tokenize(name, line, body);
  return { kind: "command", line, text, args, mode };
}

function tokenize(name: string, line: number, text: string): string[] {
  try {
    return splitInlineArgs(text);
  } catch (error) {
    if (error instanceof ProtocolError) {
      throw new ScriptSyntaxError(`${name}:${line}: ${error.message}`);
    }
    throw error;
  }
}

function wholeNumber(name: string, line: number, text: string): number {
  const trimmed = text.trim();
  if (!/^[1-9][0-9]*$/.test(trimmed)) {
    throw new ScriptSyntaxError(`${name}:${line}: expected a positive number, got "${trimmed}"`);
  }
  return Number(trimmed);
}
