/** Where and with what a benchmark ran: date, machine and versions, for the report header. */
import { VERSION } from "../../src/version.ts";
import { cpuModel } from "./proc.ts";

export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  /** 1, 5 and 15 minute load averages when the run started: a busy machine skews results. */
  loadAverage: number[];
  deno: string;
  v8: string;
  redisServer: string;
  hermes: string;
  /** Short commit of the working tree, when it is a git checkout. */
  commit: string;
}

/** First line of `program args` output, or `not installed`. */
function commandOutput(program: string, args: string[]): string {
  try {
    const { code, stdout } = new Deno.Command(program, { args, stdout: "piped", stderr: "null" })
      .outputSync();
    return code === 0 ? new TextDecoder().decode(stdout).trim().split("\n")[0] : "unavailable";
  } catch {
    return "not installed";
  }
}

export function machineInfo(): MachineInfo {
  const redis = commandOutput("redis-server", ["--version"]);
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cpus: navigator.hardwareConcurrency,
    cpuModel: cpuModel(),
    memoryBytes: Deno.systemMemoryInfo().total,
    loadAverage: Deno.loadavg(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    redisServer: /v=(\S+)/.exec(redis)?.[1] ?? redis,
    hermes: VERSION,
    // Read-only: prints the checked-out commit, changes nothing.
    commit: commandOutput("git", [
      "-C",
      new URL("../..", import.meta.url).pathname,
      "rev-parse",
      "--short",
      "HEAD",
    ]),
  };
}

/** One line per fact, for the terminal and the Markdown report. */
export function describeMachine(info: MachineInfo): string[] {
  const gib = (info.memoryBytes / 2 ** 30).toFixed(1);
  return [
    `Date: ${info.date}`,
    `Machine: ${info.cpus} CPUs (${info.cpuModel}), ${gib} GiB memory, ` +
    `load average ${info.loadAverage.map((l) => l.toFixed(2)).join(" ")} at start`,
    `Versions: Hermes ${info.hermes} (commit ${info.commit}), Deno ${info.deno} (V8 ${info.v8}), ` +
    `redis-server ${info.redisServer}`,
  ];
}
