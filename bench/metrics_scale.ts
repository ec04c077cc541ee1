/**
 * A Prometheus scrape of a big server: Hermes holding 1,000,000 keys with 10,000 clients
 * connected (idle, as a connection pool's spare connections are), scraped one request at a
 * time. /metrics reads counters and never walks the keyspace, so its time depends on the number
 * of clients (INFO clients looks at each) and commands, not keys. The goal: under 50 ms.
 * /stats.json (the status page's poll) is timed the same way.
 *
 *   deno run --allow-all bench/metrics_scale.ts [--clients 10000] [--keys 1000000]
 *     [--scrapes 50] [--quick]
 *
 * The process needs a file descriptor per client (`ulimit -n` above the client count), and so
 * does the server. `--quick`: 1,000 clients, 100,000 keys, 10 scrapes. Benchmarks print; they
 * never fail.
 */
import { parseArgs } from "node:util";
import { startHermes } from "../tests/helpers/hermes_process.ts";
import { bulkLoad, bulkLoadSkipReason } from "./lib/bulk_load.ts";
import { dbSize, infoFields } from "./lib/servers.ts";
import { describeScrapes, type Scrape, timedGet } from "./lib/scrape.ts";
import { percentile } from "./lib/stats.ts";
import { formatCount } from "./lib/format.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string" },
    keys: { type: "string" },
    scrapes: { type: "string" },
    quick: { type: "boolean", default: false },
  },
});
const quick = values.quick;
const clientCount = Number(values.clients ?? (quick ? 1_000 : 10_000));
const keyCount = Number(values.keys ?? (quick ? 100_000 : 1_000_000));
const scrapeCount = Number(values.scrapes ?? (quick ? 10 : 50));
/** Connections opened at once while filling the server. */
const CONNECT_BATCH = 500;

async function scrapeTimes(url: string): Promise<Scrape[]> {
  const scrapes: Scrape[] = [];
  for (let i = 0; i < scrapeCount; i++) {
    scrapes.push(await timedGet(url));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return scrapes;
}

async function main(): Promise<void> {
  const skip = bulkLoadSkipReason();
  if (skip) {
    console.log(`Skipping the scrape-at-scale benchmark: ${skip}`);
    return;
  }
  const server = await startHermes([
    "--metrics-port",
    "0",
    "--maxclients",
    String(clientCount + 100),
    "--fsync",
    "everysec",
  ]);
  const conns: Deno.TcpConn[] = [];
  try {
    const base = `http://127.0.0.1:${server.metricsPort}`;
    const loaded = await bulkLoad(server.port, keyCount);
    console.log(
      `Loaded ${formatCount(loaded.keys)} keys in ${(loaded.ms / 1000).toFixed(1)} s; ` +
        `DBSIZE ${formatCount(await dbSize(server.port))}`,
    );
    for (let opened = 0; opened < clientCount; opened += CONNECT_BATCH) {
      const batch = Math.min(CONNECT_BATCH, clientCount - opened);
      conns.push(
        ...await Promise.all(
          Array.from(
            { length: batch },
            () => Deno.connect({ hostname: "127.0.0.1", port: server.port }),
          ),
        ),
      );
    }
    // Every connection is admitted before the scrapes start.
    const deadline = Date.now() + 60_000;
    let connected = 0;
    while (Date.now() < deadline) {
      connected = Number((await infoFields(server.port, "clients")).get("connected_clients"));
      if (connected > clientCount) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(`Clients connected: ${formatCount(connected)} (INFO connected_clients)\n`);

    const metrics = await scrapeTimes(`${base}/metrics`);
    const stats = await scrapeTimes(`${base}/stats.json`);
    console.log(`/metrics:    ${describeScrapes(metrics)}`);
    console.log(`/stats.json: ${describeScrapes(stats)}`);
    const p99 = percentile(metrics.map((s) => s.ms).sort((a, b) => a - b), 0.99);
    console.log(
      `\n/metrics p99 with ${formatCount(clientCount)} clients and ${
        formatCount(keyCount)
      } keys: ` +
        `${p99.toFixed(2)} ms (goal: under 50 ms) -> ${p99 < 50 ? "goal met" : "goal not met"}`,
    );
  } finally {
    for (const conn of conns) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
}

await main();
