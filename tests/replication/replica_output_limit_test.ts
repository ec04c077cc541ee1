/**
 * The replica class of client-output-buffer-limit, as Redis applies it: a replica owed more
 * stream than `soft` for longer than its seconds is disconnected (online, or while its sync
 * runs), `replica-output-limit` is the class's hard limit by another name, and the RDB of a full
 * sync is not counted (Redis writes it outside the output buffer), so a data set bigger than
 * the limit still syncs.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { cleanup, info, waitFor } from "../helpers/replication.ts";
import type { Client } from "../../src/client/mod.ts";
import { readRdb } from "../../src/rdb/rdb_decoder.ts";

const ascii = (text: string) => new TextEncoder().encode(text);

async function replicas(client: Client): Promise<string | undefined> {
  return (await info(client, "replication")).get("connected_slaves");
}

/** Bytes the server has queued for its replica connections (CLIENT LIST omem). */
async function replicaOmem(client: Client): Promise<number> {
  const list = await client.send("CLIENT", "LIST", "TYPE", "replica") as string;
  return Math.max(0, ...[...list.matchAll(/ omem=(\d+) /g)].map((m) => Number(m[1])));
}

/** Values LZF cannot shrink much, so the RDB is about as big as the data. */
function noise(bytes: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const random = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += 65536) {
    crypto.getRandomValues(random.subarray(at, Math.min(bytes, at + 65536)));
  }
  let text = "";
  for (const byte of random) text += alphabet[byte & 63];
  return text;
}

Deno.test("a replica past the replica class's soft limit for longer than its seconds is dropped, online or syncing", async () => {
  const primary = await startHermes(["--client-output-buffer-limit", "replica 0 1mb 60"]);
  const p = await primary.connect();
  const online = await Deno.connect({ hostname: "127.0.0.1", port: primary.port });
  const syncing = await Deno.connect({ hostname: "127.0.0.1", port: primary.port });
  try {
    // Online: asks for the stream (SYNC-style, the RDB then the stream at once) and never reads.
    await online.write(ascii("PSYNC ? -1\r\n"));
    await waitFor(async () => await replicas(p) === "1", "the stuck replica to register");
    const value = "x".repeat(256 * 1024);
    for (let i = 0; i < 400 && await replicaOmem(p) <= 2 * 1024 * 1024; i++) {
      await p.send("SET", `big${i % 10}`, value);
    }
    assertOk(await replicaOmem(p) > 2 * 1024 * 1024, "the stream never piled up");
    // Past the soft limit, but not for 60 seconds: still connected.
    assertEquals(await replicas(p), "1");
    assertEquals(
      await p.send("CONFIG", "SET", "client-output-buffer-limit", "replica 0 1mb 1"),
      "OK",
    );
    // It has been past the soft limit for over a second: the once-a-second check drops it.
    await waitFor(async () => await replicas(p) === "0", "the stuck replica to be dropped");
    assertMatch(
      primary.output(),
      / closed: \d+ bytes queued, over client-output-buffer-limit replica 0 1048576 1\n/,
    );

    // Syncing: takes the RDB with an EOF mark and never sends the ACK that starts its stream,
    // so the stream it is owed waits in the primary (Redis counts it as its output buffer).
    await syncing.write(ascii("REPLCONF capa eof\r\nPSYNC ? -1\r\n"));
    await waitFor(async () => await replicas(p) === "1", "the syncing replica to register");
    await waitFor(
      async () =>
        (await info(p, "replication")).get("slave0")?.includes("state=send_bulk") ?? false,
      "the RDB to be sent",
    );
    for (let i = 0; i < 8; i++) await p.send("SET", `more${i}`, value);
    await waitFor(async () => await replicas(p) === "0", "the syncing replica to be dropped");
    assertMatch(
      primary.output(),
      /dropped: \d+ stream bytes queued during its sync, over client-output-buffer-limit replica 0 1048576 1\n/,
    );
    assertEquals(await p.send("GET", "more7"), value);
  } finally {
    online.close();
    syncing.close();
    await cleanup([p], [primary]);
  }
});

Deno.test("replica-output-limit is the replica class's hard limit, and an RDB bigger than it is not counted", async () => {
  const primary = await startHermes(["--replica-output-limit", "2mb"]);
  const p = await primary.connect();
  const stalled = await Deno.connect({ hostname: "127.0.0.1", port: primary.port });
  try {
    const limits = await p.send("CONFIG", "GET", "client-output-buffer-limit") as string[];
    assertMatch(limits[1], / slave 2097152 67108864 60 /);
    assertEquals(
      await p.send("CONFIG", "SET", "client-output-buffer-limit", "replica 3mb 0 0"),
      "OK",
    );
    assertEquals(await p.send("CONFIG", "GET", "replica-output-limit"), [
      "replica-output-limit",
      "3145728",
    ]);
    assertEquals(await p.send("CONFIG", "SET", "replica-output-limit", "2mb"), "OK");
    assertMatch(
      (await p.send("CONFIG", "GET", "client-output-buffer-limit") as string[])[1],
      / slave 2097152 0 0 /,
    );
    // About 12 MB of data: its RDB is several times the hard limit.
    for (let i = 0; i < 48; i++) await p.send("SET", `blob${i}`, noise(256 * 1024));
    // A replica that does not read for a while: the RDB waits for it in the primary, past the
    // hard limit, and it stays connected.
    await stalled.write(ascii("REPLCONF capa eof\r\nPSYNC ? -1\r\n"));
    // (The kernel takes a few MB of it first: a peer that does not read keeps a small window.)
    await waitFor(async () => await replicaOmem(p) > 3 * 1024 * 1024, "the RDB to pile up");
    assertEquals(await replicas(p), "1");
    // Once it reads, it gets the whole RDB, ACKs, and is online.
    const rdb = await readTransfer(stalled);
    let keys = 0;
    await readRdb(rdb, () => keys++);
    assertEquals(keys, 48);
    await stalled.write(ascii("REPLCONF ACK 0\r\n"));
    await waitFor(
      async () => (await info(p, "replication")).get("slave0")?.includes("state=online") ?? false,
      "the replica to go online",
    );
    assertOk(!/over client-output-buffer-limit/.test(primary.output()), primary.output());
  } finally {
    stalled.close();
    await cleanup([p], [primary]);
  }
});

/** Reads `+FULLRESYNC ...`, then an RDB sent as `$EOF:<mark>` ... `<mark>`; returns the RDB. */
async function readTransfer(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const buffer = new Uint8Array(1024 * 1024);
  let text = "";
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("the primary closed the connection");
    chunks.push(buffer.slice(0, n));
    total += n;
    // Only the start and the end hold text: the header line and the mark.
    if (text.length < 200) text += new TextDecoder("latin1").decode(buffer.subarray(0, n));
    const header = /\$EOF:(.{40})\r\n/.exec(text);
    if (header === null) continue;
    const all = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    const mark = ascii(header[1]);
    const tail = all.subarray(all.length - mark.length);
    if (tail.every((byte, i) => byte === mark[i])) {
      const start = header.index + header[0].length;
      return all.subarray(start, all.length - mark.length);
    }
  }
}
