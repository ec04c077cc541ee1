/**
 * Partitions across crashes and restarts: WAL partitions keep every acknowledged write under
 * `--fsync always` while NONE partitions, written at the same time, come back empty; the
 * definitions are durable records (CREATE, DROP) that compaction keeps and check-log and
 * dump-log show; writes to a NONE partition are never logged or fsynced.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes } from "../helpers/hermes_process.ts";
import { connect } from "../../src/client/mod.ts";
import { dumpLogLines, runHermes } from "./process.ts";
import { seededRandom, verifyWorkers, Worker } from "./workload.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function infoField(server: HermesProcess, field: string): Promise<string> {
  const client = await server.connect();
  try {
    const info = await client.send("INFO", "persistence") as string;
    return new RegExp(`${field}:([^\\r]*)`).exec(info)![1];
  } finally {
    client.close();
  }
}

Deno.test("under SIGKILL, WAL partitions keep every acknowledged write and NONE partitions come back empty", async () => {
  const seed = Math.floor(Math.random() * 1_000_000);
  console.log(`partition crash test seed ${seed}`);
  const random = seededRandom(seed);
  const dir = await Deno.makeTempDir({ prefix: "hermes-partition-crash-" });
  const logged = (n: number) =>
    Array.from({ length: n }, (_, i) => new Worker(i, seededRandom(seed + i + 1), "durable"));
  const numbered = Array.from({ length: 4 }, (_, i) => new Worker(100 + i, seededRandom(seed + i)));
  const durable = logged(8);
  try {
    const setup = await startHermes(["--fsync", "always"], { dir });
    const client = await setup.connect();
    await client.send("CREATE", "PARTITION", "durable", "ANY", "WAL");
    await client.send("CREATE", "PARTITION", "volatile", "ANY", "NONE");
    client.close();
    await setup.kill();
    let volatileAcks = 0;
    for (let round = 0; round < 2; round++) {
      const server = await startHermes(["--fsync", "always"], { dir });
      const check = await server.connect();
      assertEquals(await check.send("LIST", "PARTITIONS"), ["durable", "volatile"]);
      await check.select("volatile");
      assertEquals(await check.send("DBSIZE"), 0, "a NONE partition comes back empty");
      check.close();
      try {
        await verifyWorkers(server.port, [...durable, ...numbered]);
      } catch (error) {
        throw new Error(`Round ${round} (seed ${seed}): ${error}\n${server.output()}`);
      }
      // Fresh NONE workers each round: what they wrote before the kill is gone by design.
      const memory = Array.from(
        { length: 8 },
        (_, i) => new Worker(200 + i, seededRandom(seed + round * 50 + i), "volatile"),
      );
      let killed = false;
      const runs = [...durable, ...numbered, ...memory].map((w) =>
        w.run(server.port, () => killed)
      );
      await sleep(400 + random() * 600);
      await server.kill();
      killed = true;
      await Promise.all(runs);
      volatileAcks += memory.reduce((sum, w) => sum + w.acknowledged, 0);
    }
    const last = await startHermes([], { dir });
    try {
      await verifyWorkers(last.port, [...durable, ...numbered]);
    } finally {
      await last.stop();
    }
    const logAcks = durable.reduce((sum, w) => sum + w.acknowledged, 0);
    console.log(`${logAcks} WAL-partition and ${volatileAcks} NONE-partition writes acknowledged`);
    assertOk(logAcks > 100 && volatileAcks > 100, "the load did not run");
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("definitions survive compaction and restarts, a dropped partition stays gone, and the tools show them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-partition-log-" });
  try {
    const first = await startHermes(["--fsync", "always"], { dir });
    const c = await first.connect();
    await c.send("CREATE", "PARTITION", "scores", "INT", "WAL");
    await c.send("CREATE", "PARTITION", "sessions", "STRING", "NONE");
    await c.send("CREATE", "PARTITION", "old", "ANY", "WAL");
    await c.select("scores");
    await c.send("MSET", "alice", "10", "bob", "-3");
    await c.select("old");
    await c.send("SET", "x", "1");
    const fsyncs = Number(await infoField(first, "aof_fsyncs"));
    const size = Number(await infoField(first, "aof_current_size"));
    await c.select("sessions");
    await c.pipeline(Array.from({ length: 200 }, (_, i) => ["SET", `s${i}`, "token"]));
    assertEquals(Number(await infoField(first, "aof_fsyncs")), fsyncs, "NONE writes: no fsync");
    assertEquals(Number(await infoField(first, "aof_current_size")), size, "nor a log byte");
    await c.select(0);
    assertEquals(await c.send("BGREWRITEAOF"), "Background append only file rewriting started");
    const deadline = Date.now() + 20_000;
    while (await infoField(first, "aof_rewrites") !== "1") {
      assertOk(Date.now() < deadline, "the compaction never finished");
      await sleep(20);
    }
    await c.send("DROP", "PARTITION", "old");
    await c.send("CREATE", "PARTITION", "late", "ANY", "NONE");
    c.close();
    await first.kill(); // DROP and CREATE were acknowledged: durable under always

    const lines = await dumpLogLines(dir);
    assertEquals(lines[0], "# hermes-00000002.snapshot (snapshot, generation 2)");
    assertEquals(lines.slice(1, 3), ["4 changes, applied together:", "    NEXT PARTITION ID 19"]);
    assertMatch(lines[3], /^ {4}CREATE PARTITION db=16 "scores" INT WAL created=\d+ \(/);
    assertMatch(lines[4], /^ {4}CREATE PARTITION db=17 "sessions" STRING NONE created=\d+ /);
    assertMatch(lines[5], /^ {4}CREATE PARTITION db=18 "old" ANY WAL created=\d+ /);
    assertOk(
      !lines.some((line) => line.includes('"s1"')),
      "no key of a NONE partition is ever written",
    );
    const tail = lines.slice(lines.indexOf("# hermes-00000002.log (log, generation 2)") + 1);
    assertEquals(tail.slice(0, 3), [
      "2 changes, applied together:",
      "    FLUSHDB db=18",
      "    DROP PARTITION db=18",
    ]);
    assertMatch(tail[3], /^CREATE PARTITION db=19 "late" ANY NONE created=\d+ /);

    const check = await runHermes(["check-log", dir]);
    assertEquals(check.code, 0, check.output);
    assertMatch(
      check.stdout,
      /partitions: 3: late \(ANY NONE, 0 keys\), scores \(INT WAL, 2 keys\), sessions \(STRING NONE, 0 keys\)\n/,
    );

    const second = await startHermes([], { dir });
    const d = await connect({ port: second.port, db: "scores" });
    assertEquals(await d.send("LIST", "PARTITIONS"), ["late", "scores", "sessions"]);
    assertEquals(await d.send("MGET", "alice", "bob"), ["10", "-3"]);
    assertEquals(
      ((await d.call("SET", "alice", "ten")) as Error).message,
      "ERR value is not an integer for partition 'scores' (schema INT)",
    );
    assertEquals(((await d.call("SELECT", "old")) as Error).message, "ERR partition not found");
    await d.select("sessions");
    assertEquals(await d.send("DBSIZE"), 0);
    const created = await d.send("CREATE", "PARTITION", "newest", "ANY", "WAL");
    assertEquals(created, "OK");
    d.close();
    await second.stop();
    const again = await runHermes(["dump-log", dir]);
    assertMatch(again.stdout, /CREATE PARTITION db=20 "newest" ANY WAL/);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
