/**
 * Load generators for the transaction benchmarks (bench/transactions.ts). redis-benchmark
 * repeats one command, so it cannot send a MULTI ... EXEC block; these loops do, the same way
 * against Redis and Hermes, for a fixed time, and report rates and latencies.
 */
import { type Client, connect, encodeCommand } from "../../src/client/mod.ts";
import { median, percentile } from "./stats.ts";

export interface LoadResult {
  /** Completed units (transactions, transfers) per second. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Attempts that had to be retried (WATCH fired, CONFLICT), per completed unit. */
  retriesPerUnit: number;
}

/**
 * Runs one worker per client: each connects (`open`), then all loop together over `step`
 * (which returns retries) for `ms`. Connecting is not timed.
 */
async function timed<C>(
  clients: number,
  ms: number,
  open: (index: number) => Promise<C>,
  step: (conn: C) => Promise<number>,
  close: (conn: C) => void,
): Promise<LoadResult> {
  const conns = await Promise.all(Array.from({ length: clients }, (_, i) => open(i)));
  const latencies: number[] = [];
  let units = 0;
  let retries = 0;
  const begin = performance.now();
  const stopAt = begin + ms;
  try {
    await Promise.all(conns.map(async (conn) => {
      while (performance.now() < stopAt) {
        const started = performance.now();
        retries += await step(conn);
        latencies.push(performance.now() - started);
        units++;
      }
    }));
  } finally {
    conns.forEach(close);
  }
  return summarize(latencies, units, retries, performance.now() - begin);
}

function summarize(latencies: number[], units: number, retries: number, ms: number): LoadResult {
  latencies.sort((a, b) => a - b);
  return {
    perSecond: units / (ms / 1000),
    p50Ms: latencies.length === 0 ? NaN : median(latencies),
    p99Ms: percentile(latencies, 0.99),
    retriesPerUnit: units === 0 ? NaN : retries / units,
  };
}

/** Lines in the replies to MULTI, 5 INCRs and EXEC: +OK, 5 x +QUEUED, *5 and 5 integers. */
const LINES_PER_BLOCK = 12;

/**
 * `clients` connections each send MULTI, INCR x5 (five keys of their own) and EXEC in one write
 * and wait for the EXEC reply, for `ms`. The first block of each client is checked reply by
 * reply; after that the replies are only counted, line by line, to keep the driver cheap.
 */
export async function multiExecLoad(
  port: number,
  clients: number,
  ms: number,
): Promise<LoadResult> {
  return await timed(clients, ms, async (c) => {
    const block = ["MULTI", ...[0, 1, 2, 3, 4].map((i) => `INCR counter:${c}:${i}`), "EXEC"]
      .map((line) => line.split(" "));
    const check = await connect({ port });
    const replies = await check.pipeline(block);
    check.close();
    const executed = replies[6];
    if (replies[0] !== "OK" || !Array.isArray(executed) || executed.length !== 5) {
      throw new Error(`Unexpected MULTI/EXEC replies: ${JSON.stringify(replies)}`);
    }
    const encoded = block.map((args) => encodeCommand(args));
    const bytes = new Uint8Array(encoded.reduce((n, b) => n + b.length, 0));
    encoded.reduce((at, b) => (bytes.set(b, at), at + b.length), 0);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    return { conn, bytes, buffer: new Uint8Array(64 * 1024) };
  }, async ({ conn, bytes, buffer }) => {
    await conn.write(bytes);
    let lines = 0;
    while (lines < LINES_PER_BLOCK) {
      const n = await conn.read(buffer);
      if (n === null) throw new Error("The server closed the connection");
      for (let i = 0; i < n; i++) if (buffer[i] === 10) lines++;
    }
    return 0;
  }, ({ conn }) => conn.close());
}

/** How a transfer is made atomic. */
export type TransferStyle = "begin" | "watch";

/** Two distinct accounts and an amount. */
function pick(accounts: number): [string, string, number] {
  const from = Math.floor(Math.random() * accounts);
  const to = (from + 1 + Math.floor(Math.random() * (accounts - 1))) % accounts;
  return [`acct:${from}`, `acct:${to}`, 1 + Math.floor(Math.random() * 20)];
}

async function transferOnce(
  client: Client,
  style: TransferStyle,
  accounts: number,
): Promise<number> {
  const [from, to, amount] = pick(accounts);
  let retries = 0;
  if (style === "begin") {
    let attempts = 0;
    await client.transaction(async (tx) => {
      attempts++;
      const [a, b] = (await Promise.all([tx.get(from), tx.get(to)])).map(Number);
      if (a < amount) return;
      await Promise.all([tx.set(from, String(a - amount)), tx.set(to, String(b + amount))]);
    }, { retries: 10_000, backoffMs: 0.5, maxBackoffMs: 10 });
    return attempts - 1;
  }
  while (true) {
    await client.watch(from, to);
    const [a, b] = (await client.mget(from, to)).map(Number);
    if (a < amount) {
      await client.unwatch();
      return retries;
    }
    const done = await client.multi().send("SET", from, a - amount).send("SET", to, b + amount)
      .exec();
    if (done !== null) return retries;
    retries++;
  }
}

/**
 * `clients` connections move random amounts between `accounts` accounts (read both balances,
 * check, write both back) for `ms`, each transfer in a BEGIN/COMMIT transaction retried on
 * CONFLICT, or with WATCH/MULTI/EXEC retried when the watch fires.
 */
export async function transferLoad(
  port: number,
  style: TransferStyle,
  clients: number,
  accounts: number,
  ms: number,
): Promise<LoadResult> {
  const setup = await connect({ port });
  await setup.send("FLUSHALL");
  await setup.mset(Array.from({ length: accounts }, (_, i) => [`acct:${i}`, "1000"] as const));
  setup.close();
  return await timed(
    clients,
    ms,
    () => connect({ port }),
    (client) => transferOnce(client, style, accounts),
    (client) => client.close(),
  );
}
