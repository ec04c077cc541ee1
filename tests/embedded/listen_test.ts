/**
 * `db.listen()` serves the open store over TCP while the program keeps using it: redis-cli and
 * the program see the same data; network options apply to the listener (requirepass guards
 * network clients, not the trusted embedded sessions); closing the listener keeps the store;
 * a network client's SHUTDOWN closes the store.
 */
import { connect, open, ReplyError } from "../../mod.ts";
import { runTool } from "../helpers/run_tool.ts";
import { latin1ToUtf8 } from "../../src/protocol/latin1.ts";
import { assertEquals, assertOk, assertRejects } from "../helpers/assert.ts";

/** redis-cli's answer as text (runTool gives its bytes one char each). */
const cli = (port: number, ...args: string[]) =>
  runTool("redis-cli", ["-p", String(port), ...args]).then((r) => latin1ToUtf8(r.stdout).trim());

Deno.test("redis-cli and the program share one store while it listens", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-embedded-listen-" });
  try {
    await using db = await open({ dir });
    await db.set("from:program", "Zoë");
    const listener = await db.listen({ port: 0 });
    assertOk(listener.port > 0);
    assertEquals(await cli(listener.port, "GET", "from:program"), "Zoë");
    assertEquals(await cli(listener.port, "RPUSH", "jobs", "a", "b"), "2");
    assertEquals(await db.lrange("jobs", 0, -1), ["a", "b"]);
    // A network client blocked on the store is woken by the program's write.
    const waiting = runTool("redis-cli", ["-p", String(listener.port), "BLPOP", "wake", "10"]);
    const deadline = Date.now() + 30_000;
    while (!/blocked_clients:1/.test(await db.info("clients")) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await db.rpush("wake", "up");
    assertEquals((await waiting).stdout.trim().split("\n"), ["wake", "up"]);
    // CLIENT LIST shows the embedded session beside the network ones.
    assertOk((await cli(listener.port, "CLIENT", "LIST")).includes("addr=embedded:0"));

    await assertRejects(() => db.listen({ port: 0 }), /already served on port/);
    await listener.close();
    const refused = await runTool("redis-cli", ["-p", String(listener.port), "PING"]);
    assertOk(refused.stdout.includes("Could not connect") || refused.code !== 0);
    assertEquals(await db.llen("jobs"), 2); // the store is still open
    const again = await db.listen({ port: 0 });
    assertEquals(await cli(again.port, "LLEN", "jobs"), "2");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listen options apply to network clients: requirepass, and settings as CONFIG SET", async () => {
  await using db = await open({ persistence: "none" });
  const listener = await db.listen({ port: 0, requirepass: "s3cret", notifyKeyspaceEvents: "KEA" });
  const client = await connect({ port: listener.port });
  try {
    await assertRejects(
      () => client.get("k"),
      (e: Error) => e instanceof ReplyError && e.message.startsWith("NOAUTH"),
    );
    await client.auth("s3cret");
    assertEquals(await client.set("k", "v"), "OK");
    assertEquals(await db.get("k"), "v"); // the program needs no password
    assertEquals(
      await db.command("CONFIG", "GET", "notify-keyspace-events"),
      new Map([["notify-keyspace-events", "AKE"]]),
    );
  } finally {
    client.close();
  }
  await listener.close();
  await assertRejects(
    () => db.listen({ port: 0, persistence: "wal" }),
    /Cannot change persistence of an open store/,
  );
  await assertRejects(
    () => db.listen({ port: 0, timeout: -1 }),
    /Cannot use timeout "-1": must be between 0 and/,
  );
});

Deno.test("a network client's SHUTDOWN closes the embedded store", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-embedded-shutdown-" });
  try {
    const db = await open({ dir });
    await db.set("kept", "yes");
    const listener = await db.listen({ port: 0 });
    await runTool("redis-cli", ["-p", String(listener.port), "SHUTDOWN"]);
    await db.stopped;
    assertEquals(db.closed, true);
    await assertRejects(() => db.get("kept"), /Cannot run GET: the store is closed/);
    await db.close();
    await using reopened = await open({ dir });
    assertEquals(await reopened.get("kept"), "yes");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
