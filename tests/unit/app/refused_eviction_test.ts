/**
 * Evictions in a round the log refuses (`--fsync always`, an injected fdatasync failure): an
 * eviction is a deletion through the journal, so the round's rollback puts the evicted keys
 * back, their DELs never reach the log and their `evicted` events never reach subscribers; once
 * the log works again, eviction happens anew and sticks.
 */
import { assertEquals, assertOk } from "../../helpers/assert.ts";
import { afterRestart, isRefusal, startInProcess } from "./in_process_app.ts";

const KEYS = 200;
const VALUE = "v".repeat(1000);

function field(info: unknown, name: string): number {
  const match = new RegExp(`^${name}:(\\d+)\\r?$`, "m").exec(String(info));
  if (match === null) throw new Error(`INFO has no ${name}`);
  return Number(match[1]);
}

Deno.test("evictions in a refused round are undone with it, then happen again once the log works", async () => {
  const h = await startInProcess({ maxmemoryPolicy: "allkeys-lru" });
  try {
    const [writer, subscriber] = [h.client(), h.client()];
    await h.send(writer, ["CONFIG", "SET", "notify-keyspace-events", "Ee"]);
    await h.send(subscriber, ["SUBSCRIBE", "__keyevent@0__:evicted"]);
    h.pending(subscriber);
    for (let i = 0; i < KEYS; i++) await h.send(writer, ["SET", `key:${i}`, VALUE]);
    const [info] = await h.send(writer, ["INFO", "memory"]);
    // Room for what is there, not for 100 KB more: the next write evicts about 100 keys.
    const limit = field(info, "used_memory") - field(info, "mem_not_counted_for_evict") + 20_000;
    await h.send(writer, ["CONFIG", "SET", "maxmemory", String(limit)]);
    const big = "b".repeat(100_000);
    const before = h.logged();
    assertEquals(before.length, KEYS);

    const evictedBefore = field((await h.send(writer, ["INFO", "stats"]))[0], "evicted_keys");
    h.faults.replan("fail-sync=1");
    // SET big takes memory over the limit; the next command's OOM gate evicts, in this round.
    const refused = await h.send(writer, ["SET", "big", big], ["SET", "small", "1"]);
    assertOk(refused.every(isRefusal), `${refused}`);
    // It did evict (evicted_keys is not taken back), and every evicted key is back.
    const [during] = await h.send(writer, ["INFO", "stats"]);
    assertOk(field(during, "evicted_keys") > evictedBefore, "the refused round evicted nothing");
    assertEquals(h.logged(), before, "the refused round's evictions were undone");
    assertEquals(h.pending(subscriber), [], "no evicted event of the refused round");
    await h.recovered();
    assertEquals(await h.send(writer, ["DBSIZE"]), [KEYS]);

    const [ok, okToo] = await h.send(writer, ["SET", "big", big], ["SET", "small", "1"]);
    assertEquals([ok, okToo], ["OK", "OK"]);
    // The pass may leave the rest to background slices: wait until memory is under the limit.
    const deadline = Date.now() + 30_000;
    while (true) {
      const [now] = await h.send(writer, ["INFO", "memory"]);
      if (field(now, "used_memory") - field(now, "mem_not_counted_for_evict") <= limit) break;
      assertOk(Date.now() < deadline, "memory stayed over the limit");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const present = new Set(h.logged().map(([, key]) => key));
    const gone = Array.from({ length: KEYS }, (_, i) => `key:${i}`).filter((k) => !present.has(k));
    assertOk(gone.length > 0 && present.has("big"), `${gone.length} keys evicted`);
    const events = h.pending(subscriber).map((message) => (message as string[])[2]);
    assertEquals(events.sort(), gone.sort(), "one evicted event per key gone");
    const live = h.logged();
    assertEquals(await afterRestart(h), live);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});
