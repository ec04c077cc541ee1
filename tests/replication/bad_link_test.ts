/**
 * Bad input on the replication link: a fake primary (a socket in this test) answers the
 * handshake and then sends a truncated RDB, an RDB with a wrong CRC-64, or garbage in the
 * stream. The replica logs what was wrong, keeps the data it had (never half-loaded) and
 * retries the sync.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { cleanup, waitFor } from "../helpers/replication.ts";
import { StreamParser } from "../../src/replication/stream_parser.ts";
import { RdbEncoder } from "../../src/rdb/rdb_encoder.ts";

const REPLID = "a".repeat(40);
const ascii = (text: string) => new TextEncoder().encode(text);

/** A valid RDB holding `loaded` = "yes". */
function goodRdb(): Uint8Array {
  const encoder = new RdbEncoder();
  encoder.header();
  encoder.selectDb(0);
  encoder.resizeDb(1, 0);
  encoder.entry("loaded", "yes", 0);
  const body = encoder.take();
  const tail = encoder.finish();
  const out = new Uint8Array(body.length + tail.length);
  out.set(body);
  out.set(tail, body.length);
  return out;
}

/**
 * Listens on a free port; each connection shakes hands and then gets `payload(n)` (n counts
 * connections from 1) after `+FULLRESYNC`. Returns the port, the connection count and a stop.
 */
function fakePrimary(payload: (connection: number) => Uint8Array) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const conns: Deno.Conn[] = [];
  const serve = async (conn: Deno.Conn, n: number) => {
    const parser = new StreamParser(1024 * 1024);
    const buffer = new Uint8Array(4096);
    try {
      while (true) {
        const read = await conn.read(buffer);
        if (read === null) return;
        parser.push(buffer.subarray(0, read));
        let command;
        while ((command = parser.next()) !== null) {
          const name = command.argv[0].toUpperCase();
          if (name === "PING") await conn.write(ascii("+PONG\r\n"));
          else if (name === "REPLCONF" && command.argv[1].toUpperCase() !== "ACK") {
            await conn.write(ascii("+OK\r\n"));
          } else if (name === "PSYNC") {
            await conn.write(ascii(`+FULLRESYNC ${REPLID} 0\r\n`));
            await conn.write(payload(n));
          }
        }
      }
    } catch { /* the replica hung up */ }
  };
  (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      serve(conn, ++connections);
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    connections: () => connections,
    stop() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
    },
  };
}

function withLength(rdb: Uint8Array, declared = rdb.length): Uint8Array {
  const header = ascii(`$${declared}\r\n`);
  const out = new Uint8Array(header.length + rdb.length);
  out.set(header);
  out.set(rdb, header.length);
  return out;
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
