/**
 * Deadlines are logged as absolute Unix times, so a restart neither extends nor shortens a TTL.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("a key with 2 s left still expires on time after a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-deadline-" });
  try {
    const first = await startHermes([], { dir });
    const client = await first.connect();
    const setAt = Date.now();
    await client.send("SET", "soon", "v", "PX", "2000");
    await client.send("SET", "forever", "v");
    await client.send("SET", "later", "v", "EX", "3600");
    // The deadline as the server fixed it (its clock, read when the SET ran), not setAt + 2000.
    const deadline = await client.send("PEXPIRETIME", "soon") as number;
    client.close();
    await first.kill();

    const second = await startHermes([], { dir });
    try {
      const again = await second.connect();
      assertEquals(await again.send("PEXPIRETIME", "soon"), deadline);
      const asked = Date.now();
      const pttl = await again.send("PTTL", "soon") as number;
      const elapsed = asked - setAt;
      // A TTL restarted by replay would be back near 2000 ms; the absolute deadline leaves less.
      assertOk(pttl > 0 && pttl <= deadline - asked, `PTTL ${pttl} after ${elapsed} ms`);
      assertEquals(await again.send("PTTL", "forever"), -1);
      assertOk((await again.send("TTL", "later") as number) > 3590);
      // Wait until just past the original deadline: the key must be gone, not 2 s later.
      await sleep(Math.max(0, deadline - Date.now()) + 150);
      assertEquals(await again.send("GET", "soon"), null);
      assertEquals(await again.send("GET", "forever"), "v");
      again.close();
    } finally {
      await second.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("keys whose deadline passed while the server was down are dropped at start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-deadline-" });
  try {
    const first = await startHermes([], { dir });
    const client = await first.connect();
    await client.send("SET", "brief", "v", "PX", "200");
    await client.send("SET", "persisted", "v", "PX", "200");
    await client.send("PERSIST", "persisted");
    await client.send("SET", "kept", "v");
    client.close();
    await first.stop();
    await sleep(300);

    const second = await startHermes([], { dir });
    try {
      const again = await second.connect();
      assertEquals(await again.send("MGET", "brief", "persisted", "kept"), [null, "v", "v"]);
      assertEquals(await again.send("DBSIZE"), 2);
      again.close();
      assertMatch(second.output(), /2 keys \(1 expired keys dropped\)/);
    } finally {
      await second.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
