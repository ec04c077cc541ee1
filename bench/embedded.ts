/**
 * Embedded Hermes against the same store over TCP and against Deno KV, in one run: SET (made
 * durable before it resolves) and GET ops/s with one caller and with 50 concurrent callers.
 *
 * - Embedded: `open({ dir, fsync: "always" })` in this process; the callers share the db.
 * - TCP: a Hermes server process (`--fsync always`) reached with the client library; one
 *   connection per caller.
 * - Deno KV: `Deno.openKv(path)` with its own durability (each `set` commits before it
 *   resolves), `get` reads.
 *
 * Keys look like `user:1000123` (100,000 of them), values are 16 bytes. Each case runs for a
 * fixed time per round; rounds rotate the order of the stores and medians are reported. Goal
 * (PERF-NOTES.md): embedded durable writes at least 10x Deno KV's with 50 callers, reads at
 * least 50x. Benchmarks print; they never fail.
 *
 *   deno run --allow-all --unstable-kv bench/embedded.ts [--rounds 3] [--seconds 2] [--callers 50]
 */
import { parseArgs } from "node:util";
import { open } from "../src/embedded/open.ts";
import { connect } from "../src/client/mod.ts";
import { startHermesServer } from "./lib/servers.ts";
import { median, ratio, roundOrder } from "./lib/stats.ts";
import { formatCount, formatFixed, textTable } from "./lib/format.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "2" },
    callers: { type: "string", default: "50" },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const callers = Number(values.callers);
const KEYS = 100_000;
const VALUE = "v".repeat(16);

/** One way to set and get a key; `caller` picks a connection where a store has several. */
interface Store {
  label: string;
  set(caller: number, key: string): Promise<unknown>;
  get(caller: number, key: string): Promise<unknown>;
  close(): Promise<void>;
}

/** The slice of Deno KV used here (typed locally: the API is unstable). */
interface Kv {
  set(key: unknown[], value: unknown): Promise<unknown>;
  get(key: unknown[]): Promise<unknown>;
  close(): void;
}

const key = () => `user:${1_000_000 + Math.floor(Math.random() * KEYS)}`;

/** Runs `op` from `concurrency` callers for the configured time; ops per second. */
async function measure(
  concurrency: number,
  op: (caller: number, key: string) => Promise<unknown>,
): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  // The clock is read once per 32 operations: a read per operation (an op call) would be a
  // tenth of an embedded GET's time, charged to the store being measured.
  const caller = async (id: number) => {
    while (performance.now() < deadline) {
      for (let i = 0; i < 32; i++) await op(id, key());
      done += 32;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, id) => caller(id)));
  return done / ((performance.now() - start) / 1000);
}

async function embedded(): Promise<Store> {
  const dir = await Deno.makeTempDir({ prefix: "hermes-bench-embedded-" });
  const db = await open({ dir, fsync: "always" });
  return {
    label: "Hermes embedded",
    set: (_caller, k) => db.set(k, VALUE),
    get: (_caller, k) => db.get(k),
    async close() {
      await db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function overTcp(): Promise<Store> {
  const server = await startHermesServer(["--fsync", "always"]);
  const clients = await Promise.all(
    Array.from({ length: callers }, () => connect({ port: server.port })),
  );
  return {
    label: "Hermes over TCP",
    set: (caller, k) => clients[caller].set(k, VALUE),
    get: (caller, k) => clients[caller].get(k),
    async close() {
      for (const client of clients) client.close();
      await server.stop();
    },
  };
}

async function denoKv(): Promise<Store | string> {
  const openKv = (Deno as unknown as { openKv?: (path: string) => Promise<Kv> }).openKv;
  if (openKv === undefined) return "Deno KV skipped: run with --unstable-kv";
  const dir = await Deno.makeTempDir({ prefix: "hermes-bench-kv-" });
  const kv = await openKv(`${dir}/kv.sqlite`);
  return {
    label: "Deno KV",
    set: (_caller, k) => kv.set(["user", k], VALUE),
    get: (_caller, k) => kv.get(["user", k]),
    async close() {
      kv.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const CASES = [
  { name: "SET, 1 caller", op: "set", concurrency: 1 },
  { name: `SET, ${callers} callers`, op: "set", concurrency: callers },
  { name: "GET, 1 caller", op: "get", concurrency: 1 },
  { name: `GET, ${callers} callers`, op: "get", concurrency: callers },
] as const;

const makers = [embedded, overTcp, denoKv];
const samples = new Map<string, number[]>();
const labels: string[] = [];
for (let round = 0; round < rounds; round++) {
  const order = roundOrder(makers, round + 1);
  for (const make of order) {
    const store = await make();
    if (typeof store === "string") {
      if (round === 0) console.log(store);
      continue;
    }
    if (!labels.includes(store.label)) labels.push(store.label);
    // Fill the keys once so GETs hit.
    await measure(callers, (caller, k) => store.set(caller, k));
    for (const c of CASES) {
      const opsPerSec = await measure(c.concurrency, (caller, k) => store[c.op](caller, k));
      const id = `${store.label}|${c.name}`;
      samples.set(id, [...(samples.get(id) ?? []), opsPerSec]);
    }
    await store.close();
  }
}

const order = ["Hermes embedded", "Hermes over TCP", "Deno KV"].filter((l) => labels.includes(l));
const rows = CASES.map((c) => {
  const figures = order.map((label) => median(samples.get(`${label}|${c.name}`) ?? [0]));
  const kv = labels.includes("Deno KV") ? figures[order.indexOf("Deno KV")] : 0;
  return [
    c.name,
    ...figures.map(formatCount),
    kv > 0 ? `${formatFixed(ratio(figures[0], kv), 1)}x` : "-",
  ];
});
console.log(
  `\nops/s, median of ${rounds} rounds of ${seconds} s (fsync always; ${KEYS} keys, 16-byte values)\n`,
);
console.log(
  textTable(
    ["case", ...order, "embedded / KV"],
    rows,
    ["left", ...order.map(() => "right" as const), "right"],
  ),
);
