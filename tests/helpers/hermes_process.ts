/**
 * Starts a real Hermes server process on an ephemeral port with a fresh temp directory, for
 * end-to-end tests. The port is read from the startup line.
 */
import { type Client, connect } from "../../src/client/mod.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/**
 * The V8 flags of the `start` and `compile` tasks in deno.json, so tests and benchmarks run the
 * server as users do. A smaller young generation keeps V8 from holding ~50 MB of nursery pages
 * that show up as resident memory (measured: 193 -> 141 bytes per key at 1M keys).
 */
export const HERMES_V8_FLAGS = ["--v8-flags=--max-semi-space-size=8,--expose-gc"];

export interface HermesProcess {
  /** The plain port, or with `--port 0 --tls-port N` (TLS only) the TLS port. */
  port: number;
  /** The TLS port, or 0 when the server has none. */
  tlsPort: number;
  /** The HTTP endpoint's port (started with `--metrics-port`), or null. */
  metricsPort: number | null;
  dir: string;
  process: Deno.ChildProcess;
  /** Everything the server printed on stdout and stderr so far. */
  output(): string;
  /** A new client connected to this server. */
  connect(): Promise<Client>;
  /** Sends SIGTERM and waits for exit; returns the exit code. */
  stop(): Promise<number>;
  /** Sends SIGKILL and waits. */
  kill(): Promise<void>;
}

/** Options of {@linkcode startHermes}. */
export interface StartOptions {
  /** The data directory (default: a fresh temp directory). */
  dir?: string;
  env?: Record<string, string>;
  /** A config file, given before the flags. */
  configFile?: string;
  /** The data port (default 0: any free port). */
  port?: number;
  /** Called with everything printed so far each time more arrives, before and after ready. */
  onOutput?: (text: string) => void;
  /**
   * Shell commands run first (e.g. a `ulimit`); the shell then `exec`s the server, which so
   * keeps its pid and limits.
   */
  shellPrefix?: string;
}

/** Spawns `deno run main.ts --port 0 --dir <temp> ...args` and waits until it is ready. */
export async function startHermes(
  args: string[] = [],
  options: StartOptions = {},
): Promise<HermesProcess> {
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "hermes-test-" });
  const file = options.configFile === undefined ? [] : [options.configFile];
  const portArg = String(options.port ?? 0);
  const argv = [
    "run",
    ...HERMES_V8_FLAGS,
    "--allow-all",
    MAIN,
    ...file,
    "--port",
    portArg,
    "--dir",
    dir,
    ...args,
  ];
  const shellPrefix = options.shellPrefix;
  const quoted = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const command = new Deno.Command(shellPrefix === undefined ? Deno.execPath() : "sh", {
    args: shellPrefix === undefined
      ? argv
      : ["-c", `${shellPrefix}; exec ${[Deno.execPath(), ...argv].map(quoted).join(" ")}`],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: options.env,
  });
  const process = command.spawn();
  let text = "";
  const decoder = new TextDecoder();
  let resolveReady!: (ports: [number, number]) => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<[number, number]>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      options.onOutput?.(text);
      // `ready on host:port`, `... (TLS on host:tls)`, or `host:tls (TLS only)`.
      const match = /ready on [^\s]+:(\d+)( \(TLS only\)| \(TLS on [^\s]+:(\d+)\))?/.exec(text);
      if (match) {
        const port = Number(match[1]);
        resolveReady([port, match[2] === " (TLS only)" ? port : Number(match[3] ?? 0)]);
      }
    }
  };
  const pumps = Promise.all([pump(process.stdout), pump(process.stderr)]);
  const status = process.status.then(async (s) => {
    // The exit can be seen before the last output is read: the error message must have it.
    await pumps;
    rejectReady(new Error(`Hermes exited with ${s.code} before it was ready:\n${text}`));
    return s;
  });
  const timer = setTimeout(
    () => rejectReady(new Error(`Hermes not ready in 20 s:\n${text}`)),
    20_000,
  );
  let port: number;
  let tlsPort: number;
  try {
    [port, tlsPort] = await ready;
  } catch (error) {
    // Not ready in time: leave no process behind.
    try {
      process.kill("SIGKILL");
    } catch { /* gone */ }
    await status;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  let exited = false;
  status.then(() => exited = true);
  const metrics = /ready on .* metrics-port=(\d+)/.exec(text);
  return {
    port,
    tlsPort,
    metricsPort: metrics ? Number(metrics[1]) : null,
    dir,
    process,
    output: () => text,
    connect: () => connect({ port }),
    async stop() {
      if (!exited) {
        try {
          process.kill("SIGTERM");
        } catch { /* gone */ }
      }
      const s = await status;
      await pumps;
      return s.code;
    },
    async kill() {
      if (!exited) {
        try {
          process.kill("SIGKILL");
        } catch { /* gone */ }
      }
      await status;
      await pumps;
    },
  };
}

/** Runs `fn` against a fresh server and always stops it. */
export async function withHermes(
  fn: (server: HermesProcess) => Promise<void>,
  args: string[] = [],
): Promise<void> {
  const server = await startHermes(args);
  try {
    await fn(server);
  } finally {
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
}
