/**
 * Loads 20 million keys into a real Hermes server over the network (past V8's 2^24 entries per
 * Map), then checks DBSIZE and a random sample of GETs. Prints the load time, keys per second,
 * RSS and bytes per key. Run on demand (a few minutes, several GB of memory):
 *
 *   deno run --allow-all bench/load_20m.ts [--keys 20000000] [--heap-mb 16000]
 *     [--samples 1000] [-- extra hermes flags]
 *
 * Keys are `key:` + 12 digits, values `val:` + 12 digits (16 bytes each), sent through
 * `redis-cli --pipe`. Hermes runs with `--persistence none` (when it has the flag) unless
 * flags after `--` say otherwise, e.g. `-- --persistence wal --fsync everysec`. Exits with 1
 * when a check fails.
 */
import { parseArgs } from "node:util";
import { connect } from "../src/client/mod.ts";
import { bulkLoad, bulkLoadSkipReason, keyName, valueOf } from "./lib/bulk_load.ts";
import { formatCount, formatFixed, formatMiB } from "./lib/format.ts";
import { procStatusBytes, rssBytes } from "./lib/proc.ts";
import { dbSize, memoryOnlyHermesArgs, startHermesServer } from "./lib/servers.ts";

const V8_MAP_CAP = 2 ** 24;
const PROGRESS_EVERY = 1_000_000;

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    keys: { type: "string", default: "20000000" },
    "heap-mb": { type: "string", default: "16000" },
    samples: { type: "string", default: "1000" },
  },
  allowPositionals: true,
});
const keys = Number(values.keys);
const samples = Number(values.samples);

const skip = bulkLoadSkipReason();
if (skip) {
  console.log(`Skipping the 20 million key load: ${skip}`);
  Deno.exit(0);
}

const server = await startHermesServer([...memoryOnlyHermesArgs(), ...positionals], {
  // The default V8 heap limit (about 4 GB here) is too small for 20 million keys.
  DENO_V8_FLAGS: `--max-old-space-size=${values["heap-mb"]}`,
});
const pid = server.pid!;
const failures: string[] = [];
try {
  console.log(
    `Hermes on port ${server.port} (${server.settings})\nLoading ${formatCount(keys)} keys ` +
      `(one V8 Map holds at most ${formatCount(V8_MAP_CAP)})`,
  );
  const before = rssBytes(pid);
  let nextReport = PROGRESS_EVERY;
  const load = await bulkLoad(server.port, keys, (sent, ms) => {
    if (sent < nextReport && sent < keys) return;
    nextReport += PROGRESS_EVERY;
    console.log(
      `  ${formatCount(sent).padStart(12)} sent  ${(ms / 1000).toFixed(1).padStart(6)} s  ` +
        `${formatCount(sent / (ms / 1000)).padStart(9)} keys/s  RSS ${formatMiB(rssBytes(pid))}`,
    );
  });
  const rss = rssBytes(pid);
  const seconds = load.ms / 1000;
  console.log(
    `Loaded ${formatCount(keys)} keys in ${seconds.toFixed(1)} s: ` +
      `${formatCount(keys / seconds)} keys/s`,
  );
  console.log(
    `RSS ${formatMiB(rss)} (peak ${formatMiB(procStatusBytes(pid, "VmHWM"))}), ` +
      `growth ${formatFixed((rss - before) / keys, 1)} bytes per key`,
  );
  if (load.errors !== 0 || load.replies !== keys) {
    failures.push(`redis-cli counted ${load.errors} errors and ${load.replies} replies`);
  }

  const size = await dbSize(server.port);
  console.log(`DBSIZE ${formatCount(size)}`);
  if (size !== keys) failures.push(`DBSIZE is ${size}, expected ${keys}`);

  const client = await connect({ port: server.port });
  try {
    const picks = Array.from({ length: samples }, () => Math.floor(Math.random() * keys));
    const replies = await client.pipeline(picks.map((i) => ["GET", keyName(i)]));
    const wrong = picks.filter((i, n) => replies[n] !== valueOf(i));
    const missing = await client.send("GET", keyName(keys)); // one past the last key loaded
    console.log(
      `Sampled ${samples} random GETs: ${samples - wrong.length} correct; ` +
        `GET of an unloaded key: ${missing === null ? "nil" : JSON.stringify(missing)}`,
    );
    if (wrong.length > 0) {
      failures.push(`${wrong.length} GETs returned a wrong value, e.g. ${keyName(wrong[0])}`);
    }
    if (missing !== null) failures.push(`GET ${keyName(keys)} returned ${missing}`);
  } finally {
    client.close();
  }
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
} finally {
  await server.stop();
}
if (failures.length > 0) {
  console.log(`FAILED:\n  ${failures.join("\n  ")}`);
  Deno.exit(1);
}
console.log("All checks passed.");
