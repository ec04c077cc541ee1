/**
 * HyperLogLogs byte for byte against redis-server 7.0: the same PFADDs give the same bytes in
 * both servers through the sparse form, the promotion and the dense form (and after PFCOUNT
 * writes its cache), and a value copied from one server with GET/SET counts the same in the
 * other and keeps growing the same way.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { connect, toBytes } from "../../src/client/mod.ts";
import { random } from "../helpers/random.ts";

const REDIS = redisAvailable();
if (!REDIS) console.log("Skipping the HyperLogLog byte tests: redis-server is not on PATH");

Deno.test({
  name:
    "PFADD, PFCOUNT and PFMERGE leave the same bytes in Hermes and Redis, and copies count the same",
  ignore: !REDIS,
  async fn() {
    const redis = await startRedis();
    try {
      await withHermes(async (server) => {
        const r = await connect({ port: redis.port });
        const h = await server.connect();
        const rand = random(17);
        let compared = 0;
        let sawDense = false;
        for (let round = 0; round < 120; round++) {
          const elements = Array.from(
            { length: 1 + Math.floor(rand() * 60) },
            () => `item:${Math.floor(rand() * 50_000)}`,
          );
          assertEquals(
            await h.send("PFADD", "hll", ...elements),
            await r.send("PFADD", "hll", ...elements),
          );
          if (round % 7 === 0) {
            assertEquals(await h.send("PFCOUNT", "hll"), await r.send("PFCOUNT", "hll"));
          }
          const bytes = await r.send("GET", "hll") as string;
          assertOk(await h.send("GET", "hll") === bytes, `bytes differ after round ${round}`);
          if (bytes.charCodeAt(4) === 0) sawDense = true;
          compared++;
        }
        assertOk(sawDense, "the workload reached the dense form");
        assertEquals(compared, 120);

        // A sparse and a dense value made by Redis, copied into Hermes, and the reverse.
        await r.send("PFADD", "small", "a", "b", "c");
        for (const key of ["small", "hll"]) {
          const value = await r.send("GET", key) as string;
          await h.send("SET", `copy:${key}`, toBytes(value));
          assertEquals(await h.send("PFCOUNT", `copy:${key}`), await r.send("PFCOUNT", key));
          await h.send("PFADD", `copy:${key}`, "one", "more");
          await r.send("PFADD", key, "one", "more");
          assertOk(await h.send("GET", `copy:${key}`) === await r.send("GET", key), key);
        }
        await h.send("PFADD", "hll", "one", "more");
        await h.send("PFADD", "mine", "x", "y");
        await r.send("SET", "from-hermes", toBytes(await h.send("GET", "mine") as string));
        assertEquals(await r.send("PFCOUNT", "from-hermes"), 2);
        assertEquals(await h.send("PFMERGE", "merged", "hll", "mine"), "OK");
        await r.send("SET", "mine", toBytes(await h.send("GET", "mine") as string));
        assertEquals(await r.send("PFMERGE", "merged", "hll", "mine"), "OK");
        assertOk(await h.send("GET", "merged") === await r.send("GET", "merged"), "PFMERGE bytes");
        r.close();
        h.close();
      });
    } finally {
      await redis.stop();
    }
  },
});
