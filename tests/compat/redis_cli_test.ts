/**
 * redis-cli, the real one, against a real Hermes process: argument mode, commands piped on stdin,
 * --pipe mass insertion, --scan, RESP3 (-3), database selection (-n), the monitoring modes
 * --stat, --latency and --bigkeys, and the memory modes --memkeys, --hotkeys and --lru-test.
 * Expected outputs were taken from redis-cli 7.0.15 talking to redis-server 7.0.15 (rerun them
 * there with HERMES_COMPAT_TARGET=redis).
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { type CompatServer, compatSkipReason, withCompatServer } from "../helpers/compat_server.ts";
import { hasCommand } from "../helpers/redis_process.ts";
import { runTool, type ToolResult } from "../helpers/run_tool.ts";

const skipReason = hasCommand("redis-cli")
  ? compatSkipReason()
  : "redis-cli is not on PATH (install redis-tools)";
if (skipReason) console.log(`Skipping the redis-cli tests: ${skipReason}`);

function cliTest(name: string, fn: (server: CompatServer) => Promise<void>): void {
  Deno.test({ name, ignore: skipReason !== null, fn: () => withCompatServer(fn) });
}

/** Runs redis-cli against `server` and requires a clean exit. */
async function cli(
  server: CompatServer,
  args: string[],
  stdin?: Uint8Array | string,
): Promise<string> {
  const result: ToolResult = await runTool(
    "redis-cli",
    ["-h", "127.0.0.1", "-p", String(server.port), ...args],
    { stdin, timeoutMs: 30_000 },
  );
  assertEquals(
    { code: result.code, stderr: result.stderr },
    { code: 0, stderr: "" },
    `redis-cli ${args.join(" ")} printed:\n${result.stdout}`,
  );
  return result.stdout;
}

cliTest("redis-cli in argument mode sets and gets values and prints error replies", async (s) => {
  assertEquals(await cli(s, ["SET", "greeting", "hello"]), "OK\n");
  assertEquals(await cli(s, ["GET", "greeting"]), "hello\n");
  assertEquals(await cli(s, ["GET", "missing"]), "\n");
  assertEquals(await cli(s, ["--no-raw", "GET", "missing"]), "(nil)\n");
  assertEquals(await cli(s, ["SET", "binary", "a\x01b\x7f"]), "OK\n");
  assertEquals(await cli(s, ["GET", "binary"]), "a\x01b\x7f\n");
  assertEquals(
    await cli(s, ["INCR", "greeting"]),
    "ERR value is not an integer or out of range\n\n",
  );
  assertEquals(
    await cli(s, ["NOSUCHCOMMAND", "x", "y"]),
    "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' 'y' \n\n",
  );
  assertEquals(await cli(s, ["GET"]), "ERR wrong number of arguments for 'get' command\n\n");
});

cliTest("redis-cli runs commands piped on stdin and prints each reply in order", async (s) => {
  const output = await cli(s, [], "SET k1 v1\nGET k1\nINCR k1\nDEL k1\nPING\nGET k1\n");
  assertEquals(output, "OK\nv1\nERR value is not an integer or out of range\n\n1\nPONG\n\n");
});

cliTest(
  "redis-cli runs MULTI blocks from stdin: EXECABORT after a queueing error, replies after EXEC",
  async (s) => {
    const output = await cli(
      s,
      ["--no-raw"],
      "MULTI\nSET k 1\nINCR k\nINCR nope x\nINCR k\nEXEC\nWATCH k\nMULTI\nSET k 1\nINCR k\nEXEC\n",
    );
    assertEquals(
      output,
      "OK\nQUEUED\nQUEUED\n(error) ERR wrong number of arguments for 'incr' command\nQUEUED\n" +
        "(error) EXECABORT Transaction discarded because of previous errors.\n" +
        "OK\nOK\nQUEUED\nQUEUED\n1) OK\n2) (integer) 2\n",
    );
    const piped = await cli(
      s,
      ["--pipe"],
      "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$1\r\n1\r\n*1\r\n$4\r\nEXEC\r\n",
    );
    assertMatch(piped, /errors: 0, replies: 3/);
    assertEquals(await cli(s, ["GET", "z"]), "1\n");
  },
);

cliTest("redis-cli --pipe inserts 10,000 keys from a RESP stream with no errors", async (s) => {
  const count = 10_000;
  let stream = "";
  for (let i = 0; i < count; i++) {
    const key = `key:${i}`;
    const value = `value:${i}:\x00\xff`;
    stream += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`;
  }
  const output = await cli(s, ["--pipe"], stream);
  assertMatch(output, new RegExp(`^errors: 0, replies: ${count}$`, "m"));
  const client = await s.connect();
  try {
    assertEquals(await client.send("DBSIZE"), count);
    assertEquals(await client.send("GET", "key:0"), "value:0:\x00\xff");
    assertEquals(await client.send("GET", `key:${count - 1}`), `value:${count - 1}:\x00\xff`);
  } finally {
    client.close();
  }
});

cliTest("redis-cli --scan lists every key exactly once, and --pattern filters them", async (s) => {
  const client = await s.connect();
  const users: string[] = [];
  const all: string[] = [];
  try {
    const commands: string[][] = [];
    for (let i = 0; i < 300; i++) {
      const key = i % 3 === 0 ? `order:${i}` : `user:${i}`;
      (key.startsWith("user:") ? users : all).push(key);
      commands.push(["SET", key, "x"]);
    }
    await client.pipeline(commands);
  } finally {
    client.close();
  }
  all.push(...users);
  const listed = (await cli(s, ["--scan"])).split("\n").filter((line) => line !== "");
  assertEquals(listed.sort(), all.sort());
  const matched = (await cli(s, ["--scan", "--pattern", "user:*"])).split("\n")
    .filter((line) => line !== "");
  assertEquals(matched.sort(), users.sort());
});

cliTest("redis-cli -3 talks RESP3 after HELLO 3 and shows maps and nulls", async (s) => {
  assertEquals(await cli(s, ["-3", "SET", "k", "v"]), "OK\n");
  assertEquals(await cli(s, ["-3", "GET", "k"]), "v\n");
  assertEquals(await cli(s, ["-3", "--no-raw", "GET", "missing"]), "(nil)\n");
  const hello = await cli(s, ["-3", "--no-raw", "HELLO", "3"]);
  assertMatch(hello, /^1# "server" => "[a-z]+"$/m);
  assertMatch(hello, /^3# "proto" => \(integer\) 3$/m);
});

cliTest("redis-cli -n selects the database for its commands", async (s) => {
  assertEquals(await cli(s, ["-n", "2", "SET", "in-db-2", "x"]), "OK\n");
  assertEquals(await cli(s, ["-n", "2", "GET", "in-db-2"]), "x\n");
  assertEquals(await cli(s, ["-n", "2", "DBSIZE"]), "1\n");
  assertEquals(await cli(s, ["DBSIZE"]), "0\n");
  const client = await s.connect();
  try {
    assertEquals(await client.send("GET", "in-db-2"), null);
    assertEquals(await client.send("SELECT", "2"), "OK");
    assertEquals(await client.send("GET", "in-db-2"), "x");
  } finally {
    client.close();
  }
});

/** redis-cli arguments, what it prints once subscribed, and what it prints for one message. */
const STREAMS: [string[], string, string][] = [
  [["SUBSCRIBE", "news"], "subscribe\nnews\n1\n", "message\nnews\nhello world\n"],
  [["PSUBSCRIBE", "n*"], "psubscribe\nn*\n1\n", "pmessage\nn*\nnews\nhello world\n"],
  [["-3", "SUBSCRIBE", "news"], "subscribe\nnews\n1\n", "message\nnews\nhello world\n"],
];

cliTest(
  "redis-cli SUBSCRIBE and PSUBSCRIBE print messages as they arrive, also with -3",
  async (s) => {
    const publisher = await s.connect();
    try {
      for (const [args, subscribed, message] of STREAMS) {
        const child = new Deno.Command("redis-cli", {
          args: ["-h", "127.0.0.1", "-p", String(s.port), ...args],
          stdin: "null",
          stdout: "piped",
          stderr: "null",
        }).spawn();
        const reader = child.stdout.getReader();
        let text = "";
        const readUntil = async (suffix: string) => {
          while (!text.endsWith(suffix)) {
            const { value, done } = await reader.read();
            if (done) throw new Error(`redis-cli ended after ${JSON.stringify(text)}`);
            text += new TextDecoder().decode(value);
          }
        };
        try {
          await readUntil(subscribed);
          assertEquals(await publisher.publish("news", "hello world"), 1);
          await readUntil(message);
          assertEquals(text, subscribed + message);
        } finally {
          reader.releaseLock();
          child.kill("SIGINT");
          await child.status;
          await child.stdout.cancel().catch(() => {});
        }
      }
    } finally {
      publisher.close();
    }
  },
);

/**
 * Runs `redis-cli args...` (which never ends by itself) with line-buffered output until it
 * printed `lines` lines, then stops it; returns those lines.
 */
async function cliLines(server: CompatServer, args: string[], lines: number): Promise<string[]> {
  const child = new Deno.Command("stdbuf", {
    args: ["-oL", "redis-cli", "-h", "127.0.0.1", "-p", String(server.port), ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let text = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      if (text.split("\n").length > lines) break;
    }
  } finally {
    clearTimeout(deadline);
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
  }
  return text.split("\n").slice(0, lines);
}

cliTest("redis-cli --stat shows keys, memory, clients and requests from INFO", async (s) => {
  assertEquals(await cli(s, ["MSET", "a", "1", "b", "2", "c", "3"]), "OK\n");
  assertEquals(await cli(s, ["-n", "1", "SET", "d", "4"]), "OK\n");
  const lines = await cliLines(s, ["--stat", "-i", "0.1"], 5);
  assertMatch(lines[0], /^-+ data -+ -+ load -+ - child -/);
  assertMatch(lines[1], /^keys +mem +clients +blocked +requests +connections/);
  for (const line of lines.slice(2)) {
    // keys over every database, memory with a unit, 1 client (itself), requests growing.
    assertMatch(line, /^4 +[0-9.]+[BKMG] +1 +0 +[0-9]+ \(\+[0-9]+\) +[0-9]+ *$/);
  }
});

cliTest("redis-cli --latency measures PING round trips and reports them", async (s) => {
  // Without a terminal it samples for a second and prints "min max avg samples".
  const [line] = (await cli(s, ["--latency"])).split("\n");
  const [min, max, avg, samples] = line.split(" ").map(Number);
  assertOk(min <= avg && avg <= max && samples > 10, line);
});

cliTest("redis-cli --bigkeys scans the keyspace and names the biggest string", async (s) => {
  assertEquals(await cli(s, ["SET", "small", "ab"]), "OK\n");
  assertEquals(await cli(s, ["SET", "big", "x".repeat(1000)]), "OK\n");
  const output = await cli(s, ["--bigkeys"]);
  assertMatch(output, /Sampled 2 keys in the keyspace!/);
  assertMatch(output, /Biggest string found '"big"' has 1000 bytes/);
  assertMatch(output, /2 strings with 1002 bytes \(100\.00% of keys, avg size 501\.00\)/);
});

cliTest(
  "redis-cli --memkeys sizes every key with MEMORY USAGE and names the biggest",
  async (s) => {
    assertEquals(await cli(s, ["SET", "small", "ab"]), "OK\n");
    assertEquals(await cli(s, ["SET", "big", "x".repeat(10_000)]), "OK\n");
    assertEquals(await cli(s, ["RPUSH", "list", "a", "b"]), "2\n");
    const output = await cli(s, ["--memkeys"]);
    assertMatch(output, /Sampled 3 keys in the keyspace!/);
    assertMatch(output, /Biggest string found '"big"' has 1\d{4} bytes/);
    assertMatch(output, /Biggest {3}list found '"list"' has \d+ bytes/);
  },
);

cliTest("redis-cli --hotkeys finds the most used key under an LFU policy", async (s) => {
  for (const key of ["a", "b", "c", "hot"]) await cli(s, ["SET", key, "v"]);
  // Refused without an LFU policy, as against Redis.
  const refused = await runTool(
    "redis-cli",
    ["-h", "127.0.0.1", "-p", String(s.port), "--hotkeys"],
    { timeoutMs: 30_000 },
  );
  assertMatch(
    refused.stdout + refused.stderr,
    /An LFU maxmemory policy is not selected/,
    JSON.stringify(refused),
  );
  assertEquals(await cli(s, ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]), "OK\n");
  await cli(s, ["-r", "50", "GET", "hot"]);
  const output = await cli(s, ["--hotkeys"]);
  const summary = output.slice(output.indexOf("-------- summary -------"));
  assertMatch(summary, /^hot key found with counter: (\d+)\tkeyname: "hot"$/m);
  const counters = [...summary.matchAll(/counter: (\d+)\tkeyname: "(\w+)"/g)];
  assertEquals(counters[0][2], "hot"); // the highest counter is listed first
  assertOk(Number(counters[0][1]) > 5, summary);
});

cliTest(
  "redis-cli --lru-test fills a cache under allkeys-lru and reports its hits and misses",
  async (s) => {
    const memory = await cli(s, ["INFO", "memory"]);
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(memory)![1]);
    // What maxmemory is compared with, plus room for a few thousand of its keys: the 20,000 it
    // uses do not all fit.
    const used = field("used_memory") - field("mem_not_counted_for_evict");
    assertEquals(await cli(s, ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]), "OK\n");
    assertEquals(await cli(s, ["CONFIG", "SET", "maxmemory", String(used + 1_000_000)]), "OK\n");
    // It runs until killed and prints a line a second.
    const lines = await cliLines(s, ["--lru-test", "20000"], 3);
    assertEquals(lines.length, 3, lines.join("\n"));
    for (const line of lines) {
      assertMatch(line, /^\d+ Gets\/sec \| Hits: \d+ \(\d+\.\d+%\) \| Misses: \d+ \(\d+\.\d+%\)$/);
    }
    // Once the cache is full, some gets hit and some miss.
    const [, hits, misses] = /Hits: (\d+) .* Misses: (\d+)/.exec(lines[2])!;
    assertOk(Number(hits) > 0 && Number(misses) > 0, lines[2]);
    const evicted = Number(/^evicted_keys:(\d+)/m.exec(await cli(s, ["INFO", "stats"]))![1]);
    assertOk(evicted > 0, `${evicted} keys evicted`);
  },
);
