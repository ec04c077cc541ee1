/**
 * The fsync policies and persistence modes as clients see them: CONFIG GET answers truthfully,
 * INFO persistence counts fsyncs as each policy promises, BGREWRITEAOF compacts, and
 * `--persistence none` leaves no files.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { startHermes, withHermes } from "../helpers/hermes_process.ts";
import type { Client } from "../../src/client/mod.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function persistence(client: Client): Promise<Record<string, string>> {
  const text = await client.send("INFO", "persistence") as string;
  const fields: Record<string, string> = {};
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

async function fsyncs(client: Client): Promise<number> {
  return Number((await persistence(client)).aof_fsyncs);
}

for (const policy of ["always", "everysec", "no"]) {
  Deno.test(`CONFIG GET reports --fsync ${policy} and appendonly yes`, async () => {
    await withHermes(async (server) => {
      const client = await server.connect();
      assertEquals(await client.send("CONFIG", "GET", "appendfsync"), ["appendfsync", policy]);
      assertEquals(await client.send("CONFIG", "GET", "appendonly"), ["appendonly", "yes"]);
      assertEquals(await client.send("CONFIG", "GET", "fsync"), ["fsync", policy]);
      const info = await persistence(client);
      assertEquals([info.aof_enabled, info.aof_fsync_policy], ["1", policy]);
      client.close();
    }, ["--fsync", policy]);
  });
}

Deno.test("--fsync always makes each write round durable with one fdatasync before replying", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const before = await fsyncs(client);
    for (let i = 0; i < 5; i++) await client.send("SET", `k${i}`, "v");
    await client.send("GET", "k0"); // reads need no fsync
    assertEquals(await fsyncs(client), before + 5);
    // A pipelined batch is one round: one fdatasync for all of it.
    await client.pipeline(Array.from({ length: 50 }, (_, i) => ["SET", `p${i}`, "v"]));
    assertEquals(await fsyncs(client), before + 6);
    client.close();
  }, ["--fsync", "always"]);
});

Deno.test("--fsync everysec syncs in the background and --fsync no leaves it to the OS", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    for (let i = 0; i < 20; i++) await client.send("SET", `k${i}`, "v");
    let synced = 0;
    const deadline = Date.now() + 30_000;
    while (synced === 0 && Date.now() < deadline) {
      await sleep(100);
      synced = await fsyncs(client);
    }
    assertOk(synced >= 1 && synced < 20, `${synced} fsyncs for 20 writes under everysec`);
    client.close();
  }, ["--fsync", "everysec"]);
  await withHermes(async (server) => {
    const client = await server.connect();
    for (let i = 0; i < 20; i++) await client.send("SET", `k${i}`, "v");
    await sleep(1500);
    assertEquals(await fsyncs(client), 0);
    client.close();
  }, ["--fsync", "no"]);
});

Deno.test("CONFIG SET appendfsync changes the policy while the server runs", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(await client.send("CONFIG", "SET", "appendfsync", "always"), "OK");
    const before = await fsyncs(client);
    await client.send("SET", "a", "1");
    assertEquals(await fsyncs(client), before + 1);
    assertEquals(await client.send("CONFIG", "GET", "fsync"), ["fsync", "always"]);
    const refused = await client.call("CONFIG", "SET", "appendfsync", "sometimes");
    assertMatch(String(refused), /CONFIG SET failed/);
    client.close();
  }, ["--fsync", "no"]);
});

Deno.test("BGREWRITEAOF compacts the log into a snapshot that a restart loads", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-rewrite-" });
  try {
    const server = await startHermes([], { dir });
    const client = await server.connect();
    for (let i = 0; i < 200; i++) await client.send("SET", "counter", String(i));
    await client.send("SET", "other", "x", "EX", "3600");
    const before = await persistence(client);
    const requestedSec = Math.floor(Date.now() / 1000);
    assertEquals(
      await client.send("BGREWRITEAOF"),
      "Background append only file rewriting started",
    );
    let info = await persistence(client);
    const deadline = Date.now() + 30_000;
    while (info.aof_rewrites !== "1" && Date.now() < deadline) {
      await sleep(50);
      info = await persistence(client);
    }
    assertEquals([info.aof_rewrites, info.aof_last_bgrewrite_status], ["1", "ok"]);
    assertOk(Number(info.aof_current_size) < Number(before.aof_current_size) / 4);
    assertOk(Number(info.aof_base_size) > 0);
    assertOk((await client.send("LASTSAVE") as number) >= requestedSec);
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(files, ["hermes-00000002.log", "hermes-00000002.snapshot", "hermes.lock"]);
    client.close();
    await server.kill();

    const again = await startHermes([], { dir });
    const reader = await again.connect();
    assertEquals(await reader.send("MGET", "counter", "other"), ["199", "x"]);
    assertOk((await reader.send("TTL", "other") as number) > 3500);
    reader.close();
    await again.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--persistence none keeps everything in memory and creates no files", async () => {
  const parent = await Deno.makeTempDir({ prefix: "hermes-memory-" });
  const dir = `${parent}/never-created`;
  try {
    const server = await startHermes(["--persistence", "none"], { dir });
    const client = await server.connect();
    await client.send("SET", "a", "1");
    assertEquals(await client.send("CONFIG", "GET", "appendonly"), ["appendonly", "no"]);
    assertEquals((await persistence(client)).aof_enabled, "0");
    assertMatch(String(await client.call("BGREWRITEAOF")), /persistence is off/);
    client.close();
    await server.stop();
    assertEquals(await Deno.stat(dir).then(() => true, () => false), false);
    const again = await startHermes(["--persistence", "none"], { dir });
    const reader = await again.connect();
    assertEquals(await reader.send("GET", "a"), null);
    reader.close();
    await again.stop();
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
