/**
 * `hermes cli` end to end: one-shot commands, commands piped on stdin, and the interactive
 * prompt driven through a pseudo-terminal (`script` from util-linux), including a reconnect
 * after the server restarts on the same port. Reply printing is also compared byte for byte
 * with redis-cli's, both talking to the same redis-server.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes, withHermes } from "../helpers/hermes_process.ts";
import { freePort, hasCommand, redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { runTool, type ToolResult } from "../helpers/run_tool.ts";
import { waitFor } from "../helpers/replication.ts";
import { connect } from "../../src/client/mod.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

function cli(args: string[], stdin?: string): Promise<ToolResult> {
  return runTool(Deno.execPath(), ["run", "--allow-all", MAIN, "cli", ...args], { stdin });
}

// ---- one command from the command line ----

Deno.test("cli runs one command, prints the raw reply and exits 0", async () => {
  await withHermes(async (server) => {
    const port = String(server.port);
    const set = await cli(["-p", port, "SET", "greeting", "hello world"]);
    assertEquals([set.code, set.stdout, set.stderr], [0, "OK\n", ""]);
    const get = await cli(["--port", port, "GET", "greeting"]);
    assertEquals([get.code, get.stdout], [0, "hello world\n"]);
    const nil = await cli(["-p", port, "GET", "missing"]);
    assertEquals([nil.code, nil.stdout], [0, "\n"]);
  });
});

Deno.test("cli exits 1 on an error reply", async () => {
  await withHermes(async (server) => {
    const result = await cli(["-p", String(server.port), "GET"]);
    assertEquals(result.code, 1);
    assertEquals(result.stdout, "ERR wrong number of arguments for 'get' command\n\n");
    const tty = await cli(["-p", String(server.port), "--no-raw", "INCR"]);
    assertEquals(tty.code, 1);
    assertEquals(tty.stdout, "(error) ERR wrong number of arguments for 'incr' command\n");
  });
});

Deno.test("cli --no-raw prints replies as redis-cli does on a terminal", async () => {
  await withHermes(async (server) => {
    const port = String(server.port);
    const client = await server.connect();
    await client.send("SET", "q", 'say "hi"\n');
    await client.send("MSET", "a", "1", "b", "2");
    client.close();
    const run = async (...args: string[]) => (await cli(["-p", port, "--no-raw", ...args])).stdout;
    assertEquals(await run("GET", "q"), '"say \\"hi\\"\\n"\n');
    assertEquals(await run("MGET", "a", "nope", "b"), '1) "1"\n2) (nil)\n3) "2"\n');
    assertEquals(await run("INCR", "a"), "(integer) 2\n");
    assertEquals(await run("KEYS", "none*"), "(empty array)\n");
    assertEquals(await run("-3", "CONFIG", "GET", "maxclients"), '1# "maxclients" => "10000"\n');
  });
});

Deno.test("cli takes command arguments literally and sends text as UTF-8", async () => {
  await withHermes(async (server) => {
    const result = await cli(["-p", String(server.port), "SET", "k", '"a b" \\x41 é']);
    assertEquals(result.code, 0);
    const client = await server.connect();
    assertEquals(await client.getBytes("k"), new TextEncoder().encode('"a b" \\x41 é'));
    client.close();
  });
});

Deno.test("cli -n selects the database", async () => {
  await withHermes(async (server) => {
    assertEquals((await cli(["-p", String(server.port), "-n", "3", "SET", "k", "v"])).code, 0);
    const client = await server.connect();
    assertEquals(await client.get("k"), null);
    await client.select(3);
    assertEquals(await client.get("k"), "v");
    client.close();
  });
});

Deno.test("cli reports a server it cannot reach and exits 1", async () => {
  const port = freePort();
  const result = await cli(["-p", String(port), "PING"]);
  assertEquals(result.code, 1);
  assertEquals(result.stdout, "");
  assertEquals(
    result.stderr,
    `Could not connect to Hermes at 127.0.0.1:${port}: Connection refused\n`,
  );
});

Deno.test("cli rejects a bad flag with status 2 and prints usage on --help", async () => {
  const bad = await cli(["--port", "99999", "PING"]);
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr, /Cannot use "99999" for --port/);
  const help = await cli(["--help"]);
  assertEquals(help.code, 0);
  assertMatch(help.stdout, /^Usage: hermes cli \[options\] \[command \[arg \.\.\.\]\]/);
  const version = await cli(["--version"]);
  assertMatch(version.stdout, /^hermes cli \d+\.\d+\.\d+\n$/);
});

// ---- commands piped on stdin ----

Deno.test("cli runs commands piped on stdin one by one without a prompt", async () => {
  await withHermes(async (server) => {
    const result = await cli(
      ["-p", String(server.port)],
      'SET counter 10\r\nINCR counter\n\nSET "a key" "c\\x41d"\nGET "a key"\nGET counter',
    );
    assertEquals(result.stderr, "");
    assertEquals(result.stdout, "OK\n11\nOK\ncAd\n11\n");
    assertEquals(result.code, 0);
  });
});

Deno.test("cli piped commands keep going after errors and exit 1", async () => {
  await withHermes(async (server) => {
    const result = await cli(
      ["-p", String(server.port), "--no-raw"],
      'SET a 1\nGET "unbalanced\nINCR\nINCR a\n',
    );
    assertEquals(
      result.stdout,
      "OK\n(error) ERR wrong number of arguments for 'incr' command\n" +
        "(integer) 2\n",
    );
    assertEquals(result.stderr, "Invalid argument(s)\n");
    assertEquals(result.code, 1);
  });
});

Deno.test("cli prints binary values raw, byte for byte", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    await client.set("bin", bytes);
    client.close();
    const result = await cli(["-p", String(server.port)], "GET bin\n");
    assertEquals(result.stdout, String.fromCharCode(...bytes) + "\n");
  });
});

Deno.test("cli stops reading stdin at quit", async () => {
  await withHermes(async (server) => {
    const result = await cli(["-p", String(server.port)], "SET a 1\nquit\nSET a 2\n");
    assertEquals([result.code, result.stdout], [0, "OK\n"]);
    const client = await server.connect();
    assertEquals(await client.get("a"), "1");
    client.close();
  });
});

// ---- the interactive prompt, through a pseudo-terminal ----

const PTY_SKIP = hasCommand("script") ? null : "util-linux `script` is not installed";

/** The CLI running on a pseudo-terminal made by `script`; input is typed through its stdin. */
class PtySession {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #pump: Promise<void>;
  #raw = "";
  #mark = 0;

  constructor(args: string[], env: Record<string, string>) {
    const line = [Deno.execPath(), "run", "--allow-all", MAIN, "cli", ...args]
      .map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
    this.#child = new Deno.Command("script", {
      args: ["-qefc", line, "/dev/null"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env,
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    const stdout = this.#child.stdout;
    this.#pump = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stdout) this.#raw += decoder.decode(chunk);
    })();
    this.#child.stderr.cancel();
  }

  /** What the terminal showed, without escape sequences and carriage returns. */
  get screen(): string {
    // deno-lint-ignore no-control-regex
    return this.#raw.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "").replaceAll("\r", "");
  }

  /** Types `text` (add "\n" to press Enter); later waits look only at what follows. */
  async type(text: string): Promise<void> {
    this.#mark = this.screen.length;
    await this.#writer.write(new TextEncoder().encode(text));
  }

  /** Waits until the screen, since the last `type`, matches `pattern`; returns that part. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const recent = this.screen.slice(this.#mark);
      if (pattern.test(recent)) return recent;
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for ${pattern}; the screen since the last input:\n${recent}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Waits for the program to exit; returns its status. */
  async exit(): Promise<number> {
    await this.#writer.close().catch(() => {});
    const status = await this.#child.status;
    await this.#pump;
    return status.code;
  }

  kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch { /* gone */ }
  }
}

Deno.test({
  name: "the interactive prompt runs commands, shows formatted replies and keeps history",
  async fn() {
    if (PTY_SKIP) return console.log(`skipped: ${PTY_SKIP}`);
    const home = await Deno.makeTempDir({ prefix: "hermes-cli-home-" });
    const histfile = `${home}/history`;
    await withHermes(async (server) => {
      const address = `127.0.0.1:${server.port}`;
      const pty = new PtySession(["-p", String(server.port)], { HERMES_CLI_HISTFILE: histfile });
      try {
        await pty.waitFor(new RegExp(`${address}> $`));
        await pty.type('SET greeting "hello world"\n');
        assertMatch(await pty.waitFor(/OK\n.*> $/), /OK\n/);
        await pty.type("MGET greeting nope\n");
        assertMatch(await pty.waitFor(/> $/), /1\) "hello world"\n2\) \(nil\)\n/);
        await pty.type("INCR greeting\n");
        assertMatch(
          await pty.waitFor(/> $/),
          /\(error\) ERR value is not an integer or out of range\n/,
        );
        await pty.type('GET "oops\n');
        assertMatch(await pty.waitFor(/> $/), /Invalid argument\(s\)\n/);
        await pty.type("SELECT 2\n");
        await pty.waitFor(new RegExp(`${address}\\[2\\]> $`));
        await pty.type("help get\n");
        assertMatch(await pty.waitFor(/> $/), /\n {2}GET key\n {2}summary: /);
        await pty.type("help\n");
        assertMatch(await pty.waitFor(/> $/), /@string\n(.*\n)* {2}SET +\S/);
        await pty.type("2 INCR n\n");
        assertMatch(await pty.waitFor(/> $/), /\(integer\) 1\n\(integer\) 2\n/);
        await pty.type("quit\n");
        assertEquals(await pty.exit(), 0);
      } finally {
        pty.kill();
      }
      const saved = await Deno.readTextFile(histfile);
      assertMatch(saved, /^SET greeting "hello world"\nMGET greeting nope\n/);

      // A new session recalls the previous session's lines with the up arrow.
      const again = new PtySession(["-p", String(server.port)], { HERMES_CLI_HISTFILE: histfile });
      try {
        await again.waitFor(/> $/);
        await again.type("\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A");
        await again.waitFor(/MGET greeting nope$/);
        await again.type("\n");
        assertMatch(await again.waitFor(/> $/), /1\) "hello world"\n2\) \(nil\)\n/);
        await again.type("exit\n");
        assertEquals(await again.exit(), 0);
      } finally {
        again.kill();
      }
    });
    await Deno.remove(home, { recursive: true });
  },
});

Deno.test({
  name: "the interactive prompt reconnects after the server restarts and retries the command",
  async fn() {
    if (PTY_SKIP) return console.log(`skipped: ${PTY_SKIP}`);
    const port = freePort();
    let server: HermesProcess = await startHermes(["--port", String(port)]);
    const pty = new PtySession(["-p", String(port)], { HERMES_CLI_HISTFILE: "" });
    try {
      await pty.waitFor(/> $/);
      await pty.type("SELECT 1\n");
      await pty.waitFor(new RegExp(`127\\.0\\.0\\.1:${port}\\[1\\]> $`));
      await pty.type("SET k before\n");
      await pty.waitFor(/OK\n.*> $/);
      assertEquals(await server.stop(), 0);
      await Deno.remove(server.dir, { recursive: true }).catch(() => {});

      // While the server is down the command fails and the prompt says so.
      await pty.type("PING\n");
      const down = await pty.waitFor(/not connected> $/);
      assertMatch(down, /reconnecting and retrying once\n/);
      assertMatch(down, new RegExp(`Could not connect to Hermes at 127\\.0\\.0\\.1:${port}`));

      server = await startHermes(["--port", String(port)]);
      await pty.type("SET k after\n");
      await pty.waitFor(/OK\n.*> $/);
      // The restored connection is on database 1 again, as the user had selected.
      const client = await connect({ port });
      await client.select(1);
      assertEquals(await client.get("k"), "after");

      // A server restart while the prompt is idle: the next command notices and retries.
      assertEquals(await server.stop(), 0);
      await Deno.remove(server.dir, { recursive: true }).catch(() => {});
      server = await startHermes(["--port", String(port)]);
      await pty.type("GET k\n");
      const retried = await pty.waitFor(/\[1\]> $/);
      assertMatch(
        retried,
        /Connection to 127\.0\.0\.1:\d+ lost \(.*\); reconnecting and retrying once\n/,
      );
      assertMatch(retried, /\(nil\)\n/); // a fresh server: the retried GET ran on it
      client.close();
      await pty.type("quit\n");
      assertEquals(await pty.exit(), 0);
    } finally {
      pty.kill();
      await server.stop();
      await Deno.remove(server.dir, { recursive: true }).catch(() => {});
    }
  },
});

// ---- against redis-server and redis-cli, the reference ----

const REDIS_SKIP = !redisAvailable()
  ? "redis-server is not installed"
  : !hasCommand("redis-cli")
  ? "redis-cli is not installed"
  : null;

Deno.test("cli prints every reply type exactly as redis-cli does", async (t) => {
  if (REDIS_SKIP) {
    console.log(`skipped: ${REDIS_SKIP}`);
    return;
  }
  const redis = await startRedis(["--enable-debug-command", "yes"]);
  try {
    const port = String(redis.port);
    const setup = await redis.connect();
    await setup.send("SET", "s", 'tab\there "quoted" \xff\x00 é');
    await setup.send("RPUSH", "l", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k");
    await setup.send("HSET", "h", "f1", "v1", "f2", "v2");
    await setup.send("ZADD", "z", "1.5", "m", "2", "n");
    await setup.send("SADD", "set", "x");
    setup.close();
    const commands = [
      ["PING"],
      ["GET", "s"],
      ["GET", "missing"],
      ["EXISTS", "s", "l", "nope"],
      ["GET"],
      ["LRANGE", "l", "0", "-1"],
      ["LRANGE", "missing", "0", "-1"],
      ["HGETALL", "h"],
      ["-3", "HGETALL", "h"],
      ["-3", "HGETALL", "missing"],
      ["-3", "ZRANGE", "z", "0", "-1", "WITHSCORES"],
      ["-3", "ZSCORE", "z", "m"],
      ["-3", "SMEMBERS", "set"],
      ["-3", "SMEMBERS", "missing"],
      ["COMMAND", "DOCS", "GET", "SET"],
      ["-3", "COMMAND", "DOCS", "GET", "SET"],
      ["-3", "DEBUG", "PROTOCOL", "map"],
      ["-3", "DEBUG", "PROTOCOL", "set"],
      ["-3", "DEBUG", "PROTOCOL", "true"],
      ["-3", "DEBUG", "PROTOCOL", "false"],
      ["-3", "DEBUG", "PROTOCOL", "double"],
      ["-3", "DEBUG", "PROTOCOL", "null"],
      ["-3", "DEBUG", "PROTOCOL", "verbatim"],
    ];
    for (const style of ["--no-raw", "--raw"]) {
      await t.step(style, async () => {
        for (const command of commands) {
          const flags = command[0] === "-3" ? ["-3"] : [];
          const args = command[0] === "-3" ? command.slice(1) : command;
          const expected = await runTool("redis-cli", ["-p", port, style, ...flags, ...args]);
          const actual = await cli(["-p", port, style, ...flags, ...args]);
          assertEquals(actual.stdout, expected.stdout, `${style} ${command.join(" ")}`);
        }
      });
    }
  } finally {
    await redis.stop();
  }
});

Deno.test("cli --pass authenticates on connect (against redis-server)", async () => {
  if (!redisAvailable()) {
    console.log("skipped: redis-server is not installed (Hermes has no requirepass yet)");
    return;
  }
  const redis = await startRedis();
  try {
    const admin = await redis.connect();
    await admin.send("CONFIG", "SET", "requirepass", "s3cret");
    admin.close();
    const port = String(redis.port);
    const ok = await cli(["-p", port, "--pass", "s3cret", "SET", "k", "v"]);
    assertEquals([ok.code, ok.stdout], [0, "OK\n"]);
    const ok3 = await cli(["-p", port, "-3", "-a", "s3cret", "--no-raw", "GET", "k"]);
    assertEquals([ok3.code, ok3.stdout], [0, '"v"\n']);
    const none = await cli(["-p", port, "GET", "k"]);
    assertEquals(none.code, 1);
    assertMatch(none.stdout, /^NOAUTH Authentication required/);
    const wrong = await cli(["-p", port, "--pass", "nope", "GET", "k"]);
    assertEquals(wrong.code, 1);
    assertMatch(wrong.stderr, /^WRONGPASS invalid username-password pair/);
    const piped = await cli(["-p", port, "--pass", "s3cret"], "GET k\nDBSIZE\n");
    assertEquals([piped.code, piped.stdout], [0, "v\n1\n"]);
  } finally {
    await redis.stop();
  }
});

/**
 * Starts `hermes cli <args>` (a long-running SUBSCRIBE), and returns a reader of its stdout and
 * the child, for the caller to interrupt with SIGINT as a user would with Ctrl-C.
 */
function streamingCli(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, "cli", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const reader = child.stdout.getReader();
  const readUntil = async (suffix: string) => {
    while (!text.endsWith(suffix)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`cli ended before printing ${JSON.stringify(suffix)}: ${text}`);
      text += new TextDecoder().decode(value);
    }
    return text;
  };
  return { child, readUntil, release: () => reader.releaseLock() };
}

for (
  const [format, flags, subscribed, message] of [
    ["raw", [], "subscribe\nnews\n1\n", "message\nnews\nhello world\n"],
    [
      "redis-cli's terminal",
      ["--no-raw"],
      'Reading messages... (press Ctrl-C to quit)\n1) "subscribe"\n2) "news"\n3) (integer) 1\n',
      '1) "message"\n2) "news"\n3) "hello world"\n',
    ],
  ] as const
) {
  Deno.test(`cli SUBSCRIBE prints each message in ${format} form until Ctrl-C`, async () => {
    await withHermes(async (server) => {
      const cli = streamingCli(["-p", String(server.port), ...flags, "SUBSCRIBE", "news"]);
      try {
        await cli.readUntil(subscribed);
        const publisher = await server.connect();
        assertEquals(await publisher.publish("news", "hello world"), 1);
        assertEquals(await cli.readUntil(message), subscribed + message);
        cli.child.kill("SIGINT");
        const status = await cli.child.status;
        assertOk(!status.success, "the cli kept running after SIGINT");
        // It has left: the server no longer counts it as a subscriber.
        await waitFor(async () => await publisher.publish("news", "anyone?") === 0, "it to leave");
        await publisher.quit();
      } finally {
        cli.release();
        try {
          cli.child.kill("SIGKILL");
        } catch { /* already gone */ }
        await cli.child.status;
        await cli.child.stdout.cancel().catch(() => {});
        await cli.child.stderr.cancel().catch(() => {});
      }
    });
  });
}

Deno.test({
  name: "the interactive prompt shows (TX) in MULTI and the open BEGIN transaction's id",
  async fn() {
    if (PTY_SKIP) return console.log(`skipped: ${PTY_SKIP}`);
    await withHermes(async (server) => {
      const address = `127\\.0\\.0\\.1:${server.port}`;
      const pty = new PtySession(["-p", String(server.port)], { HERMES_CLI_HISTFILE: "" });
      try {
        await pty.waitFor(new RegExp(`${address}> $`));
        await pty.type("MULTI\n");
        await pty.waitFor(new RegExp(`OK\\n${address}\\(TX\\)> $`));
        await pty.type("INCR n\n");
        await pty.waitFor(new RegExp(`QUEUED\\n${address}\\(TX\\)> $`));
        await pty.type("EXEC\n");
        await pty.waitFor(new RegExp(`1\\) \\(integer\\) 1\\n${address}> $`));
        await pty.type("BEGIN\n");
        await pty.waitFor(new RegExp(`\\(integer\\) 1\\n${address}\\(tx 1\\)> $`));
        await pty.type("SELECT 2\n");
        await pty.waitFor(new RegExp(`${address}\\[2\\]\\(tx 1\\)> $`));
        await pty.type("COMMIT\n");
        await pty.waitFor(new RegExp(`OK\\n${address}\\[2\\]> $`));
        await pty.type("quit\n");
        assertEquals(await pty.exit(), 0);
      } finally {
        pty.kill();
      }
    });
  },
});
