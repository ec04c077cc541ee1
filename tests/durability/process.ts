/**
 * Process helpers the durability tests need beyond tests/helpers/hermes_process.ts: running
 * Hermes to completion (a start that must be refused, check-log, dump-log) and starting it
 * under a shell prefix (a file-size limit).
 */
import { type Client, connect } from "../../src/client/mod.ts";
import { HERMES_V8_FLAGS } from "../helpers/hermes_process.ts";

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
  const quoted = [
    ...[Deno.execPath(), "run", ...HERMES_V8_FLAGS, "--allow-all", MAIN],
    ...["--port", "0", "--dir", dir, ...args],
  ]
    .map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
  const child = new Deno.Command("sh", {
    args: ["-c", `${prefix}; exec ${quoted}`],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  let resolveReady!: (port: number) => void;
  const ready = new Promise<number>((resolve) => resolveReady = resolve);
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      const match = /ready on [^\s]+:(\d+)/.exec(text);
      if (match) resolveReady(Number(match[1]));
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status.then(async (status) => {
    await pumps; // the exit can be seen before the last output is read
    throw new Error(`Hermes exited with ${status.code} before it was ready:\n${text}`);
  });
  exited.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Hermes not ready in 20 s:\n${text}`)), 20_000);
  });
  let port: number;
  try {
    port = await Promise.race([ready, exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return {
    port,
    pid: child.pid,
    output: () => text,
    connect: () => connect({ port }),
    async kill() {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await child.status;
      await pumps;
    },
  };
}

/** Whether a program is on PATH. */
export function hasProgram(name: string): boolean {
  const { code } = new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" })
    .outputSync();
  return code === 0;
}
