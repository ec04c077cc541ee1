/**
 * Pub/sub against a real server over TCP: delivery order, inline SUBSCRIBE, RESP3 replies
 * interleaved with pushes, RESET and disconnects leaving subscriptions, the name and count
 * limits, CLIENT LIST/KILL, INFO, the idle timeout, and expired events from the active cycle.
 * Exact reply bytes of every command are compared with Redis in tests/compat/scripts/
 * (pubsub.redis, keyspace_events.redis).
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { RawSocket } from "../helpers/raw_socket.ts";
import { waitFor } from "../helpers/replication.ts";
import type { PubSubMessage, Subscription } from "../../src/client/mod.ts";

/** The next message of `subscription`, or a failure after `ms`. */
async function nextMessage(subscription: Subscription, ms = 10_000): Promise<PubSubMessage> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
  });
  try {
    const result = await Promise.race([subscription.next(), timeout]);
    if (result.done) throw new Error("the subscription ended");
    return result.value;
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("subscribers see every publisher's messages in publish order, across pipelines and rounds", async () => {
  await withHermes(async (server) => {
    const subscriber = await server.connect();
    const messages = await subscriber.subscribe("orders");
    const a = await server.connect();
    const b = await server.connect();
    const COUNT = 300;
    // Two publishers, each pipelining its messages in bursts: the rounds interleave them.
    const publish = async (who: string) => {
      for (let i = 0; i < COUNT; i += 50) {
        const burst = Array.from({ length: 50 }, (_, j) => ["PUBLISH", "orders", `${who}${i + j}`]);
        const counts = await (who === "a" ? a : b).pipeline(burst);
        assertOk(counts.every((n) => n === 1), String(counts));
      }
    };
    await Promise.all([publish("a"), publish("b")]);
    const seen: Record<string, number[]> = { a: [], b: [] };
    for (let i = 0; i < 2 * COUNT; i++) {
      const { channel, message } = await nextMessage(messages);
      assertEquals(channel, "orders");
      seen[message[0]].push(Number(message.slice(1)));
    }
    const inOrder = Array.from({ length: COUNT }, (_, i) => i);
    assertEquals(seen.a, inOrder);
    assertEquals(seen.b, inOrder);
    await messages.unsubscribe();
    assertEquals(await a.publish("orders", "late"), 0);
    for (const client of [subscriber, a, b]) await client.quit();
  });
});

Deno.test("SUBSCRIBE typed in telnet receives messages as RESP arrays", async () => {
  await withHermes(async (server) => {
    const telnet = await RawSocket.connect(server.port);
    await telnet.write("SUBSCRIBE news\r\n");
    assertEquals(
      await telnet.readUntil((r) => r.endsWith(":1\r\n")),
      "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n",
    );
    const publisher = await server.connect();
    assertEquals(await publisher.publish("news", "hello world"), 1);
    assertEquals(
      await telnet.readUntil((r) => r.endsWith("world\r\n")),
      "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$11\r\nhello world\r\n",
    );
    await telnet.write("PING\r\nGET k\r\n");
    assertEquals(
      await telnet.readUntil((r) => r.endsWith("context\r\n")),
      "*2\r\n$4\r\npong\r\n$0\r\n\r\n" +
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / " +
        "RESET are allowed in this context\r\n",
    );
    telnet.close();
    await publisher.quit();
  });
});

Deno.test("a RESP3 subscriber runs commands whose replies interleave with pushes frame by frame", async () => {
  await withHermes(async (server) => {
    const pushes: unknown[][] = [];
    const subscriber = await server.connect();
    await subscriber.hello(3);
    subscriber.onPush = (push) => pushes.push([...push]);
    const ticks = await subscriber.subscribe("ticks");
    const publisher = await server.connect();
    await publisher.set("k", "value");
    const COUNT = 200;
    // Replies and pushes race on one socket: every GET still gets its own reply.
    const [gets] = await Promise.all([
      Promise.all(Array.from({ length: COUNT }, () => subscriber.get("k"))),
      publisher.pipeline(Array.from({ length: COUNT }, (_, i) => ["PUBLISH", "ticks", `${i}`])),
    ]);
    assertOk(gets.every((value) => value === "value"));
    for (let i = 0; i < COUNT; i++) assertEquals((await nextMessage(ticks)).message, `${i}`);
    assertEquals(pushes.filter((p) => p[0] === "message").length, COUNT);
    assertEquals(pushes[0], ["subscribe", "ticks", 1]);
    await subscriber.quit();
    await publisher.quit();
  });
});

Deno.test("RESET leaves every subscription without a word, then acts as a fresh connection", async () => {
  await withHermes(async (server) => {
    const client = await RawSocket.connect(server.port);
    await client.write(
      "HELLO 3\r\nCLIENT SETNAME worker\r\nSELECT 2\r\n" +
        "SUBSCRIBE a\r\nPSUBSCRIBE b*\r\nSSUBSCRIBE c\r\nRESET\r\n",
    );
    const before = await client.readUntil((r) => r.endsWith("+RESET\r\n"));
    assertMatch(before, />3\r\n\$10\r\nssubscribe\r\n\$1\r\nc\r\n:1\r\n\+RESET\r\n$/);
    // RESP2 again (no push frames), database 0, no name, no subscriptions.
    await client.write("GET k\r\nCLIENT GETNAME\r\nCLIENT INFO\r\n");
    const after = await client.readUntil((r) => r.includes("resp="));
    assertMatch(after, /^\$-1\r\n\$-1\r\n\$\d+\r\nid=.* flags=N db=0 sub=0 psub=0 ssub=0 /);
    const other = await server.connect();
    assertEquals(await other.send("PUBSUB", "NUMSUB", "a"), ["a", 0]);
    assertEquals(await other.send("PUBSUB", "NUMPAT"), 0);
    assertEquals(await other.send("SPUBLISH", "c", "x"), 0);
    client.close();
    await other.quit();
  });
});

Deno.test("a client that disconnects leaves its channels, patterns and shard channels", async () => {
  await withHermes(async (server) => {
    const subscriber = await server.connect();
    await subscriber.subscribe("gone");
    await subscriber.psubscribe("go*");
    await subscriber.ssubscribe("shard");
    const observer = await server.connect();
    assertEquals(await observer.send("PUBSUB", "NUMSUB", "gone"), ["gone", 1]);
    subscriber.close();
    await waitFor(async () => {
      const [, count] = await observer.send("PUBSUB", "NUMSUB", "gone") as [string, number];
      return count === 0;
    }, "the channel to be left");
    assertEquals(await observer.send("PUBSUB", "NUMPAT"), 0);
    assertEquals(await observer.send("PUBSUB", "SHARDNUMSUB", "shard"), ["shard", 0]);
    assertEquals(await observer.publish("gone", "x"), 0);
    await observer.quit();
  });
});

Deno.test("channel names past max-channel and subscriptions past max-subscriptions are refused whole", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const long = "c".repeat(17);
    let error = await client.call("SUBSCRIBE", "ok", long);
    assertEquals(
      String(error),
      "ReplyError: ERR channel or pattern name is longer than max-channel (16 bytes)",
    );
    error = await client.call("PSUBSCRIBE", long);
    assertMatch(String(error), /longer than max-channel \(16 bytes\)/);
    // Nothing was subscribed by the refused commands (still free to run any command).
    assertEquals(await client.send("PUBSUB", "NUMSUB", "ok"), ["ok", 0]);
    // Three in all, whatever the kind; names already held do not count again.
    const admin = await server.connect();
    await client.subscribe("a", "b");
    await client.subscribe("a");
    error = await client.call("PSUBSCRIBE", "p1", "p2");
    assertEquals(
      String(error),
      "ReplyError: ERR too many subscriptions for one client (max-subscriptions is 3)",
    );
    assertEquals(await admin.send("PUBSUB", "NUMPAT"), 0);
    await client.ssubscribe("s");
    assertMatch(String(await client.call("SSUBSCRIBE", "t")), /too many subscriptions/);
    // The limits are live settings.
    await admin.send("CONFIG", "SET", "max-subscriptions", "10", "max-channel", "64");
    await client.psubscribe(long);
    assertEquals(await admin.send("PUBSUB", "NUMPAT"), 1);
    client.close();
    await admin.quit();
  }, ["--max-channel", "16", "--max-subscriptions", "3"]);
});

Deno.test("CLIENT LIST shows subscription counts and flag P; TYPE pubsub picks subscribers", async () => {
  await withHermes(async (server) => {
    const subscriber = await server.connect();
    await subscriber.subscribe("x", "y");
    await subscriber.psubscribe("p*");
    await subscriber.ssubscribe("s");
    const plain = await server.connect();
    await plain.send("CLIENT", "SETNAME", "plain");
    const admin = await server.connect();
    const list = String(await admin.send("CLIENT", "LIST"));
    assertMatch(list, / flags=P db=0 sub=2 psub=1 ssub=1 multi=-1 /);
    assertMatch(list, /name=plain .* flags=N db=0 sub=0 psub=0 ssub=0 /);
    const pubsubOnly = String(await admin.send("CLIENT", "LIST", "TYPE", "pubsub"));
    assertEquals(pubsubOnly.trim().split("\n").length, 1);
    assertMatch(pubsubOnly, /sub=2 psub=1 ssub=1/);
    const stats = String(await admin.send("INFO", "stats"));
    assertMatch(stats, /\r\npubsub_channels:2\r\npubsub_patterns:1\r\npubsubshard_channels:1\r\n/);
    assertEquals(await admin.send("CLIENT", "KILL", "TYPE", "pubsub"), 1);
    await waitFor(async () => (await admin.publish("x", "m")) === 0, "the subscriber to go");
    assertEquals(await plain.send("PING"), "PONG"); // the normal client stayed
    assertMatch(String(await admin.send("INFO", "stats")), /pubsub_channels:0\r\n/);
    plain.close();
    await admin.quit();
  });
});

Deno.test("a subscriber is never closed for being idle, as in Redis", async () => {
  await withHermes(async (server) => {
    const subscriber = await server.connect();
    const messages = await subscriber.subscribe("quiet");
    const idle = await RawSocket.connect(server.port);
    await idle.readUntilClosed(); // the plain idle client goes after about a second...
    const publisher = await server.connect();
    assertEquals(await publisher.publish("quiet", "still here"), 1); // ...the subscriber stays
    assertEquals((await nextMessage(messages)).message, "still here");
    subscriber.close();
    await publisher.quit();
  }, ["--timeout", "1"]);
});

Deno.test("keys that expire unread raise expired from the active cycle", async () => {
  await withHermes(async (server) => {
    const subscriber = await server.connect();
    const expired = await subscriber.subscribe("__keyevent@0__:expired");
    const writer = await server.connect();
    await writer.send("SET", "session:1", "v", "PX", "30");
    await writer.send("SET", "session:2", "v", "PX", "30");
    const keys = [(await nextMessage(expired)).message, (await nextMessage(expired)).message];
    assertEquals(keys.sort(), ["session:1", "session:2"]);
    assertEquals(await writer.dbsize(), 0); // nobody read them: the active cycle removed them
    subscriber.close();
    await writer.quit();
  }, ["--notify-keyspace-events", "Ex"]);
});

Deno.test("a message a client publishes to itself inside MULTI/EXEC comes after the EXEC reply", async () => {
  await withHermes(async (server) => {
    const client = await RawSocket.connect(server.port);
    await client.write("HELLO 3\r\nSUBSCRIBE self\r\n");
    await client.readUntil((r) => r.endsWith(">3\r\n$9\r\nsubscribe\r\n$4\r\nself\r\n:1\r\n"));
    const other = await server.connect();
    const others = await other.subscribe("self");
    await client.write("MULTI\r\nPUBLISH self inside\r\nSET k v\r\nEXEC\r\nPING\r\n");
    // Redis writes the push inside EXEC's array (breaking its count); Hermes after it, before
    // the next command's reply.
    assertEquals(
      await client.readUntil((r) => r.endsWith("+PONG\r\n")),
      "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:2\r\n+OK\r\n" +
        ">3\r\n$7\r\nmessage\r\n$4\r\nself\r\n$6\r\ninside\r\n+PONG\r\n",
    );
    assertEquals((await others.next()).value?.message, "inside");
    client.close();
    await other.quit();
  });
});
