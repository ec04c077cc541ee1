/**
 * MONITOR's limits through a real server (its line format is compared with Redis in
 * tests/compat/monitor_test.ts): a monitor that does not read is cut off by max-output while
 * other clients carry on, a line too long for max-output cuts monitors off before it is built,
 * a monitor that leaves stops being fed, and RESET makes a monitor an ordinary client again.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { waitFor } from "../helpers/replication.ts";
import { RawSocket } from "../helpers/raw_socket.ts";
import { encodeCommand } from "../../src/client/mod.ts";

async function monitor(port: number): Promise<RawSocket> {
  const socket = await RawSocket.connect(port);
  await socket.write(encodeCommand(["MONITOR"]));
  assertEquals(await socket.readBytes(5), "+OK\r\n");
  return socket;
}

async function clientCount(client: { send(...a: string[]): Promise<unknown> }): Promise<number> {
  const list = await client.send("CLIENT", "LIST") as string;
  return list.split("\n").filter((line) => line !== "").length;
}

Deno.test("a monitor that does not read is cut off by max-output while other clients go on", async () => {
  await withHermes(async (server) => {
    const stalled = await monitor(server.port); // never reads again
    const reading = await monitor(server.port);
    // The other monitor reads all the time, keeping only the end of what it got.
    let tail = "";
    let stop = false;
    const drained = (async () => {
      while (!stop && !reading.closed) tail = (tail + await reading.readFor(20)).slice(-4096);
    })();
    const client = await server.connect();
    const value = "v".repeat(64 * 1024);
    // 32 MB of monitor lines: far past max-output (1 MB) plus what the kernel buffers.
    let acknowledged = 0;
    for (let round = 0; round < 16; round++) {
      const replies = await client.pipeline(
        Array.from({ length: 32 }, (_, i) => ["SET", `k${i}`, value]),
      );
      acknowledged += replies.filter((reply) => reply === "OK").length;
    }
    assertEquals(acknowledged, 512);
    await waitFor(
      () => Promise.resolve(/over max-output 1048576/.test(server.output())),
      "the stalled monitor to be cut off",
    );
    await waitFor(async () => await clientCount(client) === 2, "the stalled monitor to be gone");
    // The reading monitor still gets every line.
    await client.send("ECHO", "still-here");
    await waitFor(() => Promise.resolve(tail.includes('"ECHO" "still-here"')), "the last line");
    assertOk(!reading.closed, "the monitor that reads was cut off too");
    stop = true;
    await drained;
    stalled.close();
    reading.close();
    client.close();
  }, ["--max-output", "1mb"]);
});

Deno.test("a command too long for max-output cuts monitors off instead of building its line", async () => {
  await withHermes(async (server) => {
    const watcher = await monitor(server.port);
    const client = await server.connect();
    assertEquals(await client.send("SET", "big", "x".repeat(2 * 1024 * 1024)), "OK");
    const rest = await watcher.readUntilClosed();
    assertOk(!rest.includes('"SET" "big"'), "the oversized line was sent");
    assertEquals(await client.send("GET", "small"), null);
    client.close();
  }, ["--max-output", "1mb"]);
});

Deno.test("a monitor that leaves is no longer fed and a new one is", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const first = await monitor(server.port);
    // Listed with Redis's flag for a monitor.
    assertMatch(await client.send("CLIENT", "LIST") as string, /^id=\d+ .* flags=O /m);
    await client.send("SET", "a", "1");
    assertMatch(await first.readUntil((r) => r.endsWith("\r\n")), /"SET" "a" "1"\r\n$/);
    first.close();
    await waitFor(async () => await clientCount(client) === 1, "the monitor to leave");
    // The feed left the dispatcher with its last monitor (the endpoint counts the feed's list).
    await waitFor(async () => {
      const metrics = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
      return /^hermes_monitor_clients 0$/m.test(await metrics.text());
    }, "no monitor to be counted");
    await client.send("SET", "b", "2"); // fed to nobody
    const second = await monitor(server.port);
    await client.send("SET", "c", "3");
    assertMatch(
      await second.readUntil((r) => r.endsWith("\r\n")),
      /^\+\S+ \[0 \S+\] "SET" "c" "3"\r\n$/,
    );
    second.close();
    client.close();
  }, ["--metrics-port", "0"]);
});

Deno.test("RESET ends monitor mode: the client is fed no more and may touch keys again", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const watcher = await monitor(server.port);
    await watcher.write(encodeCommand(["RESET"]));
    assertEquals(await watcher.readBytes(8), "+RESET\r\n");
    await client.send("SET", "a", "1"); // a monitor would get a line for it
    await watcher.write(encodeCommand(["SET", "b", "2"]));
    assertEquals(await watcher.readBytes(5), "+OK\r\n");
    assertMatch(await client.send("CLIENT", "LIST") as string, /^id=\d+ .* flags=N .*cmd=set /m);
    assertEquals(await watcher.readFor(100), "");
    watcher.close();
    client.close();
  });
});
