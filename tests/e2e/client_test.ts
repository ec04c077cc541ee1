/**
 * The client library (src/client/mod.ts) against a real Hermes server: typed helpers, SET
 * options, pipelines, RESP3, errors, binary values, QUIT. Push routing and the bytes the client
 * sends are checked against a small scripted TCP server, since they need exact server frames.
 * (Tests of the server's CLIENT command are in client_command_test.ts.)
 */
import { assertEquals, assertOk, assertRejects } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { connect, type Push, ReplyError, toBytes, toText } from "../../src/client/mod.ts";

Deno.test("string helpers read and write values as text", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    assertEquals(await client.ping(), "PONG");
    assertEquals(await client.ping("hi"), "hi");
    assertEquals(await client.echo("echo me"), "echo me");
    assertEquals(await client.set("name", "Zoë"), "OK");
    assertEquals(await client.get("name"), "Zoë");
    assertEquals(await client.get("missing"), null);
    assertEquals(await client.strlen("name"), 4); // bytes, not characters
    assertEquals(await client.append("name", "!"), 5);
    assertEquals(await client.mset({ a: "1", b: "2" }), "OK");
    assertEquals(await client.mset([["c", "3"]]), "OK");
    assertEquals(await client.mget("a", "b", "nope", "c"), ["1", "2", null, "3"]);
    assertEquals(await client.getDel("c"), "3");
    assertEquals(await client.exists("a", "b", "c", "a"), 3);
    assertEquals(await client.type("a"), "string");
    assertEquals(await client.type("c"), "none");
    assertEquals(await client.del("a", "b", "c"), 2);
    await client.quit();
  });
});

Deno.test("counter helpers return numbers", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    assertEquals(await client.incr("n"), 1);
    assertEquals(await client.incrBy("n", 41), 42);
    assertEquals(await client.decr("n"), 41);
    assertEquals(await client.decrBy("n", 40), 1);
    assertEquals(await client.incrByFloat("f", 1.5), 1.5);
    assertEquals(await client.incrByFloat("f", 0.25), 1.75);
    await client.quit();
  });
});

Deno.test("an INCR result beyond 2^53 is refused by the number helper but exact through send", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    await client.set("big", "9007199254740992");
    await assertRejects(() => client.incr("big"), RangeError);
    assertEquals(await client.send("INCR", "big"), 9007199254740994n);
    await client.quit();
  });
});

Deno.test("SET options set expiry and conditions", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    assertEquals(await client.set("k", "v", { ex: 100 }), "OK");
    const ttl = await client.ttl("k");
    assertOk(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
    assertEquals(await client.set("k", "w", { nx: true }), null);
    assertEquals(await client.set("k", "w", { xx: true, keepTtl: true }), "OK");
    assertOk(await client.ttl("k") > 90);
    assertEquals(await client.set("k", "x", { get: true }), "w");
    assertEquals(await client.ttl("k"), -1);
    assertEquals(await client.set("fresh", "1", { get: true }), null);
    assertEquals(await client.set("p", "v", { px: 50_000 }), "OK");
    const pttl = await client.pttl("p");
    assertOk(pttl > 40_000 && pttl <= 50_000, `pttl ${pttl}`);
    assertEquals(await client.set("gone", "v", { pxat: Date.now() - 1000 }), "OK");
    assertEquals(await client.get("gone"), null);
    assertEquals(await client.ttl("gone"), -2);
    await client.quit();
  });
});

Deno.test("EXPIRE helpers report whether the timeout was set", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    assertEquals(await client.expire("missing", 10), false);
    await client.set("k", "v");
    assertEquals(await client.expire("k", 100), true);
    assertEquals(await client.expire("k", 50, "GT"), false);
    assertEquals(await client.expire("k", 200, "GT"), true);
    assertEquals(await client.pexpire("k", 5_000), true);
    assertOk(await client.pttl("k") <= 5_000);
    assertEquals(await client.persist("k"), true);
    assertEquals(await client.persist("k"), false);
    assertEquals(await client.ttl("k"), -1);
    await client.quit();
  });
});

Deno.test("keyspace helpers list, scan, count, select and flush", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    for (let i = 0; i < 25; i++) await client.set(`user:${i}`, String(i));
    await client.set("other", "x");
    assertEquals(await client.dbsize(), 26);
    assertEquals((await client.keys("user:1*")).sort(), ["user:1", ...range(10, 20)].sort());
    const seen = new Set<string>();
    for await (const key of client.scanIterator({ match: "user:*", count: 5 })) seen.add(key);
    assertEquals(seen.size, 25);
    const step = await client.scan(0, { count: 1000 });
    assertEquals(step.cursor, "0");
    assertEquals(step.keys.length, 26);
    assertEquals(await client.select(1), "OK");
    assertEquals(await client.dbsize(), 0);
    await client.select(0);
    assertEquals(await client.flushDb(), "OK");
    assertEquals(await client.dbsize(), 0);
    assertOk((await client.info("server")).includes("redis_version:"));
    await client.quit();
  });
});

Deno.test("error replies are thrown by send and the helpers and returned by call", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    await client.set("word", "hello");
    const error = await client.incr("word").catch((e) => e);
    assertOk(error instanceof ReplyError);
    assertEquals(error.code, "ERR");
    assertEquals(error.message, "ERR value is not an integer or out of range");
    await assertRejects(() => client.send("NOSUCHCOMMAND"), ReplyError);
    const value = await client.call("GET");
    assertOk(value instanceof ReplyError);
    assertEquals(
      (value as ReplyError).message,
      "ERR wrong number of arguments for 'get' command",
    );
    // The connection is still usable after errors.
    assertEquals(await client.get("word"), "hello");
    await client.quit();
  });
});

Deno.test("binary values round-trip byte for byte", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const key = new Uint8Array([0, 0xff, 0x0d, 0x0a]);
    assertEquals(await client.set(key, bytes), "OK");
    assertEquals(await client.getBytes(key), bytes);
    const raw = await client.send("GET", key);
    assertEquals(typeof raw, "string");
    assertEquals(toBytes(raw as string), bytes);
    assertEquals(await client.getBytes("missing"), null);
    await client.set("text", "héllo wörld");
    assertEquals(toText(await client.send("GET", "text") as string), "héllo wörld");
    assertEquals(await client.send("STRLEN", "text"), 13);
    await client.quit();
  });
});

Deno.test("an explicit pipeline returns every reply in order with errors as values", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    const pipeline = client.batch().send("SET", "a", "1").send("INCR", "a").send("GET");
    assertEquals(pipeline.length, 3);
    const replies = await pipeline.send("GET", "a").exec();
    assertEquals(replies.length, 4);
    assertEquals(replies.slice(0, 2), ["OK", 2]);
    assertOk(replies[2] instanceof ReplyError);
    assertEquals(replies[3], "2");
    assertEquals(pipeline.length, 0);
    assertEquals(await client.pipeline([["INCR", "a"], ["INCR", "a"]]), [3, 4]);
    await client.quit();
  });
});

Deno.test("concurrent sends are answered in the order they were issued", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    const replies = await Promise.all(
      Array.from({ length: 500 }, () => client.incr("counter")),
    );
    assertEquals(replies, Array.from({ length: 500 }, (_, i) => i + 1));
    const mixed = await Promise.all([
      client.get("counter"),
      client.call("INCR"),
      client.set("x", "y"),
      client.get("x"),
    ]);
    assertEquals(mixed[0], "500");
    assertOk(mixed[1] instanceof ReplyError);
    assertEquals(mixed.slice(2), ["OK", "y"]);
    await client.quit();
  });
});

Deno.test("RESP3 connections get maps and nulls, and HELLO switches protocols both ways", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port, protocol: 3 });
    assertEquals(client.protocol, 3);
    assertEquals(await client.get("missing"), null);
    const config = await client.send("CONFIG", "GET", "maxclients");
    assertOk(config instanceof Map, `CONFIG GET replied ${String(config)}`);
    assertEquals((config as Map<string, string>).get("maxclients"), "10000");
    const hello = await client.hello(2);
    assertEquals(hello.get("proto"), 2);
    assertEquals(client.protocol, 2);
    assertEquals(await client.send("CONFIG", "GET", "maxclients"), ["maxclients", "10000"]);
    const back = await client.hello(3);
    assertEquals(back.get("proto"), 3);
    assertEquals(typeof back.get("version"), "string");
    await client.quit();
  });
});

Deno.test("HELLO with an unsupported protocol version is a NOPROTO error", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    const error = await client.send("HELLO", "4").catch((e) => e);
    assertOk(error instanceof ReplyError);
    assertEquals(error.code, "NOPROTO");
    assertEquals(client.protocol, 2);
    await client.quit();
  });
});

Deno.test("quit sends QUIT, closes, and later sends reject", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    await client.set("k", "v");
    await client.quit();
    assertEquals(client.closed, true);
    await assertRejects(() => client.get("k"), Deno.errors.BadResource);
    await client.quit(); // a second quit is harmless
  });
});

Deno.test("pending sends reject when the server goes away", async () => {
  await withHermes(async (server) => {
    const client = await connect({ port: server.port });
    await client.ping();
    await server.kill();
    await assertRejects(() => client.ping());
    assertEquals(client.closed, true);
  });
});

Deno.test("connect rejects when nothing listens on the port", async () => {
  // A port freed a moment ago can be taken again by a parallel test: try a few fresh ones.
  for (let attempt = 1;; attempt++) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    try {
      const client = await connect({ port });
      client.close(); // someone else listens there now
      if (attempt === 3) throw new Error("every freed port was taken again");
    } catch (error) {
      if (!(error instanceof Deno.errors.ConnectionRefused)) throw error;
      return;
    }
  }
});

// ---- exact frames, from a scripted server ----

/** A one-connection TCP server that records what it receives and answers with `answer`. */
function scriptedServer(
  answer: (received: string) => string | null,
): { port: number; received: () => string; done: Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let received = "";
  const done = (async () => {
    const conn = await listener.accept();
    listener.close();
    const buf = new Uint8Array(4096);
    try {
      while (true) {
        const n = await conn.read(buf);
        if (n === null) break;
        for (let i = 0; i < n; i++) received += String.fromCharCode(buf[i]);
        const reply = answer(received);
        if (reply !== null) await conn.write(new TextEncoder().encode(reply));
      }
    } finally {
      conn.close();
    }
  })();
  return { port: (listener.addr as Deno.NetAddr).port, received: () => received, done };
}

const PUSH = ">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n";

Deno.test("RESP3 push frames go to the onPush handler, not to the waiting command", async () => {
  const server = scriptedServer((received) =>
    received.endsWith("PING\r\n") ? PUSH + "+PONG\r\n" + PUSH : null
  );
  const pushes: Push[] = [];
  const client = await connect({ port: server.port, onPush: (push) => pushes.push(push) });
  assertEquals(await client.ping(), "PONG");
  // The second push arrives after the reply; a later read delivers it.
  const more = client.readReply().catch(() => null);
  while (pushes.length < 2) await new Promise((r) => setTimeout(r, 10));
  assertEquals(pushes.map((p) => [...p]), [
    ["message", "news", "hello"],
    ["message", "news", "hello"],
  ]);
  assertEquals(client.pushes.length, 0);
  client.close();
  await more;
  await server.done;
});

Deno.test("push frames without a handler collect in pushes", async () => {
  const server = scriptedServer((received) =>
    received.endsWith("PING\r\n") ? PUSH + "+PONG\r\n" : null
  );
  const client = await connect({ port: server.port });
  assertEquals(await client.send("PING"), "PONG");
  assertEquals(client.pushes.map((p) => [...p]), [["message", "news", "hello"]]);
  client.close();
  await server.done;
});

Deno.test("connect with protocol 3 and a password sends HELLO 3 AUTH", async () => {
  const server = scriptedServer((received) =>
    received.includes("HELLO") ? "%1\r\n+proto\r\n:3\r\n" : null
  );
  const client = await connect({ port: server.port, protocol: 3, password: "s3cret" });
  assertEquals(client.protocol, 3);
  client.close();
  await server.done;
  assertEquals(
    server.received(),
    "*5\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n$6\r\ns3cret\r\n",
  );
});

Deno.test("await using sends QUIT when the block ends", async () => {
  const server = scriptedServer((received) => received.endsWith("QUIT\r\n") ? "+OK\r\n" : null);
  {
    await using client = await connect({ port: server.port });
    assertEquals(client.closed, false);
  }
  await server.done;
  assertEquals(server.received(), "*1\r\n$4\r\nQUIT\r\n");
});

// ---- against the reference server ----

Deno.test("connect authenticates with a password (against redis-server)", async (t) => {
  if (!redisAvailable()) {
    console.log("skipped: redis-server is not installed (Hermes has no requirepass yet)");
    return;
  }
  const redis = await startRedis();
  try {
    // Set after start: the helper's readiness probe sends PING without a password.
    const admin = await redis.connect();
    await admin.send("CONFIG", "SET", "requirepass", "s3cret");
    admin.close();
    const client = await connect({ port: redis.port, password: "s3cret", db: 2 });
    assertEquals(await client.set("k", "v"), "OK");
    await client.quit();
    const check = await connect({ port: redis.port, password: "s3cret" });
    assertEquals(await check.dbsize(), 0); // the key went to database 2
    await check.select(2);
    assertEquals(await check.get("k"), "v");
    await check.quit();
    const error = await connect({ port: redis.port, password: "wrong" }).catch((e) => e);
    assertOk(error instanceof ReplyError);
    assertEquals(error.code, "WRONGPASS");
    await t.step("RESP3 subscriptions deliver messages to onPush", async () => {
      const pushes: Push[] = [];
      const subscriber = await connect({
        port: redis.port,
        password: "s3cret",
        protocol: 3,
        onPush: (push) => pushes.push(push),
      });
      await subscriber.subscribe("news", "alerts");
      assertEquals(await subscriber.ping(), "PONG"); // a RESP3 subscriber still runs commands
      const publisher = await connect({ port: redis.port, password: "s3cret" });
      assertEquals(await publisher.send("PUBLISH", "news", "hello"), 1);
      // No command is waiting: the open subscription keeps the reader going.
      while (pushes.length < 3) await new Promise((r) => setTimeout(r, 10));
      assertEquals(pushes.map((p) => [...p]), [
        ["subscribe", "news", 1],
        ["subscribe", "alerts", 2],
        ["message", "news", "hello"],
      ]);
      await subscriber.unsubscribe("news", "alerts");
      assertEquals(pushes.length, 5);
      assertEquals(await publisher.send("PUBLISH", "news", "again"), 0);
      await publisher.quit();
      await subscriber.quit();
    });
  } finally {
    await redis.stop();
  }
});

function range(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `user:${from + i}`);
}
