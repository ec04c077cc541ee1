/**
 * A real server whose log files fail on purpose (HERMES_TEST_FAULTS, see src/wal/file_faults.ts):
 * under `--fsync always` a round whose fdatasync fails is refused whole (every family's
 * writes, transactions, blocking pops, replies of readers in the round), the server keeps
 * serving and recovers by itself, and after kill -9 the data is exactly what was acknowledged.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes } from "../helpers/hermes_process.ts";
import { info, startReplica, waitFor, waitInSync } from "../helpers/replication.ts";
import { type Client, ReplyError } from "../../src/client/mod.ts";

const REFUSED =
  /^(MISCONF|EXECABORT Transaction discarded because of: MISCONF) Errors writing to the AOF file: injected fdatasync failure/;

function refused(reply: unknown): boolean {
  return reply instanceof ReplyError && REFUSED.test(reply.message);
}

/** A server whose log faults follow the plans written to `control`. */
async function startFaulty(
  args: string[] = [],
  dir?: string,
): Promise<{ server: HermesProcess; fail: (plan: string) => Promise<void>; faultDir: string }> {
  const faultDir = await Deno.makeTempDir({ prefix: "hermes-faults-" });
  const control = `${faultDir}/plan`;
  const server = await startHermes(args, {
    dir,
    env: { HERMES_TEST_FAULTS: `control=${control}` },
  });
  const fail = async (plan: string) => {
    await Deno.writeTextFile(`${control}.tmp`, plan);
    await Deno.rename(`${control}.tmp`, control); // whole, never half-written
  };
  return { server, fail, faultDir };
}

/** Waits until the server accepts writes again (its retry runs once a second). */
async function recovered(client: Client): Promise<void> {
  await waitFor(
    async () => (await info(client, "persistence")).get("aof_last_fsync_status") === "ok",
    "the log to recover",
  );
}

interface Case {
  family: string;
  setup: string[][];
  /** One pipeline: refused whole the first time, acknowledged the second. */
  write: string[][];
  read: string[];
  before: unknown;
  after: unknown;
}

const CASES: Case[] = [
  {
    family: "strings",
    setup: [["SET", "s", "old"], ["SET", "n", "5"]],
    write: [["SET", "s", "new"], ["APPEND", "s", "!"], ["INCRBY", "n", "2"]],
    read: ["MGET", "s", "n"],
    before: ["old", "5"],
    after: ["new!", "7"],
  },
  {
    family: "keys and expiry",
    setup: [["SET", "e", "v"], ["SET", "d", "x"]],
    write: [["EXPIRE", "e", "100000"], ["DEL", "d"], ["COPY", "e", "e2"]],
    read: ["MGET", "d", "e2"],
    before: ["x", null],
    after: [null, "v"],
  },
  {
    family: "hashes",
    setup: [["HSET", "h", "f", "old"]],
    write: [["HSET", "h", "f", "new", "g", "1"], ["HINCRBY", "h", "g", "2"]],
    read: ["HGETALL", "h"],
    before: ["f", "old"],
    after: ["f", "new", "g", "3"],
  },
  {
    family: "lists",
    setup: [["RPUSH", "l", "a", "b"]],
    write: [["LPUSH", "l", "x"], ["RPOP", "l"], ["LSET", "l", "0", "y"]],
    read: ["LRANGE", "l", "0", "-1"],
    before: ["a", "b"],
    after: ["y", "a"],
  },
  {
    family: "sets",
    setup: [["SADD", "st", "a"]],
    write: [["SADD", "st", "b"], ["SREM", "st", "a"]],
    read: ["SMEMBERS", "st"],
    before: ["a"],
    after: ["b"],
  },
  {
    family: "sorted sets",
    setup: [["ZADD", "z", "1", "a"]],
    write: [["ZADD", "z", "2", "b"], ["ZINCRBY", "z", "5", "a"], ["ZPOPMIN", "z"]],
    read: ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    before: ["a", "1"],
    after: ["a", "6"],
  },
  {
    family: "bitmaps and HyperLogLogs",
    setup: [["SETBIT", "bits", "1", "1"]],
    write: [["SETBIT", "bits", "7", "1"], ["PFADD", "hll", "x"]],
    read: ["BITCOUNT", "bits"],
    before: 1,
    after: 2,
  },
  {
    family: "WAL partitions",
    setup: [["CREATE", "PARTITION", "ledger", "INT", "WAL"], ["SELECT", "ledger"], [
      "SET",
      "p",
      "1",
    ]],
    write: [["INCRBY", "p", "41"], ["GET", "p"]],
    read: ["GET", "p"],
    before: "1",
    after: "42",
  },
  {
    family: "MULTI/EXEC",
    setup: [["SET", "t", "old"]],
    write: [["MULTI"], ["SET", "t", "new"], ["EXEC"]],
    read: ["GET", "t"],
    before: "old",
    after: "new",
  },
];

Deno.test("each family's refused pipeline has no effect, readers see the refusal, and kill -9 keeps exactly the acknowledged writes", async () => {
  const { server, fail, faultDir } = await startFaulty();
  const dir = server.dir;
  try {
    const clients = new Map<string, Client>();
    const reader = await server.connect();
    for (const c of CASES) {
      const client = await server.connect();
      clients.set(c.family, client);
      for (const command of c.setup) await client.send(...command);
      await fail("fail-sync=1");
      // The pipeline's own read shares its round; another client's read may share it too.
      const [replies, other] = await Promise.all([
        client.pipeline([...c.write, c.read]),
        c.family === "WAL partitions" ? Promise.resolve(c.before) : reader.call(...c.read),
      ]);
      replies.forEach((reply, i) => {
        const queued = c.write[0][0] === "MULTI" && i > 0 && i < c.write.length - 1;
        if (c.write[i]?.[0] === "MULTI" || queued) return;
        assertOk(refused(reply), `${c.family}: reply ${i} was ${reply}`);
      });
      assertOk(
        refused(other) || JSON.stringify(other) === JSON.stringify(c.before),
        `${c.family}: the other reader got ${other}`,
      );
      await recovered(reader);
      assertEquals(await client.call(...c.read), c.before, c.family);
      await client.pipeline(c.write);
      assertEquals(await client.call(...c.read), c.after, c.family);
    }
    const persistence = await info(reader, "persistence");
    assertEquals(persistence.get("aof_failures"), String(CASES.length));
    assertEquals(persistence.get("aof_refused_rounds"), String(CASES.length));
    assertEquals(persistence.get("aof_last_error"), "injected fdatasync failure");
    assertMatch(server.output(), /The log is writable again after [\d.]+ seconds of failure/);
    assertMatch(server.output(), /continues in hermes-00000002\.log/);
  } finally {
    await server.kill();
  }
  const again = await startHermes([], { dir });
  try {
    const client = await again.connect();
    for (const c of CASES) {
      if (c.family === "WAL partitions") await client.send("SELECT", "ledger");
      assertEquals(await client.call(...c.read), c.after, `${c.family} after kill -9`);
      await client.send("SELECT", "0");
    }
    client.close();
  } finally {
    await again.stop();
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(faultDir, { recursive: true });
  }
});

Deno.test("a blocked client is not handed a refused push, and one that blocks in a refused round is answered and goes on", async () => {
  const { server, fail, faultDir } = await startFaulty();
  try {
    const waiter = await server.connect();
    const pusher = await server.connect();
    const waited = waiter.send("BLPOP", "q", "0");
    await waitFor(
      async () => (await info(pusher, "clients")).get("blocked_clients") === "1",
      "BLPOP",
    );
    await fail("fail-sync=1");
    // The refused round pushes to q, and the pusher's BLPOP on an empty key blocks in it; the
    // pipeline goes on after that BLPOP once its refusal is answered.
    const replies = await pusher.pipeline([
      ["LPUSH", "q", "refused"],
      ["BLPOP", "empty", "0"],
      ["ECHO", "after"],
    ]);
    assertOk(refused(replies[0]) && refused(replies[1]), `${replies}`);
    assertEquals(replies[2], "after");
    await recovered(pusher);
    assertEquals((await info(pusher, "clients")).get("blocked_clients"), "1");
    assertEquals(await pusher.call("LPUSH", "q", "acknowledged"), 1);
    assertEquals(await waited, ["q", "acknowledged"]);
    assertEquals(await pusher.call("LLEN", "q"), 0);
    waiter.close();
    pusher.close();
  } finally {
    await server.kill();
    await Deno.remove(server.dir, { recursive: true });
    await Deno.remove(faultDir, { recursive: true });
  }
});

Deno.test("a replica never receives a refused round and stays equal to its primary", async () => {
  const { server, fail, faultDir } = await startFaulty();
  const replica = await startReplica(server.port);
  try {
    const primary = await server.connect();
    const copy = await replica.connect();
    await primary.send("SET", "a", "1");
    await waitInSync(primary, copy);
    await fail("fail-sync=1");
    assertOk(refused(await primary.call("SET", "refused", "x")));
    await recovered(primary);
    await primary.send("SET", "b", "2");
    await waitInSync(primary, copy);
    assertEquals(await copy.send("MGET", "a", "refused", "b"), ["1", null, "2"]);
    primary.close();
    copy.close();
  } finally {
    await replica.stop();
    await server.kill();
    await Deno.remove(server.dir, { recursive: true });
    await Deno.remove(replica.dir, { recursive: true });
    await Deno.remove(faultDir, { recursive: true });
  }
});

Deno.test("INCR retried after MISCONF on a disk whose every 10th fdatasync fails counts exactly the :n replies", async () => {
  const server = await startHermes([], { env: { HERMES_TEST_FAULTS: "fail-sync-every=10" } });
  const dir = server.dir;
  let acknowledged = 0;
  let refusals = 0;
  try {
    const clients = await Promise.all(Array.from({ length: 20 }, () => server.connect()));
    const until = Date.now() + 10_000;
    await Promise.all(clients.map(async (client) => {
      while (Date.now() < until) {
        const reply = await client.call("INCR", "counter");
        if (typeof reply === "number") acknowledged++;
        else if (reply instanceof ReplyError && reply.message.startsWith("MISCONF")) {
          refusals++;
          await new Promise((resolve) => setTimeout(resolve, 20)); // retry after a moment
        } else throw new Error(`Unexpected reply ${reply}`);
      }
    }));
    assertOk(refusals > 0 && acknowledged > 0, `${acknowledged} acknowledged, ${refusals} refused`);
    assertEquals(await clients[0].call("GET", "counter"), String(acknowledged));
    for (const client of clients) client.close();
  } finally {
    await server.kill();
  }
  const again = await startHermes([], { dir });
  try {
    const client = await again.connect();
    assertEquals(await client.call("GET", "counter"), String(acknowledged));
    client.close();
  } finally {
    await again.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a NONE partition client is answered at memory speed while a WAL write waits for a slow fdatasync", async () => {
  const { server, fail, faultDir } = await startFaulty();
  try {
    const writer = await server.connect();
    const cache = await server.connect();
    await writer.send("CREATE", "PARTITION", "cache", "ANY", "NONE");
    await cache.send("SELECT", "cache");
    await writer.send("SET", "warm", "up"); // the control file is read before this write
    await fail("slow-sync-ms=2000");
    let written = false;
    const write = writer.call("SET", "k", "v").then((reply) => {
      written = true;
      return reply;
    });
    // Until the fdatasync (2 s) completes, the writer has no reply; the cache client goes on.
    // A client held behind the fdatasync would get no answer before the writer's; 20 round
    // trips in 2 s leave room for a loaded machine.
    let answered = 0;
    while (answered < 100 && !written) {
      assertEquals(await cache.call("INCR", "n"), ++answered);
    }
    assertOk(answered >= 20, `the NONE client was answered ${answered} times in the 2 s`);
    assertEquals(await write, "OK");
    writer.close();
    cache.close();
  } finally {
    await server.kill();
    await Deno.remove(server.dir, { recursive: true });
    await Deno.remove(faultDir, { recursive: true });
  }
});
