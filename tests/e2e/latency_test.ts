/**
 * LATENCY and INFO latencystats through a real server: events recorded by slow commands, fast
 * commands, expire cycles, compaction slices and fsyncs once latency-monitor-threshold is set,
 * and the per-command histograms. Each event is produced by work that takes well over the 1 ms
 * threshold on any machine (scanning 200,000 keys), never by timing luck; the fsync event,
 * whose duration depends on the disk, is checked against the log's own fsync statistics.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { waitFor } from "../helpers/replication.ts";
import type { Client } from "../../src/client/mod.ts";
import { msetCommands, sendAll } from "../helpers/bulk.ts";

const KEYS = 200_000;

type Latest = [string, number, number, number][];

async function latest(client: Client): Promise<Map<string, [number, number, number]>> {
  const rows = await client.send("LATENCY", "LATEST") as Latest;
  return new Map(rows.map(([name, time, last, max]) => [name, [time, last, max]]));
}

function infoField(info: string, field: string): string {
  return new RegExp(`^${field}:(.*)\r$`, "m").exec(info)?.[1] ?? "";
}

Deno.test("slow commands, fast commands, expire cycles and compaction slices become latency events", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const bulk = await server.connect();
    await sendAll(bulk, msetCommands("key", KEYS));
    assertEquals(await client.send("LATENCY", "LATEST"), []); // off until a threshold is set
    assertEquals(await client.send("CONFIG", "SET", "latency-monitor-threshold", "1"), "OK");

    // KEYS scans every key (slow, not flagged fast); EXISTS checks 200,000 (flagged fast).
    assertEquals(await client.send("KEYS", "nomatch*"), []);
    const names = Array.from({ length: KEYS }, (_, i) => `key:${i}`);
    assertEquals(await sendAll(bulk, [["EXISTS", ...names]]), [KEYS]);
    const events = await latest(client);
    const now = Math.floor(Date.now() / 1000);
    for (const name of ["command", "fast-command"]) {
      const [time, last, max] = events.get(name) ?? [0, 0, 0];
      assertOk(Math.abs(time - now) <= 5, `${name} at ${time}, now ${now}`);
      assertOk(last >= 1 && max >= last, `${name}: ${last} ms, max ${max} ms`);
    }
    const history = await client.send("LATENCY", "HISTORY", "command") as number[][];
    assertOk(history.length >= 1 && history.every(([, ms]) => ms >= 1));
    const graph = await client.send("LATENCY", "GRAPH", "command") as string;
    assertMatch(graph, /^command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)\n-{80}\n/);
    assertMatch(
      await client.send("LATENCY", "DOCTOR") as string,
      /\d\. command: \d+ latency spike/,
    );

    // 20,000 keys expiring at the same moment keep a cycle busy for its whole 5 ms budget. They
    // must all be written before that moment (else cycles remove them a few at a time): on a
    // slow machine the deadline moves further out.
    for (let marginMs = 2000;; marginMs *= 2) {
      const deadline = Date.now() + marginMs;
      const sets = Array.from(
        { length: 20_000 },
        (_, i) => ["SET", `temp:${marginMs}:${i}`, "v", "PXAT", String(deadline)],
      );
      await sendAll(bulk, sets);
      if (Date.now() < deadline - 100) break;
      if (marginMs >= 16_000) throw new Error("Writing 20,000 keys took over 16 s");
    }
    await waitFor(async () => (await latest(client)).has("expire-cycle"), "the expire cycle");

    // A compaction of 200,000 keys runs in slices of at least 1 ms each.
    assertEquals(
      await client.send("BGREWRITEAOF"),
      "Background append only file rewriting started",
    );
    await waitFor(async () => {
      const info = await client.send("INFO", "persistence") as string;
      return infoField(info, "aof_rewrites") === "1";
    }, "the compaction");
    assertOk((await latest(client)).has("compaction-slice"), "no compaction-slice event");

    // Monitoring off before the resets: on a loaded machine any command (these too) can take
    // the 1 ms threshold and record a new event between a reset and the check after it.
    assertEquals(await client.send("CONFIG", "SET", "latency-monitor-threshold", "0"), "OK");
    assertEquals(await client.send("LATENCY", "RESET", "command", "nosuch"), 1);
    assertEquals((await latest(client)).has("command"), false);
    assertOk(await client.send("LATENCY", "RESET") as number >= 3);
    assertEquals(await client.send("LATENCY", "LATEST"), []);
    client.close();
    bulk.close();
  });
});

Deno.test("an fsync under --fsync always becomes a latency event exactly when it reaches the threshold", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("CONFIG", "SET", "latency-monitor-threshold", "1");
    // Big writes make slow fsyncs likely; whichever happened, the event must agree with the
    // log's own record of its slowest fsync.
    for (let i = 0; i < 5; i++) await client.send("SET", `big:${i}`, "x".repeat(4 << 20));
    const info = await client.send("INFO", "persistence") as string;
    const slowestMs = Math.floor(Number(infoField(info, "aof_fsync_max_usec")) / 1000);
    const event = (await latest(client)).get("aof-fsync-always");
    if (slowestMs >= 1) assertEquals(event?.[2], slowestMs);
    else assertEquals(event, undefined);
    client.close();
  });
});

Deno.test("LATENCY HISTOGRAM and INFO latencystats report each command's latency distribution", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    for (let i = 0; i < 20; i++) await client.send("SET", `k${i}`, "v");
    await client.send("GET", "k1");
    await client.send("CONFIG", "GET", "maxclients");

    const reply = await client.send("LATENCY", "HISTOGRAM", "set", "config", "nosuch") as unknown[];
    assertEquals(reply.length, 4); // set and config|get, as flat pairs in RESP2
    assertEquals(reply[0], "set");
    const [calls, count, label, buckets] = reply[1] as unknown[];
    assertEquals([calls, count, label], ["calls", 20, "histogram_usec"]);
    const pairs = buckets as number[];
    // Cumulative counts over increasing bucket labels, ending with every call.
    for (let i = 2; i < pairs.length; i += 2) {
      assertOk(pairs[i] > pairs[i - 2] && pairs[i + 1] > pairs[i - 1]);
    }
    assertEquals(pairs.at(-1), 20);
    assertEquals(reply[2], "config|get");

    const resp3 = await server.connect();
    await resp3.send("HELLO", "3");
    const map = await resp3.send("LATENCY", "HISTOGRAM", "get") as Map<
      string,
      Map<string, unknown>
    >;
    assertEquals(map.get("get")!.get("calls"), 1);
    assertOk(map.get("get")!.get("histogram_usec") instanceof Map);
    resp3.close();

    let info = await client.send("INFO", "latencystats") as string;
    assertMatch(info, /^# Latencystats\r\n/);
    assertMatch(
      info,
      /\r\nlatency_percentiles_usec_set:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n/,
    );
    assertMatch(info, /\r\nlatency_percentiles_usec_config\|get:p50=/);
    await client.send("CONFIG", "SET", "latency-tracking-info-percentiles", "50.5 100");
    info = await client.send("INFO", "latencystats") as string;
    assertMatch(info, /latency_percentiles_usec_set:p50\.5=\d+\.\d{3},p100=\d+\.\d{3}\r\n/);

    // With tracking off no more calls are counted; RESETSTAT forgets the histograms.
    await client.send("CONFIG", "SET", "latency-tracking", "no");
    await client.send("SET", "more", "v");
    const set = await client.send("LATENCY", "HISTOGRAM", "set") as unknown[];
    assertEquals((set[1] as unknown[])[1], 20);
    await client.send("CONFIG", "RESETSTAT");
    assertEquals(await client.send("LATENCY", "HISTOGRAM", "set"), []);
    client.close();
  });
});
