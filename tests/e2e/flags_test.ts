/**
 * Every command-line flag through the real process (`deno run main.ts ...`): --help and
 * --version, refusals with status 2, and each setting taking effect in a running server.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes } from "../helpers/hermes_process.ts";
import { freePort } from "../helpers/redis_process.ts";
import { exchange, RawSocket } from "../helpers/raw_socket.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { VERSION } from "../../src/version.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Runs main.ts with `args` to completion (for flags that exit before serving). */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function withServer(
  args: string[],
  fn: (server: HermesProcess) => Promise<void>,
): Promise<void> {
  const server = await startHermes(args);
  try {
    await fn(server);
  } finally {
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
}

Deno.test("--help prints every flag with its default and exits 0", async () => {
  for (const flag of ["--help", "-h"]) {
    const { code, stdout, stderr } = await run([flag]);
    assertEquals(code, 0);
    assertEquals(stderr, "");
    assertMatch(stdout, /^hermes .*\n\nUsage: hermes \[file\] \[flags\]/);
    for (const setting of SETTINGS) assertMatch(stdout, new RegExp(`--${setting.name}\\b`));
    assertMatch(stdout, /--max-output <bytes> +Reply bytes queued .* \(default: 67108864\)/);
    assertMatch(stdout, /--version/);
  }
});

Deno.test("--version prints the version and exits 0", async () => {
  const { code, stdout } = await run(["--version"]);
  assertEquals(code, 0);
  assertEquals(stdout, `hermes ${VERSION}\n`);
});

Deno.test("an unknown flag or a bad value prints a clear message and exits 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /^hermes: Unknown flag "--bogus"\n/],
    [["--prot", "1"], /Unknown flag "--prot" \(did you mean "--port"\?\)/],
    [["--port", "1", "extra"], /Unexpected argument "extra"/],
    [["/no/such/hermes.conf"], /Cannot read the configuration file \/no\/such\/hermes.conf/],
    [["--port"], /Missing value for "--port"/],
    [["--host", ""], /Invalid value for "--host": cannot use host ""/],
    [["--port", "99999"], /Invalid value for "--port": .*between 0 and 65535/],
    [["--dir", ""], /Invalid value for "--dir"/],
    [["--maxclients", "none"], /Invalid value for "--maxclients": .*"none": not a whole number/],
    [["--timeout", "-5"], /Invalid value for "--timeout"/],
    [["--max-inline", "1"], /Invalid value for "--max-inline": .*between 16 and/],
    [["--max-bulk", "2pb"], /Invalid value for "--max-bulk": .*expected bytes such as/],
    [["--max-args", "0"], /Invalid value for "--max-args": .*between 16 and/],
    [["--max-output", "lots"], /Invalid value for "--max-output"/],
    [["--log-level", "chatty"], /Invalid value for "--log-level": .*expected one of debug/],
  ];
  // Two at a time: each is a process start.
  for (let i = 0; i < cases.length; i += 2) {
    await Promise.all(
      cases.slice(i, i + 2).map(async ([args, message]) => {
        const { code, stdout, stderr } = await run(args);
        assertEquals(code, 2, args.join(" "));
        assertEquals(stdout, "");
        assertMatch(stderr, message);
        assertMatch(stderr, /Run 'hermes --help' for the flags\./);
      }),
    );
  }
});

Deno.test("--host and --port choose the address, and a taken port exits 1", async () => {
  const port = freePort();
  const server = await startHermes(["--host", "127.0.0.1", "--port", String(port)]);
  try {
    assertEquals(server.port, port);
    assertMatch(server.output(), new RegExp(`ready on 127\\.0\\.0\\.1:${port} `));
    const client = await server.connect();
    assertEquals(await client.send("PING"), "PONG");
    client.close();
    const taken = await run(["--port", String(port), "--persistence", "none"]);
    assertEquals(taken.code, 1);
    assertMatch(taken.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
  } finally {
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("--dir is where the server keeps its files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-flags-dir-" });
  const server = await startHermes([], { dir });
  try {
    assertMatch(server.output(), new RegExp(` dir=${dir.replaceAll("/", "\\/")} `));
    const client = await server.connect();
    assertEquals(await client.send("SET", "k", "v"), "OK");
    client.close();
    const files = [];
    for await (const entry of Deno.readDir(dir)) files.push(entry.name);
    assertOk(files.length > 0, "nothing was written to --dir");
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("--maxclients, --timeout and the size limits take effect", async () => {
  const args = [
    "--maxclients",
    "3",
    "--timeout",
    "7",
    "--max-inline",
    "64",
    "--max-bulk",
    "1kb",
    "--max-args",
    "16",
    "--max-output",
    "64kb",
  ];
  await withServer(args, async (server) => {
    const client = await server.connect();
    const config = await client.send("CONFIG", "GET", "*");
    const values = new Map<string, string>();
    if (Array.isArray(config)) {
      for (let i = 0; i + 1 < config.length; i += 2) {
        values.set(String(config[i]), String(config[i + 1]));
      }
    }
    assertEquals(values.get("maxclients"), "3");
    assertEquals(values.get("timeout"), "7");
    const refusals: [string, string][] = [
      ["ECHO " + "x".repeat(100) + "\r\n", "too big inline request"],
      ["*2\r\n$4\r\nECHO\r\n$1025\r\n", "invalid bulk length"],
      ["*17\r\n", "invalid multibulk length"],
    ];
    for (const [request, message] of refusals) {
      const { reply, closed } = await exchange(server.port, request, 2000);
      assertEquals(reply, `-ERR Protocol error: ${message}\r\n`);
      assertOk(closed);
    }
    // --max-output: a client asking for far more than 64 KB and reading none is cut off.
    assertEquals(await client.send("SET", "big", "b".repeat(1000)), "OK");
    const hog = await RawSocket.connect(server.port);
    await hog.write("GET big\r\n".repeat(2000)); // 2 MB of replies in one go
    await hog.readUntilClosed();
    assertMatch(server.output(), /over max-output 65536/);
    hog.close();
    // --maxclients: with `client` connected, two more fit and the next is refused.
    const second = await server.connect();
    const third = await server.connect();
    assertEquals(await third.send("PING"), "PONG");
    const fourth = await RawSocket.connect(server.port);
    assertEquals(await fourth.readUntilClosed(), "-ERR max number of clients reached\r\n");
    second.close();
    third.close();
    client.close();
  });
});

Deno.test("--log-level debug logs protocol errors and warn hides routine notices", async () => {
  await withServer(["--log-level", "debug"], async (server) => {
    await exchange(server.port, 'ECHO "open\r\n', 2000);
    const deadline = Date.now() + 30_000;
    while (!/unbalanced quotes/.test(server.output()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assertMatch(server.output(), /Client id=\d+ addr=127\.0\.0\.1:\d+: unbalanced quotes/);
  });
  const quiet = await startHermes(["--log-level", "warn"]);
  try {
    await exchange(quiet.port, 'ECHO "open\r\n', 2000);
    assertEquals(await quiet.stop(), 0);
    assertOk(!/unbalanced quotes/.test(quiet.output()), quiet.output());
    assertOk(!/Received SIGTERM/.test(quiet.output()), quiet.output());
  } finally {
    await Deno.remove(quiet.dir, { recursive: true }).catch(() => {});
  }
});
