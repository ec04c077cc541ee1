/**
 * Closing an embedded store: calls in flight are answered, a blocking pop still waiting fails
 * saying the store was closed, later calls fail clearly, and the data is on disk.
 */
import { open } from "../../mod.ts";
import { assertEquals, assertRejects } from "../helpers/assert.ts";

Deno.test("close answers the calls in flight and fails a waiting pop and later calls clearly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-embedded-close-" });
  try {
    const db = await open({ dir });
    const waiting = db.blpop("never", 0);
    const deadline = Date.now() + 30_000;
    while (!/blocked_clients:1/.test(await db.info("clients")) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const writes = Array.from({ length: 100 }, (_, i) => db.set(`k${i}`, String(i)));
    const closing = db.close();
    assertEquals(await Promise.all(writes), Array(100).fill("OK"));
    await assertRejects(() => waiting, /the store was closed/);
    await closing;
    await assertRejects(() => db.get("k1"), /Cannot run GET: the store is closed/);
    await assertRejects(() => db.listen({ port: 0 }), /the store is closed/);
    await db.close(); // again: nothing to do
    await using reopened = await open({ dir });
    assertEquals(await reopened.mget("k0", "k99"), ["0", "99"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
