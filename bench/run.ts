/**
 * `deno task bench`: Hermes side by side with redis-server.
 *
 * Starts both servers on ephemeral ports, drives them alternately with redis-benchmark for
 * several rounds (medians kept), measures memory per key after loading keys into fresh
 * servers, runs the `deno bench` micro benchmarks, prints one report, and writes it to
 * bench/RESULTS.md. Benchmarks print; they never fail: a case that cannot run is reported as
 * skipped with its reason, and the exit code is 0.
 *
 *   deno task bench                      full run (about 5 minutes), writes bench/RESULTS.md
 *   deno task bench --quick              smoke check: 1 round, few requests, no RESULTS.md
 *   deno task bench --cases p1,memory    only some cases (ids, groups, tests or sections)
 *   deno task bench --profile            CPU profile of Hermes under pipelined SET/GET
 */
import { parseArgs } from "node:util";
import { caseTokens, selectCases } from "./lib/cases.ts";
import { machineInfo } from "./lib/machine.ts";
import { runThroughput } from "./lib/throughput.ts";
import { runMicro } from "./lib/micro.ts";
import { runProfile } from "./lib/profile.ts";
import { markdownReport, type SuiteResults, textReport } from "./lib/report.ts";
import { hasCommand } from "../tests/helpers/redis_process.ts";
import { measureMemory } from "./memory.ts";
import { memoryOnlyHermesArgs } from "./lib/servers.ts";
import { capabilityPart } from "./lib/results_file.ts";

const RESULTS = new URL("./RESULTS.md", import.meta.url).pathname;
const KEYSPACE = 100_000;

const USAGE = `Usage: deno task bench [options]

Options:
  --quick               Smoke check: 1 round, 1/20 of the requests, 100,000 keys for memory;
                        does not write bench/RESULTS.md unless --out is given
  --cases <list>        Comma-separated cases to run (default: all). Any of:
                        ${caseTokens().join(", ")}
  --rounds <n>          Rounds per case; medians are reported (default 5, quick 1)
  --memory-keys <n>     Keys loaded for the memory figures (default 1000000)
  --settle <seconds>    Idle time before Hermes's "settled" RSS is sampled (default 60,
                        quick 0: not sampled)
  --hermes-args=<flags> Extra flags for Hermes, e.g. --hermes-args="--fsync everysec"
  --redis-args=<flags>  Extra flags for redis-server, e.g. --redis-args="--appendonly yes"
  --out <path>          Where to write the Markdown report (default bench/RESULTS.md)
  --no-write            Do not write the Markdown report
  --profile             Instead of the suite: CPU-profile Hermes under redis-benchmark
                        -P 16 -t set,get and print the functions that take the time
  --profile-tests <list> The redis-benchmark tests --profile runs (default set,get)
  --help                Print this help`;

/** The whole number given for `--name`, at least `min`; `fallback` when absent. */
function wholeNumber(text: string | undefined, name: string, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`Cannot use --${name} "${text}": must be a whole number from ${min}`);
  }
  return value;
}

const splitFlags = (text: string | undefined) => text?.split(/\s+/).filter((f) => f !== "") ?? [];

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      cases: { type: "string" },
      rounds: { type: "string" },
      "memory-keys": { type: "string" },
      settle: { type: "string" },
      "hermes-args": { type: "string" },
      "redis-args": { type: "string" },
      out: { type: "string" },
      "no-write": { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      "profile-tests": { type: "string", default: "set,get" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const quick = values.quick;
  const hermesArgs = splitFlags(values["hermes-args"]);
  const redisArgs = splitFlags(values["redis-args"]);
  const log = (line: string) => console.log(line);

  if (values.profile) {
    if (!hasCommand("redis-benchmark")) {
      console.log("Skipping the profile: redis-benchmark is not on PATH (install redis-tools)");
      return 0;
    }
    const requests = quick ? 200_000 : 2_000_000;
    console.log(
      await runProfile({
        requests,
        pipeline: 16,
        tests: values["profile-tests"].split(",").filter((t) => t !== ""),
        keyspace: KEYSPACE,
        hermesArgs,
        log,
      }),
    );
    return 0;
  }

  const selection = selectCases(values.cases);
  const rounds = wholeNumber(values.rounds, "rounds", quick ? 1 : 5);
  const memoryKeys = wholeNumber(
    values["memory-keys"],
    "memory-keys",
    quick ? 100_000 : 1_000_000,
  );
  const settleSec = wholeNumber(values.settle, "settle", quick ? 0 : 60, 0);
  const suite: SuiteResults = {
    machine: machineInfo(),
    command: ["deno task bench", ...argv].join(" "),
    mode: `${quick ? "quick (smoke check, not for comparison)" : "full"}, ${rounds} round(s)` +
      `${hermesArgs.length ? `, Hermes flags: ${hermesArgs.join(" ")}` : ""}` +
      `${redisArgs.length ? `, Redis flags: ${redisArgs.join(" ")}` : ""}`,
    keyspace: KEYSPACE,
    throughput: null,
    memory: null,
    micro: null,
    skipped: [],
  };

  const missing = ["redis-server", "redis-benchmark", "redis-cli"].filter((c) => !hasCommand(c));
  if (selection.groups.length > 0) {
    if (missing.length > 0) {
      suite.skipped.push(`throughput: ${missing.join(", ")} not on PATH (install redis-server)`);
    } else {
      suite.throughput = await runThroughput(selection.groups, {
        rounds,
        requestsDivisor: quick ? 20 : 1,
        keyspace: KEYSPACE,
        hermesArgs,
        redisArgs,
        log,
      });
    }
  }
  if (selection.sections.has("memory")) {
    if (missing.length > 0) {
      suite.skipped.push(`memory: ${missing.join(", ")} not on PATH (install redis-server)`);
    } else {
      log(`memory: loading ${memoryKeys} keys into a fresh Redis, then a fresh Hermes`);
      suite.memory = await measureMemory({
        keys: memoryKeys,
        hermesArgs: [...memoryOnlyHermesArgs(), ...hermesArgs],
        redisArgs,
        settleMs: settleSec * 1000,
      });
    }
  }
  if (selection.sections.has("micro")) {
    log("micro: deno bench bench/micro/");
    try {
      suite.micro = await runMicro();
    } catch (error) {
      suite.skipped.push(`micro: ${(error as Error).message}`);
    }
  }

  console.log(`\n${textReport(suite)}`);
  const out = values["no-write"] ? null : values.out ?? (quick ? null : RESULTS);
  if (out) {
    // The capability benchmarks below the marker come from bench/capabilities.ts: keep them.
    const previous = await Deno.readTextFile(out).catch(() => "");
    const kept = capabilityPart(previous);
    await Deno.writeTextFile(out, markdownReport(suite) + (kept ? `\n${kept}` : ""));
    // Formatted like every other file, so `deno fmt --check` (part of `deno task test`) passes.
    const formatted = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", out],
      stdout: "null",
      stderr: "null",
    }).output();
    console.log(`\nWrote ${out}${formatted.success ? "" : " (deno fmt failed on it)"}`);
  }
  return 0;
}

try {
  Deno.exit(await main(Deno.args));
} catch (error) {
  if (!(error instanceof RangeError || error instanceof TypeError)) throw error;
  console.error(`bench: ${error.message}\n\n${USAGE}`);
  Deno.exit(2);
}
