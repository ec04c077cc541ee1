/**
 * Latency while the log is compacted, side by side in one run: Hermes (`--fsync always`) and
 * redis-server (`--appendonly yes --appendfsync always`) each get 1 million keys, then a steady
 * load of GETs and SETs over those keys from many connections; BGREWRITEAOF starts a compaction
 * (Hermes: a snapshot written in slices through the store actor; Redis: a forked child) and
 * INFO persistence is polled until it is over. Every request's latency is recorded with the
 * time it started, and the requests of the compaction window are compared with those of an
 * equally long window just before it. Each server compacts `--trials` times (3 by default) under
 * the same load, and the medians are reported: one compaction lasts well under a second, so its
 * p99 rests on a few dozen requests.
 *
 * The load is closed-loop from this process (each connection sends its next request when the
 * reply arrives), so the figures include the driver's own overhead, alike for both servers.
 * Benchmarks print; they never fail.
 *
 *   deno run --allow-all bench/compaction.ts [--keys 1000000] [--clients 20] [--trials 3]
 */
import { parseArgs } from "node:util";
import { hasCommand } from "../tests/helpers/redis_process.ts";
import { bulkLoad, bulkLoadSkipReason, keyName } from "./lib/bulk_load.ts";
import { infoFields, startHermesServer, startRedisServer } from "./lib/servers.ts";
import { type Client, connect } from "../src/client/mod.ts";
import { formatCount, formatFixed, textTable } from "./lib/format.ts";
import { median, percentile } from "./lib/stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    keys: { type: "string", default: "1000000" },
    clients: { type: "string", default: "20" },
    trials: { type: "string", default: "3" },
  },
});
const keyCount = Number(values.keys);
const clients = Number(values.clients);
const trials = Number(values.trials);
/** How often INFO persistence is read to see whether the compaction is still running. */
const POLL_MS = 10;
/** Load before BGREWRITEAOF, so the baseline window (as long as the compaction) is covered. */
const MAX_BASELINE_MS = 30_000;

/** One request: when it started (ms, performance.now) and how long it took. */
interface Timing {
  startMs: number;
  ms: number;
}

interface WindowStats {
  requests: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

function windowStats(timings: Timing[], from: number, to: number): WindowStats {
  const ms = timings.filter((t) => t.startMs >= from && t.startMs < to).map((t) => t.ms);
  ms.sort((a, b) => a - b);
  return {
    requests: ms.length,
    p50: percentile(ms, 0.5),
    p99: percentile(ms, 0.99),
    p999: percentile(ms, 0.999),
    max: ms.length ? ms[ms.length - 1] : NaN,
  };
}

/** Sends GET and SET (alternating) over random loaded keys until `stop` is set. */
async function loadLoop(client: Client, timings: Timing[], stop: { now: boolean }) {
  let n = 0;
  while (!stop.now) {
    const key = keyName(Math.floor(Math.random() * keyCount));
    const startMs = performance.now();
    if (n++ % 2 === 0) await client.send("GET", key);
    else await client.send("SET", key, `v${n}`);
    timings.push({ startMs, ms: performance.now() - startMs });
  }
}

interface Outcome {
  name: string;
  compactionMs: number;
  before: WindowStats;
  during: WindowStats;
}

async function measure(
  name: string,
  port: number,
  inProgress: (fields: Map<string, string>) => boolean,
): Promise<Outcome[]> {
  console.log(`${name}: loading ${formatCount(keyCount)} keys...`);
  const load = await bulkLoad(port, keyCount);
  if (load.errors > 0) throw new Error(`${load.errors} SETs failed while loading ${name}`);
  const connections = await Promise.all(
    Array.from({ length: clients }, () => connect({ port })),
  );
  const control = await connect({ port });
  const timings: Timing[] = [];
  const stop = { now: false };
  const loops = connections.map((c) => loadLoop(c, timings, stop));
  const outcomes: Outcome[] = [];
  try {
    await new Promise((r) => setTimeout(r, 2000)); // warm up
    for (let trial = 1; trial <= trials; trial++) {
      outcomes.push(await compactOnce(name, port, control, timings, inProgress));
      const o = outcomes[outcomes.length - 1];
      console.log(
        `  trial ${trial}: ${formatFixed(o.compactionMs / 1000, 2)} s, p99 ` +
          `${formatFixed(o.before.p99, 3)} -> ${formatFixed(o.during.p99, 3)} ms`,
      );
    }
    return outcomes;
  } finally {
    stop.now = true;
    await Promise.allSettled(loops);
    for (const c of connections) c.close();
    control.close();
  }
}

/** Waits out a baseline, runs one BGREWRITEAOF to its end, and compares the two windows. */
async function compactOnce(
  name: string,
  port: number,
  control: Client,
  timings: Timing[],
  inProgress: (fields: Map<string, string>) => boolean,
): Promise<Outcome> {
  // A baseline window long enough to match most compactions.
  const baselineFrom = performance.now();
  await new Promise((r) => setTimeout(r, 3000));
  const started = performance.now();
  await control.send("BGREWRITEAOF");
  while (true) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (!inProgress(await infoFields(port, "persistence"))) break;
    if (performance.now() - started > 600_000) throw new Error(`${name}: compaction stuck`);
  }
  const ended = performance.now();
  const compactionMs = ended - started;
  // The baseline is the same length as the compaction, ending where it started (if the
  // load ran that long; otherwise all of the load before it).
  const from = Math.max(baselineFrom, started - Math.min(compactionMs, MAX_BASELINE_MS));
  const before = windowStats(timings, from, started);
  const during = windowStats(timings, started, ended);
  return { name, compactionMs, before, during };
}

/** INFO persistence says a rewrite is running or about to (both servers report these). */
function compacting(fields: Map<string, string>): boolean {
  return fields.get("aof_rewrite_in_progress") === "1" ||
    fields.get("aof_rewrite_scheduled") === "1";
}

async function main(): Promise<void> {
  const skip = bulkLoadSkipReason() ??
    (hasCommand("redis-server") ? null : "redis-server is not installed");
  if (skip) {
    console.log(`Skipping the compaction benchmark: ${skip}`);
    return;
  }
  const outcomes: Outcome[][] = [];
  const hermes = await startHermesServer(["--fsync", "always", "--compact-min-size", "1000gb"]);
  try {
    outcomes.push(await measure("Hermes", hermes.port, compacting));
  } finally {
    await hermes.stop();
  }
  const redis = await startRedisServer([
    ...["--appendonly", "yes", "--appendfsync", "always"],
    ...["--auto-aof-rewrite-percentage", "0"],
  ]);
  try {
    outcomes.push(await measure("Redis", redis.port, compacting));
  } finally {
    await redis.stop();
  }

  console.log(
    `\n${formatCount(keyCount)} keys, ${clients} connections alternating GET and SET on random ` +
      `keys, fsync always; latency in ms, medians of ${trials} compactions\n`,
  );
  const rows: string[][] = [];
  const medians = outcomes.map(medianOutcome);
  for (const o of medians) {
    for (const [label, w] of [["before", o.before], ["during", o.during]] as const) {
      rows.push([
        o.name,
        label,
        formatFixed(o.compactionMs / 1000, 2),
        formatCount(w.requests),
        formatFixed(w.p50, 3),
        formatFixed(w.p99, 3),
        formatFixed(w.p999, 3),
        formatFixed(w.max, 1),
      ]);
    }
  }
  console.log(textTable(
    ["server", "window", "compaction s", "requests", "p50", "p99", "p99.9", "max"],
    rows,
    ["left", "left", "right", "right", "right", "right", "right", "right"],
  ));
  console.log();
  for (const o of medians) {
    console.log(
      `${o.name}: p99 ${formatFixed(o.before.p99, 3)} -> ${formatFixed(o.during.p99, 3)} ms ` +
        `during a ${formatFixed(o.compactionMs / 1000, 2)} s compaction ` +
        `(${o.during.p99 >= o.before.p99 ? "+" : ""}${
          formatFixed(o.during.p99 - o.before.p99, 3)
        } ms, ` +
        `${formatFixed(o.during.p99 / o.before.p99, 2)}x)`,
    );
  }
}

/** Field-by-field medians of a server's trials. */
function medianOutcome(list: Outcome[]): Outcome {
  const window = (pick: (o: Outcome) => WindowStats): WindowStats => ({
    requests: median(list.map((o) => pick(o).requests)),
    p50: median(list.map((o) => pick(o).p50)),
    p99: median(list.map((o) => pick(o).p99)),
    p999: median(list.map((o) => pick(o).p999)),
    max: median(list.map((o) => pick(o).max)),
  });
  return {
    name: list[0].name,
    compactionMs: median(list.map((o) => o.compactionMs)),
    before: window((o) => o.before),
    during: window((o) => o.during),
  };
}

await main();
