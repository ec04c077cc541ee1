/**
 * The client library's helpers for sorted sets, bits, HyperLogLogs, LCS and SORT read both reply
 * protocols: the families of tests/embedded/typed_families.ts (run in RESP3 through the embedded
 * store and over TCP by families_test.ts) run here over RESP2 against Hermes, and over RESP2 and
 * RESP3 against redis-server, whose replies are the reference.
 */
import { connect } from "../../src/client/mod.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { TYPED_FAMILIES } from "../embedded/typed_families.ts";

async function runFamilies(t: Deno.TestContext, port: number, protocol: 2 | 3): Promise<void> {
  const db = await connect({ port, protocol });
  try {
    for (const family of TYPED_FAMILIES) {
      await t.step(`RESP${protocol}: ${family.name}`, async () => {
        await db.flushAll();
        await family.run({ db, another: () => connect({ port, protocol }) });
      });
    }
  } finally {
    db.close();
  }
}

Deno.test("the typed helpers of sorted sets, bits, LCS and SORT read RESP2 replies from Hermes", async (t) => {
  await withHermes((server) => runFamilies(t, server.port, 2));
});

Deno.test("the typed helpers of sorted sets, bits, LCS and SORT read redis-server's RESP2 and RESP3 replies", async (t) => {
  if (!redisAvailable()) {
    console.log("skipped: redis-server is not installed (the reference for reply shapes)");
    return;
  }
  const redis = await startRedis();
  try {
    await runFamilies(t, redis.port, 2);
    await runFamilies(t, redis.port, 3);
  } finally {
    await redis.stop();
  }
});
