/**
 * Crash tests: a real server under concurrent writes from many connections is killed with
 * SIGKILL at random moments and restarted on the same directory; every acknowledged write must
 * be there, and every worker's keys must be exactly "all acknowledged" or "that plus the one
 * command in flight". State carries over from round to round.
 */
import { assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes } from "../helpers/hermes_process.ts";
import { connect } from "../../src/client/mod.ts";
import { seededRandom, verifyWorkers, Worker } from "./workload.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the workers against `server` for `ms`, then kills it with SIGKILL mid-load. */
async function loadAndKill(server: HermesProcess, workers: Worker[], ms: number): Promise<void> {
  let killed = false;
  const runs = workers.map((w) => w.run(server.port, () => killed));
  await sleep(ms);
  await server.kill();
  killed = true;
  await Promise.all(runs);
}

Deno.test("acknowledged writes survive SIGKILL at random moments under every fsync policy", async () => {
  const seed = Math.floor(Math.random() * 1_000_000);
  console.log(`crash test seed ${seed}`);
  const random = seededRandom(seed);
  const dir = await Deno.makeTempDir({ prefix: "hermes-crash-" });
  const workers = Array.from({ length: 24 }, (_, i) => new Worker(i, seededRandom(seed + i + 1)));
  const policies = ["always", "everysec", "no", "always", "always"];
  try {
    for (const policy of policies) {
      const server = await startHermes(["--fsync", policy], { dir });
      try {
        await verifyWorkers(server.port, workers);
      } catch (error) {
        throw new Error(`Before the ${policy} round (seed ${seed}): ${error}\n${server.output()}`);
      }
      await loadAndKill(server, workers, 300 + random() * 900);
    }
    const last = await startHermes([], { dir });
    try {
      await verifyWorkers(last.port, workers);
    } finally {
      await last.stop();
    }
    const total = workers.reduce((sum, w) => sum + w.acknowledged, 0);
    console.log(`${total} writes acknowledged over ${policies.length} kills`);
    assertOk(total > 500, `only ${total} writes were acknowledged: the load did not run`);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("a kill at a random point of a compaction keeps every acknowledged write", async () => {
  const seed = Math.floor(Math.random() * 1_000_000);
  console.log(`compaction crash seed ${seed}`);
  const random = seededRandom(seed);
  const dir = await Deno.makeTempDir({ prefix: "hermes-compaction-crash-" });
  const workers = Array.from({ length: 12 }, (_, i) => new Worker(i, seededRandom(seed + i + 1)));
  const BULK = 60_000;
  const bulkValue = (i: number) => `bulk-value-${i}-${"x".repeat(i % 40)}`;
  try {
    // A base of keys large enough that a compaction takes a while.
    const first = await startHermes([], { dir });
    const loader = await first.connect();
    for (let start = 0; start < BULK; start += 5000) {
      const commands: string[][] = [];
      for (let i = start; i < start + 5000; i += 500) {
        const args = ["MSET"];
        for (let k = i; k < i + 500; k++) args.push(`bulk:${k}`, bulkValue(k));
        commands.push(args);
      }
      await loader.pipeline(commands);
    }
    loader.close();
    await first.stop();

    let compactionsSeen = 0;
    for (let round = 0; round < 4; round++) {
      const server = await startHermes(["--compact-min-size", "256kb"], { dir });
      try {
        await verifyWorkers(server.port, workers);
        await verifyBulk(server.port, BULK, bulkValue);
      } catch (error) {
        throw new Error(`Round ${round} (seed ${seed}): ${error}\n${server.output()}`);
      }
      let killed = false;
      const runs = workers.map((w) => w.run(server.port, () => killed));
      await sleep(50);
      const admin = await connect({ port: server.port });
      // The server may have started one by itself already (256 KB threshold): that counts too.
      const reply = await admin.call("BGREWRITEAOF").catch((error: Error) => error.message);
      if (/started|already in progress/.test(String(reply))) compactionsSeen++;
      admin.close();
      await sleep(random() * 700);
      await server.kill();
      killed = true;
      await Promise.all(runs);
    }
    const last = await startHermes([], { dir });
    try {
      await verifyWorkers(last.port, workers);
      await verifyBulk(last.port, BULK, bulkValue);
    } finally {
      await last.stop();
    }
    assertOk(compactionsSeen >= 2, `only ${compactionsSeen} compactions were started`);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

async function verifyBulk(port: number, count: number, valueOf: (i: number) => string) {
  const client = await connect({ port });
  try {
    for (let start = 0; start < count; start += 1000) {
      const keys = Array.from({ length: 1000 }, (_, i) => `bulk:${start + i}`);
      const values = await client.send("MGET", ...keys) as (string | null)[];
      for (let i = 0; i < keys.length; i++) {
        if (values[i] !== valueOf(start + i)) {
          throw new Error(`${keys[i]} is ${JSON.stringify(values[i])}`);
        }
      }
    }
  } finally {
    client.close();
  }
}
