/**
 * Subscribers that do not read: the pubsub class of client-output-buffer-limit cuts them off
 * (hard limit at once, soft limit once held too long) while the publisher keeps its pace, and
 * the memory they held is given back. Also CONFIG GET/SET of the limits in Redis's syntax.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, withHermes } from "../helpers/hermes_process.ts";
import { RawSocket, residentBytes } from "../helpers/raw_socket.ts";
import type { Client } from "../../src/client/mod.ts";

const MESSAGE = "m".repeat(10 * 1024);

/** The server's resident memory in bytes, from /proc. */
function rss(server: HermesProcess): number {
  const bytes = residentBytes(server.process.pid);
  if (bytes === null) throw new Error("Cannot read the server's RSS: no /proc here");
  return bytes;
}

/** INFO's used_memory: what V8 holds for data, its heap and the buffers outside it. */
async function usedMemory(client: Client): Promise<number> {
  const info = String(await client.send("INFO", "memory"));
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/** Publishes `count` messages one at a time; returns each PUBLISH's latency and receivers. */
async function publishAll(client: Client, count: number) {
  const latencies: number[] = [];
  const receivers: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    receivers.push(await client.publish("firehose", MESSAGE));
    latencies.push(performance.now() - started);
  }
  return { latencies, receivers };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const MB = 1024 * 1024;

Deno.test("a subscriber that never reads is cut off past 32 MB, the publisher keeps its pace, and memory returns", async () => {
  await withHermes(async (server) => {
    const publisher = await server.connect();
    // Warm up with nobody listening, so the baseline includes what publishing itself costs.
    const warmUp = await publishAll(publisher, 2_000);
    const rssBefore = rss(server);
    const usedBefore = await usedMemory(publisher);

    const stalled = await RawSocket.connect(server.port);
    await stalled.write("SUBSCRIBE firehose\r\n"); // and never read again
    const observer = await server.connect();
    const numsub = async () => (await observer.send("PUBSUB", "NUMSUB", "firehose") as number[])[1];
    while (await numsub() !== 1) await new Promise((resolve) => setTimeout(resolve, 10));

    const run = await publishAll(publisher, 10_000);
    // Delivered until the queue passed the hard limit (plus what the kernel buffered), then
    // the subscriber was gone: 10,000 x 10 KB is 100 MB, far past 32 MB.
    const reached = run.receivers.indexOf(0);
    assertOk(reached > 1_000 && reached < 9_000, `cut off after ${reached} messages`);
    assertOk(run.receivers.slice(reached).every((n) => n === 0));
    assertMatch(server.output(), /over client-output-buffer-limit pubsub 33554432 8388608 60/);
    assertEquals(await numsub(), 0);

    // The publisher never waited for the subscriber: while the backlog grew its typical
    // latency stayed that of publishing to nobody (generous bounds: the machine is shared).
    const backlogged = median(run.latencies.slice(0, reached));
    const idle = median(warmUp.latencies);
    console.log(
      `publisher median latency: ${idle.toFixed(3)} ms to nobody, ` +
        `${backlogged.toFixed(3)} ms with the subscriber backlogged (cut off after ${reached})`,
    );
    assertOk(backlogged < idle * 5 + 2, `${backlogged} ms vs ${idle} ms`);

    // The cut-off subscriber's queue was freed at once: memory is back near the baseline.
    const usedAfter = await usedMemory(publisher);
    const rssAfter = rss(server);
    console.log(
      `used_memory ${(usedBefore / MB).toFixed(1)} -> ${(usedAfter / MB).toFixed(1)} MB, ` +
        `RSS ${(rssBefore / MB).toFixed(1)} -> ${(rssAfter / MB).toFixed(1)} MB`,
    );
    assertOk(usedAfter < usedBefore + 8 * MB, `used_memory grew ${usedAfter - usedBefore}`);
    assertOk(rssAfter < rssBefore + 24 * MB, `RSS grew ${rssAfter - rssBefore}`);
    // What the kernel had buffered is all the subscriber ever gets before the close.
    assertMatch(await stalled.readUntilClosed(), /^\*3\r\n\$9\r\nsubscribe\r\n/);
    await observer.quit();
    await publisher.quit();
  });
});

Deno.test("a subscriber held past the soft limit longer than its seconds is cut off", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    // No hard limit; 256 KB held for more than a second is too much.
    await admin.send("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 256kb 1");
    const stalled = await RawSocket.connect(server.port);
    await stalled.write("SUBSCRIBE slow\r\n");
    await stalled.readUntil((r) => r.endsWith(":1\r\n"));
    // Enough to fill the kernel's socket buffers and queue well past 256 KB in Hermes.
    const started = Date.now();
    for (let i = 0; i < 1_500 && (await admin.publish("slow", MESSAGE)) === 1; i++);
    // The once-a-second check cuts it off even though nothing more is published.
    while ((await admin.publish("slow", "ping")) === 1) {
      assertOk(Date.now() - started < 20_000, "still subscribed after 20 s");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assertOk(Date.now() - started >= 1_000, "cut off before the soft limit's second passed");
    assertMatch(server.output(), /over client-output-buffer-limit pubsub 0 262144 1/);
    stalled.close();
    await admin.quit();
  });
});

Deno.test("CONFIG GET and SET client-output-buffer-limit use Redis's syntax; max-output is the normal class", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const get = async (name: string) => (await client.send("CONFIG", "GET", name) as string[])[1];
    // The flag takes Redis's syntax too (here: --client-output-buffer-limit "pubsub 4kb 0 0").
    assertEquals(
      await get("client-output-buffer-limit"),
      "normal 67108864 0 0 slave 268435456 67108864 60 pubsub 4096 0 0",
    );
    assertEquals(
      await client.send("CONFIG", "SET", "client-output-buffer-limit", "PUBSUB 1mb 512kb 5"),
      "OK",
    );
    await client.send("CONFIG", "SET", "max-output", "2mb");
    assertEquals(
      await get("client-output-buffer-limit"),
      "normal 2097152 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 5",
    );
    await client.send("CONFIG", "SET", "client-output-buffer-limit", "normal 3000000 0 0");
    assertEquals(await get("max-output"), "3000000");
    const refused = await client.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 2");
    assertEquals(
      String(refused),
      "ReplyError: ERR CONFIG SET failed (possibly related to argument " +
        "'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.",
    );
    // The startup line shows the value given.
    assertMatch(
      server.output(),
      /client-output-buffer-limit="normal 67108864 0 0 slave 268435456 67108864 60 pubsub 4096 0 0"/,
    );
    await client.quit();
  }, ["--client-output-buffer-limit", "pubsub 4kb 0 0"]);
});
