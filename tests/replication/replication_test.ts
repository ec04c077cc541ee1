/**
 * Hermes replicating Hermes, process against process on loopback: full sync then streaming,
 * read-only replicas, partial resync after a dropped link, full resync past the backlog, a
 * replica restarting from its own log, WAIT, REPLICAOF NO ONE and chains.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes } from "../helpers/hermes_process.ts";
import {
  cleanup,
  dumpAll,
  info,
  startReplica,
  waitFor,
  waitInSync,
} from "../helpers/replication.ts";
import type { Client } from "../../src/client/mod.ts";

/** Writes of every kind the stream carries, in several databases, with deadlines. */
async function writeMix(client: Client, tag: string): Promise<void> {
  const later = Date.now() + 3_600_000;
  await client.pipeline([
    ["SET", `${tag}:plain`, "v"],
    ["SET", `${tag}:ex`, "v", "EX", "1000"],
    ["SET", `${tag}:pxat`, "v", "PXAT", String(later)],
    ["INCR", `${tag}:n`],
    ["INCRBYFLOAT", `${tag}:f`, "1.5"],
    ["APPEND", `${tag}:plain`, "+more"],
    ["MSET", `${tag}:m1`, "1", `${tag}:m2`, "2"],
    ["EXPIRE", `${tag}:m1`, "500"],
    ["PERSIST", `${tag}:ex`],
    ["SET", `${tag}:gone`, "x"],
    ["DEL", `${tag}:gone`],
    ["SELECT", "3"],
    ["SET", `${tag}:db3`, "three", "PX", "900000"],
    ["RENAME", `${tag}:db3`, `${tag}:db3b`],
    ["SELECT", "4"],
    ["SET", `${tag}:db4`, "four"],
    ["FLUSHDB"],
    ["SET", `${tag}:db4kept`, "four"],
    ["SELECT", "0"],
  ]);
}

Deno.test("a replica gets the data by full sync and every later write by the stream, with the same deadlines", async () => {
  const primary = await startHermes();
  const p = await primary.connect();
  await writeMix(p, "before");
  const replica = await startReplica(primary.port);
  const r = await replica.connect();
  try {
    await waitInSync(p, r);
    await writeMix(p, "after");
    await p.send("SWAPDB", "3", "5");
    await waitInSync(p, r);
    assertEquals(await dumpAll(r), await dumpAll(p));
    assertOk((await dumpAll(r)).length > 15);

    // Read-only, as Redis: writes refused, reads served.
    const refused = await r.call("SET", "x", "1");
    assertOk(refused instanceof Error);
    assertEquals(
      (refused as Error).message,
      "READONLY You can't write against a read only replica.",
    );
    assertEquals(await r.send("GET", "before:n"), "1");

    const rInfo = await info(r, "replication");
    assertEquals(rInfo.get("role"), "slave");
    assertEquals(rInfo.get("master_port"), String(primary.port));
    assertEquals(rInfo.get("master_link_status"), "up");
    assertEquals(rInfo.get("slave_read_only"), "1");
    assertEquals(rInfo.get("slave_priority"), "100");
    const pInfo = await info(p, "replication");
    assertEquals(pInfo.get("connected_slaves"), "1");
    assertMatch(
      pInfo.get("slave0")!,
      new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica.port},state=online,offset=\\d+,lag=\\d+$`),
    );
    assertEquals(rInfo.get("master_replid"), pInfo.get("master_replid"));
    const role = await r.send("ROLE") as unknown[];
    assertEquals(role.slice(0, 4), ["slave", "127.0.0.1", primary.port, "connected"]);
    const primaryRole = await p.send("ROLE") as unknown[];
    assertEquals(primaryRole[0], "master");
    assertEquals((primaryRole[2] as string[][])[0].slice(0, 2), [
      "127.0.0.1",
      String(replica.port),
    ]);
  } finally {
    await cleanup([p, r], [replica, primary]);
  }
});

Deno.test("a replica whose connection is killed resumes with a partial resync", async () => {
  const primary = await startHermes();
  const p = await primary.connect();
  const replica = await startReplica(primary.port);
  const r = await replica.connect();
  try {
    await p.send("SET", "a", "1");
    await waitInSync(p, r);
    assertEquals(await p.send("CLIENT", "KILL", "TYPE", "replica"), 1);
    await p.send("SET", "b", "2");
    await p.send("INCR", "a");
    await waitInSync(p, r);
    assertEquals(await dumpAll(r), await dumpAll(p));
    await waitFor(
      () => primary.output().includes("Partial resynchronization accepted"),
      "the partial resync in the primary's log",
    );
    assertEquals(primary.output().match(/full resync from offset/g)?.length, 1);
  } finally {
    await cleanup([p, r], [replica, primary]);
  }
});

Deno.test("a replica killed with -9 restarts from its own log and resumes where the backlog allows", async () => {
  const primary = await startHermes(["--repl-backlog-size", "16kb"]);
  const p = await primary.connect();
  let replica = await startReplica(primary.port);
  let r = await replica.connect();
  const servers: HermesProcess[] = [];
  try {
    await p.send("SET", "a", "1");
    await p.send("SELECT", "2");
    await p.send("SET", "in2", "x");
    await waitInSync(p, r);
    r.close();
    await replica.kill();
    // A little missed: the backlog has it, and the stream continues in database 2.
    await p.send("SET", "in2b", "y");
    replica = await startReplica(primary.port, [], { dir: replica.dir });
    r = await replica.connect();
    await waitInSync(p, r);
    assertMatch(replica.output(), /Resuming replication from the log's position/);
    assertMatch(replica.output(), /Successful partial resynchronization/);
    assertEquals(await dumpAll(r), await dumpAll(p));

    // Too much missed for a 16 kB backlog: a full resync.
    r.close();
    await replica.kill();
    const big = "z".repeat(1000);
    await p.pipeline(Array.from({ length: 40 }, (_, i) => ["SET", `big${i}`, big]));
    replica = await startReplica(primary.port, [], { dir: replica.dir });
    r = await replica.connect();
    await waitInSync(p, r);
    assertMatch(replica.output(), /Full resync from primary/);
    assertEquals(await dumpAll(r), await dumpAll(p));
    servers.push(replica);
  } finally {
    await cleanup([p, r], [replica, primary]);
  }
});

Deno.test("WAIT counts the replicas that have the caller's writes, and times out with fewer", async () => {
  // No PINGs to the replica during the test: one would move the stream's end past what the
  // replica acknowledged just before a WAIT that counts it.
  const primary = await startHermes(["--repl-ping-replica-period", "3600"]);
  const p = await primary.connect();
  // With no replica yet, WAIT 0 0 answers at once with none (once a replica links, it counts it
  // as soon as its first acknowledgement arrives).
  assertEquals(await p.send("WAIT", "0", "0"), 0);
  const replica = await startReplica(primary.port);
  const r = await replica.connect();
  try {
    await waitInSync(p, r);
    for (let i = 0; i < 20; i++) {
      await p.send("SET", `k${i}`, String(i));
      assertEquals(await p.send("WAIT", "1", "5000"), 1);
      // Acknowledged means already applied on the replica.
      assertEquals(await r.send("GET", `k${i}`), String(i));
    }
    // The one replica has acknowledged the whole stream, so a WAIT for two counts it.
    await waitFor(async () => {
      const fields = await info(p, "replication");
      return fields.get("slave0")?.match(/offset=(\d+)/)?.[1] === fields.get("master_repl_offset");
    }, "the replica's acknowledgement of the whole stream");
    const started = Date.now();
    assertEquals(await p.send("WAIT", "2", "300"), 1);
    assertOk(Date.now() - started >= 250, "WAIT returned before its timeout");
    // Pipelined after a WAIT: answered in order, after it.
    const replies = await p.pipeline([["SET", "x", "1"], ["WAIT", "1", "5000"], ["GET", "x"]]);
    assertEquals(replies, ["OK", 1, "1"]);
    const refused = await r.call("WAIT", "1", "10");
    assertOk(refused instanceof Error);
    assertMatch((refused as Error).message, /^ERR WAIT cannot be used with replica instances/);
    const negative = await p.call("WAIT", "1", "-1");
    assertEquals((negative as Error).message, "ERR timeout is negative");
  } finally {
    await cleanup([p, r], [replica, primary]);
  }
});

Deno.test("WAIT waits for the caller's own writes: later writes of other clients do not hold it up", async () => {
  const primary = await startHermes();
  const p = await primary.connect();
  const other = await primary.connect();
  const replica = await startReplica(primary.port);
  const r = await replica.connect();
  let paused = false;
  try {
    await waitInSync(p, r);
    await p.send("SET", "mine", "1");
    assertEquals(await p.send("WAIT", "1", "5000"), 1);
    // The replica stops acknowledging; another client's writes move the stream on.
    Deno.kill(replica.process.pid, "SIGSTOP");
    paused = true;
    await other.pipeline(Array.from({ length: 50 }, (_, i) => ["SET", `theirs:${i}`, "v"]));
    // As in Redis (the client's woff): the caller's write was acknowledged, so it counts.
    assertEquals(await p.send("WAIT", "1", "200"), 1);
    // The writer's own WAIT times out: its writes are not on the replica.
    const started = Date.now();
    assertEquals(await other.send("WAIT", "1", "200"), 0);
    assertOk(Date.now() - started >= 150, "WAIT returned before its timeout");
    // A read does not move what the caller waits for.
    await p.send("GET", "mine");
    assertEquals(await p.send("WAIT", "1", "200"), 1);
    Deno.kill(replica.process.pid, "SIGCONT");
    paused = false;
    assertEquals(await other.send("WAIT", "1", "10000"), 1);
  } finally {
    if (paused) Deno.kill(replica.process.pid, "SIGCONT");
    other.close();
    await cleanup([p, r], [replica, primary]);
  }
});

Deno.test("a chain of replicas follows the stream, and REPLICAOF NO ONE promotes the middle one", async () => {
  const primary = await startHermes();
  const p = await primary.connect();
  const middle = await startReplica(primary.port);
  const m = await middle.connect();
  const leaf = await startReplica(middle.port);
  const l = await leaf.connect();
  try {
    await p.send("SET", "a", "1");
    await waitInSync(p, m, "the middle replica");
    await waitInSync(m, l, "the leaf replica");
    assertEquals(await l.send("GET", "a"), "1");
    const [pInfo, lInfo] = [await info(p, "replication"), await info(l, "replication")];
    assertEquals(lInfo.get("master_replid"), pInfo.get("master_replid"));

    assertEquals(await m.send("REPLICAOF", "NO", "ONE"), "OK");
    const promoted = await info(m, "replication");
    assertEquals(promoted.get("role"), "master");
    assertEquals(promoted.get("master_replid2"), pInfo.get("master_replid"));
    assertEquals(await m.send("SET", "b", "2"), "OK");
    await waitInSync(m, l, "the leaf after the promotion");
    assertEquals(await l.send("GET", "b"), "2");
    assertEquals(await dumpAll(l), await dumpAll(m));
    // The leaf continued its history with the promoted replica without another full resync.
    assertEquals(middle.output().match(/full resync from offset/g)?.length, 1);
    assertMatch(middle.output(), /Partial resynchronization accepted/);
    assertEquals(await m.call("REPLICAOF", "NO", "ONE"), "OK");
    assertEquals(
      await l.send("REPLICAOF", "127.0.0.1", String(middle.port)),
      "OK Already connected to specified master",
    );
  } finally {
    await cleanup([p, m, l], [leaf, middle, primary]);
  }
});

Deno.test("after the primary restarts, its replica resynchronizes and ends with the same data", async () => {
  const primary = await startHermes();
  const port = primary.port;
  let p = await primary.connect();
  const replica = await startReplica(port);
  const r = await replica.connect();
  let restarted: HermesProcess | null = null;
  try {
    await p.send("SET", "a", "1", "EX", "1000");
    await waitInSync(p, r);
    p.close();
    await primary.stop();
    // Stale reads are served while the link is down.
    await waitFor(
      async () => (await info(r, "replication")).get("master_link_status") === "down",
      "the link to go down",
    );
    assertEquals(await r.send("GET", "a"), "1");
    assertOk(Number((await info(r, "replication")).get("master_link_down_since_seconds")) >= 0);
    restarted = await startHermes([], { dir: primary.dir, port });
    p = await restarted.connect();
    await p.send("SET", "b", "2");
    await waitInSync(p, r);
    assertEquals(await dumpAll(r), await dumpAll(p));
  } finally {
    await cleanup([p, r], [replica, ...(restarted ? [restarted] : [primary])]);
  }
});

Deno.test("a primary stopped cleanly keeps its history: its replica continues; after kill -9 it syncs in full", async () => {
  const primary = await startHermes();
  const port = primary.port;
  let p = await primary.connect();
  const replica = await startReplica(port);
  const r = await replica.connect();
  const servers: HermesProcess[] = [];
  try {
    for (let i = 0; i < 100; i++) await p.send("SET", `k${i}`, `v${i}`);
    await p.send("RPUSH", "list", "a", "b");
    await waitInSync(p, r);
    const before = await info(p, "replication");
    p.close();
    await primary.stop(); // SIGTERM: the log ends with the primary's replication position
    const clean = await startHermes([], { dir: primary.dir, port });
    servers.push(clean);
    p = await clean.connect();
    const after = await info(p, "replication");
    assertEquals(after.get("master_replid"), before.get("master_replid"));
    assertEquals(after.get("master_repl_offset"), before.get("master_repl_offset"));
    await p.send("SET", "after", "restart");
    await waitInSync(p, r);
    assertEquals(await dumpAll(r), await dumpAll(p));
    assertOk(
      /Partial resynchronization accepted/.test(clean.output()),
      `the replica continued: ${clean.output()}`,
    );
    assertOk(!/Starting full sync|FULLRESYNC/i.test(clean.output()), clean.output());

    // A kill -9 leaves data after the last position: a new history, and a full sync.
    await p.send("SET", "more", "data");
    await waitInSync(p, r);
    p.close();
    await clean.kill();
    servers.pop();
    const crashed = await startHermes([], { dir: primary.dir, port });
    servers.push(crashed);
    p = await crashed.connect();
    assertOk(
      (await info(p, "replication")).get("master_replid") !== before.get("master_replid"),
      "a new history after a crash",
    );
    await p.send("SET", "after", "crash");
    await waitInSync(p, r);
    assertEquals(await dumpAll(r), await dumpAll(p));
    assertOk(!/Partial resynchronization accepted/.test(crashed.output()), crashed.output());
  } finally {
    await cleanup([p, r], [replica, ...(servers.length > 0 ? servers : [primary])]);
  }
});

Deno.test("FAILOVER swaps a primary with its caught-up replica, holding writes meanwhile", async () => {
  const primary = await startHermes();
  const p = await primary.connect();
  const errorOf = async (client: Client, ...args: string[]) =>
    ((await client.call(...args)) as Error).message;
  assertEquals(await errorOf(p, "FAILOVER"), "ERR FAILOVER requires connected replicas.");
  assertEquals(await errorOf(p, "FAILOVER", "ABORT"), "ERR No failover in progress.");
  const replica = await startReplica(primary.port);
  const r = await replica.connect();
  try {
    await p.send("SET", "before", "1");
    await waitInSync(p, r);
    assertEquals(
      await errorOf(r, "FAILOVER"),
      "ERR FAILOVER is not valid when server is a replica.",
    );
    assertEquals(
      await errorOf(p, "FAILOVER", "TO", "127.0.0.1", "1", "TIMEOUT", "100"),
      "ERR FAILOVER target HOST and PORT is not a replica.",
    );
    assertEquals(
      await errorOf(p, "FAILOVER", "FORCE"),
      "ERR FAILOVER with force option requires both a timeout and target HOST and IP.",
    );
    assertEquals(await errorOf(p, "FAILOVER", "BOGUS"), "ERR syntax error");

    assertEquals(await p.send("FAILOVER", "TIMEOUT", "10000"), "OK");
    // A write sent meanwhile waits for the switch, then is refused by the new replica.
    const held = await p.call("SET", "during", "x");
    assertEquals((held as Error).message, "READONLY You can't write against a read only replica.");
    await waitFor(
      async () => (await info(p, "replication")).get("master_link_status") === "up",
      "the old primary to follow the new one",
    );
    assertEquals((await info(r, "replication")).get("role"), "master");
    assertEquals((await info(p, "replication")).get("master_failover_state"), "no-failover");
    await r.send("SET", "after", "2");
    await waitInSync(r, p, "the old primary");
    assertEquals(await p.send("GET", "after"), "2");
    assertEquals(await dumpAll(p), await dumpAll(r));
    // No full resync: the new primary continued the old history.
    assertEquals(replica.output().match(/full resync from offset/g) ?? [], []);
  } finally {
    await cleanup([p, r], [replica, primary]);
  }
});

Deno.test("a replica that stops reading is disconnected past replica-output-limit", async () => {
  const primary = await startHermes(["--replica-output-limit", "1mb"]);
  const p = await primary.connect();
  // A replica that asks for the stream and then never reads it.
  const stuck = await Deno.connect({ hostname: "127.0.0.1", port: primary.port });
  try {
    await stuck.write(new TextEncoder().encode("PSYNC ? -1\r\n"));
    await waitFor(
      async () => (await info(p, "replication")).get("connected_slaves") === "1",
      "the stuck replica to register",
    );
    const value = "x".repeat(64 * 1024);
    const cutOff = /closed: \d+ bytes queued, over client-output-buffer-limit replica 1048576 /;
    for (let i = 0; i < 400 && !cutOff.test(primary.output()); i++) {
      await p.send("SET", `big${i % 10}`, value);
    }
    // replica-output-limit is the replica class's hard limit of client-output-buffer-limit.
    assertMatch(primary.output(), cutOff);
    await waitFor(
      async () => (await info(p, "replication")).get("connected_slaves") === "0",
      "the stuck replica to be dropped",
    );
    assertEquals(await p.send("GET", "big0"), "x".repeat(64 * 1024));
  } finally {
    stuck.close();
    await cleanup([p], [primary]);
  }
});

Deno.test("WAIT inside MULTI answers at once, as Redis does", async () => {
  const primary = await startHermes();
  const p = await primary.connect();
  try {
    const replies = await p.pipeline([["MULTI"], ["SET", "k", "v"], ["WAIT", "1", "0"], ["EXEC"]]);
    assertEquals(replies, ["OK", "QUEUED", "QUEUED", ["OK", 0]]);
    assertEquals(await p.send("GET", "k"), "v");
  } finally {
    await cleanup([p], [primary]);
  }
});
