/**
 * Pub/sub throughput, side by side in one run: one publisher pipelining PUBLISH to one channel
 * with 1, 10 and 100 subscribers, against Hermes and redis-server (both keeping no log, so the
 * figure is delivery alone). The figure is messages delivered per second (messages x
 * subscribers / time until the last subscriber has the last message). Rounds alternate the
 * servers and medians are reported, with Hermes / Redis per case; the goal is at least 0.8.
 * Benchmarks print; they never fail.
 *
 *   deno run --allow-all bench/pubsub.ts [--rounds 3] [--payload 100] [--window 100] [--quick]
 *
 * The messages per case shrink as subscribers grow, so each case delivers about as many
 * messages in all; `--quick` divides them by ten (a smoke run).
 */
import { parseArgs } from "node:util";
import { redisAvailable } from "../tests/helpers/redis_process.ts";
import { runPubSubLoad } from "./lib/pubsub_load.ts";
import {
  type BenchServer,
  memoryOnlyHermesArgs,
  startHermesServer,
  startRedisServer,
} from "./lib/servers.ts";
import { median, ratio } from "./lib/stats.ts";
import { formatCount, formatFixed, textTable } from "./lib/format.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "3" },
    payload: { type: "string", default: "100" },
    window: { type: "string", default: "100" },
    quick: { type: "boolean", default: false },
  },
});
const rounds = values.quick ? 1 : Number(values.rounds);
const payloadBytes = Number(values.payload);
const window = Number(values.window);
const scale = values.quick ? 0.1 : 1;

/** Subscribers per case, and how many messages the publisher sends in it. */
const CASES: [subscribers: number, messages: number][] = [
  [1, 500_000],
  [10, 100_000],
  [100, 10_000],
].map(([subscribers, messages]) => [subscribers, Math.round(messages * scale)]);

async function main(): Promise<void> {
  if (!redisAvailable()) {
    console.log("Skipping the pub/sub benchmark: redis-server is not installed");
    return;
  }
  const servers: BenchServer[] = [];
  try {
    servers.push(await startRedisServer(), await startHermesServer(memoryOnlyHermesArgs()));
    for (const server of servers) console.log(`${server.name}: ${server.settings}`);
    console.log(
      `one publisher, PUBLISH of ${payloadBytes} B pipelined ${window} at a time, ` +
        `${rounds} round(s)\n`,
    );
    // Warm up first: Hermes's code is compiled by V8 as it runs (Redis needs none).
    for (const server of servers) {
      for (const [subscribers, messages] of CASES) {
        await runPubSubLoad(server.port, {
          subscribers,
          messages: Math.ceil(messages / 10),
          payloadBytes,
          window,
        });
      }
    }
    const samples = new Map<string, number[]>();
    for (let round = 1; round <= rounds; round++) {
      // Alternate who goes first, so drift over the run favours neither.
      const order = round % 2 === 1 ? servers : [...servers].reverse();
      for (const [subscribers, messages] of CASES) {
        for (const server of order) {
          const result = await runPubSubLoad(server.port, {
            subscribers,
            messages,
            payloadBytes,
            window,
          });
          const key = `${server.name}/${subscribers}`;
          samples.set(key, [...(samples.get(key) ?? []), result.deliveredPerSec]);
          console.log(
            `round ${round} ${server.name.padEnd(6)} ${String(subscribers).padStart(3)} ` +
              `subscribers: ${formatCount(result.deliveredPerSec)} delivered/s ` +
              `(${formatCount(result.publishedPerSec)} PUBLISH/s, ${result.seconds.toFixed(2)} s)`,
          );
        }
      }
    }
    console.log();
    const rows = CASES.map(([subscribers, messages]) => {
      const redis = median(samples.get(`Redis/${subscribers}`) ?? []);
      const hermes = median(samples.get(`Hermes/${subscribers}`) ?? []);
      const x = ratio(hermes, redis);
      return [
        String(subscribers),
        formatCount(messages),
        formatCount(redis),
        formatCount(hermes),
        `${formatFixed(x, 2)}x`,
        x >= 0.8 ? "met" : "not met",
      ];
    });
    console.log(textTable(
      [
        "subscribers",
        "messages",
        "Redis delivered/s",
        "Hermes delivered/s",
        "Hermes/Redis",
        "goal 0.8",
      ],
      rows,
      ["right", "right", "right", "right", "right", "left"],
    ));
  } finally {
    for (const server of servers) await server.stop();
  }
}

await main();
