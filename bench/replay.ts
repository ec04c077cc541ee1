/**
 * Replay speed: a real server writes a log of N records (default 5 million SETs, sent with
 * `redis-cli --pipe` under `--fsync no` with compaction off), is stopped, and Hermes is started
 * again on the same directory. The replay time comes from the server's own "Loaded ..." line
 * and, end to end, from the wall clock until the `ready` line. Two logs: every record a new
 * key (each record costs a keyspace insert, the worst case), and records cycling over 100,000
 * keys (overwrites, as redis-benchmark -r writes them). Goal: more than 1 million records per
 * second. Benchmarks print; they never fail.
 *
 * Then the floor under those figures (bench/lib/insert_floor.ts, each pass in a fresh process):
 * the same number of records made into strings and stored in a keyspace with no log at all,
 * and stored in one plain V8 Map. Replay cannot beat the floor of its scenario.
 *
 *   deno run --allow-all bench/replay.ts [--records 5000000] [--scenario distinct|overwrite|both]
 */
import { parseArgs } from "node:util";
import { HERMES_V8_FLAGS, startHermes } from "../tests/helpers/hermes_process.ts";
import { bulkLoad, bulkLoadSkipReason } from "./lib/bulk_load.ts";
import { dbSize } from "./lib/servers.ts";
import { formatCount, formatFixed, formatMiB } from "./lib/format.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    records: { type: "string", default: "5000000" },
    scenario: { type: "string", default: "both" },
  },
});
const records = Number(values.records);
const FLOOR = new URL("./lib/insert_floor.ts", import.meta.url).pathname;
/** Keeps compaction from turning the log into a snapshot while it is written. */
const NO_COMPACTION = ["--compact-min-size", "1000gb"];

interface Scenario {
  name: string;
  /** Distinct keys the records cycle through. */
  keys: number;
}

const SCENARIOS: Record<string, Scenario> = {
  // Every record adds a key: the most work per record for the keyspace (a Map insert).
  distinct: { name: `${formatCount(records)} records, every one a new key`, keys: records },
  // SETs over a fixed keyspace, as redis-benchmark -r 100000 writes them.
  overwrite: { name: `${formatCount(records)} records over 100,000 keys`, keys: 100_000 },
};

async function main(): Promise<void> {
  const skip = bulkLoadSkipReason();
  if (skip) {
    console.log(`Skipping the replay benchmark: ${skip}`);
    return;
  }
  const chosen = values.scenario === "both"
    ? Object.values(SCENARIOS)
    : [SCENARIOS[values.scenario!]].filter(Boolean);
  if (chosen.length === 0) throw new Error(`Unknown --scenario ${values.scenario}`);
  const results: string[] = [];
  for (const scenario of chosen) results.push(await run(scenario));
  console.log("\n== The floor: strings made and stored in memory, no log");
  for (const [pass, label] of FLOOR_PASSES) {
    const rate = await floor(pass);
    console.log(`  ${label}: ${formatCount(rate)} records/s`);
  }
  console.log();
  for (const line of results) console.log(line);
}

const FLOOR_PASSES: [string, string][] = [
  ["strings", "key and value strings made, then dropped"],
  ["map", "stored in one plain Map, every record a new key"],
  ["distinct", "stored in a keyspace, every record a new key"],
  ["overwrite", "stored in a keyspace over 100,000 keys"],
];

/** Runs one pass of bench/lib/insert_floor.ts in a fresh process; returns records per second. */
async function floor(pass: string): Promise<number> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...HERMES_V8_FLAGS,
      "--allow-read",
      FLOOR,
      ...["--pass", pass, "--records", String(records), "--keys", "100000"],
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  const rate = Number(/: (\d+)/.exec(text)?.[1]);
  if (code !== 0 || !rate) {
    throw new Error(
      `insert_floor.ts --pass ${pass} failed:\n${text}${new TextDecoder().decode(stderr)}`,
    );
  }
  return rate;
}

async function run(scenario: Scenario): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "hermes-replay-bench-" });
  try {
    console.log(`\n== ${scenario.name}`);
    console.log("Writing the log through a server (--fsync no)...");
    const writer = await startHermes(["--fsync", "no", ...NO_COMPACTION], { dir });
    const started = performance.now();
    for (let sent = 0; sent < records;) {
      const count = Math.min(scenario.keys, records - sent);
      const load = await bulkLoad(writer.port, count);
      if (load.errors > 0) throw new Error(`${load.errors} of the SETs failed`);
      sent += count;
      if (sent % 1_000_000 < count || sent === records) {
        const rate = sent / ((performance.now() - started) / 1000);
        console.log(`  ${formatCount(sent)} sent (${formatCount(rate)}/s)`);
      }
    }
    await writer.stop();
    let logBytes = 0;
    for (const entry of Deno.readDirSync(dir)) {
      if (entry.name.endsWith(".log")) logBytes += Deno.statSync(`${dir}/${entry.name}`).size;
    }
    console.log(
      `Log: ${formatMiB(logBytes)} (${formatFixed(logBytes / records, 1)} bytes per record)`,
    );

    console.log("Restarting on the same directory...");
    const restarted = performance.now();
    const server = await startHermes(NO_COMPACTION, { dir });
    const wallSeconds = (performance.now() - restarted) / 1000;
    try {
      const output = server.output();
      for (const line of output.split("\n")) {
        if (line.includes("Loading the data set")) console.log(`  ${line.replace(/^.* \* /, "")}`);
      }
      const loaded = /Loaded (\d+) records from \d+ files: (\d+) keys.* in ([\d.]+) seconds/
        .exec(output);
      if (!loaded) throw new Error(`No "Loaded" line in the server's output:\n${output}`);
      const [replayed, keys, seconds] = [Number(loaded[1]), Number(loaded[2]), Number(loaded[3])];
      const size = await dbSize(server.port);
      const rate = replayed / seconds;
      console.log(
        `records replayed: ${formatCount(replayed)} (${formatCount(keys)} keys, DBSIZE ${
          formatCount(size)
        })`,
      );
      console.log(
        `replay (server):  ${formatFixed(seconds, 2)} s -> ${formatCount(rate)} records/s`,
      );
      console.log(
        `start to ready:   ${formatFixed(wallSeconds, 2)} s -> ${
          formatCount(replayed / wallSeconds)
        } records/s`,
      );
      return `${scenario.name}: ${formatCount(rate)} records/s replayed ` +
        `(${formatFixed(seconds, 2)} s; goal > 1,000,000/s: ${
          rate > 1_000_000 ? "met" : "not met"
        })`;
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

await main();
