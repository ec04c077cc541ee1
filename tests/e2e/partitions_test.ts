/**
 * Partitions end to end: the partition commands and their errors byte for byte over RESP2,
 * RESP3 and inline; schemas enforced by every string write; MOVE and COPY across partitions;
 * DROP under a client that selected the partition; the limit; names; and everything a
 * numbered database does (TTL, SCAN, KEYS, INFO, CLIENT LIST) working in a partition.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, withHermes } from "../helpers/hermes_process.ts";
import { runTool } from "../helpers/run_tool.ts";
import { farDeadline } from "../helpers/deadlines.ts";
import { hasCommand } from "../helpers/redis_process.ts";
import { type Client, connect } from "../../src/client/mod.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

type Mode = "resp2" | "resp3" | "inline";

/** The exact reply bytes to one command sent in `mode` (inline: words joined by spaces). */
async function raw(client: Client, mode: Mode, ...args: string[]): Promise<string> {
  await client.writeRaw(
    mode === "inline"
      ? args.join(" ") + "\r\n"
      : `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join(""),
  );
  const { raw } = await client.readDecoded();
  return String.fromCharCode(...raw);
}

async function clientIn(server: HermesProcess, mode: Mode): Promise<Client> {
  const client = await server.connect();
  if (mode === "resp3") await client.hello(3);
  return client;
}

const MODES: Mode[] = ["resp2", "resp3", "inline"];

Deno.test("partition commands and their errors are exact over RESP2, RESP3 and inline", async () => {
  await withHermes(async (server) => {
    for (const mode of MODES) {
      const c = await clientIn(server, mode);
      const r = (...args: string[]) => raw(c, mode, ...args);
      const name = `p_${mode}`;
      assertEquals(await r("CREATE", "PARTITION", name, "int", "none"), "+OK\r\n");
      assertEquals(
        await r("CREATE", "PARTITION", name, "ANY", "WAL"),
        `-ERR partition '${name}' already exists\r\n`,
      );
      assertEquals(
        await r("CREATE", "PARTITION", "x", "FLOAT", "WAL"),
        "-ERR invalid value type 'FLOAT' for a partition (expected INT, STRING or ANY)\r\n",
      );
      assertEquals(
        await r("CREATE", "PARTITION", "x", "ANY", "DISK"),
        "-ERR invalid persistence mode 'DISK' for a partition (expected WAL or NONE)\r\n",
      );
      for (const bad of ["123", "-4", "a.b", "x".repeat(65)]) {
        assertEquals(
          await r("CREATE", "PARTITION", bad, "ANY", "WAL"),
          `-ERR invalid partition name '${bad}': use 1 to 64 letters, digits, '_', '-' or ':', ` +
            "and not a number\r\n",
        );
      }
      assertEquals(
        await r("CREATE", "PARTITION", "x"),
        "-ERR wrong number of arguments for 'create|partition' command\r\n",
      );
      assertEquals(await r("CREATE"), "-ERR wrong number of arguments for 'create' command\r\n");
      assertEquals(
        await r("CREATE", "TABLE", "x"),
        "-ERR unknown subcommand 'TABLE'. Try CREATE HELP.\r\n",
      );
      assertEquals(await r("DROP", "PARTITION", "nope"), "-ERR partition not found\r\n");
      assertEquals(await r("DESCRIBE", "PARTITION", "nope"), "-ERR partition not found\r\n");
      assertEquals(await r("STATS", "PARTITION", "nope"), "-ERR partition not found\r\n");
      assertEquals(await r("SELECT", "nope"), "-ERR partition not found\r\n");
      assertEquals(await r("MOVE", "k", "nope"), "-ERR partition not found\r\n");
      assertEquals(await r("COPY", "k", "k", "DB", "nope"), "-ERR partition not found\r\n");
      assertMatch(await r("CREATE", "HELP"), /^\*13\r\n\+Partitions are named databases/);

      assertEquals(await r("SELECT", name), "+OK\r\n");
      assertEquals(await r("SET", "n", "41"), "+OK\r\n");
      assertEquals(await r("INCR", "n"), ":42\r\n");
      assertEquals(await r("GET", "n"), "$2\r\n42\r\n");
      assertEquals(await r("GET", "missing"), mode === "resp3" ? "_\r\n" : "$-1\r\n");
      assertEquals(
        await r("SET", "n", "forty"),
        `-ERR value is not an integer for partition '${name}' (schema INT)\r\n`,
      );
      assertEquals(
        await r("APPEND", "n", "1"),
        `-ERR command 'append' is not allowed in partition '${name}' (schema INT)\r\n`,
      );
      const describe = await r("DESCRIBE", "PARTITION", name);
      const createdAt = /created-at\r\n:(\d+)\r\n$/.exec(describe)?.[1];
      assertOk(createdAt && Math.abs(Number(createdAt) - Date.now()) < 60_000, describe);
      const id = 16 + MODES.indexOf(mode);
      assertEquals(
        describe,
        (mode === "resp3" ? "%7\r\n" : "*14\r\n") +
          `$4\r\nname\r\n$${name.length}\r\n${name}\r\n$2\r\nid\r\n:${id}\r\n` +
          "$6\r\nschema\r\n$3\r\nINT\r\n" +
          "$11\r\npersistence\r\n$4\r\nNONE\r\n$4\r\nkeys\r\n:1\r\n$7\r\nexpires\r\n:0\r\n" +
          `$10\r\ncreated-at\r\n:${createdAt}\r\n`,
      );
      // SET, INCR, SET (refused: a write counted), APPEND (refused before it counts) and GET x2.
      assertEquals(
        await r("STATS", "PARTITION", name),
        (mode === "resp3" ? "%8\r\n" : "*16\r\n") +
          "$4\r\nkeys\r\n:1\r\n$5\r\nreads\r\n:2\r\n$6\r\nwrites\r\n:2\r\n" +
          "$4\r\nhits\r\n:1\r\n$6\r\nmisses\r\n:1\r\n$7\r\nexpired\r\n:0\r\n" +
          "$9\r\nkey-bytes\r\n:1\r\n$11\r\nvalue-bytes\r\n:2\r\n",
      );
      assertEquals(await r("SELECT", "0"), "+OK\r\n");
      c.close();
    }
    const c = await server.connect();
    assertEquals(await c.send("LIST", "PARTITIONS"), ["p_inline", "p_resp2", "p_resp3"]);
    for (const mode of MODES) assertEquals(await c.send("DROP", "PARTITION", `p_${mode}`), "OK");
    assertEquals(await raw(c, "resp2", "LIST", "PARTITIONS"), "*0\r\n");
    c.close();
  });
});

Deno.test("every string write keeps an INT partition to integers and changes nothing when refused", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("CREATE", "PARTITION", "counts", "INT", "WAL");
    await c.send("CREATE", "PARTITION", "texts", "STRING", "NONE");
    await c.select("counts");
    await c.send("MSET", "a", "1", "b", "2");
    const notInt = "ERR value is not an integer for partition 'counts' (schema INT)";
    const refused = (command: string) =>
      `ERR command '${command}' is not allowed in partition 'counts' (schema INT)`;
    const cases: [string[], string][] = [
      [["SET", "a", "x"], notInt],
      [["SET", "a", "1.5", "NX"], notInt],
      [["SET", "a", "007", "XX", "GET"], notInt],
      [["SET", "a", " 1", "EX", "100"], notInt],
      [["SET", "a", "1x", "KEEPTTL"], notInt],
      [["PUT", "a", "one"], notInt],
      [["SETNX", "c", "x"], notInt],
      [["SETEX", "c", "100", "x"], notInt],
      [["PSETEX", "c", "100000", "x"], notInt],
      [["GETSET", "a", "x"], notInt],
      [["MSET", "c", "3", "d", "4", "a", "x"], notInt], // one bad value: no key written
      [["MSETNX", "c", "3", "d", "x"], notInt],
      [["SET", "a", "9223372036854775808"], notInt],
      [["APPEND", "a", "1"], refused("append")],
      [["SETRANGE", "a", "0", "5"], refused("setrange")],
      [["INCRBYFLOAT", "a", "1"], refused("incrbyfloat")],
    ];
    for (const [args, expected] of cases) {
      const reply = await c.call(...args);
      assertOk(reply instanceof Error, `${args.join(" ")} answered ${String(reply)}`);
      assertEquals((reply as Error).message, expected, args.join(" "));
    }
    assertEquals(await c.send("MGET", "a", "b", "c", "d"), ["1", "2", null, null]);
    assertEquals(await c.send("TTL", "a"), -1);
    // What fits runs: every form with integer values, and the counters.
    const fine: [string[], unknown][] = [
      [["SET", "a", "-9223372036854775808"], "OK"],
      [["SET", "a", "5", "NX"], null],
      [["SET", "a", "6", "XX", "GET"], "-9223372036854775808"],
      [["PUT", "e", "0"], "OK"],
      [["SETNX", "c", "3"], 1],
      [["SETEX", "t", "100", "7"], "OK"],
      [["PSETEX", "t", "100000", "8"], "OK"],
      [["GETSET", "c", "30"], "3"],
      [["MSET", "c", "31", "d", "41"], "OK"],
      [["MSETNX", "f", "1", "g", "2"], 1],
      [["INCR", "a"], 7],
      [["DECR", "a"], 6],
      [["INCRBY", "a", "10"], 16],
      [["DECRBY", "a", "20"], -4],
      [["GETEX", "a", "EX", "100"], "-4"],
      [["GETDEL", "g"], "2"],
      [["GET", "a"], "-4"],
      [["INCR", "missing"], 1],
    ];
    for (const [args, expected] of fine) assertEquals(await c.send(...args), expected, args[0]);
    const overflow = await c.call("INCRBY", "a", "-9223372036854775805");
    assertEquals((overflow as Error).message, "ERR increment or decrement would overflow");

    // STRING takes any string, refuses nothing of the string family.
    await c.select("texts");
    for (
      const args of [
        ["SET", "s", "hello"],
        ["APPEND", "s", " world"],
        ["SETRANGE", "s", "0", "J"],
        ["INCRBYFLOAT", "f", "1.5"],
        ["MSET", "x", "1", "y", "two"],
      ]
    ) {
      assertOk(!((await c.call(...args)) instanceof Error), args.join(" "));
    }
    assertEquals(await c.send("MGET", "s", "f", "y"), ["Jello world", "1.5", "two"]);
    c.close();
  });
});

Deno.test("MOVE and COPY carry keys between databases and partitions, checking the target's schema", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("CREATE", "PARTITION", "ints", "INT", "WAL");
    await c.send("CREATE", "PARTITION", "cache", "ANY", "NONE");
    await c.send("MSET", "word", "hello", "num", "12");
    const deadline = farDeadline();
    await c.send("PEXPIREAT", "num", deadline);
    const notInt = "ERR value is not an integer for partition 'ints' (schema INT)";
    assertEquals(((await c.call("MOVE", "word", "ints")) as Error).message, notInt);
    assertEquals(((await c.call("COPY", "word", "w", "DB", "ints")) as Error).message, notInt);
    assertEquals(await c.send("GET", "word"), "hello");
    assertEquals(await c.send("MOVE", "num", "ints"), 1);
    assertEquals(await c.send("EXISTS", "num"), 0);
    assertEquals(await c.send("COPY", "word", "word", "DB", "cache"), 1);
    assertEquals(await c.send("COPY", "word", "word", "DB", "cache"), 0);
    await c.select("ints");
    assertEquals(await c.send("GET", "num"), "12");
    assertEquals(await c.send("PEXPIRETIME", "num"), deadline);
    assertEquals(
      ((await c.call("MOVE", "num", "ints")) as Error).message,
      "ERR source and destination objects are the same",
    );
    // Back to a numbered database, and from one partition to another.
    assertEquals(await c.send("COPY", "num", "n2", "DB", "0"), 1);
    assertEquals(await c.send("MOVE", "num", "cache"), 1);
    await c.select("cache");
    assertEquals(await c.send("MGET", "num", "word"), ["12", "hello"]);
    assertEquals(((await c.call("COPY", "word", "num", "DB", "ints")) as Error).message, notInt);
    await c.select(0);
    assertEquals(await c.send("MGET", "n2", "word"), ["12", "hello"]);
    c.close();
  });
});

Deno.test("a client whose partition was dropped gets a clear error until it selects again", async () => {
  await withHermes(async (server) => {
    const a = await server.connect();
    const b = await server.connect();
    await b.send("CREATE", "PARTITION", "temp", "ANY", "WAL");
    await a.select("temp");
    await a.send("SET", "k", "v");
    assertEquals(await b.send("DROP", "PARTITION", "temp"), "OK");
    const dropped = "ERR the selected partition was dropped; SELECT a database or partition";
    for (const args of [["GET", "k"], ["SET", "k", "v"], ["DBSIZE"], ["SCAN", "0"]]) {
      assertEquals(((await a.call(...args)) as Error).message, dropped, args[0]);
    }
    // A new partition of the same name is another partition: still refused until SELECT.
    await b.send("CREATE", "PARTITION", "temp", "ANY", "WAL");
    assertEquals(((await a.call("GET", "k")) as Error).message, dropped);
    assertEquals(await a.send("PING"), "PONG");
    assertMatch(await a.send("CLIENT", "INFO") as string, / db=\d+ /);
    assertEquals(await a.send("LIST", "PARTITIONS"), ["temp"]);
    assertEquals(await a.select("temp"), "OK");
    assertEquals(await a.send("GET", "k"), null);
    assertMatch(await a.send("CLIENT", "INFO") as string, / db=temp /);
    assertEquals(await a.select(0), "OK");
    assertEquals(await a.send("DBSIZE"), 0);
    a.close();
    b.close();
  });
});

Deno.test("--max-partitions caps CREATE PARTITION and CONFIG SET moves the cap", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    assertEquals(await c.send("CONFIG", "GET", "max-partitions"), ["max-partitions", "2"]);
    assertEquals(await c.send("CREATE", "PARTITION", "a", "ANY", "WAL"), "OK");
    assertEquals(await c.send("CREATE", "PARTITION", "b", "ANY", "NONE"), "OK");
    const tooMany = await c.call("CREATE", "PARTITION", "c", "ANY", "WAL");
    assertEquals((tooMany as Error).message, "ERR too many partitions (max-partitions is 2)");
    await c.send("DROP", "PARTITION", "a");
    assertEquals(await c.send("CREATE", "PARTITION", "c", "ANY", "WAL"), "OK");
    await c.send("CONFIG", "SET", "max-partitions", "3");
    assertEquals(await c.send("CREATE", "PARTITION", "d", "INT", "WAL"), "OK");
    assertEquals(await c.send("LIST", "PARTITIONS"), ["b", "c", "d"]);
    // Names are case-sensitive and may use every allowed character, up to 64 bytes.
    await c.send("CONFIG", "SET", "max-partitions", "10");
    for (const name of ["B", "user:v2_x-1", "9a", "-a", "z".repeat(64)]) {
      assertEquals(await c.send("CREATE", "PARTITION", name, "ANY", "NONE"), "OK", name);
      assertEquals(await c.select(name), "OK", name);
    }
    c.close();
  }, ["--max-partitions", "2"]);
});

Deno.test("a partition does what a database does: TTL, SCAN, KEYS, FLUSHDB, RENAME, INFO, stats", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("CREATE", "PARTITION", "users", "ANY", "NONE");
    await c.send("CREATE", "PARTITION", "empty", "STRING", "WAL");
    await c.send("SET", "in-zero", "0");
    await c.select("users");
    const keys = Array.from({ length: 50 }, (_, i) => `user:${i}`);
    // Ten keys with a deadline far enough away that none can pass while they are counted, on
    // however loaded a machine; they are made to expire below.
    const at = farDeadline();
    await c.pipeline(
      keys.map((k, i) => ["SET", k, String(i), ...(i < 10 ? ["PXAT", String(at)] : [])]),
    );
    assertEquals(await c.send("DBSIZE"), 50);
    assertEquals(await c.send("EXISTS", "in-zero"), 0);
    assertEquals(await c.send("TTL", "user:20"), -1);
    assertEquals(await c.send("PEXPIRETIME", "user:0"), at);
    let seen: string[] = [];
    let cursor = "0";
    do {
      const [next, page] = await c.send("SCAN", cursor, "MATCH", "user:*") as [string, string[]];
      seen.push(...page);
      cursor = next;
    } while (cursor !== "0");
    assertEquals(new Set(seen).size, 50);
    // Keys whose deadline passes go, lazily or by the active cycle.
    await c.pipeline(keys.slice(0, 10).map((k) => ["PEXPIRE", k, "1"]));
    const deadline = Date.now() + 30_000;
    while ((await c.send("DBSIZE")) as number > 40) {
      assertOk(Date.now() < deadline, "the TTL keys never went");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    seen = await c.send("KEYS", "user:1?") as string[];
    assertEquals(seen.sort(), keys.slice(10, 20).sort());
    assertEquals(await c.send("RENAME", "user:10", "renamed"), "OK");
    assertEquals(typeof await c.send("RANDOMKEY"), "string");
    const stats = new Map(
      Object.entries(
        ((await c.send("STATS", "PARTITION", "users")) as string[]).reduce(
          (acc, v, i, all) => i % 2 ? acc : { ...acc, [v]: all[i + 1] },
          {} as Record<string, unknown>,
        ),
      ),
    );
    assertEquals(stats.get("keys"), 40);
    assertEquals(stats.get("expired"), 10);
    const names = await c.send("KEYS", "*") as string[];
    assertEquals(stats.get("key-bytes"), names.reduce((sum, k) => sum + k.length, 0));
    const info = await c.send("INFO", "keyspace") as string;
    assertMatch(
      info,
      /db0:keys=1,expires=0,avg_ttl=0\r\nempty:keys=0,expires=0,avg_ttl=0,schema=string,persistence=wal\r\nusers:keys=40,expires=0,avg_ttl=0,schema=any,persistence=none\r\n/,
    );
    assertEquals(await c.send("FLUSHDB"), "OK");
    assertEquals(await c.send("DBSIZE"), 0);
    await c.select(0);
    assertEquals(await c.send("DBSIZE"), 1);
    c.close();
  });
});

Deno.test("hermes cli -n <name> and connect({ db: name }) select a partition", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("CREATE", "PARTITION", "app", "STRING", "WAL");
    c.close();
    const port = String(server.port);
    const cli = (...args: string[]) =>
      runTool(Deno.execPath(), ["run", "--allow-all", MAIN, "cli", "-p", port, ...args]);
    assertEquals((await cli("-n", "app", "SET", "k", "from-cli")).stdout, "OK\n");
    const client = await connect({ port: server.port, db: "app" });
    assertEquals(await client.get("k"), "from-cli");
    client.close();
    const missing = await cli("-n", "nope", "GET", "k");
    assertEquals(missing.code, 1);
    assertMatch(missing.stdout + missing.stderr, /partition not found/);
    assertEquals((await cli("GET", "k")).stdout, "\n");
  });
});

Deno.test("a partition answers to its id where clients only take a number (redis-cli -n, redis-benchmark --dbnum)", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("CREATE", "PARTITION", "first", "INT", "NONE"); // id 16
    await c.send("CREATE", "PARTITION", "second", "ANY", "WAL"); // id 17
    assertEquals(await c.send("SELECT", "17"), "OK");
    await c.send("SET", "word", "v");
    assertEquals(
      ((await c.call("MOVE", "word", "16")) as Error).message,
      "ERR value is not an integer for partition 'first' (schema INT)",
    );
    assertEquals(await c.send("COPY", "word", "word", "DB", "0"), 1);
    const outOfRange = "ERR DB index is out of range";
    assertEquals(((await c.call("SELECT", "18")) as Error).message, outOfRange);
    await c.send("DROP", "PARTITION", "first");
    assertEquals(((await c.call("SELECT", "16")) as Error).message, outOfRange);
    const port = String(server.port);
    if (hasCommand("redis-cli")) {
      const get = await runTool("redis-cli", ["-p", port, "-n", "17", "GET", "word"]);
      assertEquals(get.stdout, "v\n");
    } else console.log("Skipping the redis-cli part: redis-cli is not installed");
    if (hasCommand("redis-benchmark")) {
      const run = await runTool("redis-benchmark", [
        ...["-p", port, "--dbnum", "17", "-t", "set", "-n", "2000", "-r", "1000", "-q"],
      ]);
      assertEquals(run.code, 0, run.stdout + run.stderr);
      assertOk((await c.send("DBSIZE") as number) > 100, "redis-benchmark wrote elsewhere");
      await c.select(0);
      assertEquals(await c.send("DBSIZE"), 1);
    } else console.log("Skipping the redis-benchmark part: redis-benchmark is not installed");
    c.close();
  });
});
