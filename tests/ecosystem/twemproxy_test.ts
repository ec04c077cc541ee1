/**
 * Sharding with twemproxy (nutcracker): three Hermes servers behind one proxy with ketama and
 * fnv1a_64. Keys written through the proxy land on every shard, read back through it, and
 * multi-key MGET/MSET split across shards work pipelined.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes } from "../helpers/hermes_process.ts";
import { freePort } from "../helpers/redis_process.ts";
import { cleanup, waitFor } from "../helpers/replication.ts";
import { type Client, connect } from "../../src/client/mod.ts";

const NUTCRACKER = "/usr/sbin/nutcracker";
const KEYS = 100_000;

function nutcrackerMissing(): string | null {
  try {
    Deno.statSync(NUTCRACKER);
    return null;
  } catch {
    return `${NUTCRACKER} is not installed (apt-get install nutcracker)`;
  }
}

const skip = nutcrackerMissing();
if (skip) console.log(`Skipping the twemproxy test: ${skip}`);

/** The nutcracker pool the README shows, for these backends. */
export function nutcrackerConfig(listenPort: number, backends: number[]): string {
  return [
    "hermes:",
    `  listen: 127.0.0.1:${listenPort}`,
    "  hash: fnv1a_64",
    "  distribution: ketama",
    "  redis: true",
    "  auto_eject_hosts: false",
    "  timeout: 5000",
    "  servers:",
    ...backends.map((port) => `   - 127.0.0.1:${port}:1`),
    "",
  ].join("\n");
}

Deno.test({
  name: "nutcracker spreads keys over three Hermes shards and serves them back, MGET/MSET included",
  ignore: skip !== null,
  fn: async () => {
    const shards: HermesProcess[] = [];
    const clients: Client[] = [];
    let proxy: Deno.ChildProcess | null = null;
    const dir = await Deno.makeTempDir({ prefix: "nutcracker-" });
    try {
      for (let i = 0; i < 3; i++) shards.push(await startHermes(["--persistence", "none"]));
      const port = freePort();
      await Deno.writeTextFile(
        `${dir}/nutcracker.yml`,
        nutcrackerConfig(port, shards.map((s) => s.port)),
      );
      proxy = new Deno.Command(NUTCRACKER, {
        args: [
          "-c",
          `${dir}/nutcracker.yml`,
          "-o",
          `${dir}/nutcracker.log`,
          "-s",
          String(freePort()),
          "-a",
          "127.0.0.1",
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
      let client: Client | null = null;
      await waitFor(async () => {
        try {
          client = await connect({ port });
          return true;
        } catch {
          return false;
        }
      }, "nutcracker to listen");
      const c = client!;
      clients.push(c);

      for (let start = 0; start < KEYS; start += 5000) {
        const batch: string[][] = [];
        for (let i = start; i < start + 5000; i++) batch.push(["SET", `user:${i}`, `v${i}`]);
        const replies = await c.pipeline(batch);
        assertOk(replies.every((reply) => reply === "OK"), "a SET through the proxy failed");
      }
      let total = 0;
      for (const shard of shards) {
        const direct = await shard.connect();
        clients.push(direct);
        const size = await direct.send("DBSIZE") as number;
        total += size;
        const share = size / KEYS;
        assertOk(share >= 0.2 && share <= 0.47, `a shard holds ${(share * 100).toFixed(1)}%`);
      }
      assertEquals(total, KEYS);

      // Every key reads back through the proxy, 100 per MGET, pipelined.
      let checked = 0;
      for (let start = 0; start < KEYS; start += 10_000) {
        const batch: string[][] = [];
        for (let m = start; m < start + 10_000; m += 100) {
          batch.push(["MGET", ...Array.from({ length: 100 }, (_, i) => `user:${m + i}`)]);
        }
        const replies = await c.pipeline(batch) as string[][];
        replies.forEach((values, b) => {
          values.forEach((value, i) => {
            assertEquals(value, `v${start + b * 100 + i}`);
            checked++;
          });
        });
      }
      assertEquals(checked, KEYS);

      // MSET across shards, pipelined with the MGET that reads it back.
      const pairs = Array.from({ length: 50 }, (_, i) => [`pair:${i}`, `p${i}`]).flat();
      const [set, got] = await c.pipeline([
        ["MSET", ...pairs],
        ["MGET", ...Array.from({ length: 50 }, (_, i) => `pair:${i}`)],
      ]);
      assertEquals(set, "OK");
      assertEquals(got, Array.from({ length: 50 }, (_, i) => `p${i}`));
      assertEquals(await c.send("DEL", "pair:1", "pair:2", "nosuch"), 2);
    } finally {
      if (proxy) {
        try {
          proxy.kill("SIGKILL");
        } catch { /* gone */ }
        await proxy.status;
      }
      await cleanup(clients, shards);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
