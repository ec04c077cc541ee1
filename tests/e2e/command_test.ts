import { assertEquals, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, withHermes } from "../helpers/hermes_process.ts";
import { hasCommand } from "../helpers/redis_process.ts";
import { runTool } from "../helpers/run_tool.ts";
import { type Client, encodeCommand, type RespValue } from "../../src/client/mod.ts";

type RespMap = Map<RespValue, RespValue>;

/** assertOk, typed as an assertion so that checks narrow the reply types. */
const ok: (value: unknown, message?: string) => asserts value = assertOk;

function errorText(reply: RespValue): string {
  ok(reply instanceof Error, `expected an error reply, got ${JSON.stringify(reply)}`);
  return (reply as Error).message;
}

/** `value` as a map, failing the test when it is not one. */
function asMap(value: RespValue, what: string): RespMap {
  if (!(value instanceof Map)) throw new Error(`${what} is not a map: ${JSON.stringify(value)}`);
  return value;
}

async function resp3(server: HermesProcess): Promise<Client> {
  const client = await server.connect();
  await client.send("HELLO", "3");
  return client;
}

const ARG_TYPES = new Set([
  "string",
  "integer",
  "double",
  "key",
  "pattern",
  "unix-time",
  "pure-token",
  "oneof",
  "block",
]);
const ARG_FLAGS = new Set(["optional", "multiple", "multiple_token"]);

/** Checks one argument map the way redis-cli's help loader asserts on it; returns its count. */
function checkArgument(value: RespValue, where: string): number {
  const arg = asMap(value, `${where}: an argument`);
  const name = arg.get("name");
  const type = arg.get("type");
  ok(typeof name === "string" && name.length > 0, `${where}: argument without a name`);
  ok(typeof type === "string" && ARG_TYPES.has(type), `${where} ${name}: type ${type}`);
  for (const key of arg.keys()) {
    ok(
      ["name", "type", "token", "flags", "arguments", "key_spec_index"].includes(key as string),
      `${where} ${name}: unexpected field ${key}`,
    );
  }
  if (arg.has("token")) ok(typeof arg.get("token") === "string", `${where} ${name} token`);
  if (arg.has("key_spec_index")) assertEquals(typeof arg.get("key_spec_index"), "number");
  assertEquals(arg.has("key_spec_index"), type === "key", `${where} ${name}: key_spec_index`);
  if (arg.has("flags")) {
    const flags = arg.get("flags");
    ok(flags instanceof Set && flags.size > 0, `${where} ${name}: flags is not a set`);
    for (const flag of flags) ok(ARG_FLAGS.has(flag as string), `${where}: flag ${flag}`);
  }
  let count = 1;
  if (type === "oneof" || type === "block") {
    const nested = arg.get("arguments");
    ok(Array.isArray(nested) && nested.length > 0, `${where} ${name}: no nested arguments`);
    for (const inner of nested) count += checkArgument(inner, `${where} ${name}`);
  } else {
    ok(!arg.has("arguments"), `${where} ${name}: arguments on a plain argument`);
  }
  return count;
}

/** Checks one COMMAND DOCS entry and its subcommands; returns how many entries it checked. */
function checkDocs(name: string, value: RespValue): number {
  const docs = asMap(value, `${name}: the docs`);
  for (const field of ["summary", "since", "group", "complexity"]) {
    const value = docs.get(field);
    ok(typeof value === "string" && value.length > 0, `${name}: empty ${field}`);
  }
  ok(/^\d+\.\d+\.\d+$/.test(docs.get("since") as string), `${name}: since`);
  if (docs.has("arguments")) {
    const args = docs.get("arguments");
    ok(Array.isArray(args) && args.length > 0, `${name}: arguments is not a list`);
    for (const arg of args) checkArgument(arg, name);
  }
  let checked = 1;
  if (docs.has("subcommands")) {
    const subs = docs.get("subcommands");
    ok(subs instanceof Map && subs.size > 0, `${name}: subcommands is not a map`);
    for (const [subName, subDocs] of subs) {
      ok((subName as string).startsWith(`${name}|`), `${name}: subcommand ${subName}`);
      checked += checkDocs(subName as string, subDocs);
    }
  }
  return checked;
}

Deno.test("COMMAND DOCS documents every command and subcommand in the shape redis-cli asserts on", async () => {
  await withHermes(async (server) => {
    const client = await resp3(server);
    const docs = await client.send("COMMAND", "DOCS") as RespMap;
    ok(docs instanceof Map);
    const count = await client.send("COMMAND", "COUNT") as number;
    assertEquals(docs.size, count);
    let checked = 0;
    for (const [name, entry] of docs) checked += checkDocs(name as string, entry);
    const names = await client.send("COMMAND", "LIST") as string[];
    assertEquals(checked, names.length, "every listed name has docs");
    client.close();
  });
});

Deno.test("COMMAND DOCS maps each name asked for to its documentation and skips unknown names", async () => {
  await withHermes(async (server) => {
    const client = await resp3(server);
    const docs = await client.send("COMMAND", "DOCS", "ECHO", "nosuch", "client|setname");
    ok(docs instanceof Map);
    assertEquals([...docs.keys()], ["echo", "client|setname"]);
    const echo = docs.get("echo") as RespMap;
    assertEquals(echo.get("group"), "connection");
    assertEquals(echo.get("since"), "1.0.0");
    assertEquals(echo.get("arguments"), [new Map([["name", "message"], ["type", "string"]])]);
    const client_ = (await client.send("COMMAND", "DOCS", "client") as RespMap).get(
      "client",
    ) as RespMap;
    ok((client_.get("subcommands") as RespMap).has("client|kill"));
    // Flags are status strings in a set (RESP3) or an array (RESP2), as redis-cli expects.
    await client.writeRaw(encodeCommand(["COMMAND", "DOCS", "ping"]));
    const { raw } = await client.readDecoded();
    ok(String.fromCharCode(...raw).includes("$5\r\nflags\r\n~1\r\n+optional\r\n"));
    assertEquals(await client.send("COMMAND", "DOCS", "nosuch"), new Map());
    client.close();
  });
});

Deno.test("COMMAND INFO describes a command in Redis 7's ten-field shape with its key spec", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const [get, missing] = await client.send("COMMAND", "INFO", "get", "nosuch") as RespValue[];
    assertEquals(missing, null);
    const keySpec = [
      "flags",
      ["RO", "access"],
      "begin_search",
      ["type", "index", "spec", ["index", 1]],
      "find_keys",
      ["type", "range", "spec", ["lastkey", 0, "keystep", 1, "limit", 0]],
    ];
    assertEquals(get, [
      "get",
      2,
      ["readonly", "fast"],
      1,
      1,
      1,
      ["@read", "@string", "@fast"],
      [],
      [keySpec],
      [],
    ]);
    const [ping] = await client.send("COMMAND", "INFO", "PING") as RespValue[][];
    assertEquals(ping.slice(0, 7), ["ping", -1, ["fast"], 0, 0, 0, ["@fast", "@connection"]]);
    assertEquals(ping[8], []);
    client.close();
  });
});

Deno.test("COMMAND INFO of a container nests its subcommands, each named container|sub", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const [config] = await client.send("COMMAND", "INFO", "config") as RespValue[][];
    assertEquals(config.slice(0, 7), ["config", -2, [], 0, 0, 0, ["@slow"]]);
    const subs = config[9] as RespValue[][];
    const get = subs.find((sub) => sub[0] === "config|get")!;
    assertEquals(get.slice(0, 7), [
      "config|get",
      -3,
      ["admin", "noscript", "loading", "stale"],
      0,
      0,
      0,
      ["@admin", "@slow", "@dangerous"],
    ]);
    const [direct] = await client.send("COMMAND", "INFO", "CONFIG|GET") as RespValue[];
    assertEquals(direct, get);
    client.close();
  });
});

Deno.test("bare COMMAND describes every command and COMMAND COUNT counts them", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const all = await client.send("COMMAND") as RespValue[][];
    assertEquals(all.length, await client.send("COMMAND", "COUNT"));
    const names = all.map((entry) => entry[0] as string);
    for (const name of ["ping", "hello", "info", "config", "client", "command", "get", "set"]) {
      ok(names.includes(name), `COMMAND lacks ${name}`);
    }
    assertEquals(new Set(names).size, names.length, "no command is listed twice");
    for (const entry of all) assertEquals(entry.length, 10, `${entry[0]} has ten fields`);
    client.close();
  });
});

Deno.test("COMMAND LIST names commands and subcommands and filters by category and pattern", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const names = await client.send("COMMAND", "LIST") as string[];
    ok(names.includes("client") && names.includes("client|list") && names.includes("get"));
    const connection = await client.send("COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection");
    ok((connection as string[]).includes("ping"));
    ok((connection as string[]).includes("client|setname"));
    ok(!(connection as string[]).includes("get"));
    assertEquals(
      (await client.send("COMMAND", "LIST", "FILTERBY", "PATTERN", "CONFIG|*") as string[]).sort(),
      ["config|get", "config|help", "config|resetstat", "config|rewrite", "config|set"],
    );
    assertEquals(await client.send("COMMAND", "LIST", "FILTERBY", "MODULE", "x"), []);
    assertEquals(await client.send("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"), []);
    assertEquals(errorText(await client.call("COMMAND", "LIST", "FILTERBY")), "ERR syntax error");
    assertEquals(
      errorText(await client.call("COMMAND", "LIST", "FILTERBY", "foo", "bar")),
      "ERR syntax error",
    );
    client.close();
  });
});

Deno.test("COMMAND GETKEYS finds the keys of a full command and refuses commands without keys", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(await client.send("COMMAND", "GETKEYS", "get", "a"), ["a"]);
    assertEquals(await client.send("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"), ["a", "b"]);
    assertEquals(await client.send("COMMAND", "GETKEYS", "del", "a", "b", "c"), ["a", "b", "c"]);
    assertEquals(await client.send("COMMAND", "GETKEYSANDFLAGS", "get", "a"), [[
      "a",
      ["RO", "access"],
    ]]);
    const cases: [string[], string][] = [
      [["nosuch", "a"], "ERR Invalid command specified"],
      [["ping", "a"], "ERR The command has no key arguments"],
      [["config", "get", "x"], "ERR The command has no key arguments"],
      [["get", "a", "b"], "ERR Invalid number of arguments specified for command"],
      [["get"], "ERR wrong number of arguments for 'command|getkeys' command"],
    ];
    for (const [args, expected] of cases) {
      assertEquals(
        errorText(await client.call("COMMAND", "GETKEYS", ...args)),
        expected,
        args.join(" "),
      );
    }
    client.close();
  });
});

Deno.test("COMMAND HELP lists the subcommands and unknown ones get the standard error", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const help = await client.send("COMMAND", "HELP") as string[];
    ok(help[0].startsWith("COMMAND <subcommand>"));
    for (const sub of ["COUNT", "LIST", "INFO", "DOCS", "GETKEYS", "HELP"]) {
      ok(help.some((line) => line.startsWith(sub)), `help lacks ${sub}`);
    }
    assertEquals(
      errorText(await client.call("COMMAND", "FOO")),
      "ERR unknown subcommand 'FOO'. Try COMMAND HELP.",
    );
    client.close();
  });
});

const REDIS_CLI = hasCommand("redis-cli");
if (!REDIS_CLI) console.log("Skipping the redis-cli COMMAND DOCS tests: redis-cli is not on PATH");

Deno.test({
  name: "redis-cli in REPL mode loads COMMAND DOCS and shows help built from it",
  ignore: !REDIS_CLI,
  async fn() {
    await withHermes(async (server) => {
      const client = await server.connect();
      const docs = await client.send("COMMAND", "DOCS", "echo") as RespValue[];
      const summary = (docs[1] as RespValue[])[1] as string;
      client.close();
      for (const protocol of [[], ["-3"]]) {
        const result = await runTool(
          "redis-cli",
          ["-p", String(server.port), ...protocol],
          { stdin: "HELP ECHO\nHELP @connection\nPING\nCLIENT SETNAME cli\nCLIENT GETNAME\n" },
        );
        assertEquals(result.code, 0, result.stderr);
        ok(result.stdout.includes(summary), result.stdout);
        ok(result.stdout.includes("PONG"), result.stdout);
        ok(result.stdout.includes("cli\n"), result.stdout);
        ok(!result.stderr.includes("failed"), result.stderr);
      }
    });
  },
});

Deno.test({
  name: "redis-cli --no-raw COMMAND DOCS get prints the documentation",
  ignore: !REDIS_CLI,
  async fn() {
    await withHermes(async (server) => {
      const result = await runTool("redis-cli", [
        "-p",
        String(server.port),
        "--no-raw",
        "COMMAND",
        "DOCS",
        "get",
      ]);
      assertEquals(result.code, 0, result.stderr);
      ok(result.stdout.startsWith('1) "get"\n2)  1) "summary"\n'), result.stdout);
      ok(result.stdout.includes('"key_spec_index"'), result.stdout);
    });
  },
});
