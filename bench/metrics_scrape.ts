/**
 * What scraping /metrics costs the data port: redis-benchmark (50 clients, SET and GET,
 * pipeline 1) against one Hermes with `--metrics-port`, alternately with nobody scraping and
 * with /metrics fetched every 100 ms (ten times Prometheus's usual rate) for the whole run.
 * Runs alternate in each round so the machine's drift hits both alike; medians are reported
 * with the change in throughput. The goal: less than 5% slower while scraped.
 *
 *   deno run --allow-all bench/metrics_scrape.ts [--rounds 5] [--requests 1000000]
 *     [--clients 50] [--interval-ms 100] [--hermes-args="--fsync everysec"] [--quick]
 *
 * With 1,000,000 requests per test a run lasts about 10 s per test on the lead's machine,
 * so every scraped run sees about 100 scrapes per test. `--quick` is a smoke check (1 round,
 * 100,000 requests). Benchmarks print; they never fail.
 */
import { parseArgs } from "node:util";
import { hasCommand } from "../tests/helpers/redis_process.ts";
import { startHermes } from "../tests/helpers/hermes_process.ts";
import { runRedisBenchmark } from "./lib/redis_benchmark.ts";
import { median } from "./lib/stats.ts";
import { formatCount, formatFixed, textTable } from "./lib/format.ts";
import { describeScrapes, type Scrape, scrapeEvery } from "./lib/scrape.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string" },
    requests: { type: "string" },
    clients: { type: "string", default: "50" },
    "interval-ms": { type: "string", default: "100" },
    "hermes-args": { type: "string", default: "--fsync everysec" },
    quick: { type: "boolean", default: false },
  },
});
const quick = values.quick;
const rounds = Number(values.rounds ?? (quick ? 1 : 5));
const requests = Number(values.requests ?? (quick ? 100_000 : 1_000_000));
const clients = Number(values.clients);
const intervalMs = Number(values["interval-ms"]);
const hermesArgs = values["hermes-args"].split(/\s+/).filter((f) => f !== "");
const TESTS = ["set", "get"];

async function main(): Promise<void> {
  if (!hasCommand("redis-benchmark")) {
    console.log("Skipping the scrape benchmark: redis-benchmark is not installed");
    return;
  }
  const server = await startHermes(["--metrics-port", "0", ...hermesArgs]);
  const url = `http://127.0.0.1:${server.metricsPort}/metrics`;
  const results: Record<"quiet" | "scraped", Record<string, number[]>> = {
    quiet: { SET: [], GET: [] },
    scraped: { SET: [], GET: [] },
  };
  const scrapes: Scrape[] = [];
  try {
    console.log(
      `Hermes ${hermesArgs.join(" ")}; redis-benchmark -t ${TESTS.join(",")} -c ${clients} ` +
        `-P 1 -n ${requests} -r 100000; scraping ${url} every ${intervalMs} ms; ${rounds} rounds\n`,
    );
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? ["quiet", "scraped"] as const : ["scraped", "quiet"] as const;
      for (const mode of order) {
        const stop = mode === "scraped" ? scrapeEvery(url, intervalMs) : null;
        const rows = await runRedisBenchmark({
          port: server.port,
          tests: TESTS,
          clients,
          pipeline: 1,
          requests,
          keyspace: 100_000,
          timeoutMs: 600_000,
        });
        if (stop) scrapes.push(...await stop());
        for (const row of rows) results[mode][row.test]?.push(row.opsPerSec);
        console.log(
          `round ${round} ${mode.padEnd(8)} ` +
            rows.map((row) => `${row.test} ${formatCount(row.opsPerSec)}/s`).join("  "),
        );
      }
    }
  } finally {
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
  console.log();
  const changes: number[] = [];
  console.log(textTable(
    ["test", "ops/s, nobody scraping", `ops/s, scraped every ${intervalMs} ms`, "change"],
    ["SET", "GET"].map((test) => {
      const quiet = median(results.quiet[test]);
      const scraped = median(results.scraped[test]);
      const change = (scraped / quiet - 1) * 100;
      changes.push(change);
      return [test, formatCount(quiet), formatCount(scraped), `${formatFixed(change, 1)}%`];
    }),
    ["left", "right", "right", "right"],
  ));
  console.log(`\n/metrics: ${describeScrapes(scrapes)}`);
  const worst = Math.min(...changes);
  console.log(
    `Largest slowdown while scraped: ${formatFixed(-worst, 1)}% (goal: under 5%) -> ` +
      (worst > -5 ? "goal met" : "goal not met"),
  );
}

await main();
