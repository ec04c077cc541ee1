/**
 * ioredis against a real Hermes process. ioredis 6 connects with HELLO 3, CLIENT SETINFO and an
 * INFO ready check; ioredis 5 speaks RESP2 and skips HELLO.
 * Both must connect, read and write (binary values too), pipeline, and quit cleanly.
 */
// Test-only client libraries, pinned here rather than in deno.json: nothing else uses them.
// deno-lint-ignore no-import-prefix
import { Redis } from "npm:ioredis@6.0.0";
// deno-lint-ignore no-import-prefix
import { Redis as Redis5 } from "npm:ioredis@5.11.1";
import { Buffer } from "node:buffer";
import { assertEquals, assertRejects } from "../helpers/assert.ts";
import { compatSkipReason, withCompatServer } from "../helpers/compat_server.ts";
import { withTimeout } from "../helpers/run_tool.ts";
import { blocked } from "../helpers/blocked.ts";
import { type AnyRedis, IOREDIS_STEP_MS, openIoredis } from "./ioredis_client.ts";

const skipReason = compatSkipReason();
if (skipReason) console.log(`Skipping the ioredis tests: ${skipReason}`);

const STEP_MS = IOREDIS_STEP_MS;
const open = openIoredis;

/** The `proto` field of a bare HELLO (ioredis flattens the map into [key, value, ...]). */
async function protocolOf(client: AnyRedis): Promise<unknown> {
  const fields = await client.call("HELLO") as unknown[];
  return fields[fields.indexOf("proto") + 1];
}

/** Quits and waits until ioredis has seen the connection end. */
async function quit(client: AnyRedis): Promise<void> {
  const ended = new Promise<void>((resolve) => client.once("end", () => resolve()));
  assertEquals(await withTimeout(client.quit(), STEP_MS, "ioredis quit"), "OK");
  await withTimeout(ended, STEP_MS, "ioredis end event after QUIT");
  assertEquals(client.status, "end");
}

async function readsWritesAndPipelines(client: AnyRedis): Promise<void> {
  assertEquals(await client.set("greeting", "hello"), "OK");
  assertEquals(await client.get("greeting"), "hello");
  assertEquals(await client.get("missing"), null);
  assertEquals(await client.set("café", "naïve ☕"), "OK");
  assertEquals(await client.get("café"), "naïve ☕");

  const results = await client.pipeline()
    .set("counter", "10")
    .incr("counter")
    .incrby("counter", 5)
    .get("counter")
    .del("counter", "missing")
    .exec();
  assertEquals(results, [[null, "OK"], [null, 11], [null, 16], [null, "16"], [null, 1]]);

  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  assertEquals(await client.set("binary", bytes), "OK");
  assertEquals(Buffer.compare(await client.getBuffer("binary") as Buffer, bytes), 0);

  await assertRejects(() => client.incr("greeting"), {
    message: "ERR value is not an integer or out of range",
  });
  // The connection is still usable after an error reply.
  assertEquals(await client.get("greeting"), "hello");
}

Deno.test({
  name: "ioredis 6 connects over RESP3, reads, writes, pipelines binary-safe values and quits",
  ignore: skipReason !== null,
  fn: () =>
    withCompatServer(async (server) => {
      const client = await open(Redis, server);
      try {
        assertEquals(await protocolOf(client), 3);
        await readsWritesAndPipelines(client);
      } finally {
        if (client.status !== "end") await quit(client);
      }
    }),
});

Deno.test({
  name: "ioredis 6 sends many commands at once and gets every reply in order",
  ignore: skipReason !== null,
  fn: () =>
    withCompatServer(async (server) => {
      const client = await open(Redis, server);
      try {
        const count = 2000;
        const writes = Array.from({ length: count }, (_, i) => client.set(`key:${i}`, `v${i}`));
        assertEquals(new Set(await Promise.all(writes)), new Set(["OK"]));
        const reads = await Promise.all(
          Array.from({ length: count }, (_, i) => client.get(`key:${i}`)),
        );
        assertEquals(reads, Array.from({ length: count }, (_, i) => `v${i}`));
        assertEquals(await client.dbsize(), count);
      } finally {
        await quit(client);
      }
    }),
});

Deno.test({
  name: "ioredis 5 connects over RESP2, reads, writes, pipelines binary-safe values and quits",
  ignore: skipReason !== null,
  fn: () =>
    withCompatServer(async (server) => {
      const client = await open(Redis5, server);
      try {
        assertEquals(await protocolOf(client), 2);
        await readsWritesAndPipelines(client);
      } finally {
        if (client.status !== "end") await quit(client);
      }
    }),
});

Deno.test({
  name: "ioredis 6 with db and connectionName options selects the database and names itself",
  ignore: skipReason !== null,
  fn: () =>
    withCompatServer(async (server) => {
      const client = await open(Redis, server, { db: 3, connectionName: "ioredis-test" });
      try {
        assertEquals(await client.set("in-db-3", "yes"), "OK");
        assertEquals(await client.client("GETNAME"), "ioredis-test");
      } finally {
        await quit(client);
      }
      const check = await server.connect();
      try {
        assertEquals(await check.send("GET", "in-db-3"), null);
        assertEquals(await check.send("SELECT", "3"), "OK");
        assertEquals(await check.send("GET", "in-db-3"), "yes");
      } finally {
        check.close();
      }
    }),
});

/** Hash, list and set helpers as applications use them, blocking pops included. */
async function collectionHelpers(client: AnyRedis, blocker: AnyRedis): Promise<void> {
  assertEquals(await client.hset("user:1", { name: "alice", plan: "pro" }), 2);
  assertEquals(await client.hgetall("user:1"), { name: "alice", plan: "pro" });
  assertEquals(await client.hgetall("missing"), {});
  assertEquals(await client.hincrby("user:1", "logins", 3), 3);
  assertEquals(await client.hmget("user:1", "name", "nope"), ["alice", null]);
  assertEquals(await client.rpush("queue", "a", "b"), 2);
  assertEquals(await client.lrange("queue", 0, -1), ["a", "b"]);
  assertEquals(await client.lpop("queue", 1), ["a"]);
  assertEquals(await client.sadd("tags", "x", "y", "x"), 2);
  assertEquals((await client.smembers("tags")).sort(), ["x", "y"]);
  assertEquals(await client.sismember("tags", "y"), 1);
  // A worker blocked in BRPOP is woken by a push from another connection.
  const waiting = blocker.brpop("jobs", 30);
  await blocked({
    send: (...args: string[]) => client.call(args[0], ...args.slice(1)) as Promise<unknown>,
  }, 1);
  await client.lpush("jobs", "job-1");
  assertEquals(await withTimeout(waiting, STEP_MS, "ioredis brpop"), ["jobs", "job-1"]);
  assertEquals(await blocker.blmove("queue", "done", "LEFT", "RIGHT", 1), "b");
  assertEquals(await blocker.blpop("empty", 0.05), null);
}

for (const [label, Client] of [["6", Redis], ["5", Redis5]] as const) {
  Deno.test({
    name:
      `ioredis ${label} hash, list and set helpers work, hgetall to an object and blocking pops`,
    ignore: skipReason !== null,
    fn: () =>
      withCompatServer(async (server) => {
        const client = await open(Client as typeof Redis, server);
        const blocker = await open(Client as typeof Redis, server);
        try {
          await collectionHelpers(client, blocker);
        } finally {
          await quit(client);
          await quit(blocker);
        }
      }),
  });
}

/** Waits for `count` events that `listen` reports, or fails after STEP_MS. */
function collect<T>(count: number, listen: (push: (item: T) => void) => void): Promise<T[]> {
  const items: T[] = [];
  return withTimeout(
    new Promise<T[]>((resolve) => {
      listen((item) => {
        items.push(item);
        if (items.length === count) resolve(items);
      });
    }),
    STEP_MS,
    `${count} pub/sub events`,
  );
}

for (const [label, Client] of [["6 (RESP3)", Redis], ["5 (RESP2)", Redis5]] as const) {
  Deno.test({
    name: `ioredis ${label} subscribers receive messages, pattern messages and keyspace events`,
    ignore: skipReason !== null,
    fn: () =>
      withCompatServer(async (server) => {
        const subscriber = await open(Client as typeof Redis, server);
        const publisher = await open(Client as typeof Redis, server);
        try {
          const messages = collect<string[]>(2, (push) => {
            subscriber.on(
              "message",
              (channel: string, message: string) => push([channel, message]),
            );
          });
          const patterned = collect<string[]>(3, (push) => {
            subscriber.on(
              "pmessage",
              (pattern: string, channel: string, message: string) =>
                push([pattern, channel, message]),
            );
          });
          assertEquals(await subscriber.subscribe("news", "alerts"), 2);
          assertEquals(await subscriber.psubscribe("news.*", "__keyspace@0__:*"), 4);
          await publisher.config("SET", "notify-keyspace-events", "K$g");
          assertEquals(await publisher.publish("news", "hello"), 1);
          assertEquals(await publisher.publish("news.sport", "goal"), 1);
          assertEquals(await publisher.publish("alerts", "fire"), 1);
          await publisher.set("watched", "1");
          await publisher.del("watched");
          assertEquals(await messages, [["news", "hello"], ["alerts", "fire"]]);
          assertEquals(await patterned, [
            ["news.*", "news.sport", "goal"],
            ["__keyspace@0__:*", "__keyspace@0__:watched", "set"],
            ["__keyspace@0__:*", "__keyspace@0__:watched", "del"],
          ]);
          // By name: ioredis 6 never settles a bare UNSUBSCRIBE over RESP3 (against Redis too).
          await withTimeout(subscriber.unsubscribe("news", "alerts"), STEP_MS, "unsubscribe");
          await withTimeout(
            subscriber.punsubscribe("news.*", "__keyspace@0__:*"),
            STEP_MS,
            "punsubscribe",
          );
          assertEquals(await publisher.publish("news", "nobody"), 0);
        } finally {
          for (const client of [subscriber, publisher]) {
            if (client.status !== "end") await quit(client);
          }
        }
      }),
  });
}
