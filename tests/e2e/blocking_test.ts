import { assertEquals, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { blocked, blockedClients } from "../helpers/blocked.ts";
import { type Client, connect, ReplyError } from "../../src/client/mod.ts";

Deno.test("clients blocked on one key are served one element each, in the order they blocked", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const waiters: Client[] = [];
    const replies: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      const client = await server.connect();
      waiters.push(client);
      replies.push(client.send("BLPOP", "other", "queue", "0"));
      await blocked(admin, i + 1);
    }
    const list = await admin.send("CLIENT", "LIST") as string;
    assertEquals(list.split("\n").filter((line) => line.includes("flags=b")).length, 5);
    assertOk(list.includes("cmd=blpop"), "CLIENT LIST names the blocking command");
    assertEquals(await admin.send("RPUSH", "queue", "a", "b", "c"), 3);
    assertEquals(await Promise.all(replies.slice(0, 3)), [
      ["queue", "a"],
      ["queue", "b"],
      ["queue", "c"],
    ]);
    assertEquals(await admin.send("EXISTS", "queue"), 0);
    await blocked(admin, 2);
    assertEquals(await admin.send("LPUSH", "other", "x"), 1);
    assertEquals(await replies[3], ["other", "x"]);
    assertEquals(await admin.send("RPUSH", "queue", "y", "z"), 2);
    assertEquals(await replies[4], ["queue", "y"]);
    assertEquals(await admin.send("LRANGE", "queue", "0", "-1"), ["z"]);
    assertEquals(await blockedClients(admin), 0);
    for (const client of [...waiters, admin]) client.close();
  });
});

Deno.test("blocking pops time out with a null array after their decimal timeout", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    const c3 = await connect({ port: server.port, protocol: 3 });
    let started = performance.now();
    assertEquals(await c.send("BLPOP", "nothing", "0.3"), null);
    assertOk(performance.now() - started >= 290, "BLPOP waited its timeout");
    started = performance.now();
    assertEquals(await c.send("BLMOVE", "nothing", "dst", "LEFT", "RIGHT", "0.2"), null);
    assertEquals(await c.send("BLMPOP", "0.1", "1", "nothing", "LEFT"), null);
    assertOk(performance.now() - started >= 290, "BLMOVE and BLMPOP waited");
    await c.writeRaw("*3\r\n$5\r\nBRPOP\r\n$7\r\nnothing\r\n$4\r\n0.05\r\n");
    assertEquals(new TextDecoder().decode((await c.readDecoded()).raw), "*-1\r\n");
    await c3.writeRaw("*3\r\n$5\r\nBRPOP\r\n$7\r\nnothing\r\n$4\r\n0.05\r\n");
    assertEquals(new TextDecoder().decode((await c3.readDecoded()).raw), "_\r\n");
    assertEquals(await c.send("EXISTS", "dst"), 0);
    c.close();
    c3.close();
  });
});

Deno.test("commands pipelined after a blocking pop run once it is answered, in order", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const c = await server.connect();
    const replies = Promise.all([
      c.send("BLPOP", "jobs", "0"),
      c.send("SET", "after", "1"),
      c.send("GET", "after"),
    ]);
    await blocked(admin, 1);
    assertEquals(await admin.send("GET", "after"), null);
    await admin.send("RPUSH", "jobs", "job-1");
    assertEquals(await replies, [["jobs", "job-1"], "OK", "1"]);
    admin.close();
    c.close();
  });
});

Deno.test("a client that disconnects while blocked leaves no trace and takes nothing", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const c = await server.connect();
    c.send("BLPOP", "q", "0").catch(() => {});
    await blocked(admin, 1);
    c.close();
    await blocked(admin, 0);
    await admin.send("RPUSH", "q", "kept");
    assertEquals(await admin.send("LRANGE", "q", "0", "-1"), ["kept"]);
    // CLIENT KILL of a blocked client also ends its wait.
    const d = await server.connect();
    const id = await d.send("CLIENT", "ID");
    d.send("BLPOP", "empty", "0").catch(() => {});
    await blocked(admin, 1);
    assertEquals(await admin.send("CLIENT", "KILL", "ID", String(id)), 1);
    await blocked(admin, 0);
    await admin.send("RPUSH", "empty", "also-kept");
    assertEquals(await admin.send("LLEN", "empty"), 1);
    admin.close();
  });
});

Deno.test("CLIENT UNBLOCK ends a wait as a timeout or with the UNBLOCKED error", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const c = await server.connect();
    const id = String(await c.send("CLIENT", "ID"));
    const first = c.send("BRPOP", "q", "0");
    await blocked(admin, 1);
    assertEquals(await admin.send("CLIENT", "UNBLOCK", id), 1);
    assertEquals(await first, null);
    const second = c.send("BLMOVE", "q", "d", "LEFT", "LEFT", "0").catch((e) => e);
    await blocked(admin, 1);
    assertEquals(await admin.send("CLIENT", "UNBLOCK", id, "error"), 1);
    const error = await second;
    assertOk(error instanceof ReplyError);
    assertEquals(error.message, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    assertEquals(await admin.send("CLIENT", "UNBLOCK", id), 0);
    assertEquals(await admin.send("CLIENT", "UNBLOCK", "999999"), 0);
    const bad = await admin.call("CLIENT", "UNBLOCK", id, "later");
    assertEquals(
      (bad as ReplyError).message,
      "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
    );
    assertEquals(await c.send("PING"), "PONG");
    admin.close();
    c.close();
  });
});

Deno.test("the idle timeout never closes a blocked client", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const c = await server.connect();
    const reply = c.send("BLPOP", "q", "0");
    await blocked(admin, 1);
    admin.close();
    // Idle clients are swept once a second; give the sweep two chances at the blocked client.
    await new Promise((resolve) => setTimeout(resolve, 2600));
    const fresh = await server.connect();
    assertEquals(await blockedClients(fresh), 1);
    await fresh.send("RPUSH", "q", "late");
    assertEquals(await reply, ["q", "late"]);
    fresh.close();
    c.close();
  }, ["--timeout", "1"]);
});

Deno.test("a key turned into another type keeps BLPOP waiting; BLMOVE to a non-list fails when served", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const c = await server.connect();
    const pop = c.send("BLPOP", "k", "0");
    await blocked(admin, 1);
    await admin.send("SET", "k", "string");
    await admin.send("DEL", "k");
    await admin.send("SADD", "k", "member");
    assertEquals(await blockedClients(admin), 1);
    await admin.send("DEL", "k");
    await admin.send("RPUSH", "k", "finally");
    assertEquals(await pop, ["k", "finally"]);

    await admin.send("SET", "dst", "string");
    const move = c.send("BLMOVE", "src", "dst", "LEFT", "LEFT", "0").catch((e) => e);
    await blocked(admin, 1);
    await admin.send("RPUSH", "src", "v");
    const error = await move;
    assertOk(error instanceof ReplyError);
    assertEquals(
      error.message,
      "WRONGTYPE Operation against a key holding the wrong kind of value",
    );
    assertEquals(await admin.send("LRANGE", "src", "0", "-1"), ["v"]);
    admin.close();
    c.close();
  });
});

Deno.test("a served BLMOVE wakes the client waiting on its destination, and waits stay per database", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const mover = await server.connect();
    const taker = await server.connect();
    const other = await server.connect();
    await other.send("SELECT", "1");
    const elsewhere = other.send("BLPOP", "stage1", "0");
    await blocked(admin, 1);
    const moved = mover.send("BLMOVE", "stage1", "stage2", "RIGHT", "LEFT", "0");
    await blocked(admin, 2);
    const taken = taker.send("BRPOP", "stage2", "0");
    await blocked(admin, 3);
    await admin.send("LPUSH", "stage1", "item");
    assertEquals(await moved, "item");
    assertEquals(await taken, ["stage2", "item"]);
    assertEquals(await admin.send("EXISTS", "stage1", "stage2"), 0);
    assertEquals(await blockedClients(admin), 1);
    await admin.send("SELECT", "1");
    await admin.send("RPUSH", "stage1", "db1");
    assertEquals(await elsewhere, ["stage1", "db1"]);
    for (const client of [admin, mover, taker, other]) client.close();
  });
});

Deno.test("BLMPOP serves up to its count from the first list that gets elements", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const c = await server.connect();
    const reply = c.send("BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2");
    await blocked(admin, 1);
    await admin.send("RPUSH", "b", "1", "2", "3");
    assertEquals(await reply, ["b", ["3", "2"]]);
    assertEquals(await admin.send("LRANGE", "b", "0", "-1"), ["1"]);
    admin.close();
    c.close();
  });
});

Deno.test("a push inside MULTI/EXEC wakes the blocked client after EXEC, with the transaction's last state", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    const c = await server.connect();
    const reply = c.send("BLPOP", "q", "0");
    await blocked(admin, 1);
    const results = await admin.pipeline([
      ["MULTI"],
      ["RPUSH", "q", "first"],
      ["LPOP", "q"],
      ["RPUSH", "q", "second"],
      ["EXEC"],
    ]);
    assertEquals(results[4], [1, "first", 1]);
    assertEquals(await reply, ["q", "second"]);
    assertEquals(await admin.send("EXISTS", "q"), 0);
    admin.close();
    c.close();
  });
});
