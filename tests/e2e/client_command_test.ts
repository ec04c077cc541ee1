import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { withTimeout } from "../helpers/run_tool.ts";
import { type Client, encodeCommand, type RespValue } from "../../src/client/mod.ts";

function errorText(reply: RespValue): string {
  assertOk(reply instanceof Error, `expected an error reply, got ${JSON.stringify(reply)}`);
  return (reply as Error).message;
}

/** The fields of one CLIENT LIST / CLIENT INFO line. */
function fields(line: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of line.split(" ")) {
    const eq = part.indexOf("=");
    map.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return map;
}

async function clientList(client: Client, ...filter: string[]): Promise<Map<string, string>[]> {
  const text = await client.send("CLIENT", "LIST", ...filter) as string;
  if (text === "") return [];
  assertOk(text.endsWith("\n"), "every line ends with a newline");
  return text.slice(0, -1).split("\n").map(fields);
}

/** Resolves once the server has closed `client`'s connection. */
async function closedByServer(client: Client): Promise<void> {
  const ended = await withTimeout(
    client.readReply().then(() => "reply", () => "closed"),
    10_000,
    "waiting for the server to close the connection",
  );
  assertEquals(ended, "closed");
}

Deno.test("CLIENT ID is unique per connection and agrees with CLIENT INFO and HELLO", async () => {
  await withHermes(async (server) => {
    const a = await server.connect();
    const b = await server.connect();
    const idA = await a.send("CLIENT", "ID");
    const idB = await b.send("CLIENT", "ID");
    assertOk(typeof idA === "number" && typeof idB === "number" && idA !== idB);
    const info = fields((await a.send("CLIENT", "INFO") as string).trimEnd());
    assertEquals(info.get("id"), String(idA));
    const hello = await b.send("HELLO", "3") as Map<RespValue, RespValue>;
    assertEquals(hello.get("id"), idB);
    a.close();
    b.close();
  });
});

Deno.test("CLIENT SETNAME names the connection, GETNAME reads it and an empty name clears it", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(await client.send("CLIENT", "GETNAME"), null);
    assertEquals(await client.send("CLIENT", "SETNAME", "worker-7"), "OK");
    assertEquals(await client.send("CLIENT", "GETNAME"), "worker-7");
    assertEquals((await clientList(client))[0].get("name"), "worker-7");
    assertEquals(await client.send("CLIENT", "SETNAME", ""), "OK");
    assertEquals(await client.send("CLIENT", "GETNAME"), null);
    client.close();
  });
});

Deno.test("CLIENT SETNAME refuses spaces, newlines and bytes outside printable ASCII", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("CLIENT", "SETNAME", "kept");
    for (const name of ["a b", "a\nb", "a\rb", "\x7f", "tab\t", "caf\xc3\xa9", "\x00"]) {
      assertEquals(
        errorText(await client.call("CLIENT", "SETNAME", name)),
        "ERR Client names cannot contain spaces, newlines or special characters.",
        JSON.stringify(name),
      );
    }
    assertEquals(await client.send("CLIENT", "SETNAME", "~!{}[]"), "OK");
    assertEquals(await client.send("CLIENT", "GETNAME"), "~!{}[]");
    client.close();
  });
});

Deno.test("CLIENT LIST shows one line per client with Redis's fields in Redis's order", async () => {
  await withHermes(async (server) => {
    const a = await server.connect();
    const b = await server.connect();
    await b.send("SELECT", "3");
    await b.send("CLIENT", "SETNAME", "bee");
    await b.send("CLIENT", "SETINFO", "LIB-NAME", "hermes-tests");
    await b.send("CLIENT", "SETINFO", "LIB-VER", "1.2.3");
    await b.send("HELLO", "3");
    const text = await a.send("CLIENT", "LIST") as string;
    const lines = text.trimEnd().split("\n");
    assertEquals(lines.length, 2);
    for (const line of lines) {
      assertMatch(
        line,
        /^id=\d+ addr=\S+:\d+ laddr=\S+:\d+ fd=-?\d+ name=\S* age=\d+ idle=\d+ flags=N db=\d+ sub=0 psub=0 ssub=0 multi=-1 qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=\d+ rbs=\d+ rbp=\d+ obl=\d+ oll=\d+ omem=\d+ tot-mem=\d+ events=r cmd=\S+ user=default redir=-1 resp=[23] lib-name=\S* lib-ver=\S*$/,
      );
    }
    const [first, second] = lines.map(fields);
    assertEquals(first.get("cmd"), "client|list");
    assertEquals(first.get("db"), "0");
    assertEquals(first.get("resp"), "2");
    assertEquals(second.get("name"), "bee");
    assertEquals(second.get("db"), "3");
    assertEquals(second.get("cmd"), "hello");
    assertEquals(second.get("resp"), "3");
    assertEquals(second.get("lib-name"), "hermes-tests");
    assertEquals(second.get("lib-ver"), "1.2.3");
    assertEquals(Number(second.get("id")), await b.send("CLIENT", "ID"));
    // The address is the client's end of the socket, the local address the server's.
    assertEquals(second.get("laddr"), `127.0.0.1:${server.port}`);
    a.close();
    b.close();
  });
});

Deno.test("CLIENT LIST filters by TYPE and by ID and refuses bad filters", async () => {
  await withHermes(async (server) => {
    const a = await server.connect();
    const b = await server.connect();
    const idA = await a.send("CLIENT", "ID");
    const idB = await b.send("CLIENT", "ID");
    assertEquals((await clientList(a, "TYPE", "normal")).length, 2);
    assertEquals((await clientList(a, "TYPE", "PUBSUB")).length, 0);
    assertEquals((await clientList(a, "TYPE", "replica")).length, 0);
    const byId = await clientList(a, "ID", String(idB), "99999", String(idA));
    assertEquals(byId.map((f) => Number(f.get("id"))), [idB, idA]);
    assertEquals(await clientList(a, "ID", "0", "-5"), []);
    const refusals: [string[], string][] = [
      [["TYPE", "foo"], "ERR Unknown client type 'foo'"],
      [["ID", "x"], "ERR Invalid client ID"],
      [["ID", "1", "1.5"], "ERR Invalid client ID"],
      [["ID"], "ERR syntax error"],
      [["FOO"], "ERR syntax error"],
      [["TYPE", "normal", "extra"], "ERR syntax error"],
    ];
    for (const [args, expected] of refusals) {
      assertEquals(errorText(await a.call("CLIENT", "LIST", ...args)), expected, args.join(" "));
    }
    a.close();
    b.close();
  });
});

Deno.test("CLIENT INFO and CLIENT LIST are verbatim strings in RESP3", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("HELLO", "3");
    for (const sub of ["INFO", "LIST"]) {
      await client.writeRaw(encodeCommand(["CLIENT", sub]));
      const { raw, value } = await client.readDecoded();
      const text = String.fromCharCode(...raw);
      assertMatch(text, /^=\d+\r\ntxt:id=\d+ addr=/);
      assertOk((value as string).endsWith("\n"));
    }
    client.close();
  });
});

Deno.test("CLIENT SETINFO records the library name and version and validates them", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(await client.send("CLIENT", "SETINFO", "lib-name", "ioredis"), "OK");
    assertEquals(await client.send("CLIENT", "SETINFO", "LIB-VER", "6.0.0"), "OK");
    let info = fields((await client.send("CLIENT", "INFO") as string).trimEnd());
    assertEquals(info.get("lib-name"), "ioredis");
    assertEquals(info.get("lib-ver"), "6.0.0");
    assertEquals(
      errorText(await client.call("CLIENT", "SETINFO", "lib-name", "a b")),
      "ERR lib-name cannot contain spaces, newlines or special characters.",
    );
    assertEquals(
      errorText(await client.call("CLIENT", "SETINFO", "LIB-VER", "1\n2")),
      "ERR LIB-VER cannot contain spaces, newlines or special characters.",
    );
    assertEquals(
      errorText(await client.call("CLIENT", "SETINFO", "lib-color", "red")),
      "ERR Unrecognized option 'lib-color'",
    );
    assertEquals(
      errorText(await client.call("CLIENT", "SETINFO", "lib-name")),
      "ERR wrong number of arguments for 'client|setinfo' command",
    );
    assertEquals(await client.send("CLIENT", "SETINFO", "LIB-NAME", ""), "OK");
    info = fields((await client.send("CLIENT", "INFO") as string).trimEnd());
    assertEquals(info.get("lib-name"), "");
    assertEquals(info.get("lib-ver"), "6.0.0");
    client.close();
  });
});

Deno.test("an unknown CLIENT subcommand gets the standard error and the connection carries on", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(
      errorText(
        await client.call("CLIENT", "MAINT_NOTIFICATIONS", "ON", "moving-endpoint-type", "x"),
      ),
      "ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.",
    );
    const help = await client.send("CLIENT", "HELP") as string[];
    assertOk(help[0].startsWith("CLIENT <subcommand>"), help[0]);
    assertOk(help.some((line) => line.startsWith("KILL <option> <value>")));
    assertEquals(await client.send("PING"), "PONG");
    client.close();
  });
});

Deno.test("CLIENT KILL addr:port closes that client and answers OK, or says there is none", async () => {
  await withHermes(async (server) => {
    const killer = await server.connect();
    const victim = await server.connect();
    const addr = fields((await victim.send("CLIENT", "INFO") as string).trimEnd()).get("addr")!;
    assertEquals(await killer.send("CLIENT", "KILL", addr), "OK");
    await closedByServer(victim);
    assertEquals(errorText(await killer.call("CLIENT", "KILL", addr)), "ERR No such client");
    assertEquals((await clientList(killer)).length, 1);
    killer.close();
    victim.close();
  });
});

Deno.test("CLIENT KILL with filters counts what it closed and spares the caller unless SKIPME no", async () => {
  await withHermes(async (server) => {
    const killer = await server.connect();
    const byId = await server.connect();
    const byAddr = await server.connect();
    const bystander = await server.connect();
    const id = await byId.send("CLIENT", "ID");
    const addr = fields((await byAddr.send("CLIENT", "INFO") as string).trimEnd()).get("addr")!;
    const own = await killer.send("CLIENT", "ID");
    assertEquals(await killer.send("CLIENT", "KILL", "ID", String(id)), 1);
    await closedByServer(byId);
    assertEquals(await killer.send("CLIENT", "KILL", "ADDR", addr, "TYPE", "normal"), 1);
    await closedByServer(byAddr);
    assertEquals(await killer.send("CLIENT", "KILL", "ID", String(own)), 0);
    assertEquals(await killer.send("CLIENT", "KILL", "ADDR", "10.0.0.1:1"), 0);
    assertEquals(await killer.send("CLIENT", "KILL", "LADDR", "10.0.0.1:1"), 0);
    assertEquals(await bystander.send("PING"), "PONG");
    // Every remaining client shares the server's local address; SKIPME yes spares the caller.
    assertEquals(
      await killer.send("CLIENT", "KILL", "LADDR", `127.0.0.1:${server.port}`, "SKIPME", "yes"),
      1,
    );
    await closedByServer(bystander);
    assertEquals(await killer.send("PING"), "PONG");
    killer.close();
    byId.close();
    byAddr.close();
    bystander.close();
  });
});

Deno.test("CLIENT KILL refuses malformed filters with Redis's texts", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const cases: [string[], string][] = [
      [["1.2.3.4:5"], "ERR No such client"],
      [["ID", "0"], "ERR client-id should be greater than 0"],
      [["ID", "x"], "ERR client-id should be greater than 0"],
      [["TYPE", "foo"], "ERR Unknown client type 'foo'"],
      [["USER", "bob"], "ERR No such user 'bob'"],
      [["SKIPME", "maybe"], "ERR syntax error"],
      [["FOO", "bar"], "ERR syntax error"],
      [["ADDR"], "ERR No such client"],
      [["ID", "1", "TYPE"], "ERR syntax error"],
      [[], "ERR wrong number of arguments for 'client|kill' command"],
    ];
    for (const [args, expected] of cases) {
      assertEquals(
        errorText(await client.call("CLIENT", "KILL", ...args)),
        expected,
        args.join(" "),
      );
    }
    assertEquals(await client.send("PING"), "PONG");
    client.close();
  });
});

Deno.test("CLIENT KILL of the caller's own connection answers first, then closes it", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const info = fields((await client.send("CLIENT", "INFO") as string).trimEnd());
    await client.writeRaw(
      new Uint8Array([
        ...encodeCommand(["CLIENT", "KILL", info.get("addr")!]),
        ...encodeCommand(["PING"]),
      ]),
    );
    assertEquals(await client.readUntilClosed(), "+OK\r\n");
    client.close();

    const again = await server.connect();
    const id = await again.send("CLIENT", "ID");
    await again.writeRaw(
      new Uint8Array([
        ...encodeCommand(["CLIENT", "KILL", "ID", String(id), "SKIPME", "no"]),
        ...encodeCommand(["PING"]),
      ]),
    );
    assertEquals(await again.readUntilClosed(), ":1\r\n");
    again.close();
  });
});
