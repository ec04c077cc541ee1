/**
 * Starting and stopping a real server process: the startup line, SIGTERM and SIGINT (stop
 * accepting, answer what is in flight, close clients, exit 0), a second signal (exit at once),
 * and SHUTDOWN.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes } from "../helpers/hermes_process.ts";
import { RawSocket } from "../helpers/raw_socket.ts";
import { VERSION } from "../../src/version.ts";
import { SETTINGS } from "../../src/config/settings.ts";

async function cleanup(server: HermesProcess): Promise<void> {
  await server.kill();
  await Deno.remove(server.dir, { recursive: true }).catch(() => {});
}

async function exitCode(server: HermesProcess): Promise<number> {
  return (await server.process.status).code;
}

async function refusesConnections(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return false;
  } catch {
    return true;
  }
}

/** Waits until the server's output matches `pattern`. */
async function outputMatches(server: HermesProcess, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pattern.test(server.output())) {
    if (Date.now() > deadline) throw new Error(`No ${pattern} in:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("the startup line states version, address, pid and every setting", async () => {
  const server = await startHermes(["--maxclients", "77", "--timeout", "9"]);
  try {
    const line = server.output().split("\n").find((l) => l.includes("ready on"))!;
    assertMatch(
      line,
      new RegExp(
        `^Hermes ${
          VERSION.replaceAll(".", "\\.")
        } ready on 127\\.0\\.0\\.1:${server.port} pid=${server.process.pid} `,
      ),
    );
    for (const setting of SETTINGS) {
      if (setting.key === "host" || setting.key === "port") continue;
      assertOk(line.includes(` ${setting.name}=`), `${setting.name} missing from ${line}`);
    }
    assertMatch(line, / maxclients=77 /);
    assertMatch(line, / timeout=9 /);
    assertMatch(line, new RegExp(` dir=${server.dir.replaceAll("/", "\\/")} `));
  } finally {
    await cleanup(server);
  }
});

Deno.test("SIGTERM answers every command in flight, closes clients and exits 0", async () => {
  const server = await startHermes();
  try {
    const idle = await RawSocket.connect(server.port);
    const busy = await RawSocket.connect(server.port);
    const COMMANDS = 20_000;
    await busy.write("*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n".repeat(COMMANDS));
    server.process.kill("SIGTERM");
    const received = await busy.readUntilClosed();
    // Whatever was answered is whole replies, in order, with nothing after the last one.
    let expected = "";
    let answered = 0;
    while (expected.length < received.length) expected += `:${++answered}\r\n`;
    assertEquals(received, expected, "the replies are not whole and in order");
    assertEquals(await idle.readUntilClosed(), "", "the idle client got bytes");
    assertEquals(await exitCode(server), 0, server.output());
    assertOk(await refusesConnections(server.port));
    assertMatch(server.output(), /Received SIGTERM/);

    // Every command that ran was answered: the counter the log kept is the last reply seen.
    const again = await startHermes([], { dir: server.dir });
    try {
      const client = await again.connect();
      const counter = await client.send("GET", "counter");
      assertEquals(counter, answered === 0 ? null : String(answered), "ran but not answered");
      client.close();
    } finally {
      await again.stop();
    }
  } finally {
    await cleanup(server);
  }
});

Deno.test("SIGINT stops the server the same way and exits 0", async () => {
  const server = await startHermes();
  try {
    const client = await server.connect();
    assertEquals(await client.send("SET", "k", "v"), "OK");
    server.process.kill("SIGINT");
    assertEquals(await exitCode(server), 0);
    assertMatch(server.output(), /Received SIGINT: shutting down/);
    await assertClosed(client);
  } finally {
    await cleanup(server);
  }
});

async function assertClosed(client: { send(...args: string[]): Promise<unknown> }) {
  let failed = false;
  try {
    await client.send("PING");
  } catch {
    failed = true;
  }
  assertOk(failed, "the client is still connected");
}

/** A client that asked for big replies and reads none, so its writes never finish. */
async function stuckClient(server: HermesProcess): Promise<RawSocket> {
  const client = await server.connect();
  assertEquals(await client.send("SET", "big", "b".repeat(1024 * 1024)), "OK");
  client.close();
  const stuck = await RawSocket.connect(server.port);
  await stuck.write("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(20));
  const probe = await server.connect();
  await probe.send("PING"); // the stuck client's commands have been read by now
  probe.close();
  return stuck;
}

Deno.test("a second signal during a slow shutdown exits at once", async () => {
  const server = await startHermes();
  try {
    const stuck = await stuckClient(server);
    server.process.kill("SIGTERM");
    await outputMatches(server, /Received SIGTERM: shutting down/);
    server.process.kill("SIGTERM");
    // Status 1 (not the orderly 0): it did not wait for the stuck client.
    assertEquals(await exitCode(server), 1);
    assertMatch(server.output(), /Received SIGTERM again: exiting now/);
    stuck.close();
  } finally {
    await cleanup(server);
  }
});

Deno.test("a client that never reads cannot keep the server from stopping", async () => {
  const server = await startHermes();
  try {
    const stuck = await stuckClient(server);
    server.process.kill("SIGTERM");
    assertEquals(await exitCode(server), 0);
    stuck.close();
  } finally {
    await cleanup(server);
  }
});

Deno.test("SHUTDOWN stops the server in order and exits 0", async () => {
  const server = await startHermes();
  try {
    const other = await RawSocket.connect(server.port);
    const caller = await RawSocket.connect(server.port);
    await caller.write("SET k v\r\nSHUTDOWN\r\n");
    assertEquals(await caller.readUntilClosed(), "+OK\r\n");
    assertEquals(await other.readUntilClosed(), "");
    assertEquals(await exitCode(server), 0);
    assertOk(await refusesConnections(server.port));
  } finally {
    await cleanup(server);
  }
});
