/**
 * BZPOPMIN, BZPOPMAX and BZMPOP over real connections: they share the list pops' blocking
 * machinery, so these are the list tests' situations with sorted sets: order of service,
 * timeouts (RESP2 and RESP3 nulls), pipelined commands after a wait, disconnects, CLIENT
 * UNBLOCK, a key of another type, MULTI/EXEC wakes and RESP3 doubles in the served reply.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { blocked, blockedClients } from "../helpers/blocked.ts";
import { type Client, connect, ReplyError } from "../../src/client/mod.ts";

Deno.test("clients blocked on a sorted set are served the lowest or highest element each, in the order they blocked", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const waiters: Client[] = [];
    const replies: Promise<unknown>[] = [];
    const commands = ["BZPOPMIN", "BZPOPMAX", "BZPOPMIN"];
    for (let i = 0; i < commands.length; i++) {
      const client = await server.connect();
      waiters.push(client);
      replies.push(client.send(commands[i], "other", "board", "0"));
      await blocked(admin, i + 1);
    }
    assertEquals(await admin.send("ZADD", "board", "1", "a", "2", "b", "3", "c", "4", "d"), 4);
    assertEquals(await Promise.all(replies), [
      ["board", "a", "1"],
      ["board", "d", "4"],
      ["board", "b", "2"],
    ]);
    assertEquals(await admin.send("ZRANGE", "board", "0", "-1"), ["c"]);
    assertEquals(await blockedClients(admin), 0);
    for (const client of [...waiters, admin]) client.close();
  });
});

Deno.test("blocking sorted set pops time out with a null array, RESP2 and RESP3", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    const c3 = await connect({ port: server.port, protocol: 3 });
    const started = performance.now();
    assertEquals(await c.send("BZPOPMIN", "nothing", "0.2"), null);
    assertEquals(await c.send("BZMPOP", "0.1", "1", "nothing", "MAX"), null);
    assertOk(performance.now() - started >= 290, "both waited their timeouts");
    await c.writeRaw("*3\r\n$8\r\nBZPOPMAX\r\n$7\r\nnothing\r\n$4\r\n0.05\r\n");
    assertEquals(new TextDecoder().decode((await c.readDecoded()).raw), "*-1\r\n");
    await c3.writeRaw("*3\r\n$8\r\nBZPOPMAX\r\n$7\r\nnothing\r\n$4\r\n0.05\r\n");
    assertEquals(new TextDecoder().decode((await c3.readDecoded()).raw), "_\r\n");
    c.close();
    c3.close();
  });
});

Deno.test("a served BZPOPMIN answers a RESP3 client with a double, and pipelined commands follow", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const c3 = await connect({ port: server.port, protocol: 3 });
    await c3.writeRaw(
      "*3\r\n$8\r\nBZPOPMIN\r\n$1\r\nz\r\n$1\r\n0\r\n*2\r\n$5\r\nZCARD\r\n$1\r\nz\r\n",
    );
    await blocked(admin, 1);
    await admin.send("ZADD", "z", "0.5", "half", "7", "seven");
    const served = new TextDecoder().decode((await c3.readDecoded()).raw);
    assertEquals(served, "*3\r\n$1\r\nz\r\n$4\r\nhalf\r\n,0.5\r\n");
    assertEquals(new TextDecoder().decode((await c3.readDecoded()).raw), ":1\r\n");
    admin.close();
    c3.close();
  });
});

Deno.test("BZMPOP serves up to its count from the first sorted set that gets elements", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const c = await server.connect();
    const reply = c.send("BZMPOP", "0", "2", "a", "b", "MAX", "COUNT", "2");
    await blocked(admin, 1);
    await admin.send("ZADD", "b", "1", "x", "2", "y", "3", "z");
    assertEquals(await reply, ["b", [["z", "3"], ["y", "2"]]]);
    assertEquals(await admin.send("ZRANGE", "b", "0", "-1"), ["x"]);
    admin.close();
    c.close();
  });
});

Deno.test("a key of another type keeps BZPOPMIN waiting; disconnects and CLIENT UNBLOCK end waits cleanly", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const c = await server.connect();
    const pop = c.send("BZPOPMIN", "k", "0");
    await blocked(admin, 1);
    await admin.send("RPUSH", "k", "list");
    await admin.send("DEL", "k");
    assertEquals(await blockedClients(admin), 1);
    await admin.send("ZADD", "k", "5", "finally");
    assertEquals(await pop, ["k", "finally", "5"]);

    const gone = await server.connect();
    gone.send("BZPOPMAX", "q", "0").catch(() => {});
    await blocked(admin, 1);
    gone.close();
    await blocked(admin, 0);
    await admin.send("ZADD", "q", "1", "kept");
    assertEquals(await admin.send("ZCARD", "q"), 1);

    const id = String(await c.send("CLIENT", "ID"));
    const first = c.send("BZPOPMIN", "empty", "0");
    await blocked(admin, 1);
    assertEquals(await admin.send("CLIENT", "UNBLOCK", id), 1);
    assertEquals(await first, null);
    const second = c.send("BZMPOP", "0", "1", "empty", "MIN").catch((e) => e);
    await blocked(admin, 1);
    assertEquals(await admin.send("CLIENT", "UNBLOCK", id, "error"), 1);
    const error = await second;
    assertOk(error instanceof ReplyError);
    assertEquals(error.message, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    admin.close();
    c.close();
  });
});

Deno.test("a ZADD inside MULTI/EXEC wakes the blocked client after EXEC with the transaction's last state", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const c = await server.connect();
    const reply = c.send("BZPOPMAX", "q", "0");
    await blocked(admin, 1);
    const results = await admin.pipeline([
      ["MULTI"],
      ["ZADD", "q", "1", "first"],
      ["ZPOPMIN", "q"],
      ["ZADD", "q", "2", "second", "3", "third"],
      ["EXEC"],
    ]);
    assertEquals(results[4], [1, ["first", "1"], 2]);
    assertEquals(await reply, ["q", "third", "3"]);
    assertEquals(await admin.send("ZRANGE", "q", "0", "-1"), ["second"]);
    admin.close();
    c.close();
  });
});
