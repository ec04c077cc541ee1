/**
 * Embedded reads run at once when the store is idle (src/embedded/read_now.ts): the same
 * replies, stats and events as a read queued to the actor, never ahead of a write still in
 * flight, and a read that changes something (a lazily expired key, a keymiss event) is
 * released with a round of its own.
 */
import { connect, open } from "../../mod.ts";
import { DEFAULT_CONFIG } from "../../src/config/settings.ts";
import { openStore } from "../../src/embedded/store.ts";
import { LocalTransport } from "../../src/embedded/local_transport.ts";
import { assertEquals, assertMatch } from "../helpers/assert.ts";

/** runNow's reply, with bytes as text: a bulk string or nil comes as its value. */
const text = (reply: Uint8Array | string | false | null | undefined) =>
  reply instanceof Uint8Array ? `bytes ${new TextDecoder().decode(reply)}` : reply;

Deno.test("an idle store runs a read at once; a write, or a read behind a batch in flight, is queued", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-read-now-" });
  const store = await openStore({ ...DEFAULT_CONFIG, dir, logLevel: "warn" });
  try {
    const transport = new LocalTransport(store, 3);
    assertEquals(transport.runNow(["SET", "k", "v"]), null);
    await transport.writeCommands([["SET", "k", "v"]]);
    // Reading the reply of the SET empties the session: nothing is owed any more.
    const buffer = new Uint8Array(64);
    assertEquals(text(buffer.subarray(0, (await transport.read(buffer))!)), "bytes +OK\r\n");
    assertEquals(text(transport.runNow(["GET", "k"])), "v");
    assertEquals(text(transport.runNow(["get", "nothing"])), false);
    assertEquals(text(transport.runNow(["STRLEN", "k"])), "bytes :1\r\n");
    assertEquals(
      text(transport.runNow(["GET"])),
      "bytes -ERR wrong number of arguments for 'get' command\r\n",
    );
    assertEquals(
      text(transport.runNow(["HGET", "k", "f"])),
      `bytes -WRONGTYPE Operation against a key holding the wrong kind of value\r\n`,
    );
    // A write in flight: the read waits its turn behind it.
    const writing = transport.writeCommands([["SET", "k", "w"]]);
    assertEquals(transport.runNow(["GET", "k"]), null);
    await writing;
    // Its reply is still unread: a read now would overtake it.
    assertEquals(transport.runNow(["GET", "k"]), null);
    await transport.read(buffer);
    assertEquals(text(transport.runNow(["GET", "k"])), "w");
    // Another session's write queued to the actor makes the store busy for everyone.
    const other = new LocalTransport(store, 3);
    const otherWriting = other.writeCommands([["SET", "x", "1"]]); // its round is scheduled
    assertEquals(transport.runNow(["GET", "x"]), null);
    await otherWriting;
    assertEquals(text(transport.runNow(["GET", "x"])), "1");
    transport.close();
    other.close();
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reads run at once count in INFO as queued ones do, and see the writes before them", async () => {
  await using db = await open({ persistence: "none" });
  await db.set("hit", "1");
  await db.command("CONFIG", "RESETSTAT");
  for (let i = 0; i < 10; i++) await db.get(i % 2 === 0 ? "hit" : "miss");
  assertMatch(await db.info("commandstats"), /cmdstat_get:calls=10,/);
  const stats = await db.info("stats");
  assertMatch(stats, /keyspace_hits:5\r\n/);
  assertMatch(stats, /keyspace_misses:5\r\n/);
  // A write not awaited yet is sent first: the read comes after it.
  const writing = db.set("hit", "2");
  assertEquals(await db.get("hit"), "2");
  assertEquals(await writing, "OK");
  assertEquals(await db.bytes.get("hit"), new TextEncoder().encode("2"));
});

Deno.test("a read that expires a key or misses raises its events and logs the deletion", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-read-now-events-" });
  try {
    {
      await using db = await open({ dir, notifyKeyspaceEvents: "Exm" });
      const expired = await db.subscribe("__keyevent@0__:expired");
      const missed = await db.subscribe("__keyevent@0__:keymiss");
      await db.command("DEBUG", "SET-ACTIVE-EXPIRE", "0");
      await db.set("soon", "v", { px: 1 });
      await new Promise((resolve) => setTimeout(resolve, 10));
      assertEquals(await db.get("soon"), null);
      const event = await expired[Symbol.asyncIterator]().next();
      assertEquals(event.value?.message, "soon");
      assertEquals(await db.get("never"), null);
      // As in Redis, a read of an expired key is a keymiss too.
      const misses = missed[Symbol.asyncIterator]();
      assertEquals((await misses.next()).value?.message, "soon");
      assertEquals((await misses.next()).value?.message, "never");
      assertMatch(await db.info("stats"), /expired_keys:1\r\n/);
    }
    // The lazy deletion went to the log like any other: check-log style, by replay.
    await using reopened = await open({ dir });
    assertEquals(await reopened.dbsize(), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MONITOR sees reads run at once", async () => {
  await using db = await open({ persistence: "none" });
  const listener = await db.listen({ port: 0 });
  const monitor = await connect({ port: listener.port });
  try {
    assertEquals(await monitor.send("MONITOR"), "OK");
    assertEquals(await db.get("watched"), null);
    assertMatch(String(await monitor.readReply()), /^\d+\.\d+ \[0 embedded:0\] "GET" "watched"$/);
  } finally {
    monitor.close();
  }
});
