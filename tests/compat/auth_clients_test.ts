/**
 * Real clients logging in to a Hermes with a default password and an ACL user: ioredis 6
 * (HELLO 3 AUTH user pass) and 5 (AUTH), node-redis 6 over RESP3 and RESP2, redis-cli `--user
 * --pass` and redis-benchmark `--user -a`. Each must log in, be refused what its user may not do
 * with Redis's NOPERM, and fail to connect with a wrong password.
 */
// Test-only client libraries, pinned as in the other compat tests.
// deno-lint-ignore no-import-prefix
import { Redis } from "npm:ioredis@6.0.0";
// deno-lint-ignore no-import-prefix
import { Redis as Redis5 } from "npm:ioredis@5.11.1";
// deno-lint-ignore no-import-prefix
import { createClient } from "npm:redis@6.3.1";
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { hasCommand } from "../helpers/redis_process.ts";
import { runTool, withTimeout } from "../helpers/run_tool.ts";

const STEP_MS = 10_000;
const KEY_DENIED =
  "NOPERM this user has no permissions to access one of the keys used as arguments";

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await withTimeout(promise, STEP_MS, "command");
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return "no error";
}

Deno.test("ioredis, node-redis, redis-cli and redis-benchmark log in with a username and password", async () => {
  const server = await startHermes(["--requirepass", "admin-pw"]);
  try {
    const admin = await server.connect().then(async (c) => {
      await c.send("AUTH", "admin-pw");
      return c;
    });
    await admin.send("ACL", "SETUSER", "app", "on", ">app-pw", "~app:*", "+@all");

    type AnyClient = new (options: Record<string, unknown>) => InstanceType<typeof Redis>;
    const clients: [string, AnyClient][] = [
      ["ioredis 6", Redis as unknown as AnyClient],
      ["ioredis 5", Redis5 as unknown as AnyClient],
    ];
    for (const [label, Client] of clients) {
      const client = new Client({
        port: server.port,
        username: "app",
        password: "app-pw",
        lazyConnect: true,
        retryStrategy: () => null,
      });
      await withTimeout(client.connect(), STEP_MS, `${label} connect`);
      assertEquals(await client.set("app:io", label), "OK", label);
      assertEquals(await refusal(client.get("other")), KEY_DENIED, label);
      client.disconnect();
      const wrong = new Client({
        port: server.port,
        username: "app",
        password: "nope",
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      // ioredis reports the server's refusal as an error event, then fails the connect.
      const events: string[] = [];
      wrong.on("error", (error: Error) => events.push(error.message));
      const why = await refusal(wrong.connect());
      assertMatch([why, ...events].join(" | "), /WRONGPASS invalid username-password pair/, label);
      wrong.disconnect();
    }

    for (const RESP of [3, 2] as const) {
      const client = createClient({
        RESP,
        username: "app",
        password: "app-pw",
        socket: { host: "127.0.0.1", port: server.port, reconnectStrategy: false },
      });
      client.on("error", () => {});
      await withTimeout(client.connect(), STEP_MS, `node-redis RESP${RESP} connect`);
      assertEquals(await client.set("app:node", `resp${RESP}`), "OK");
      assertEquals(await refusal(client.get("other")), KEY_DENIED);
      await client.close();
      const wrong = createClient({
        RESP,
        username: "app",
        password: "nope",
        socket: { host: "127.0.0.1", port: server.port, reconnectStrategy: false },
      });
      wrong.on("error", () => {});
      assertMatch(await refusal(wrong.connect()), /WRONGPASS/);
    }

    if (hasCommand("redis-cli")) {
      const ok = await runTool("redis-cli", [
        "-p",
        String(server.port),
        "--user",
        "app",
        "--pass",
        "app-pw",
        "--no-auth-warning",
        "GET",
        "app:node",
      ]);
      assertEquals(ok.stdout, "resp2\n");
      const denied = await runTool("redis-cli", [
        "-p",
        String(server.port),
        "--user",
        "app",
        "--pass",
        "app-pw",
        "--no-auth-warning",
        "GET",
        "other",
      ]);
      assertEquals(denied.stdout.trimEnd(), KEY_DENIED);
    } else console.log("  redis-cli is not on PATH: its part is skipped");
    if (hasCommand("redis-benchmark")) {
      const bench = await runTool("redis-benchmark", [
        "-p",
        String(server.port),
        "--user",
        "app",
        "-a",
        "app-pw",
        "-n",
        "200",
        "-c",
        "2",
        "-t",
        "ping",
        "-q",
      ]);
      assertOk(
        /PING_MBULK: [\d.]+ requests per second/.test(bench.stdout),
        bench.stdout + bench.stderr,
      );
    } else console.log("  redis-benchmark is not on PATH: its part is skipped");
    admin.close();
  } finally {
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
});
