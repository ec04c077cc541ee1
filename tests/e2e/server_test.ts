import { assertEquals, assertOk } from "../helpers/assert.ts";
import { startHermes, withHermes } from "../helpers/hermes_process.ts";
import { withTimeout } from "../helpers/run_tool.ts";
import type { RespValue } from "../../src/client/mod.ts";

function errorText(reply: RespValue): string {
  assertOk(reply instanceof Error, `expected an error reply, got ${JSON.stringify(reply)}`);
  return (reply as Error).message;
}

Deno.test("DBSIZE counts the keys of the selected database only", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(await client.send("DBSIZE"), 0);
    await client.send("SET", "a", "1");
    await client.send("SET", "b", "2");
    assertEquals(await client.send("DBSIZE"), 2);
    await client.send("SELECT", "1");
    assertEquals(await client.send("DBSIZE"), 0);
    assertEquals(
      errorText(await client.call("DBSIZE", "x")),
      "ERR wrong number of arguments for 'dbsize' command",
    );
    client.close();
  });
});

Deno.test("SWAPDB exchanges two databases' contents while each client keeps its number", async () => {
  await withHermes(async (server) => {
    const zero = await server.connect();
    const one = await server.connect();
    await one.send("SELECT", "1");
    await zero.send("SET", "k", "was-zero");
    await one.send("SET", "k", "was-one");
    await one.send("SET", "k2", "also-one", "EX", "100");
    assertEquals(await zero.send("SWAPDB", "0", "1"), "OK");
    assertEquals(await zero.send("GET", "k"), "was-one");
    assertEquals(await zero.send("DBSIZE"), 2);
    assertOk((await zero.send("TTL", "k2")) as number > 0, "the deadline moves with the key");
    assertEquals(await one.send("GET", "k"), "was-zero");
    assertEquals(await zero.send("SWAPDB", "0", "0"), "OK");
    assertEquals(await zero.send("GET", "k"), "was-one");
    zero.close();
    one.close();
  });
});

Deno.test("SWAPDB refuses bad indexes with Redis's texts and changes nothing", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("SET", "k", "v");
    const cases: [string[], string][] = [
      [["0", "16"], "ERR DB index is out of range"],
      [["-1", "0"], "ERR DB index is out of range"],
      [["x", "0"], "ERR invalid first DB index"],
      [["99999999999", "0"], "ERR invalid first DB index"],
      [["0", "x"], "ERR invalid second DB index"],
      [["x", "y"], "ERR invalid first DB index"],
    ];
    for (const [args, expected] of cases) {
      assertEquals(errorText(await client.call("SWAPDB", ...args)), expected, args.join(" "));
    }
    assertEquals(await client.send("GET", "k"), "v");
    client.close();
  });
});

Deno.test("FLUSHDB empties the selected database and FLUSHALL every database", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    for (const db of ["0", "1", "2"]) {
      await client.send("SELECT", db);
      await client.send("SET", "a", db);
      await client.send("SET", "b", db, "PX", "100000");
    }
    await client.send("SELECT", "1");
    assertEquals(errorText(await client.call("FLUSHDB", "FOO")), "ERR syntax error");
    assertEquals(errorText(await client.call("FLUSHDB", "SYNC", "ASYNC")), "ERR syntax error");
    assertEquals(await client.send("DBSIZE"), 2);
    assertEquals(await client.send("FLUSHDB"), "OK");
    assertEquals(await client.send("DBSIZE"), 0);
    await client.send("SELECT", "2");
    assertEquals(await client.send("DBSIZE"), 2);
    assertEquals(await client.send("FLUSHDB", "async"), "OK");
    assertEquals(await client.send("DBSIZE"), 0);
    await client.send("SELECT", "0");
    assertEquals(await client.send("DBSIZE"), 2);
    assertEquals(errorText(await client.call("FLUSHALL", "x")), "ERR syntax error");
    assertEquals(await client.send("DBSIZE"), 2);
    assertEquals(await client.send("FLUSHALL", "SYNC"), "OK");
    assertEquals(await client.send("DBSIZE"), 0);
    assertEquals(await client.send("INFO", "keyspace"), "# Keyspace\r\n");
    client.close();
  });
});

Deno.test("TIME returns the Unix time as seconds and microseconds", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const reply = await client.send("TIME") as string[];
    assertEquals(reply.length, 2);
    assertOk(/^[0-9]+$/.test(reply[0]) && /^[0-9]+$/.test(reply[1]), JSON.stringify(reply));
    const micros = Number(reply[1]);
    assertOk(micros >= 0 && micros < 1_000_000, `microseconds ${micros}`);
    // The server's clock and ours are the same machine's clock.
    const skew = Math.abs(Number(reply[0]) * 1000 + micros / 1000 - Date.now());
    assertOk(skew < 60_000, `TIME is ${skew} ms away from the local clock`);
    assertEquals(
      errorText(await client.call("TIME", "x")),
      "ERR wrong number of arguments for 'time' command",
    );
    client.close();
  });
});

Deno.test("SHUTDOWN refuses unknown and conflicting options, and ABORT when none is pending", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const cases: [string[], string][] = [
      [["FOO"], "ERR syntax error"],
      [["NOSAVE", "SAVE"], "ERR syntax error"],
      [["ABORT", "NOW"], "ERR syntax error"],
      [["SAVE", "ABORT"], "ERR syntax error"],
      [["ABORT"], "ERR No shutdown in progress."],
    ];
    for (const [args, expected] of cases) {
      assertEquals(errorText(await client.call("SHUTDOWN", ...args)), expected, args.join(" "));
    }
    assertEquals(await client.send("PING"), "PONG");
    client.close();
  });
});

Deno.test("SHUTDOWN closes the caller without a reply, disconnects everyone and exits 0", async () => {
  const server = await startHermes();
  try {
    const other = await server.connect();
    const client = await server.connect();
    await client.send("SET", "k", "v");
    await client.writeRaw("SHUTDOWN NOW\r\nPING\r\n");
    assertEquals(await client.readUntilClosed(), "");
    assertEquals(await other.readUntilClosed(), "");
    const status = await withTimeout(server.process.status, 15_000, "Hermes exiting");
    assertEquals(status.code, 0);
    client.close();
    other.close();
  } finally {
    await server.kill();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
});
