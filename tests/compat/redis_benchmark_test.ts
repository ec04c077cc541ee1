/**
 * redis-benchmark, the real one, against a real Hermes process: short runs of the common tests,
 * one request at a time and pipelined 16 deep, must finish with no error, and leave behind the
 * keys they wrote. Speed is never asserted here (see bench/ for that).
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { type CompatServer, compatSkipReason, withCompatServer } from "../helpers/compat_server.ts";
import { hasCommand } from "../helpers/redis_process.ts";
import { runTool } from "../helpers/run_tool.ts";

const skipReason = hasCommand("redis-benchmark")
  ? compatSkipReason()
  : "redis-benchmark is not on PATH (install redis-tools)";
if (skipReason) console.log(`Skipping the redis-benchmark tests: ${skipReason}`);

const TESTS = "ping_inline,ping_mbulk,set,get,incr,mset";
/** The name each test prints on its result line. */
const RESULT_NAMES = ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"];
const REQUESTS = 2000;

/** Runs redis-benchmark quietly and returns its final result lines (progress lines dropped). */
async function benchmark(server: CompatServer, extra: string[]): Promise<string[]> {
  const args = ["-h", "127.0.0.1", "-p", String(server.port)];
  args.push("-n", String(REQUESTS), "-c", "10", "-q", "-t", TESTS, ...extra);
  const result = await runTool("redis-benchmark", args, { timeoutMs: 60_000 });
  // Progress is redrawn with \r; each test's last state before \n is its result.
  const lines = result.stdout.split("\n")
    .map((line) => line.slice(line.lastIndexOf("\r") + 1).trim())
    .filter((line) => line !== "");
  const report = `redis-benchmark ${args.join(" ")}:\n${lines.join("\n")}\n${result.stderr}`;
  assertEquals(result.code, 0, report);
  assertEquals(result.stderr, "", report);
  // "WARNING: Could not fetch server CONFIG" or "Error from server: ..." must not appear.
  assertEquals(lines.filter((line) => /warning|error/i.test(line)), [], report);
  assertEquals(lines.map((line) => line.slice(0, line.indexOf(":"))), RESULT_NAMES, report);
  for (const line of lines) {
    assertOk(/: [0-9.]+ requests per second/.test(line), `not a result line: ${line}`);
  }
  return lines;
}

/** INCR's counter, whether SET's key exists, and the length of its value (3 random bytes). */
async function counterAndKeys(server: CompatServer): Promise<unknown[]> {
  const client = await server.connect();
  try {
    const [counter, exists, value] = await client.pipeline([
      ["GET", "counter:__rand_int__"],
      ["EXISTS", "key:__rand_int__"],
      ["GET", "key:__rand_int__"],
    ]);
    return [counter, exists, typeof value === "string" ? value.length : value];
  } finally {
    client.close();
  }
}

Deno.test({
  name: "redis-benchmark runs its common tests without errors, then pipelined 16 deep",
  ignore: skipReason !== null,
  fn: () =>
    withCompatServer(async (server) => {
      await benchmark(server, []);
      // Without -r every request uses the same keys: INCR ran exactly REQUESTS times.
      assertEquals(await counterAndKeys(server), [String(REQUESTS), 1, 3]);
      await benchmark(server, ["-P", "16"]);
      assertEquals(await counterAndKeys(server), [String(2 * REQUESTS), 1, 3]);
    }),
});
