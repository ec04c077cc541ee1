import { assertEquals, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, withHermes } from "../helpers/hermes_process.ts";
import { withTimeout } from "../helpers/run_tool.ts";
import { type Client, encodeCommand, type RespValue } from "../../src/client/mod.ts";

function errorText(reply: RespValue): string {
  assertOk(reply instanceof Error, `expected an error reply, got ${JSON.stringify(reply)}`);
  return (reply as Error).message;
}

/** CONFIG GET's reply (a flat array in RESP2) as [name, value] pairs in reply order. */
async function configGet(client: Client, ...patterns: string[]): Promise<[string, string][]> {
  const reply = await client.send("CONFIG", "GET", ...patterns);
  const flat = reply instanceof Map ? [...reply].flat() : reply as string[];
  const pairs: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] as string, flat[i + 1] as string]);
  return pairs;
}

/** Resolves once the server has closed `client`'s connection; fails if it answers instead. */
async function closedByServer(client: Client, what: string): Promise<void> {
  const ended = await withTimeout(
    client.readReply().then((reply) => `reply ${JSON.stringify(reply)}`, () => "closed"),
    10_000,
    what,
  );
  assertEquals(ended, "closed", what);
}

/** Waits until the server's log contains `text`. */
async function logShows(server: HermesProcess, text: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!server.output().includes(text) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assertOk(server.output().includes(text), `the log never showed "${text}":\n${server.output()}`);
}

Deno.test("CONFIG GET finds settings by name, Redis alias and case-insensitive glob, each once", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(await configGet(client, "maxclients"), [["maxclients", "10000"]]);
    assertEquals(await configGet(client, "TIMEOUT"), [["TIMEOUT", "0"]]);
    assertEquals(await configGet(client, "timeout", "TIMEOUT", "time*"), [["timeout", "0"]]);
    assertEquals(await configGet(client, "proto-max-bulk-len"), [[
      "proto-max-bulk-len",
      String(512 * 1024 * 1024),
    ]]);
    assertEquals(await configGet(client, "loglevel"), [["loglevel", "info"]]);
    const maxes = new Map(await configGet(client, "MAX-*"));
    assertEquals(maxes.get("max-inline"), String(64 * 1024));
    assertEquals(maxes.get("max-args"), String(1024 * 1024));
    assertOk(maxes.has("max-output") && maxes.has("max-bulk"));
    assertEquals(await configGet(client, "nosuch"), []);
    assertEquals(await configGet(client, "nosuch*"), []);
    const all = new Map(await configGet(client, "*"));
    for (const name of ["port", "bind", "host", "dir", "timeout", "maxclients", "databases"]) {
      assertOk(all.has(name), `CONFIG GET * lacks ${name}`);
    }
    // The port actually bound, not the 0 it was started with.
    assertEquals(all.get("port"), String(server.port));
    assertEquals(all.get("dir"), server.dir);
    assertEquals(
      errorText(await client.call("CONFIG", "GET")),
      "ERR wrong number of arguments for 'config|get' command",
    );
    client.close();
  });
});

Deno.test("CONFIG GET answers Redis's own parameters truthfully", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const found = new Map(await configGet(client, "save", "databases", "maxmemory"));
    assertEquals(found.get("save"), "");
    assertEquals(found.get("databases"), "16");
    assertEquals(found.get("maxmemory"), "0");
    assertEquals((await configGet(client, "appendonly")).length, 1);
    assertEquals((await configGet(client, "appendfsync")).length, 1);
    // Setting one of them to the value in force is accepted; anything else is refused.
    assertEquals(await client.send("CONFIG", "SET", "save", ""), "OK");
    assertEquals(
      errorText(await client.call("CONFIG", "SET", "databases", "32")),
      "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
    );
    client.close();
  });
});

Deno.test("CONFIG GET replies a map in RESP3", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("HELLO", "3");
    await client.writeRaw(encodeCommand(["CONFIG", "GET", "maxclients"]));
    const { raw } = await client.readDecoded();
    assertEquals(String.fromCharCode(...raw), "%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
    client.close();
  });
});

Deno.test("CONFIG SET refuses unknown, immutable, duplicate and invalid parameters with Redis's texts", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const failed = (name: string, reason: string) =>
      `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
    const cases: [string[], string][] = [
      [["foo", "bar"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"],
      [["timeout"], "ERR wrong number of arguments for 'config|set' command"],
      [["timeout", "1", "maxclients"], "ERR syntax error"],
      [["port", "1234"], failed("port", "can't set immutable config")],
      [["dir", "/tmp"], failed("dir", "can't set immutable config")],
      [["timeout", "1", "TIMEOUT", "2"], failed("TIMEOUT", "duplicate parameter")],
      [
        ["timeout", "abc", "foo", "1"],
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
      ],
      [["maxclients", "abc"], failed("maxclients", "argument couldn't be parsed into an integer")],
      [
        ["maxclients", "0"],
        failed("maxclients", "argument must be between 1 and 1000000 inclusive"),
      ],
      [["timeout", "1.5"], failed("timeout", "argument couldn't be parsed into an integer")],
      [["max-bulk", "lots"], failed("max-bulk", "argument must be a memory value")],
      [
        ["proto-max-bulk-len", "1"],
        failed(
          "proto-max-bulk-len",
          "argument must be between 1024 and 536870912 inclusive",
        ),
      ],
      [
        ["loglevel", "loud"],
        failed(
          "loglevel",
          "argument(s) must be one of the following: debug, info, warn, error",
        ),
      ],
    ];
    for (const [args, expected] of cases) {
      assertEquals(
        errorText(await client.call("CONFIG", "SET", ...args)),
        expected,
        args.join(" "),
      );
    }
    client.close();
  });
});

Deno.test("CONFIG SET applies all pairs or none", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    errorText(await client.call("CONFIG", "SET", "timeout", "10", "maxclients", "abc"));
    assertEquals(await configGet(client, "timeout", "maxclients"), [
      ["timeout", "0"],
      ["maxclients", "10000"],
    ]);
    assertEquals(await client.send("CONFIG", "SET", "timeout", "10", "MAXCLIENTS", "500"), "OK");
    assertEquals(await configGet(client, "timeout", "maxclients"), [
      ["timeout", "10"],
      ["maxclients", "500"],
    ]);
    assertEquals(await client.send("CONFIG", "SET", "loglevel", "warning"), "OK");
    assertEquals(await configGet(client, "log-level"), [["log-level", "warn"]]);
    client.close();
  });
});

Deno.test("CONFIG SET maxclients 1 makes the server refuse a second client", async () => {
  await withHermes(async (server) => {
    const first = await server.connect();
    assertEquals(await first.send("CONFIG", "SET", "maxclients", "1"), "OK");
    const second = await server.connect();
    assertEquals(await second.readUntilClosed(), "-ERR max number of clients reached\r\n");
    second.close();
    assertEquals(await first.send("CONFIG", "SET", "maxclients", "2"), "OK");
    const third = await server.connect();
    assertEquals(await third.send("PING"), "PONG");
    third.close();
    first.close();
  });
});

Deno.test("CONFIG SET timeout closes clients idle longer than the new limit", async () => {
  await withHermes(async (server) => {
    const idle = await server.connect();
    assertEquals(await idle.send("PING"), "PONG");
    const admin = await server.connect();
    assertEquals(await admin.send("CONFIG", "SET", "timeout", "1"), "OK");
    await closedByServer(idle, "the idle client to be closed");
    idle.close();
    admin.close();
  });
});

Deno.test("CONFIG SET max-inline, max-bulk and max-args bound the next requests at once", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    assertEquals(await admin.send("CONFIG", "SET", "max-inline", "16"), "OK");
    const inline = await server.connect();
    await inline.writeRaw(`SET key ${"x".repeat(40)}\r\n`);
    assertEquals(
      await inline.readUntilClosed(),
      "-ERR Protocol error: too big inline request\r\n",
    );
    inline.close();

    assertEquals(await admin.send("CONFIG", "SET", "proto-max-bulk-len", "1kb"), "OK");
    const bulk = await server.connect();
    await bulk.writeRaw(encodeCommand(["SET", "key", "x".repeat(2000)]));
    assertEquals(await bulk.readUntilClosed(), "-ERR Protocol error: invalid bulk length\r\n");
    bulk.close();

    assertEquals(await admin.send("CONFIG", "SET", "max-args", "16"), "OK");
    const args = await server.connect();
    await args.writeRaw(encodeCommand(["DEL", ...Array.from({ length: 20 }, (_, i) => `k${i}`)]));
    assertEquals(
      await args.readUntilClosed(),
      "-ERR Protocol error: invalid multibulk length\r\n",
    );
    args.close();

    assertEquals(
      await admin.send(
        "CONFIG",
        "SET",
        "max-inline",
        "64kb",
        "max-bulk",
        "1mb",
        "max-args",
        "1024",
      ),
      "OK",
    );
    const fine = await server.connect();
    assertEquals(await fine.send("SET", "key", "x".repeat(2000)), "OK");
    fine.close();
    admin.close();
  });
});

Deno.test("CONFIG SET max-output disconnects a client whose replies exceed it", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    await admin.send("SET", "big", "x".repeat(8192));
    assertEquals(await admin.send("CONFIG", "SET", "max-output", "1024"), "OK");
    const reader = await server.connect();
    await reader.writeRaw(encodeCommand(["GET", "big"]));
    assertEquals(await reader.readUntilClosed(), "");
    reader.close();
    assertEquals(await admin.send("CONFIG", "SET", "max-output", "64mb"), "OK");
    const again = await server.connect();
    assertEquals((await again.send("GET", "big") as string).length, 8192);
    again.close();
    admin.close();
  });
});

Deno.test("CONFIG SET log-level changes what the server logs from then on", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    // Protocol errors are logged at debug level, naming the error.
    const quiet = await server.connect();
    await quiet.writeRaw("*1\r\n$x\r\n");
    await quiet.readUntilClosed();
    quiet.close();
    assertEquals(await admin.send("CONFIG", "SET", "log-level", "debug"), "OK");
    const loud = await server.connect();
    await loud.writeRaw("*abc\r\n");
    await loud.readUntilClosed();
    loud.close();
    await logShows(server, "invalid multibulk length");
    assertOk(!server.output().includes("invalid bulk length"), "logged before debug was on");
    admin.close();
  });
});

Deno.test("CONFIG RESETSTAT zeroes the counters INFO reports", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("SET", "k", "v");
    await client.send("GET", "k");
    await client.send("GET", "missing");
    await client.call("NOSUCHCOMMAND");
    const stats = async () => {
      const info = await client.send("INFO", "everything") as string;
      const fields = new Map(
        info.split("\r\n").map((line): [string, string] => {
          const colon = line.indexOf(":");
          return [line.slice(0, colon), line.slice(colon + 1)];
        }),
      );
      return (field: string) => fields.get(field);
    };
    let stat = await stats();
    assertEquals(stat("keyspace_hits"), "1");
    assertEquals(stat("errorstat_ERR"), "count=1");
    assertOk(stat("cmdstat_get") !== undefined);
    assertEquals(await client.send("CONFIG", "RESETSTAT"), "OK");
    stat = await stats();
    assertEquals(stat("keyspace_hits"), "0");
    assertEquals(stat("keyspace_misses"), "0");
    assertEquals(stat("total_connections_received"), "0");
    assertEquals(stat("errorstat_ERR"), undefined);
    assertEquals(stat("cmdstat_get"), undefined);
    // Only RESETSTAT itself has run since, as in Redis.
    assertEquals(stat("total_commands_processed"), "1");
    assertOk(stat("cmdstat_config|resetstat")?.startsWith("calls=1,"));
    client.close();
  });
});

Deno.test("CONFIG REWRITE and HELP answer as Redis without a config file", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(
      errorText(await client.call("CONFIG", "REWRITE")),
      "ERR The server is running without a config file",
    );
    const help = await client.send("CONFIG", "HELP") as string[];
    assertOk(help[0].startsWith("CONFIG <subcommand>"), help[0]);
    assertEquals(
      errorText(await client.call("CONFIG", "FOO")),
      "ERR unknown subcommand 'FOO'. Try CONFIG HELP.",
    );
    client.close();
  });
});
