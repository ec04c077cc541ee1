/**
 * DEBUG over real connections: OBJECT's line as Redis 7.0 prints it, SLEEP blocking the whole
 * server, SET-ACTIVE-EXPIRE, RELOAD rebuilding the data set from the compacted log while other
 * clients wait, CHANGE-REPL-ID, Redis's errors, and the enable-debug-command protection.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { type Client, ReplyError } from "../../src/client/mod.ts";

async function error(c: Client, ...argv: string[]): Promise<string> {
  const reply = await c.call(...argv);
  assertOk(reply instanceof ReplyError, `${argv.join(" ")} should fail`);
  return (reply as ReplyError).message;
}

Deno.test("DEBUG OBJECT prints Redis 7.0's line, with the quicklist fields for lists", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "s", "hello");
    await c.send("SET", "n", "123");
    await c.send("RPUSH", "l", "a", "b", "c");
    await c.send("ZADD", "z", "1", "a");
    const line = (key: string) => c.send("DEBUG", "OBJECT", key) as Promise<string>;
    const fields = "lru:\\d+ lru_seconds_idle:0";
    assertMatch(
      await line("s"),
      new RegExp(`^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:6 ${fields}$`),
    );
    assertMatch(
      await line("n"),
      new RegExp(
        `^Value at:0x[0-9a-f]+ refcount:2147483647 encoding:int serializedlength:2 ${fields}$`,
      ),
    );
    assertMatch(
      await line("l"),
      new RegExp(
        `^Value at:0x[0-9a-f]+ refcount:1 encoding:quicklist serializedlength:\\d+ ${fields} ` +
          "ql_nodes:1 ql_avg_node:3.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:\\d+$",
      ),
    );
    assertMatch(await line("z"), /encoding:listpack serializedlength:\d+ lru:\d+/);
    assertEquals(await error(c, "DEBUG", "OBJECT", "nokey"), "ERR no such key");
    c.close();
  });
});

Deno.test("DEBUG answers Redis's errors for unknown subcommands and wrong argument counts", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    const unknown = (sub: string) =>
      `ERR unknown subcommand or wrong number of arguments for '${sub}'. Try DEBUG HELP.`;
    assertEquals(await error(c, "DEBUG", "foo"), unknown("foo"));
    assertEquals(await error(c, "DEBUG", "object"), unknown("object"));
    assertEquals(await error(c, "DEBUG", "OBJECT", "a", "b"), unknown("OBJECT"));
    assertEquals(await error(c, "DEBUG", "segfault"), unknown("segfault"));
    assertEquals(await error(c, "DEBUG", "set-active-expire"), unknown("set-active-expire"));
    assertEquals(await error(c, "DEBUG", "change-repl-id", "x"), unknown("change-repl-id"));
    assertEquals(
      await error(c, "DEBUG", "RELOAD", "foo"),
      "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
    );
    assertEquals(await error(c, "DEBUG"), "ERR wrong number of arguments for 'debug' command");
    const help = await c.send("DEBUG", "HELP") as string[];
    assertEquals(help[0], "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assertOk(help.includes("OBJECT <key>"));
    c.close();
  });
});

Deno.test("DEBUG SLEEP stops the whole server; DEBUG SET-ACTIVE-EXPIRE 0 keeps expired keys until read", async () => {
  await withHermes(async (server) => {
    const a = await server.connect();
    const b = await server.connect();
    // The server's clock says when each command ran: b's TIME, sent while a sleeps, must run
    // after the sleep, never during it. On a loaded machine b's command may reach the server
    // first; then nothing was shown, and the pair is sent again.
    const ms = (time: unknown) => {
      const [seconds, micros] = time as [string, string];
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    };
    for (let attempt = 1;; attempt++) {
      assertOk(attempt <= 5, "the other client's command never reached the server second");
      const sleeping = a.pipeline([["TIME"], ["DEBUG", "SLEEP", "0.3"], ["TIME"]]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const other = ms(await b.send("TIME"));
      const [before, ok, after] = await sleeping;
      assertEquals(ok, "OK");
      assertOk(ms(after) - ms(before) >= 300, "DEBUG SLEEP 0.3 slept 300 ms");
      assertOk(other <= ms(before) || other >= ms(after), "another client ran during the sleep");
      if (other >= ms(after)) break;
    }
    assertEquals(await a.send("DEBUG", "SLEEP", "abc"), "OK");

    assertEquals(await a.send("DEBUG", "SET-ACTIVE-EXPIRE", "0"), "OK");
    await a.send("SET", "short", "v", "PX", "50");
    await new Promise((resolve) => setTimeout(resolve, 400));
    assertEquals(await a.send("DBSIZE"), 1, "nothing removed the expired key");
    assertEquals(await a.send("DEBUG", "SET-ACTIVE-EXPIRE", "1"), "OK");
    const deadline = Date.now() + 10_000;
    while (await a.send("DBSIZE") !== 0) {
      assertOk(Date.now() < deadline, "active expiry removed the key again");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    a.close();
    b.close();
  });
});

/** Every key's type, encoding, TTL presence and DUMP, to compare a data set before and after. */
async function snapshotOf(c: Client): Promise<unknown[]> {
  const keys = (await c.send("KEYS", "*") as string[]).sort();
  const out: unknown[] = [];
  for (const key of keys) {
    out.push([
      key,
      await c.send("TYPE", key),
      await c.send("OBJECT", "ENCODING", key),
      (await c.send("PTTL", key) as number) > 0,
      await c.send("DUMP", key),
    ]);
  }
  return out;
}

Deno.test("DEBUG RELOAD compacts the log and loads the data set back, holding other clients meanwhile", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    const other = await server.connect();
    await c.send("ZADD", "board", "1.5", "a", "-inf", "b", "3", "c");
    await c.send("PFADD", "visitors", "x", "y", "z");
    await c.send("SETBIT", "flags", "100", "1");
    await c.send("RPUSH", "queue", "1", "2");
    await c.send("EXPIRE", "queue", "1000");
    await c.send("HSET", "h", "f", "v");
    const before = await snapshotOf(c);
    const reloaded = c.send("DEBUG", "RELOAD");
    const write = other.send("ZADD", "board", "9", "late");
    assertEquals(await reloaded, "OK");
    assertEquals(await write, 1);
    await c.send("ZREM", "board", "late");
    assertEquals(await snapshotOf(c), before);
    assertEquals(await c.send("DEBUG", "RELOAD", "NOSAVE"), "OK");
    assertEquals(await snapshotOf(c), before);
    assertEquals(
      await error(c, "DEBUG", "RELOAD", "NOFLUSH"),
      "ERR Error trying to load the RDB dump",
    );
    assertEquals(await c.send("DEBUG", "RELOAD", "NOFLUSH", "MERGE", "NOSAVE"), "OK");
    assertEquals(await snapshotOf(c), before);
    const info = await c.send("INFO", "persistence") as string;
    assertMatch(info, /aof_rewrites:[1-9]/);
    // The values are rebuilt, as Redis's RDB load rebuilds them: a small skiplist turns packed.
    await c.send("CONFIG", "SET", "zset-max-listpack-entries", "0");
    await c.send("ZADD", "rebuilt", "1", "a");
    await c.send("CONFIG", "SET", "zset-max-listpack-entries", "128");
    assertEquals(await c.send("OBJECT", "ENCODING", "rebuilt"), "skiplist");
    assertEquals(await c.send("DEBUG", "RELOAD"), "OK");
    assertEquals(await c.send("OBJECT", "ENCODING", "rebuilt"), "listpack");
    c.close();
    other.close();
  });
});

Deno.test("DEBUG RELOAD without the log fails as Redis's failed load does", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    assertEquals(await error(c, "DEBUG", "RELOAD"), "ERR Error trying to load the RDB dump");
    c.close();
  }, ["--persistence", "none"]);
});

Deno.test("DEBUG CHANGE-REPL-ID gives a new replication id and clears the second one", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    const field = async (name: string) => {
      const info = await c.send("INFO", "replication") as string;
      return new RegExp(`${name}:([^\\r\\n]+)`).exec(info)![1];
    };
    const before = await field("master_replid");
    assertEquals(await c.send("DEBUG", "CHANGE-REPL-ID"), "OK");
    const after = await field("master_replid");
    assertOk(after !== before && /^[0-9a-f]{40}$/.test(after), after);
    assertEquals(await field("master_replid2"), "0".repeat(40));
    c.close();
  });
});

Deno.test("enable-debug-command no refuses DEBUG with Redis's text", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    assertEquals(
      await error(c, "DEBUG", "OBJECT", "k"),
      'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", ' +
        "you can run it from a local connection, otherwise you need to set this option in the " +
        "configuration file, and then restart the server.",
    );
    c.close();
  }, ["--enable-debug-command", "no"]);
});
