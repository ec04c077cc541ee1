/**
 * Transactions over TCP against a real server: MULTI never blocks other clients, a disconnect
 * ends WATCH, MULTI and BEGIN, BEGIN transactions time out, the limits are settings, INFO counts.
 * Exact MULTI/EXEC/WATCH replies are compared with Redis in tests/compat/scripts/
 * transactions.redis; BEGIN's semantics are in tests/unit/tx/.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { type Client, ReplyError } from "../../src/client/mod.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** INFO fields as a map. */
async function info(client: Client, section: string): Promise<Map<string, string>> {
  const text = await client.info(section);
  return new Map(
    text.split("\r\n").filter((l) => l.includes(":")).map((l) =>
      l.split(":", 2) as [string, string]
    ),
  );
}

/** Polls `read` until it returns `expected` (a loaded machine may take a while). */
async function eventually<T>(read: () => Promise<T>, expected: T, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last: T = await read();
  while (last !== expected) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${last}, expected ${expected}`);
    await sleep(50);
    last = await read();
  }
}

Deno.test("MULTI on one connection never blocks others, and EXEC runs the queue as one unit", async () => {
  await withHermes(async (server) => {
    const a = await server.connect();
    const b = await server.connect();
    assertEquals(await a.pipeline([["MULTI"], ["INCR", "n"], ["INCR", "n"]]), [
      "OK",
      "QUEUED",
      "QUEUED",
    ]);
    // While a has a transaction open, b works freely and sees nothing queued.
    assertEquals(await b.incr("n"), 1);
    assertEquals(await b.get("n"), "1");
    assertEquals(await a.call("EXEC"), [2, 3]);
    // The client library's MULTI block; a WATCH fired by another client gives null.
    assertEquals(await a.multi().send("SET", "x", "1").send("INCR", "x").exec(), ["OK", 2]);
    await a.watch("x");
    await b.set("x", "changed");
    assertEquals(await a.multi().send("SET", "x", "mine").exec(), null);
    assertEquals(await a.get("x"), "changed");
    // A command refused while queueing rejects the block with EXECABORT, the refusal as cause.
    const error = await a.multi().send("SET", "x").exec().catch((e) => e);
    assertOk(error instanceof ReplyError);
    assertEquals(error.message, "EXECABORT Transaction discarded because of previous errors.");
    assertMatch((error.cause as ReplyError).message, /^ERR wrong number of arguments/);
    a.close();
    b.close();
  });
});

Deno.test("a disconnect ends the client's WATCH and its BEGIN transaction, which is rolled back", async () => {
  await withHermes(async (server) => {
    const observer = await server.connect();
    const leaving = await server.connect();
    await leaving.watch("w1", "w2");
    const clients = await info(observer, "clients");
    assertEquals([clients.get("watching_clients"), clients.get("total_watched_keys")], ["1", "2"]);
    assertEquals(await leaving.call("BEGIN"), 1);
    assertEquals(await leaving.set("uncommitted", "1"), "OK");
    assertEquals((await info(observer, "stats")).get("tx_open"), "1");
    leaving.close();
    await eventually(async () => (await info(observer, "stats")).get("tx_open"), "0", "tx_open");
    const after = await info(observer, "clients");
    assertEquals([after.get("watching_clients"), after.get("total_watched_keys")], ["0", "0"]);
    assertEquals((await info(observer, "stats")).get("tx_rolled_back"), "1");
    assertEquals(await observer.exists("uncommitted"), 0);

    observer.close();
  });
});

Deno.test("a BEGIN transaction open past transaction-timeout is rolled back and says so until it ends", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const observer = await server.connect();
    // One write: a loaded machine cannot hold the SET back past the one-second timeout.
    const [id, set] = await Promise.all([client.send("BEGIN"), client.set("late", "1")]);
    assertEquals(set, "OK");
    await eventually(
      async () => (await info(observer, "stats")).get("tx_timed_out"),
      "1",
      "timeout",
    );
    const refusal = `ERR transaction ${id} timed out after 1 seconds and was rolled back`;
    const statement = await client.call("GET", "late");
    assertEquals((statement as ReplyError).message, `${refusal}; send ROLLBACK to end it`);
    assertEquals(((await client.call("COMMIT")) as ReplyError).message, refusal);
    assertEquals(await observer.exists("late"), 0);
    assertEquals(await client.get("late"), null); // no transaction any more

    // ROLLBACK ends a timed-out transaction too; CONFIG SET changes the timeout at once.
    await observer.send("CONFIG", "SET", "transaction-timeout", "60");
    assertEquals(await observer.send("CONFIG", "GET", "transaction-timeout"), [
      "transaction-timeout",
      "60",
    ]);
    await client.send("BEGIN");
    await sleep(1500);
    assertEquals(await client.set("kept", "1"), "OK");
    assertEquals(await client.send("COMMIT"), "OK");
    assertEquals(await observer.get("kept"), "1");
    const stats = await info(observer, "stats");
    assertEquals(
      ["tx_committed", "tx_conflicts", "tx_rolled_back", "tx_timed_out"].map((f) => stats.get(f)),
      ["1", "0", "0", "1"],
    );
    client.close();
    observer.close();
  }, ["--transaction-timeout", "1"]);
});

Deno.test("transaction limits are settings: keys written, bytes buffered, keys watched", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const admin = await server.connect();
    await admin.send("CONFIG", "SET", "transaction-max-keys", "2");
    await admin.send("CONFIG", "SET", "max-watched-keys", "2");
    await client.send("BEGIN");
    assertEquals(await client.call("MSET", "a", "1", "b", "2"), "OK");
    assertMatch(
      ((await client.call("SET", "c", "3")) as ReplyError).message,
      /^ERR transaction \d+ would write more than 2 keys \(transaction-max-keys\)/,
    );
    assertEquals(await client.send("COMMIT"), "OK");
    assertEquals(await admin.mget("a", "b", "c"), ["1", "2", null]);
    assertMatch(
      ((await client.call("WATCH", "x", "y", "z")) as ReplyError).message,
      /^ERR too many WATCHed keys: a client may watch at most 2 \(max-watched-keys\)$/,
    );
    await admin.send("CONFIG", "SET", "transaction-max-bytes", "2kb");
    const block = client.multi();
    for (let i = 0; i < 40; i++) block.send("SET", `k${i}`, "v".repeat(100));
    const error = await block.exec().catch((e) => e);
    assertEquals((error as ReplyError).message.startsWith("EXECABORT"), true);
    assertMatch(((error as ReplyError).cause as ReplyError).message, /^ERR MULTI queue full/);
    assertEquals(await admin.exists("k0"), 0);
    client.close();
    admin.close();
  });
});

Deno.test("client.transaction retries a CONFLICT with backoff up to its limit and rolls back when the body throws", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const meddler = await server.connect();
    // Another client changes what the body read on each of the first two attempts.
    let attempts = 0;
    const result = await client.transaction(async (tx, id) => {
      attempts++;
      const value = Number(await tx.get("k"));
      if (attempts <= 2) await meddler.set("k", String(attempts * 10));
      await tx.set("k", String(value + 1));
      return id;
    });
    assertEquals(attempts, 3);
    assertEquals(await meddler.get("k"), "21");
    assertEquals(typeof result, "number");

    // Past `retries` the CONFLICT itself is thrown.
    const conflict = await client.transaction(async (tx) => {
      await tx.get("k");
      await meddler.incr("k");
      await tx.set("k", "lost");
    }, { retries: 1, backoffMs: 1 }).catch((e) => e);
    assertEquals((conflict as ReplyError).code, "CONFLICT");
    assertEquals(await meddler.get("k"), "23");

    // A body that throws rolls back and rethrows; the connection is out of the transaction.
    const failure = await client.transaction(async (tx) => {
      await tx.set("k", "half-done");
      throw new RangeError("changed my mind");
    }).catch((e) => e);
    assertOk(failure instanceof RangeError);
    assertEquals(await client.get("k"), "23");
    assertEquals((await info(meddler, "stats")).get("tx_rolled_back"), "1");
    client.close();
    meddler.close();
  });
});
