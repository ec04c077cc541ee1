/**
 * Hostile and broken clients against a real server: oversized lines, huge counts and lengths,
 * garbage, slow half-sent commands, too many clients, clients that never read, idle clients.
 * After each, a well-behaved client on the same server must still work.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes } from "../helpers/hermes_process.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { exchange, RawSocket, residentBytes } from "../helpers/raw_socket.ts";
import type { Client } from "../../src/client/mod.ts";

async function withServer(
  fn: (server: HermesProcess, good: Client) => Promise<void>,
  args: string[] = [],
): Promise<void> {
  const server = await startHermes(args);
  const good = await server.connect();
  try {
    await fn(server, good);
    // Whatever happened, a well-behaved client still gets answers.
    const fresh = await server.connect();
    assertEquals(await fresh.send("SET", "after", "still works"), "OK");
    assertEquals(await fresh.send("GET", "after"), "still works");
    fresh.close();
  } finally {
    good.close();
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
}

function multibulk(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
}

/** Polls `condition` every 50 ms until it holds; fails after `timeoutMs`. */
async function eventually(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function connectedClients(client: Client): Promise<number> {
  const info = String(await client.send("INFO", "clients"));
  return Number(/connected_clients:(\d+)/.exec(info)![1]);
}

Deno.test("an oversized inline line is refused and its connection closed", async () => {
  await withServer(async (server, good) => {
    assertEquals(await good.send("SET", "before", "1"), "OK");
    const socket = await RawSocket.connect(server.port);
    await socket.write("SET key " + "x".repeat(100_000)); // no line end, ever
    assertEquals(
      await socket.readUntilClosed(),
      "-ERR Protocol error: too big inline request\r\n",
    );
    assertEquals(await good.send("GET", "before"), "1");
  }, ["--max-inline", "1kb"]);
});

Deno.test("huge counts and lengths are refused, and headers alone reserve no memory", async () => {
  await withServer(async (server, good) => {
    for (
      const [request, message] of [
        ["*99999999999\r\n", "invalid multibulk length"],
        ["*1\r\n$99999999999\r\n", "invalid bulk length"],
        ["*1\r\n$-5\r\n", "invalid bulk length"],
      ]
    ) {
      const { reply, closed } = await exchange(server.port, request, 5000);
      assertEquals(reply, `-ERR Protocol error: ${message}\r\n`);
      assertOk(closed);
    }
    // Twenty clients each promise a 512 MB argument (and a million-argument command) and
    // send a little of it: the server must not reserve the memory they promise.
    const before = residentBytes(server.process.pid);
    const holders: RawSocket[] = [];
    for (let i = 0; i < 20; i++) {
      const socket = await RawSocket.connect(server.port);
      await socket.write(
        i % 2 === 0 ? "*2\r\n$3\r\nSET\r\n$536870912\r\n" + "x".repeat(1000) : "*1048576\r\n",
      );
      holders.push(socket);
    }
    assertEquals(await good.send("PING"), "PONG"); // all twenty were read by now
    await eventually("the holders are connected", async () => await connectedClients(good) >= 21);
    const after = residentBytes(server.process.pid);
    if (before !== null && after !== null) {
      const grown = after - before;
      assertOk(grown < 200 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1048576)} MB`);
    } else {
      console.log("no /proc: memory growth not measured");
    }
    for (const socket of holders) socket.close();
  });
});

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("connections sending random garbage are answered or cut off, never crash the server", async () => {
  await withServer(async (server, good) => {
    const random = prng(99);
    const alphabet = "*$0123456789-\r\n \"'\\xABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const CONNECTIONS = 40;
    let checked = 0;
    let cutOff = 0;
    for (let c = 0; c < CONNECTIONS; c++) {
      let garbage = "";
      for (let i = 0; i < 2000; i++) {
        garbage += random() < 0.7
          ? alphabet[Math.floor(random() * alphabet.length)]
          : String.fromCharCode(Math.floor(random() * 256));
      }
      const { reply, closed } = await exchange(server.port, garbage, 200);
      if (closed) {
        // Cut off only after a protocol error, which is the last thing sent.
        assertMatch(reply, /-ERR Protocol error: [^\r\n]+\r\n$/);
        cutOff++;
      }
      checked++;
    }
    assertEquals(checked, CONNECTIONS);
    assertOk(cutOff > 0, "no garbage was refused: the test sent nothing hostile");
    assertEquals(await good.send("PING"), "PONG");
  });
});

Deno.test("a command dribbled byte by byte does not hold up other clients", async () => {
  await withServer(async (server, good) => {
    const slow = await RawSocket.connect(server.port);
    const request = multibulk("SET", "slow", "dribbled value");
    for (let i = 0; i < request.length; i++) {
      await slow.write(request[i]);
      // Between any two bytes of the slow command, other clients are served at once.
      assertEquals(await good.send("INCR", "served"), i + 1);
    }
    assertEquals(await slow.readBytes(5), "+OK\r\n");
    assertEquals(await good.send("GET", "slow"), "dribbled value");
    slow.close();
  });
});

Deno.test("a bulk header promising data that never comes does not block others", async () => {
  await withServer(async (server, good) => {
    const stalled = await RawSocket.connect(server.port);
    const value = "y".repeat(100_000);
    const request = multibulk("SET", "stalled", value);
    await stalled.write(request.slice(0, 40)); // the header and a little of the value
    for (let i = 0; i < 20; i++) {
      assertEquals(await good.send("SET", `k${i}`, "v"), "OK");
      assertEquals(await good.send("GET", `k${i}`), "v");
    }
    assertEquals(await good.send("EXISTS", "stalled"), 0);
    // When the rest finally arrives the command completes normally.
    await stalled.write(request.slice(40));
    assertEquals(await stalled.readBytes(5), "+OK\r\n");
    assertEquals(await good.send("STRLEN", "stalled"), value.length);
    stalled.close();
  });
});

Deno.test("the client past --maxclients gets Redis's error and is closed; others keep working", async () => {
  await withServer(async (server, good) => {
    const second = await server.connect();
    assertEquals(await second.send("PING"), "PONG");
    const third = await RawSocket.connect(server.port);
    assertEquals(await third.readUntilClosed(), "-ERR max number of clients reached\r\n");
    assertEquals(await second.send("PING"), "PONG");
    const stats = String(await good.send("INFO", "stats"));
    assertMatch(stats, /rejected_connections:1\r\n/);
    // As in Redis, a refused connection is not counted as received.
    assertMatch(stats, /total_connections_received:2\r\n/);
    // Once a client leaves, a new one is admitted.
    second.close();
    await eventually("the server notices the client left", async () => {
      return await connectedClients(good) === 1;
    });
    const fourth = await server.connect();
    assertEquals(await fourth.send("PING"), "PONG");
    fourth.close();
    // Leave room for the final check's client.
    await eventually("the server notices the client left", async () => {
      return await connectedClients(good) === 1;
    });
  }, ["--maxclients", "2"]);
});

Deno.test("the max-clients refusal matches redis-server byte for byte", async () => {
  if (!redisAvailable()) {
    console.log("skipped: redis-server is not installed");
    return;
  }
  const redis = await startRedis(["--maxclients", "1"]);
  try {
    const first = await redis.connect();
    await first.send("PING");
    const socket = await RawSocket.connect(redis.port);
    assertEquals(await socket.readUntilClosed(), "-ERR max number of clients reached\r\n");
    first.close();
  } finally {
    await redis.stop();
  }
});

Deno.test("a client that never reads is disconnected past --max-output and others keep working", async () => {
  await withServer(async (server, good) => {
    const big = "b".repeat(512 * 1024);
    assertEquals(await good.send("SET", "bigkey", big), "OK");
    const before = residentBytes(server.process.pid);
    // Ask for 1 GB of replies in a few writes and never read any of them.
    const hog = await RawSocket.connect(server.port);
    const request = "*2\r\n$3\r\nGET\r\n$6\r\nbigkey\r\n".repeat(2000);
    for (let i = 0; i < 5 && await hog.write(request); i++) { /* until cut off */ }
    await eventually("the hog is disconnected", async () => await connectedClients(good) === 1);
    assertEquals(await good.send("STRLEN", "bigkey"), big.length);
    const after = residentBytes(server.process.pid);
    if (before !== null && after !== null) {
      const grown = after - before;
      assertOk(grown < 300 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1048576)} MB`);
    }
    assertMatch(server.output(), /over max-output/);
    hog.close();
  }, ["--max-output", "4mb"]);
});

Deno.test("a pipeline of big replies read slowly but steadily is delivered in full", async () => {
  await withServer(async (server, good) => {
    const value = "r".repeat(100 * 1024);
    assertEquals(await good.send("SET", "big", value), "OK");
    const reader = await RawSocket.connect(server.port);
    const reply = `$${value.length}\r\n${value}\r\n`;
    // 2 MB of replies against a 4 MB limit: within the limit, so never cut off.
    await reader.write("GET big\r\n".repeat(20));
    for (let i = 0; i < 20; i++) assertEquals(await reader.readBytes(reply.length), reply);
    reader.close();
  }, ["--max-output", "4mb"]);
});

Deno.test("--timeout closes idle clients but not active ones", async () => {
  await withServer(async (server, good) => {
    const idle = await RawSocket.connect(server.port);
    const lastSent = Date.now();
    await idle.write("PING\r\n");
    assertEquals(await idle.readBytes(7), "+PONG\r\n");
    const active = await server.connect();
    let idleClosed = 0;
    const closing = idle.readUntilClosed(15_000).then(() => idleClosed = Date.now());
    // Active: a command every 200 ms, well inside the two-second timeout (a loaded machine may
    // hold this loop up for a while), until the idle one goes.
    while (!idleClosed) {
      assertEquals(await active.send("PING"), "PONG");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await closing;
    // Its last command reached the server after `lastSent`, so it had at least 2 s to go.
    const idleMs = idleClosed - lastSent;
    assertOk(idleMs >= 2_000, `the idle client went after ${idleMs} ms`);
    assertEquals(await active.send("PING"), "PONG");
    active.close();
    // `good` sat idle all along, so it was closed too.
    await assertRejectsClosed(good);
  }, ["--timeout", "2"]);
});

async function assertRejectsClosed(client: Client): Promise<void> {
  try {
    await client.send("PING");
  } catch {
    return;
  }
  throw new Error("an idle client was not closed");
}
