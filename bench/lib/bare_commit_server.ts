/**
 * The floor of a durable Deno server, for bench/durable_set.ts: a server that does nothing but
 * group commit. It finds the RESP commands of each read, appends the raw request bytes to a
 * log, makes them durable with fdatasync and answers `+OK` to each command. No parsing into
 * strings, no keyspace, no record encoding: whatever Hermes spends beyond this is its own work,
 * and whatever this reaches is the ceiling for any Deno server with the same commit scheme.
 *
 * Two commit schemes, as Hermes could use them:
 * - `blocking`: everything that arrived in one tick is one round: one write, one blocking
 *   `syncDataSync()`, then the replies (what Hermes does, and what Redis does).
 * - `async`: a round's bytes are written at once and wait for an fdatasync running on
 *   another thread; rounds keep running meanwhile and share the next fdatasync.
 * - `pipelined`: as `async`, but a round that ends while an fdatasync is in flight is not
 *   written then: rounds gather, and are written and synced as one group when it completes
 *   (no write contends with the fdatasync on the same file). Hermes's pipelined group commit.
 *
 *   deno run --allow-net --allow-read --allow-write bench/lib/bare_commit_server.ts <dir> <scheme>
 *
 * Prints `ready on 127.0.0.1:<port>` once listening (port 0: the system picks one).
 */

const [dir, scheme] = Deno.args;
if (!dir || !["blocking", "async", "pipelined"].includes(scheme)) {
  console.error("usage: bare_commit_server.ts <dir> <blocking|async|pipelined>");
  Deno.exit(2);
}

const path = `${dir}/bare.log`;
const log = Deno.openSync(path, { append: true, create: true });
/** A second handle for the async fdatasync, so appends never wait on the one in flight. */
const syncHandle = Deno.openSync(path, { read: true });
const OK = new TextEncoder().encode("+OK\r\n");

const encoder = new TextEncoder();
const CONFIG = encoder.encode("config");

/**
 * The reply to one command: `+OK`, except `CONFIG GET <name>`, which redis-benchmark sends at
 * start and expects a pair for (`<name>` and an empty value).
 */
function replyTo(bytes: Uint8Array, args: [number, number][]): Uint8Array {
  const [start, end] = args[0];
  const isConfig = args.length === 3 && end - start === CONFIG.length &&
    CONFIG.every((c, i) => (bytes[start + i] | 0x20) === c);
  if (!isConfig) return OK;
  const name = new TextDecoder().decode(bytes.subarray(args[2][0], args[2][1]));
  return encoder.encode(`*2\r\n$${name.length}\r\n${name}\r\n$0\r\n\r\n`);
}

/**
 * Reads the complete RESP multibulk commands in `bytes`; returns their replies and where the
 * last complete one ends (a partial command waits for more bytes).
 */
function readCommands(bytes: Uint8Array): { replies: Uint8Array[]; end: number } {
  const replies: Uint8Array[] = [];
  let at = 0;
  let done = 0;
  const number = (): number => {
    let n = 0;
    while (at < bytes.length && bytes[at] !== 13) n = n * 10 + bytes[at++] - 48;
    at += 2; // \r\n
    return at <= bytes.length ? n : -1;
  };
  while (at < bytes.length && bytes[at] === 42) { // '*'
    at++;
    const count = number();
    if (count <= 0) break;
    const args: [number, number][] = [];
    for (let i = 0; i < count; i++) {
      if (at >= bytes.length || bytes[at] !== 36) break; // '$'
      at++;
      const len = number();
      if (len < 0 || at + len + 2 > bytes.length) break;
      args.push([at, at + len]);
      at += len + 2;
    }
    if (args.length < count) break;
    replies.push(replyTo(bytes, args));
    done = at;
  }
  return { replies, end: done };
}

interface Job {
  bytes: Uint8Array;
  resolve: () => void;
}

let queue: Job[] = [];
let scheduled = false;
let writtenBytes = 0;
let syncedBytes = 0;
let syncing = false;
let waiting: { target: number; release: () => void }[] = [];

function startSync(): void {
  syncing = true;
  const target = writtenBytes;
  syncHandle.syncData().then(() => {
    syncedBytes = target;
    syncing = false;
    const still: typeof waiting = [];
    for (const w of waiting) {
      if (w.target <= syncedBytes) w.release();
      else still.push(w);
    }
    waiting = still;
    if (waiting.length > 0) startSync();
  });
}

/** `pipelined`: rounds that ended while an fdatasync was in flight, not written yet. */
let gathered: Job[] = [];

/** Appends the jobs' request bytes to the log with one write. */
function writeJobs(jobs: Job[]): void {
  let total = 0;
  for (const job of jobs) total += job.bytes.length;
  const all = new Uint8Array(total);
  let at = 0;
  for (const job of jobs) {
    all.set(job.bytes, at);
    at += job.bytes.length;
  }
  let offset = 0;
  while (offset < all.length) offset += log.writeSync(all.subarray(offset));
  writtenBytes += total;
}

/** `pipelined`: writes the gathered rounds as one group and syncs them off the thread. */
function writeGroup(): void {
  const group = gathered;
  gathered = [];
  writeJobs(group);
  syncing = true;
  log.syncData().then(() => {
    syncedBytes = writtenBytes;
    syncing = false;
    for (const job of group) job.resolve();
    if (gathered.length > 0) writeGroup();
  });
}

function runRound(): void {
  scheduled = false;
  const round = queue;
  queue = [];
  if (scheme === "pipelined") {
    gathered.push(...round);
    if (!syncing) writeGroup();
    return;
  }
  writeJobs(round);
  const release = () => {
    for (const job of round) job.resolve();
  };
  if (scheme === "blocking") {
    log.syncDataSync();
    syncedBytes = writtenBytes;
    release();
    return;
  }
  waiting.push({ target: writtenBytes, release });
  if (!syncing) startSync();
}

function commit(bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    queue.push({ bytes, resolve });
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(runRound); // everything submitted this tick shares the round
    }
  });
}

async function serve(conn: Deno.Conn): Promise<void> {
  let buffer = new Uint8Array(64 * 1024);
  let filled = 0;
  try {
    while (true) {
      if (filled === buffer.length) {
        const bigger = new Uint8Array(buffer.length * 2);
        bigger.set(buffer);
        buffer = bigger;
      }
      const n = await conn.read(buffer.subarray(filled));
      if (n === null) return;
      filled += n;
      const { replies, end } = readCommands(buffer.subarray(0, filled));
      if (replies.length === 0) continue;
      await commit(buffer.slice(0, end));
      buffer.copyWithin(0, end, filled);
      filled -= end;
      let size = 0;
      for (const r of replies) size += r.length;
      const reply = new Uint8Array(size);
      let at = 0;
      for (const r of replies) {
        reply.set(r, at);
        at += r.length;
      }
      let offset = 0;
      while (offset < reply.length) offset += await conn.write(reply.subarray(offset));
    }
  } catch {
    // the client went away
  } finally {
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(`ready on 127.0.0.1:${(listener.addr as Deno.NetAddr).port}`);
for await (const conn of listener) serve(conn);
