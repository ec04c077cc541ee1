/**
 * Process helpers the durability tests need beyond tests/helpers/hermes_process.ts: running
 * Hermes to completion (a start that must be refused, check-log, dump-log) and starting it
 * under a shell prefix (a file-size limit).
 */
import type { Client } from "../../src/client/mod.ts";
import { HERMES_V8_FLAGS, startHermes } from "../helpers/hermes_process.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

export interface Finished {
  code: number;
  /** stdout then stderr, decoded. */
  output: string;
  stdout: string;
}

/** Runs `main.ts args...` until it exits (at most `timeoutMs`). */
export async function runHermes(args: string[], timeoutMs = 20_000): Promise<Finished> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...HERMES_V8_FLAGS, "--allow-all", MAIN, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, timeoutMs);
  try {
    const { code, stdout, stderr } = await child.output();
    const out = new TextDecoder().decode(stdout);
    return { code, stdout: out, output: out + new TextDecoder().decode(stderr) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `hermes dump-log dir`'s lines without their `@offset ` prefixes (the first names the file);
 * fails the test if dump-log fails.
 */
export async function dumpLogLines(dir: string): Promise<string[]> {
  const dump = await runHermes(["dump-log", dir]);
  if (dump.code !== 0) throw new Error(`dump-log exited with ${dump.code}: ${dump.output}`);
  return dump.stdout.trim().split("\n").map((line) => line.replace(/^@\d+ /, ""));
}

export interface ShellServer {
  port: number;
  /** The server's pid (the shell execs into Deno). */
  pid: number;
  output(): string;
  connect(): Promise<Client>;
  kill(): Promise<void>;
}

/**
 * Starts Hermes on port 0 in `dir` after the shell commands in `prefix` (e.g. a ulimit), with
 * `exec` so the server keeps the shell's pid and limits.
 */
export async function startUnderShell(
  prefix: string,
  dir: string,
  args: string[] = [],
): Promise<ShellServer> {
  const server = await startHermes(args, { dir, shellPrefix: prefix });
  return {
    port: server.port,
    pid: server.process.pid,
    output: server.output,
    connect: server.connect,
    kill: server.kill,
  };
}

/** Whether a program is on PATH. */
export function hasProgram(name: string): boolean {
  const { code } = new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" })
    .outputSync();
  return code === 0;
}
