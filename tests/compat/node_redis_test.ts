/**
 * node-redis (`redis` on npm) against a real Hermes process. Version 6 connects with HELLO 3 by
 * default and has no fallback, so genuine RESP3 replies are required; `RESP: 2` skips HELLO.
 * Both must connect, read and write (binary values too), batch without MULTI, and close cleanly.
 */
// Test-only client libraries, pinned here rather than in deno.json: nothing else uses them.
// deno-lint-ignore no-import-prefix
import { createClient, RESP_TYPES } from "npm:redis@6.3.1";
import { Buffer } from "node:buffer";
import { assertEquals, assertRejects } from "../helpers/assert.ts";
import { type CompatServer, compatSkipReason, withCompatServer } from "../helpers/compat_server.ts";
import { withTimeout } from "../helpers/run_tool.ts";
import { blocked } from "../helpers/blocked.ts";

const skipReason = compatSkipReason();
if (skipReason) console.log(`Skipping the node-redis tests: ${skipReason}`);

const STEP_MS = 10_000;

function newClient(
  server: CompatServer,
  RESP: 2 | 3,
  options: { database?: number; name?: string } = {},
) {
  // No reconnecting: a refused handshake must show up as connect() failing.
  return createClient({
    RESP,
    socket: { host: "127.0.0.1", port: server.port, reconnectStrategy: false },
    ...options,
  });
}

type NodeRedisClient = ReturnType<typeof newClient>;

async function open(
  server: CompatServer,
  RESP: 2 | 3,
  options: { database?: number; name?: string } = {},
): Promise<NodeRedisClient> {
  const client = newClient(server, RESP, options);
  const errors: Error[] = [];
  client.on("error", (error: Error) => errors.push(error));
  try {
    await withTimeout(client.connect(), STEP_MS, "node-redis connect");
  } catch (error) {
    client.destroy();
    const seen = errors.map((e) => e.message).join("; ");
    throw new Error(`node-redis could not connect: ${error} (error events: ${seen || "none"})`);
  }
  assertEquals(client.isReady, true);
  return client;
}

async function close(client: NodeRedisClient): Promise<void> {
  if (!client.isOpen) return;
  await withTimeout(client.close(), STEP_MS, "node-redis close");
  assertEquals(client.isOpen, false);
}

async function readsWritesAndBatches(client: NodeRedisClient, RESP: 2 | 3): Promise<void> {
  const hello = await client.sendCommand(["HELLO"]) as unknown;
  // RESP3 maps arrive as objects, RESP2's flat list as an array.
  const proto = Array.isArray(hello)
    ? hello[hello.indexOf("proto") + 1]
    : (hello as Record<string, unknown>).proto;
  assertEquals(proto, RESP);

  assertEquals(await client.set("greeting", "hello"), "OK");
  assertEquals(await client.get("greeting"), "hello");
  assertEquals(await client.get("missing"), null);
  assertEquals(await client.set("café", "naïve ☕"), "OK");
  assertEquals(await client.get("café"), "naïve ☕");

  // Commands issued together go out in one write (auto-pipelining) and come back in order.
  assertEquals(
    await Promise.all([
      client.set("counter", "10"),
      client.incr("counter"),
      client.incrBy("counter", 5),
      client.get("counter"),
      client.exists(["counter", "missing"]),
    ]),
    ["OK", 11, 16, "16", 1],
  );
  // A batch without MULTI/EXEC.
  assertEquals(
    await client.multi().set("batched", "1").incr("batched").get("batched").execAsPipeline(),
    ["OK", 2, "2"],
  );

  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  assertEquals(await client.set("binary", bytes), "OK");
  const back = await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get("binary");
  assertEquals(Buffer.compare(back as Buffer, bytes), 0);

  await assertRejects(() => client.incr("greeting"), {
    message: "ERR value is not an integer or out of range",
  });
  assertEquals(await client.get("greeting"), "hello");
}

for (const RESP of [3, 2] as const) {
  Deno.test({
    name: `node-redis 6 connects over RESP${RESP}, reads, writes, batches binary-safe values ` +
      "and closes",
    ignore: skipReason !== null,
    fn: () =>
      withCompatServer(async (server) => {
        const client = await open(server, RESP);
        try {
          await readsWritesAndBatches(client, RESP);
        } finally {
          await close(client);
        }
      }),
  });
}

for (const RESP of [3, 2] as const) {
  Deno.test({
    name: `node-redis 6 over RESP${RESP} with database and name options selects and names itself`,
    ignore: skipReason !== null,
    fn: () =>
      withCompatServer(async (server) => {
        const client = await open(server, RESP, { database: 5, name: `node-redis-${RESP}` });
        try {
          assertEquals(await client.set("in-db-5", "yes"), "OK");
          assertEquals(await client.clientGetName(), `node-redis-${RESP}`);
        } finally {
          await close(client);
        }
        const check = await server.connect();
        try {
          assertEquals(await check.send("GET", "in-db-5"), null);
          assertEquals(await check.send("SELECT", "5"), "OK");
          assertEquals(await check.send("GET", "in-db-5"), "yes");
        } finally {
          check.close();
        }
      }),
  });
}

for (const RESP of [3, 2] as const) {
  Deno.test({
    name: `node-redis 6 over RESP${RESP}: hash, list and set helpers and blocking pops work`,
    ignore: skipReason !== null,
    fn: () =>
      withCompatServer(async (server) => {
        const client = await open(server, RESP);
        const blocker = await open(server, RESP);
        try {
          assertEquals(await client.hSet("user:1", { name: "alice", plan: "pro" }), 2);
          const user = await client.hGetAll("user:1");
          assertEquals({ ...user }, { name: "alice", plan: "pro" });
          assertEquals(await client.hIncrBy("user:1", "logins", 2), 2);
          assertEquals(await client.rPush("queue", ["a", "b", "c"]), 3);
          assertEquals(await client.lRange("queue", 0, -1), ["a", "b", "c"]);
          assertEquals(await client.sAdd("tags", ["x", "y"]), 2);
          assertEquals((await client.sMembers("tags")).sort(), ["x", "y"]);
          assertEquals(await client.sIsMember("tags", "x"), 1);
          const waiting = blocker.blPop("jobs", 30);
          await blocked({ send: (...args: string[]) => client.sendCommand(args) }, 1);
          await client.rPush("jobs", "job-1");
          assertEquals(
            await withTimeout(waiting, STEP_MS, "node-redis blPop"),
            { key: "jobs", element: "job-1" },
          );
          assertEquals(await blocker.blMove("queue", "done", "LEFT", "RIGHT", 1), "a");
          assertEquals(await blocker.brPop("empty", 0.05), null);
        } finally {
          await close(client);
          await close(blocker);
        }
      }),
  });
}

for (const RESP of [3, 2] as const) {
  Deno.test({
    name: `node-redis 6 over RESP${RESP} subscribers receive messages, pattern messages and ` +
      "keyspace events",
    ignore: skipReason !== null,
    fn: () =>
      withCompatServer(async (server) => {
        const subscriber = await open(server, RESP);
        const publisher = await open(server, RESP);
        try {
          const received: string[][] = [];
          let expected = 0;
          let done!: () => void;
          const all = new Promise<void>((resolve) => done = resolve);
          const record = (...item: string[]) => {
            received.push(item);
            if (received.length === expected) done();
          };
          expected = 4;
          await subscriber.subscribe("news", (message, channel) => record(channel, message));
          await subscriber.pSubscribe(
            ["news.*", "__keyevent@0__:*"],
            (message, channel) => record(channel, message),
          );
          await publisher.configSet("notify-keyspace-events", "E$");
          assertEquals(await publisher.publish("news", "hello"), 1);
          assertEquals(await publisher.publish("news.sport", "goal"), 1);
          await publisher.set("watched", "1");
          await publisher.append("watched", "2");
          await withTimeout(all, STEP_MS, "four pub/sub messages");
          assertEquals(received, [
            ["news", "hello"],
            ["news.sport", "goal"],
            ["__keyevent@0__:set", "watched"],
            ["__keyevent@0__:append", "watched"],
          ]);
          await withTimeout(subscriber.unsubscribe("news"), STEP_MS, "unsubscribe");
          await withTimeout(subscriber.pUnsubscribe(), STEP_MS, "pUnsubscribe");
          assertEquals(await publisher.publish("news", "nobody"), 0);
        } finally {
          await close(subscriber);
          await close(publisher);
        }
      }),
  });
}
