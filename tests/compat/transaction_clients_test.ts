/**
 * Transactions from real client libraries against a real Hermes process (or redis-server with
 * HERMES_COMPAT_TARGET=redis): ioredis 6 and 5 `multi()`/`exec()`, `watch()` and pipelined
 * MULTI blocks; node-redis 6 `multi().exec()` with `watch()`, and node-redis 4's
 * `executeIsolated`.
 */
// Test-only client libraries, pinned here rather than in deno.json: nothing else uses them.
// deno-lint-ignore no-import-prefix
import { Redis } from "npm:ioredis@6.0.0";
// deno-lint-ignore no-import-prefix
import { Redis as Redis5 } from "npm:ioredis@5.11.1";
// deno-lint-ignore no-import-prefix
import { createClient } from "npm:redis@6.3.1";
// deno-lint-ignore no-import-prefix
import { createClient as createClient4 } from "npm:redis@4.7.1";
import { assertEquals, assertOk, assertRejects } from "../helpers/assert.ts";
import { compatSkipReason, withCompatServer } from "../helpers/compat_server.ts";
import { withTimeout } from "../helpers/run_tool.ts";
import { type AnyRedis, openIoredis } from "./ioredis_client.ts";

const skipReason = compatSkipReason();
if (skipReason) console.log(`Skipping the transaction client tests: ${skipReason}`);

const STEP_MS = 10_000;

/** MULTI/EXEC, a WATCH that fires, EXECABORT and errors in place, through ioredis. */
async function ioredisTransactions(client: AnyRedis, other: AnyRedis): Promise<void> {
  assertEquals(await client.multi().set("n", "1").incr("n").incrby("n", 5).get("n").exec(), [
    [null, "OK"],
    [null, 2],
    [null, 7],
    [null, "7"],
  ]);

  // An error at run time is returned in place; the other commands ran.
  await client.set("text", "hello");
  const mixed = await client.multi().incr("text").set("after", "ran").exec();
  assertOk(mixed![0][0] instanceof Error);
  assertEquals(mixed![0][0]!.message, "ERR value is not an integer or out of range");
  assertEquals(mixed![1], [null, "OK"]);

  // A command refused while queueing aborts the whole transaction.
  await assertRejects(
    () => client.multi().set("never", "1").call("NOSUCHCOMMAND").exec(),
    (error: Error) => error.message.includes("EXECABORT"),
  );
  assertEquals(await client.exists("never"), 0);

  // WATCH: another client's change makes EXEC return null; unchanged, it runs.
  assertEquals(await client.watch("balance"), "OK");
  await other.set("balance", "100");
  assertEquals(await client.multi().set("balance", "0").exec(), null);
  assertEquals(await client.get("balance"), "100");
  await client.watch("balance");
  assertEquals(await client.multi().decrby("balance", 30).exec(), [[null, 70]]);

  // multi() sends MULTI, the commands and EXEC in one write; with { pipeline: false } each
  // command goes out on its own and is answered QUEUED.
  const stepwise = client as unknown as {
    multi(options: { pipeline: false }): Promise<string>;
    incr(key: string): Promise<unknown>;
    exec(): Promise<[Error | null, unknown][]>;
  };
  assertEquals(await stepwise.multi({ pipeline: false }), "OK");
  assertEquals(await stepwise.incr("p"), "QUEUED");
  assertEquals(await stepwise.incr("p"), "QUEUED");
  assertEquals(await stepwise.exec(), [[null, 1], [null, 2]]);
}

Deno.test({
  name: "ioredis 6 (RESP3) and 5 (RESP2) run multi()/exec() and watch() as against Redis",
  ignore: skipReason !== null,
  fn: () =>
    withCompatServer(async (server) => {
      for (const Client of [Redis, Redis5]) {
        const client = await openIoredis(Client as typeof Redis, server);
        const other = await openIoredis(Client as typeof Redis, server);
        try {
          await client.flushall();
          await ioredisTransactions(client, other);
        } finally {
          client.disconnect();
          other.disconnect();
        }
      }
    }),
});

Deno.test({
  name:
    "node-redis 6 runs multi().exec(), refuses EXEC after a WATCHed change, and node-redis 4 runs executeIsolated",
  ignore: skipReason !== null,
  fn: () =>
    withCompatServer(async (server) => {
      const socket = { host: "127.0.0.1", port: server.port, reconnectStrategy: false as const };
      const client = createClient({ RESP: 3, socket });
      const other = createClient({ RESP: 2, socket });
      client.on("error", () => {});
      other.on("error", () => {});
      await withTimeout(Promise.all([client.connect(), other.connect()]), STEP_MS, "connect");
      try {
        await client.flushAll();
        assertEquals(await client.multi().set("n", "1").incr("n").get("n").exec(), [
          "OK",
          2,
          "2",
        ]);
        await client.watch("n");
        await other.set("n", "9");
        await assertRejects(
          () => client.multi().incr("n").exec(),
          (error: Error) => /watched keys has been changed/.test(error.message),
        );
        assertEquals(await client.get("n"), "9");
      } finally {
        client.destroy();
        other.destroy();
      }

      const v4 = createClient4({ socket });
      v4.on("error", () => {});
      await withTimeout(v4.connect(), STEP_MS, "node-redis 4 connect");
      try {
        const result = await v4.executeIsolated(async (isolated) => {
          await isolated.watch("counter");
          const current = Number(await isolated.get("counter"));
          return isolated.multi().set("counter", String(current + 1)).get("counter").exec();
        });
        assertEquals(result, ["OK", "1"]);
      } finally {
        await v4.disconnect();
      }
    }),
});
