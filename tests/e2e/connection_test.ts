import { assertEquals, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { type Client, encodeCommand, type RespValue } from "../../src/client/mod.ts";
import { REDIS_COMPAT_VERSION } from "../../src/version.ts";

/** Sends one command and returns its exact reply bytes as a string. */
async function rawReply(client: Client, ...args: string[]): Promise<string> {
  await client.writeRaw(encodeCommand(args));
  const { raw } = await client.readDecoded();
  return String.fromCharCode(...raw);
}

function pairs(reply: RespValue): Map<RespValue, RespValue> {
  if (reply instanceof Map) return reply;
  const list = reply as RespValue[];
  const map = new Map<RespValue, RespValue>();
  for (let i = 0; i < list.length; i += 2) map.set(list[i], list[i + 1]);
  return map;
}

function errorText(reply: RespValue): string {
  assertOk(reply instanceof Error, `expected an error reply, got ${JSON.stringify(reply)}`);
  return (reply as Error).message;
}

Deno.test("PING answers PONG, echoes a message as a bulk string and refuses extra arguments", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(await rawReply(client, "PING"), "+PONG\r\n");
    assertEquals(await rawReply(client, "PING", "hi there"), "$8\r\nhi there\r\n");
    assertEquals(
      await rawReply(client, "PING", "a", "b"),
      "-ERR wrong number of arguments for 'ping' command\r\n",
    );
    await rawReply(client, "HELLO", "3");
    assertEquals(await rawReply(client, "PING"), "+PONG\r\n");
    client.close();
  });
});

Deno.test("ECHO returns every byte value unchanged", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const all = String.fromCharCode(...bytes);
    assertEquals(await client.send("ECHO", bytes), all);
    assertEquals(await client.send("ECHO", ""), "");
    client.close();
  });
});

Deno.test("QUIT answers +OK, then closes without running what follows it", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.writeRaw("QUIT\r\nPING\r\n");
    assertEquals(await client.readUntilClosed(), "+OK\r\n");
    client.close();
  });
});

Deno.test("HELLO 3 switches to RESP3 and answers with a map describing the server", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const id = await client.send("CLIENT", "ID");
    const raw = await rawReply(client, "HELLO", "3");
    assertOk(raw.startsWith("%7\r\n"), raw);
    assertEquals(
      raw,
      "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n" +
        `$${REDIS_COMPAT_VERSION.length}\r\n${REDIS_COMPAT_VERSION}\r\n` +
        `$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:${id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n` +
        "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
    );
    // RESP3 from now on: a missing value is `_`.
    assertEquals(await rawReply(client, "GET", "missing"), "_\r\n");
    const back = await rawReply(client, "HELLO", "2");
    assertOk(back.startsWith("*14\r\n"), back);
    assertEquals(pairs(await client.send("HELLO")).get("proto"), 2);
    assertEquals(await rawReply(client, "GET", "missing"), "$-1\r\n");
    client.close();
  });
});

Deno.test("HELLO without a version reports the current protocol and keeps it", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const reply = pairs(await client.send("HELLO"));
    assertEquals(reply.get("server"), "redis");
    assertEquals(reply.get("version"), REDIS_COMPAT_VERSION);
    assertEquals(reply.get("proto"), 2);
    assertEquals(reply.get("mode"), "standalone");
    assertEquals(reply.get("role"), "master");
    assertEquals(reply.get("modules"), []);
    assertEquals(await rawReply(client, "GET", "missing"), "$-1\r\n");
    client.close();
  });
});

Deno.test("HELLO refuses bad versions and options with Redis's texts", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const cases: [string[], string][] = [
      [["HELLO", "4"], "NOPROTO unsupported protocol version"],
      [["HELLO", "1"], "NOPROTO unsupported protocol version"],
      [["HELLO", "-1"], "NOPROTO unsupported protocol version"],
      [["HELLO", "foo"], "ERR Protocol version is not an integer or out of range"],
      [["HELLO", "3.0"], "ERR Protocol version is not an integer or out of range"],
      [["HELLO", "3", "AUTH"], "ERR Syntax error in HELLO option 'AUTH'"],
      [["HELLO", "3", "AUTH", "default"], "ERR Syntax error in HELLO option 'AUTH'"],
      [["HELLO", "3", "SETNAME"], "ERR Syntax error in HELLO option 'SETNAME'"],
      [["HELLO", "3", "foo"], "ERR Syntax error in HELLO option 'foo'"],
      [
        ["HELLO", "3", "AUTH", "nobody", "pw"],
        "WRONGPASS invalid username-password pair or user is disabled.",
      ],
      [
        ["HELLO", "3", "SETNAME", "a b"],
        "ERR Client names cannot contain spaces, newlines or special characters.",
      ],
      // Options are checked in order: the first bad one names the error.
      [
        ["HELLO", "3", "SETNAME", "a b", "FOO"],
        "ERR Client names cannot contain spaces, newlines or special characters.",
      ],
      [
        ["HELLO", "3", "AUTH", "nobody", "pw", "FOO"],
        "WRONGPASS invalid username-password pair or user is disabled.",
      ],
    ];
    for (const [command, expected] of cases) {
      assertEquals(errorText(await client.call(...command)), expected, command.join(" "));
    }
    client.close();
  });
});

Deno.test("a refused HELLO keeps the protocol, and the name of a SETNAME before the refusal", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    errorText(await client.call("HELLO", "3", "SETNAME", "bad name", "FOO"));
    assertEquals(await client.send("CLIENT", "GETNAME"), null);
    // As Redis 7.0: options take effect in order, so the name is set before FOO is refused.
    errorText(await client.call("HELLO", "3", "SETNAME", "ok", "FOO"));
    assertEquals(await client.send("CLIENT", "GETNAME"), "ok");
    assertEquals(await rawReply(client, "GET", "missing"), "$-1\r\n");
    client.close();
  });
});

Deno.test("HELLO 3 AUTH default with any password and SETNAME succeeds and names the connection", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const reply = await client.send(
      "HELLO",
      "3",
      "AUTH",
      "default",
      "anything",
      "SETNAME",
      "worker-1",
    );
    assertOk(reply instanceof Map);
    assertEquals(pairs(reply).get("proto"), 3);
    assertEquals(await client.send("CLIENT", "GETNAME"), "worker-1");
    client.close();
  });
});

Deno.test("AUTH refuses a lone password because none is configured and accepts the default user", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(
      errorText(await client.call("AUTH", "secret")),
      "ERR AUTH <password> called without any password configured for the default user. " +
        "Are you sure your configuration is correct?",
    );
    assertEquals(await client.send("AUTH", "default", "secret"), "OK");
    assertEquals(await client.send("AUTH", "default", ""), "OK");
    assertEquals(
      errorText(await client.call("AUTH", "nobody", "secret")),
      "WRONGPASS invalid username-password pair or user is disabled.",
    );
    assertEquals(errorText(await client.call("AUTH", "a", "b", "c")), "ERR syntax error");
    assertEquals(
      errorText(await client.call("AUTH")),
      "ERR wrong number of arguments for 'auth' command",
    );
    assertEquals(await client.send("PING"), "PONG");
    client.close();
  });
});

Deno.test("SELECT switches the database of one connection only and refuses bad indexes", async () => {
  await withHermes(async (server) => {
    const a = await server.connect();
    const b = await server.connect();
    assertEquals(await a.send("SELECT", "5"), "OK");
    await a.send("SET", "k", "in-five");
    assertEquals(await b.send("GET", "k"), null);
    assertEquals(await b.send("SELECT", "5"), "OK");
    assertEquals(await b.send("GET", "k"), "in-five");
    assertEquals(await a.send("SELECT", "15"), "OK");
    const cases: [string, string][] = [
      ["16", "ERR DB index is out of range"],
      ["-1", "ERR DB index is out of range"],
      ["x", "ERR partition not found"], // a word that could name a partition
      ["x y", "ERR value is not an integer or out of range"],
      ["1.5", "ERR value is not an integer or out of range"],
      ["99999999999", "ERR value is out of range, value must between -2147483648 and 2147483647"],
    ];
    for (const [index, expected] of cases) {
      assertEquals(errorText(await a.call("SELECT", index)), expected, `SELECT ${index}`);
    }
    // A refused SELECT leaves the connection on its database.
    await a.send("SET", "k", "in-fifteen");
    assertEquals(await b.send("GET", "k"), "in-five");
    a.close();
    b.close();
  });
});
