/**
 * Bad input on the replication link: a fake primary (a socket in this test) answers the
 * handshake and then sends a truncated RDB, an RDB with a wrong CRC-64, or garbage in the
 * stream. The replica logs what was wrong, keeps the data it had (never half-loaded) and
 * retries the sync.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { cleanup, waitFor } from "../helpers/replication.ts";
import { fakePrimary, rdbOf, withLength } from "../helpers/fake_primary.ts";

const ascii = (text: string) => new TextEncoder().encode(text);

/** A valid RDB holding `loaded` = "yes". */
function goodRdb(): Uint8Array {
  return rdbOf({ 0: [["loaded", "yes", 0]] });
}

const cases: { name: string; payload: () => Uint8Array; log: RegExp; loads: boolean }[] = [
  {
    name: "a truncated RDB",
    // Announced whole, cut in the middle: then the connection drops.
    payload: () => withLength(goodRdb().subarray(0, 20), goodRdb().length),
    log: /connection closed by the primary|connection lost/,
    loads: false,
  },
  {
    name: "an RDB with a wrong CRC-64",
    payload: () => {
      const rdb = goodRdb();
      rdb[rdb.length - 3] ^= 0xff;
      return withLength(rdb);
    },
    log: /cannot load the RDB from 127\.0\.0\.1:\d+: RDB checksum mismatch.*Nothing was loaded/,
    loads: false,
  },
  {
    name: "garbage in the stream",
    payload: () => {
      const rdb = withLength(goodRdb());
      const garbage = ascii("this is not RESP\r\n");
      const out = new Uint8Array(rdb.length + garbage.length);
      out.set(rdb);
      out.set(garbage, rdb.length);
      return out;
    },
    log: /garbage in the replication stream: expected '\*'/,
    loads: true,
  },
];

for (const { name, payload, log, loads } of cases) {
  Deno.test(`${name} on the link is logged, nothing is half-loaded, and the sync is retried`, async () => {
    const fake = fakePrimary(() => payload());
    const server = await startHermes(["--repl-timeout", "1"]);
    const client = await server.connect();
    try {
      await client.send("SET", "kept", "1");
      assertEquals(await client.send("REPLICAOF", "127.0.0.1", String(fake.port)), "OK");
      await waitFor(() => fake.connections() >= 2, "the replica to retry the sync");
      assertMatch(server.output(), log);
      if (loads) {
        // The RDB itself was good: it replaced the data set as a whole.
        assertEquals(await client.send("GET", "loaded"), "yes");
        assertEquals(await client.send("EXISTS", "kept"), 0);
      } else {
        assertEquals(await client.send("GET", "kept"), "1");
        assertEquals(await client.send("EXISTS", "loaded"), 0);
      }
      assertOk(await client.send("REPLICAOF", "NO", "ONE"));
    } finally {
      fake.stop();
      await cleanup([client], [server]);
    }
  });
}
