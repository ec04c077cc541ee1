/**
 * The flags that decide how a command is treated under memory pressure and on replicas
 * (denyoom, write, readonly), compared with redis-server 7.0's COMMAND INFO for every command and
 * subcommand both have: the OOM gate, MISCONF and READONLY all read them.
 */
import { assertEquals } from "../helpers/assert.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import type { Client } from "../../src/client/mod.ts";

const FLAGS = ["denyoom", "write", "readonly"];

/** name -> the FLAGS among its COMMAND INFO flags, for every command and subcommand. */
async function flagTable(client: Client): Promise<Map<string, string[]>> {
  const names = await client.send("COMMAND", "LIST") as string[];
  const table = new Map<string, string[]>();
  for (const name of names) {
    const [info] = await client.send("COMMAND", "INFO", name) as unknown[][];
    const entries = [info, ...(info[9] as unknown[][] ?? [])];
    for (const entry of entries) {
      const flags = (entry[2] as string[]).filter((flag) => FLAGS.includes(flag)).sort();
      table.set(entry[0] as string, flags);
    }
  }
  return table;
}

Deno.test({
  name: "every command both servers have carries Redis 7.0's denyoom, write and readonly flags",
  ignore: !redisAvailable(),
  async fn() {
    const hermes = await startHermes();
    const redis = await startRedis();
    try {
      const [ours, theirs] = await Promise.all([
        hermes.connect().then(async (c) => (await flagTable(c).finally(() => c.close()))),
        redis.connect().then(async (c) => (await flagTable(c).finally(() => c.close()))),
      ]);
      const differences: string[] = [];
      let compared = 0;
      for (const [name, flags] of ours) {
        const reference = theirs.get(name);
        if (reference === undefined) continue;
        compared++;
        if (flags.join() !== reference.join()) {
          differences.push(`${name}: hermes [${flags}] redis [${reference}]`);
        }
      }
      assertEquals(differences, []);
      assertEquals(compared > 150, true, `${compared} commands compared`);
    } finally {
      await hermes.stop();
      await Deno.remove(hermes.dir, { recursive: true }).catch(() => {});
      await redis.stop();
    }
  },
});
