/**
 * The capability benchmarks of the second wave, one after another on a quiet machine, each
 * written into its own block at the end of bench/RESULTS.md (below the suite that
 * `deno task bench` writes). Every benchmark is a standalone script that compares Hermes with
 * Redis (or another reference) in the same run; this runner only sequences them and records
 * their reports, the command that made each, when and how long it took.
 *
 *   deno run -A bench/capabilities.ts                 every benchmark (about 30 minutes)
 *   deno run -A bench/capabilities.ts --only pubsub,tls
 *   deno run -A bench/capabilities.ts --list
 *
 * Blocks of benchmarks not run this time are kept as they were. Benchmarks print; they never
 * fail: a script that exits non-zero is recorded with its exit code and its last output.
 */
import { parseArgs } from "node:util";
import {
  capabilityBlocks,
  capabilityPart,
  renderCapabilityPart,
  suitePart,
} from "./lib/results_file.ts";

interface Capability {
  id: string;
  title: string;
  /** Arguments after `deno run`: permissions, the script, its flags. */
  args: string[];
}

const CAPABILITIES: readonly Capability[] = [
  {
    id: "hot-path",
    title: "The hot path: plain SET/GET before the second wave and now",
    args: ["--allow-all", "bench/hot_path.ts", "--rounds", "5"],
  },
  {
    id: "durable",
    title: "Durable SET: blocking and pipelined group commit, and the cost of the undo log",
    args: ["--allow-all", "bench/durable_set.ts", "--rounds", "3", "--baseline", "9a85226"],
  },
  {
    id: "undo-log",
    title: "Durable SET: the undo log's cost (Hermes before the disk-fault work beside this tree)",
    args: [
      "--allow-all",
      "bench/durable_set.ts",
      "--rounds",
      "3",
      "--no-floor",
      "--baseline",
      "67819e6",
    ],
  },
  {
    id: "partitions",
    title: "Partitions: NONE and WAL partitions beside Redis",
    args: ["--allow-all", "bench/partitions.ts", "--rounds", "3"],
  },
  {
    id: "transactions",
    title: "Transactions: MULTI/EXEC and BEGIN/COMMIT beside WATCH/MULTI/EXEC",
    args: ["--allow-all", "bench/transactions.ts", "--rounds", "3", "--seconds", "5"],
  },
  {
    id: "replication",
    title: "Replication: full sync, lag and throughput with replicas",
    args: ["--allow-all", "bench/replication.ts"],
  },
  {
    id: "collections-memory",
    title: "Collections: bytes per element (hashes, lists, sets, sorted sets)",
    args: ["--allow-all", "bench/collections_memory.ts"],
  },
  {
    id: "collection-del",
    title: "Collections: deleting a 1M-element collection while others are served",
    args: ["--allow-all", "bench/collection_del.ts"],
  },
  {
    id: "zset-big",
    title: "Sorted sets: loading and reading a 1M-member sorted set",
    args: ["--allow-all", "bench/zset_big.ts"],
  },
  {
    id: "eviction",
    title: "Eviction: Zipf hit ratio (allkeys-lru/lfu), SET latency with eviction, redis-cli " +
      "--lru-test, beside Redis",
    args: ["--allow-all", "bench/eviction.ts"],
  },
  {
    id: "memory-accounting",
    title: "Memory: used_memory against the heap and RSS per value type, beside Redis",
    args: ["--allow-all", "bench/memory_accounting.ts"],
  },
  {
    id: "idle-clients",
    // Before and after: 14e36a6 is main just before the per-client buffers (issue 15).
    title: "Per-client memory: RSS growth of 10,000 idle clients, before and after the " +
      "shared buffers, beside Redis",
    args: ["--allow-all", "bench/idle_clients.ts", "--clients", "10000", "--baseline", "14e36a6"],
  },
  {
    id: "pubsub",
    title: "Pub/sub: messages delivered per second",
    args: ["--allow-all", "bench/pubsub.ts", "--rounds", "9"],
  },
  {
    id: "metrics-scrape",
    title: "Observability: what a /metrics scrape every 100 ms costs the data port",
    args: ["--allow-all", "bench/metrics_scrape.ts", "--rounds", "3"],
  },
  {
    id: "metrics-scale",
    title: "Observability: /metrics with 1M keys and 10,000 clients",
    args: ["--allow-all", "bench/metrics_scale.ts"],
  },
  {
    id: "tls",
    title: "Security: throughput over TLS",
    args: ["--allow-all", "bench/tls.ts", "--rounds", "3"],
  },
  {
    id: "embedded",
    title: "Embedded API: in-process against TCP and Deno KV",
    args: ["--allow-all", "--unstable-kv", "bench/embedded.ts", "--rounds", "3"],
  },
];

const RESULTS = new URL("./RESULTS.md", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;
const HEADING = [
  "## Capability benchmarks",
  "",
  "Each block is one standalone benchmark's report, recorded by `deno run -A bench/capabilities.ts`",
  "on the date it names; the command in each block reproduces it.",
].join("\n");

async function runOne(capability: Capability): Promise<string> {
  const command = `deno run ${capability.args.join(" ")}`;
  console.log(`\n== ${capability.id}: ${command}`);
  const started = new Date();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...capability.args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
    // Plain text for the Markdown file: Deno and the scripts print no colours under NO_COLOR.
    env: { NO_COLOR: "1" },
  }).spawn();
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    const text = decoder.decode(chunk, { stream: true });
    chunks.push(text);
    await Deno.stdout.write(chunk);
  }
  const status = await child.status;
  const seconds = Math.round((Date.now() - started.getTime()) / 1000);
  const output = chunks.join("").trimEnd();
  const outcome = status.success ? "" : `, exited with code ${status.code}`;
  return [
    `### ${capability.title}`,
    "",
    `\`${command}\` on ${started.toISOString().slice(0, 16)}Z (${seconds} s${outcome}):`,
    "",
    "```text",
    output === "" ? "(no output)" : output,
    "```",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: "string" },
      list: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help || values.list) {
    for (const c of CAPABILITIES) console.log(`${c.id.padEnd(20)} deno run ${c.args.join(" ")}`);
    return 0;
  }
  const wanted = values.only?.split(",").map((id) => id.trim()).filter((id) => id !== "");
  const unknown = wanted?.filter((id) => !CAPABILITIES.some((c) => c.id === id)) ?? [];
  if (unknown.length > 0) {
    console.error(`Unknown benchmark(s): ${unknown.join(", ")} (see --list)`);
    return 2;
  }
  const chosen = CAPABILITIES.filter((c) => wanted === undefined || wanted.includes(c.id));
  for (const capability of chosen) {
    const block = await runOne(capability);
    // Written after each benchmark, so an interrupted run keeps what it measured.
    const text = await Deno.readTextFile(RESULTS).catch(() => "");
    const blocks = capabilityBlocks(capabilityPart(text));
    blocks.set(capability.id, block);
    const order = CAPABILITIES.map((c) => c.id);
    const suite = suitePart(text).trimEnd();
    await Deno.writeTextFile(
      RESULTS,
      `${suite}\n\n${renderCapabilityPart(HEADING, blocks, order)}`,
    );
  }
  // Formatted like every other file, so `deno fmt --check` (part of `deno task test`) passes.
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", RESULTS] }).output();
  console.log(`\nWrote ${RESULTS}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
