/**
 * What an idle client costs: opens N connections to Hermes and to redis-server, each sending
 * one PING (so its buffers are as real use leaves them) and then staying idle, and reports the
 * servers' RSS growth per client once they settled, with Hermes's own mem_clients_normal.
 *
 *   deno run -A bench/idle_clients.ts [--clients 10000] [--settle-ms 3000] [--baseline <ref>]
 *   deno run -A bench/idle_clients.ts --hermes-main /path/to/other/checkout/main.ts
 *
 * `--baseline <git ref>` measures Hermes as that commit has it too, in the same run (the
 * before/after comparison of a change to the connection buffers: bench/lib/baseline.ts);
 * `--hermes-main` measures another checkout's Hermes instead of this tree's. A bare Deno server that only answers PONG (lib/
 * idle_floor_server.ts) shows the floor: what Deno itself spends per socket and pending read.
 * The clients live in this process, the servers in their own.
 */
import { parseArgs } from "node:util";
import { rssBytes } from "./lib/proc.ts";
import { spawnUntilReady } from "./lib/spawn_ready.ts";
import { infoFields, spawnHermes, startRedisServer } from "./lib/servers.ts";
import { startBaselineHermes } from "./lib/baseline.ts";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "10000" },
    "settle-ms": { type: "string", default: "3000" },
    "hermes-main": { type: "string", default: new URL("../main.ts", import.meta.url).pathname },
    baseline: { type: "string" },
  },
});
const CLIENTS = Number(values.clients);
const SETTLE_MS = Number(values["settle-ms"]);

interface Running {
  name: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function startHermes(main: string): Promise<Running> {
  const server = await spawnHermes(main, [
    "--persistence",
    "none",
    "--maxclients",
    String(CLIENTS + 100),
  ]);
  return { ...server, pid: server.pid! };
}

async function startBaseline(ref: string): Promise<Running> {
  const server = await startBaselineHermes(ref, [
    "--persistence",
    "none",
    "--maxclients",
    String(CLIENTS + 100),
  ]);
  return { ...server, name: `Hermes ${ref}`, pid: server.pid! };
}

async function startFloor(): Promise<Running> {
  const server = new URL("./lib/idle_floor_server.ts", import.meta.url).pathname;
  const { child, port, drained } = await spawnUntilReady(["run", "--allow-net", server]);
  return {
    name: "bare Deno",
    port,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drained.catch(() => {});
    },
  };
}

async function startRedis(): Promise<Running> {
  const server = await startRedisServer(["--maxclients", String(CLIENTS + 100)]);
  return { ...server, pid: server.pid! };
}

const PING = new TextEncoder().encode("*1\r\n$4\r\nPING\r\n");

async function openIdle(port: number, count: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  const reply = new Uint8Array(16);
  for (let start = 0; start < count; start += 500) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(500, count - start) }, async () => {
        const conn = await Deno.connect({ port });
        await conn.write(PING);
        await conn.read(reply);
        return conn;
      }),
    );
    conns.push(...batch);
  }
  return conns;
}

async function measure(server: Running): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = rssBytes(server.pid);
  const hasInfo = server.name !== "bare Deno";
  const heapBefore = hasInfo
    ? Number((await infoFields(server.port, "memory")).get("allocator_allocated"))
    : NaN;
  const conns = await openIdle(server.port, CLIENTS);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const after = rssBytes(server.pid);
  const fields = hasInfo ? await infoFields(server.port, "memory") : new Map<string, string>();
  const accounted = Number(fields.get("mem_clients_normal"));
  const heap = (Number(fields.get("allocator_allocated")) - heapBefore) / CLIENTS;
  const perClient = (after - before) / CLIENTS;
  // A baseline from before memory accounting has neither field.
  const kb = (bytes: number) => Number.isNaN(bytes) ? "n/a" : `${(bytes / 1024).toFixed(2)} KB`;
  console.log(
    `${server.name.padEnd(9)} ${CLIENTS} idle clients: RSS ${
      (before / 1048576).toFixed(1)
    } MB -> ` +
      `${(after / 1048576).toFixed(1)} MB, ${kb(perClient)} per client` +
      `, heap ${kb(heap)} per client` +
      `, mem_clients_normal ${kb(accounted / CLIENTS)} per client`,
  );
  for (const conn of conns) conn.close();
}

console.log(
  `Idle clients (one PING each, then ${SETTLE_MS} ms idle); Hermes: ${values["hermes-main"]}`,
);
const baseline = values.baseline;
const starts = [
  () => startHermes(values["hermes-main"]!),
  ...(baseline === undefined ? [] : [() => startBaseline(baseline)]),
  startFloor,
  startRedis,
];
for (const start of starts) {
  const server = await start();
  try {
    await measure(server);
  } finally {
    await server.stop();
  }
}
