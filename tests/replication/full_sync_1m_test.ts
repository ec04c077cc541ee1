/**
 * A full sync of one million keys: the primary's snapshot is made in slices while it keeps
 * serving, the replica loads it into fresh keyspaces and swaps it in, and both end equal.
 */
import { assertEquals } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { cleanup, info, startReplica, waitFor, waitInSync } from "../helpers/replication.ts";

const KEYS = 1_000_000;
const PER_MSET = 1000;

Deno.test("a replica full-syncs one million keys and matches the primary", async () => {
  const primary = await startHermes(["--persistence", "none"]);
  const p = await primary.connect();
  for (let start = 0; start < KEYS; start += PER_MSET * 100) {
    const batch: string[][] = [];
    for (let m = start; m < Math.min(KEYS, start + PER_MSET * 100); m += PER_MSET) {
      const args = ["MSET"];
      for (let i = m; i < m + PER_MSET; i++) args.push(`user:${i}`, `value-${i}`);
      batch.push(args);
    }
    await p.pipeline(batch);
  }
  await p.send("PEXPIRE", "user:7", "3600000");
  assertEquals(await p.send("DBSIZE"), KEYS);
  const replica = await startReplica(primary.port, ["--fsync", "everysec"]);
  const r = await replica.connect();
  try {
    // Writes during the sync reach the replica too.
    await waitFor(
      async () => (await info(p, "replication")).get("connected_slaves") === "1",
      "the replica to connect",
    );
    await p.send("SET", "during", "sync");
    await waitInSync(p, r, "the replica after a 1M-key full sync");
    assertEquals(await r.send("DBSIZE"), KEYS + 1);
    for (const i of [0, 1, 7, 499_999, 999_999]) {
      assertEquals(await r.send("GET", `user:${i}`), `value-${i}`);
    }
    assertEquals(await r.send("PEXPIRETIME", "user:7"), await p.send("PEXPIRETIME", "user:7"));
    assertEquals(await r.send("GET", "during"), "sync");
  } finally {
    await cleanup([p, r], [replica, primary]);
  }
});
