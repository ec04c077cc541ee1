/**
 * Transactions, side by side in one run:
 *
 * 1. MULTI + 5 INCRs + EXEC, one block per write, 50 clients: Hermes against Redis (ratio).
 *    redis-benchmark can only repeat one command, so a Deno load generator of the same shape
 *    (bench/lib/tx_load.ts) drives both servers alike.
 * 2. Transfers between 100 accounts (read both balances, check, write both back) with 1, 10 and
 *    50 clients: Hermes's BEGIN/COMMIT (retried on CONFLICT) against WATCH/MULTI/EXEC (retried
 *    when the watch fires) on Hermes and on Redis; transfers per second and the conflict rate
 *    (retried attempts per completed transfer).
 *
 * Servers run memory-only as in the main throughput table (Hermes `--persistence none`, Redis
 * `--save "" --appendonly no`), or both with an fsync per write with `--durable`. Rounds alternate
 * which server goes first; medians are reported. Benchmarks print; they never fail.
 *
 *   deno run --allow-all bench/transactions.ts [--rounds 3] [--seconds 5] [--durable] [--quick]
 */
import { parseArgs } from "node:util";
import { hasCommand } from "../tests/helpers/redis_process.ts";
import {
  type BenchServer,
  memoryOnlyHermesArgs,
  startHermesServer,
  startRedisServer,
} from "./lib/servers.ts";
import { type LoadResult, multiExecLoad, transferLoad, type TransferStyle } from "./lib/tx_load.ts";
import { median, ratio } from "./lib/stats.ts";
import { formatCount, formatFixed, textTable } from "./lib/format.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "5" },
    durable: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
  },
});
const rounds = values.quick ? 1 : Number(values.rounds);
const ms = (values.quick ? 1 : Number(values.seconds)) * 1000;
const ACCOUNTS = 100;
const TRANSFER_CLIENTS = [1, 10, 50];

/** One measured series: a label and the result of each round. */
interface Series {
  label: string;
  server: BenchServer;
  run: () => Promise<LoadResult>;
  results: LoadResult[];
}

function medianOf(series: Series): LoadResult {
  const pick = (f: (r: LoadResult) => number) => median(series.results.map(f));
  return {
    perSecond: pick((r) => r.perSecond),
    p50Ms: pick((r) => r.p50Ms),
    p99Ms: pick((r) => r.p99Ms),
    retriesPerUnit: pick((r) => r.retriesPerUnit),
  };
}

async function measure(all: Series[]): Promise<void> {
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order, so drift on a shared machine favours neither server.
    const order = round % 2 === 1 ? all : [...all].reverse();
    for (const series of order) {
      const result = await series.run();
      series.results.push(result);
      console.log(
        `round ${round} ${series.label.padEnd(44)} ${formatCount(result.perSecond)}/s ` +
          `p50 ${formatFixed(result.p50Ms, 2)} ms, retries per unit ` +
          formatFixed(result.retriesPerUnit, 3),
      );
    }
  }
}

async function main(): Promise<void> {
  if (!hasCommand("redis-server")) {
    console.log("Skipping the transaction benchmarks: redis-server is not installed");
    return;
  }
  const hermesArgs = values.durable ? ["--fsync", "always"] : memoryOnlyHermesArgs();
  const redisArgs = values.durable ? ["--appendonly", "yes", "--appendfsync", "always"] : [];
  const hermes = await startHermesServer(hermesArgs);
  const redis = await startRedisServer(redisArgs).catch(async (error) => {
    await hermes.stop();
    throw error;
  });
  try {
    console.log(`Hermes: ${hermes.settings}`);
    console.log(`Redis:  ${redis.settings}`);
    console.log(`${rounds} rounds of ${ms / 1000} s per series\n`);

    const blocks: Series[] = [hermes, redis].map((server) => ({
      label: `${server.name} MULTI + 5 INCR + EXEC, 50 clients`,
      server,
      run: () => multiExecLoad(server.port, 50, ms),
      results: [],
    }));
    await measure(blocks);

    const transfers: Series[] = [];
    for (const clients of TRANSFER_CLIENTS) {
      const kinds: [BenchServer, TransferStyle][] = [
        [hermes, "begin"],
        [hermes, "watch"],
        [redis, "watch"],
      ];
      for (const [server, style] of kinds) {
        const how = style === "begin" ? "BEGIN/COMMIT" : "WATCH/MULTI/EXEC";
        transfers.push({
          label: `${server.name} ${how}, ${clients} client${clients === 1 ? "" : "s"}`,
          server,
          run: () => transferLoad(server.port, style, clients, ACCOUNTS, ms),
          results: [],
        });
      }
    }
    console.log();
    await measure(transfers);

    const [hermesBlocks, redisBlocks] = blocks.map(medianOf);
    console.log();
    console.log(textTable(
      ["MULTI + 5 INCR + EXEC (50 clients)", "transactions/s", "vs Redis", "p50 ms", "p99 ms"],
      blocks.map((series) => {
        const m = medianOf(series);
        return [
          series.server.name,
          formatCount(m.perSecond),
          `${formatFixed(ratio(m.perSecond, redisBlocks.perSecond), 2)}x`,
          formatFixed(m.p50Ms, 2),
          formatFixed(m.p99Ms, 2),
        ];
      }),
      ["left", "right", "right", "right", "right"],
    ));
    console.log(
      `\nHermes / Redis, MULTI/EXEC: ` +
        `${formatFixed(ratio(hermesBlocks.perSecond, redisBlocks.perSecond), 2)}x`,
    );
    console.log();
    console.log(textTable(
      ["transfers (100 accounts)", "transfers/s", "retries per transfer", "p50 ms", "p99 ms"],
      transfers.map((series) => {
        const m = medianOf(series);
        return [
          series.label,
          formatCount(m.perSecond),
          formatFixed(m.retriesPerUnit, 3),
          formatFixed(m.p50Ms, 2),
          formatFixed(m.p99Ms, 2),
        ];
      }),
      ["left", "right", "right", "right", "right"],
    ));
  } finally {
    await hermes.stop();
    await redis.stop();
  }
}

await main();
