/**
 * Sorted sets through kill -9: clients blocked in BZPOPMIN take elements while others ZADD
 * them; after a restart no acknowledged pop comes back and no acknowledged add is lost.
 */
import { assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("kill -9 while BZPOPMIN clients are blocked and ZADDs flow keeps every acknowledged add and pop", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-zset-crash-" });
  try {
    const server = await startHermes([], { dir });
    const added = new Set<string>();
    const attempted = new Set<string>();
    const popped = new Set<string>();
    let stop = false;
    const poppers = Array.from({ length: 3 }, async () => {
      const client = await server.connect();
      while (!stop) {
        try {
          const reply = await client.send("BZPOPMIN", "queue", "0") as string[] | null;
          if (reply !== null) popped.add(reply[1]);
        } catch {
          return; // the server was killed
        }
      }
    });
    const adders = Array.from({ length: 3 }, async (_, p) => {
      const client = await server.connect();
      for (let i = 0; !stop; i++) {
        const member = `p${p}-${i}`;
        attempted.add(member);
        try {
          await client.send("ZADD", "queue", String(i), member);
          added.add(member);
        } catch {
          return;
        }
        if (i % 50 === 0) await sleep(1);
      }
    });
    while (popped.size < 300) await sleep(10);
    await server.kill();
    stop = true;
    await Promise.all([...poppers, ...adders]);

    const restarted = await startHermes([], { dir });
    try {
      const c = await restarted.connect();
      const left = new Set(await c.send("ZRANGE", "queue", "0", "-1") as string[]);
      for (const member of popped) {
        assertOk(!left.has(member), `acknowledged pop of ${member} undone`);
      }
      // An acknowledged add is still there or was popped; a pop whose reply the kill cut off
      // (at most one per popping client) is the only way one may be missing.
      const missing = [...added].filter((member) => !left.has(member) && !popped.has(member));
      assertOk(missing.length <= 3, `acknowledged adds lost: ${missing.join(", ")}`);
      for (const member of left) assertOk(attempted.has(member), `${member} was never added`);
      assertOk(popped.size >= 300 && added.size >= 300, "the workload ran");
      c.close();
    } finally {
      await restarted.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
