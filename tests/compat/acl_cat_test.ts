/**
 * ACL CAT against redis-server: for every category, the commands Hermes lists are exactly those
 * Redis 7.0 lists that Hermes has (plus Hermes's own commands, which Redis does not know). The
 * order is not compared: Redis lists them in its hash table's order.
 */
import { assertEquals } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";

if (!redisAvailable()) {
  console.log("Skipping the ACL CAT comparison: redis-server is not on PATH");
}

Deno.test({
  name: "ACL CAT lists the same commands as Redis 7.0 in every category",
  ignore: !redisAvailable(),
  async fn() {
    const hermes = await startHermes();
    const redis = await startRedis();
    try {
      const h = await hermes.connect();
      const r = await redis.connect();
      const categories = await h.send("ACL", "CAT") as string[];
      assertEquals(categories, await r.send("ACL", "CAT"));
      const redisNames = new Set(await r.send("COMMAND", "LIST") as string[]);
      const hermesNames = new Set(await h.send("COMMAND", "LIST") as string[]);
      const ownCommands = [...hermesNames].filter((name) => !redisNames.has(name));
      let compared = 0;
      for (const category of categories) {
        const ours = (await h.send("ACL", "CAT", category) as string[])
          .filter((name) => !ownCommands.includes(name)).sort();
        const theirs = (await r.send("ACL", "CAT", category) as string[])
          .filter((name) => hermesNames.has(name)).sort();
        assertEquals(ours, theirs, `@${category}`);
        compared += theirs.length;
      }
      console.log(`  ${categories.length} categories, ${compared} memberships compared`);
      h.close();
      r.close();
    } finally {
      await hermes.stop();
      await redis.stop();
      await Deno.remove(hermes.dir, { recursive: true }).catch(() => {});
    }
  },
});
