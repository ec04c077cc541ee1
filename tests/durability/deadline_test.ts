/**
 * Deadlines are logged as absolute Unix times, so a restart neither extends nor shortens a TTL.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { sleepPast } from "../helpers/deadlines.ts";

/**
 * One try of the restart test with `windowMs` left on the key: true when it ran, false when the
 * restart took longer than the window (the key was rightly gone, so nothing could be checked).
 */
async function restartWithin(windowMs: number): Promise<boolean> {
  const dir = await Deno.makeTempDir({ prefix: "hermes-deadline-" });
  try {
    const first = await startHermes([], { dir });
    const client = await first.connect();
    await client.send("SET", "soon", "v", "PX", String(windowMs));
    await client.send("SET", "forever", "v");
    await client.send("SET", "later", "v", "EX", "3600");
    // The deadline as the server fixed it (its clock, read when the SET ran).
    const deadline = await client.send("PEXPIRETIME", "soon") as number;
    client.close();
    await first.kill();

    const second = await startHermes([], { dir });
    try {
      const again = await second.connect();
      const asked = Date.now();
      const [expireTime, pttl] = await again.pipeline([
        ["PEXPIRETIME", "soon"],
        ["PTTL", "soon"],
      ]) as [number, number];
      if (expireTime === -2 || pttl === -2) {
        // Gone: only right if the deadline had passed when the server looked.
        assertOk(Date.now() > deadline, `the key was lost ${deadline - Date.now()} ms early`);
        again.close();
        return false;
      }
      assertEquals(expireTime, deadline);
      // A TTL restarted by replay would be back near windowMs; the absolute deadline leaves less.
      assertOk(pttl > 0 && pttl <= deadline - asked, `PTTL ${pttl}, ${deadline - asked} ms left`);
      assertEquals(await again.send("PTTL", "forever"), -1);
      assertOk((await again.send("TTL", "later") as number) > 3500);
      // Wait until just past the original deadline: the key must be gone, not windowMs later.
      await sleepPast(deadline);
      assertEquals(await again.send("GET", "soon"), null);
      assertEquals(await again.send("GET", "forever"), "v");
      again.close();
      return true;
    } finally {
      await second.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a key with 2 s left still expires on time after a restart", async () => {
  // A loaded machine may take longer than 2 s to restart: then try again with more time left.
  for (let windowMs = 2000; !await restartWithin(windowMs); windowMs *= 2) {
    assertOk(windowMs < 16_000, "the restarts never took less than 16 s");
  }
});

Deno.test("keys whose deadline passed while the server was down are dropped at start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-deadline-" });
  try {
    const first = await startHermes([], { dir });
    const client = await first.connect();
    // No active expiry: "brief" must still be in the log when the server stops, however long
    // that takes, to be dropped at the next start.
    assertEquals(await client.send("DEBUG", "SET-ACTIVE-EXPIRE", "0"), "OK");
    await client.pipeline([
      ["SET", "brief", "v", "PX", "1000"],
      ["SET", "persisted", "v", "PX", "1000"],
      ["PERSIST", "persisted"],
      ["SET", "kept", "v"],
    ]);
    // Both deadlines were at most a second after this reply.
    const passed = Date.now() + 1000;
    client.close();
    await first.stop();
    await sleepPast(passed);

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
