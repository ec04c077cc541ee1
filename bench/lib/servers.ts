/**
 * The two servers under test, started the way the tests start them: Hermes from main.ts on
 * port 0 with a fresh temp dir (port read from its `ready on host:port` line), redis-server on
 * a free port. Both are stopped by the caller.
 */
import { HERMES_V8_FLAGS, startHermes } from "../../tests/helpers/hermes_process.ts";
import { startRedis } from "../../tests/helpers/redis_process.ts";
import { connect } from "../../src/client/mod.ts";
import { spawnUntilReady } from "./spawn_ready.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

export type ServerName = "Redis" | "Hermes";

/** The commit schemes of bench/lib/bare_commit_server.ts. */
export type CommitScheme = "blocking" | "async" | "pipelined";

/** A server that only group-commits and answers +OK (see bare_commit_server.ts). */
export interface BareServer {
  port: number;
  stop(): Promise<void>;
}

export interface BenchServer {
  name: ServerName;
  port: number;
  /** The server's process id, when known (Hermes; Redis reports its own memory in INFO). */
  pid: number | null;
  /** How it was configured, for the report. */
  settings: string;
  stop(): Promise<void>;
}

/** Starts Hermes with `args` after `--port 0 --dir <temp>`; `env` adds environment variables. */
export async function startHermesServer(
  args: string[] = [],
  env?: Record<string, string>,
): Promise<BenchServer> {
  const hermes = await startHermes(args, { env });
  // The ready line lists every setting; the temp dir differs on each run and says nothing.
  const ready = /ready on \S+ pid=\d+ ?(.*)/.exec(hermes.output())?.[1] ?? args.join(" ");
  return {
    name: "Hermes",
    port: hermes.port,
    pid: hermes.process.pid,
    settings: ready.replace(/\bdir=\S+ ?/, "").trim(),
    async stop() {
      await hermes.stop();
      await Deno.remove(hermes.dir, { recursive: true }).catch(() => {});
    },
  };
}

const BARE = new URL("./bare_commit_server.ts", import.meta.url).pathname;

/** Starts bench/lib/bare_commit_server.ts with `scheme` on port 0 and a fresh temp dir. */
export async function startBareCommitServer(scheme: CommitScheme): Promise<BareServer> {
  const dir = await Deno.makeTempDir({ prefix: "hermes-bare-commit-" });
  const { child, port, drained } = await spawnUntilReady(
    ["run", "--allow-net", "--allow-read", "--allow-write", BARE, dir, scheme],
  );
  return {
    port,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drained.catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Starts redis-server with the test defaults (`--save "" --appendonly no`) then `args`. */
export async function startRedisServer(args: string[] = []): Promise<BenchServer> {
  const redis = await startRedis(args);
  const client = await redis.connect();
  let settings: string;
  let pid: number | null;
  try {
    const reply = await client.send("CONFIG", "GET", "save", "appendonly", "appendfsync");
    const pairs = Array.isArray(reply) ? reply.map(String) : [];
    settings = pairs.flatMap((v, i) => i % 2 ? [] : [`${v}=${pairs[i + 1] || '""'}`]).join(" ");
    const server = await client.info("server");
    pid = Number(/^process_id:(\d+)/m.exec(server)?.[1] ?? NaN) || null;
  } finally {
    client.close();
  }
  return { name: "Redis", port: redis.port, pid, settings, stop: () => redis.stop() };
}

/**
 * Starts Hermes from `main` (another checkout's main.ts, to compare before and after a change)
 * with the tests' V8 flags, on port 0 in a fresh temp dir, then `args`.
 */
export async function spawnHermes(main: string, args: string[] = []): Promise<BenchServer> {
  const dir = await Deno.makeTempDir({ prefix: "hermes-bench-" });
  const { child, port, drained } = await spawnUntilReady([
    "run",
    ...HERMES_V8_FLAGS,
    "--allow-all",
    main,
    ...["--port", "0", "--dir", dir, ...args],
  ]);
  return {
    name: "Hermes",
    port,
    pid: child.pid,
    settings: args.join(" "),
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drained.catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Hermes's `--help` text, read once (flags being added elsewhere are detected from it). */
let helpText: string | null = null;
export function hermesHelp(): string {
  if (helpText === null) {
    const { stdout, stderr } = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", MAIN, "--help"],
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    const decoder = new TextDecoder();
    helpText = decoder.decode(stdout) + decoder.decode(stderr);
  }
  return helpText;
}

/** Whether Hermes lists `--<flag>` in its `--help`. */
export function hermesHasFlag(flag: string): boolean {
  return new RegExp(`--${flag}\\b`).test(hermesHelp());
}

/**
 * Flags that make Hermes keep no log, like the reference Redis (`--save "" --appendonly no`),
 * so throughput and memory compare like with like. Hermes's default logs and fsyncs every
 * write; the durable case measures that against Redis with `appendfsync always`.
 */
export function memoryOnlyHermesArgs(): string[] {
  return hermesHasFlag("persistence") ? ["--persistence", "none"] : [];
}

/** The `INFO` fields of `section` from a server, as numbers where they are numbers. */
export async function infoFields(port: number, section: string): Promise<Map<string, string>> {
  const client = await connect({ port });
  try {
    const text = await client.info(section);
    const fields = new Map<string, string>();
    for (const line of text.split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0 && !line.startsWith("#")) {
        fields.set(line.slice(0, colon), line.slice(colon + 1));
      }
    }
    return fields;
  } finally {
    client.close();
  }
}

/** DBSIZE of a server. */
export async function dbSize(port: number): Promise<number> {
  const client = await connect({ port });
  try {
    return await client.dbsize();
  } finally {
    client.close();
  }
}
