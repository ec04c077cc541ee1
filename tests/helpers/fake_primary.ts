/**
 * A fake primary for replication tests: a socket that answers a replica's handshake (PING,
 * REPLCONF, PSYNC or SYNC) with `+FULLRESYNC` and bytes of the test's choosing, then sends
 * whatever the test broadcasts as its stream. Hermes and redis-server replicas both follow it.
 */
import { StreamParser } from "../../src/replication/stream_parser.ts";
import { RdbEncoder } from "../../src/rdb/rdb_encoder.ts";

export const FAKE_REPLID = "a".repeat(40);
const ascii = (text: string) => new TextEncoder().encode(text);

export interface FakePrimary {
  port: number;
  /** Connections accepted so far (a replica retrying its sync connects again). */
  connections(): number;
  /** Sends `bytes` to every replica past its PSYNC: the replication stream. */
  broadcast(bytes: Uint8Array): Promise<void>;
  stop(): void;
}

/**
 * Listens on a free port; each connection shakes hands and then gets `payload(n)` (n counts
 * connections from 1) after `+FULLRESYNC`.
 */
export function fakePrimary(payload: (connection: number) => Uint8Array): FakePrimary {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const conns: Deno.Conn[] = [];
  const synced = new Set<Deno.Conn>();
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
          } else if (name === "PSYNC" || name === "SYNC") {
            await conn.write(ascii(`+FULLRESYNC ${FAKE_REPLID} 0\r\n`));
            await conn.write(payload(n));
            synced.add(conn);
          }
        }
      }
    } catch { /* the replica hung up */ }
    synced.delete(conn);
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
    async broadcast(bytes) {
      for (const conn of synced) await conn.write(bytes);
    },
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

/** `$<length>\r\n` and the RDB, as a primary sends it after +FULLRESYNC. */
export function withLength(rdb: Uint8Array, declared = rdb.length): Uint8Array {
  const header = ascii(`$${declared}\r\n`);
  const out = new Uint8Array(header.length + rdb.length);
  out.set(header);
  out.set(rdb, header.length);
  return out;
}

/** A whole RDB (header, the entries of each database, EOF, CRC-64). */
export function rdbOf(
  databases: Record<number, [key: string, value: string, expireAtMs: number][]>,
): Uint8Array {
  const encoder = new RdbEncoder();
  encoder.header();
  for (const [db, entries] of Object.entries(databases)) {
    encoder.selectDb(Number(db));
    encoder.resizeDb(entries.length, entries.filter((entry) => entry[2] > 0).length);
    for (const [key, value, expireAtMs] of entries) encoder.entry(key, value, expireAtMs);
  }
  const body = encoder.take();
  const tail = encoder.finish();
  const out = new Uint8Array(body.length + tail.length);
  out.set(body);
  out.set(tail, body.length);
  return out;
}
