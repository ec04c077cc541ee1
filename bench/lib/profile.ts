/**
 * Profiles Hermes's hot path: starts it under `deno run --cpu-prof`, drives it with
 * redis-benchmark (SET and GET, 50 clients, pipelined), stops it with SIGTERM so V8 writes the
 * profile, and prints the functions that took the time. `deno task bench --profile` runs it.
 */
import { runRedisBenchmark } from "./redis_benchmark.ts";
import { formatProfile, summarizeProfile } from "./cpu_profile.ts";
import { spawnUntilReady } from "./spawn_ready.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

export interface ProfileOptions {
  requests: number;
  pipeline: number;
  tests: string[];
  /** redis-benchmark `-r`: how many distinct keys. */
  keyspace: number;
  hermesArgs: string[];
  log: (line: string) => void;
}

/** Starts Hermes with `--cpu-prof` and returns its port, the child and the profile directory. */
async function startProfiled(hermesArgs: string[]) {
  const dir = await Deno.makeTempDir({ prefix: "hermes-profile-" });
  const profileDir = `${dir}/profile`;
  const { child, port } = await spawnUntilReady([
    ...["run", "--allow-all", "--cpu-prof", `--cpu-prof-dir=${profileDir}`, MAIN],
    ...["--port", "0", "--dir", `${dir}/data`, ...hermesArgs],
  ]);
  return { port, child, dir, profileDir };
}

/** Runs the load under the profiler and returns the printed summary. */
export async function runProfile(options: ProfileOptions): Promise<string> {
  const { port, child, dir, profileDir } = await startProfiled(options.hermesArgs);
  try {
    options.log(
      `Profiling Hermes (port ${port}): redis-benchmark -t ${options.tests.join(",")} ` +
        `-c 50 -P ${options.pipeline} -n ${options.requests} -r ${options.keyspace}`,
    );
    const rows = await runRedisBenchmark({
      port,
      tests: options.tests,
      clients: 50,
      pipeline: options.pipeline,
      requests: options.requests,
      keyspace: options.keyspace,
      timeoutMs: 600_000,
    });
    options.log(rows.map((r) => `${r.test}: ${Math.round(r.opsPerSec)} ops/s`).join(", "));
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
  const files = [...Deno.readDirSync(profileDir)].filter((e) => e.name.endsWith(".cpuprofile"));
  if (files.length === 0) throw new Error(`No .cpuprofile written in ${profileDir}`);
  const path = `${profileDir}/${files[0].name}`;
  const summary = formatProfile(summarizeProfile(JSON.parse(await Deno.readTextFile(path))));
  await Deno.remove(`${dir}/data`, { recursive: true }).catch(() => {});
  return `${summary}\n\nProfile kept for Chrome DevTools: ${path}`;
}
