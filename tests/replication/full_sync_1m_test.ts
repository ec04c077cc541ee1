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
    // Writes while the snapshot is made and sent reach the replica too, exactly once.
    await waitFor(
      async () => (await info(p, "replication")).get("connected_slaves") === "1",
      "the replica to connect",
    );
    const writes: string[][] = [];
    for (let i = 0; i < 3000; i++) {
      const key = `user:${(i * 7919) % KEYS}`;
      writes.push(
        i % 3 === 0 ? ["INCR", `counter:${i % 50}`] : i % 3 === 1 ? ["APPEND", key, "+"] : [
          "DEL",
          `user:${(i * 104729) % KEYS}`,
        ],
      );
    }
    for (let i = 0; i < writes.length; i += 100) await p.pipeline(writes.slice(i, i + 100));
    await p.send("SET", "during", "sync");
    await waitInSync(p, r, "the replica after a 1M-key full sync");
    assertEquals(await r.send("DBSIZE"), await p.send("DBSIZE"));
    const sample = [
      ...Array.from({ length: 50 }, (_, i) => `counter:${i}`),
      ...Array.from({ length: 200 }, (_, i) => `user:${(i * 7919) % KEYS}`),
      ...Array.from({ length: 200 }, (_, i) => `user:${(i * 104729) % KEYS}`),
    ];
    assertEquals(await r.send("MGET", ...sample), await p.send("MGET", ...sample));
    for (const i of [0, 1, 7, 499_999, 999_999]) {
      assertEquals(await r.send("GET", `user:${i}`), `value-${i}`);
    }
    assertEquals(await r.send("PEXPIRETIME", "user:7"), await p.send("PEXPIRETIME", "user:7"));
    assertEquals(await r.send("GET", "during"), "sync");
  } finally {
    await cleanup([p, r], [replica, primary]);
  }
});
