/**
 * The bank: 20 clients move random amounts between 100 accounts, first with WATCH/MULTI/EXEC
 * retries, then with BEGIN/COMMIT retries (client.transaction), then both at once until the
 * server is killed with SIGKILL mid-run. Every transfer checks the balance it moves money from.
 * The total never changes (read atomically with one MGET while transfers run), no account goes
 * negative, and after the restart the total is still exact: each transaction is one log record.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes } from "../helpers/hermes_process.ts";
import { type Client, connect, ReplyError } from "../../src/client/mod.ts";

const ACCOUNTS = 100;
const START_BALANCE = 1000;
const CLIENTS = 20;
const TOTAL = ACCOUNTS * START_BALANCE;
const ACCOUNT_KEYS = Array.from({ length: ACCOUNTS }, (_, i) => `acct:${i}`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Tally {
  transfers: number;
  retries: number;
  refusedForFunds: number;
}

/** Two distinct random accounts and an amount up to 300 (often more than a balance holds). */
function pick(): [string, string, number] {
  const from = Math.floor(Math.random() * ACCOUNTS);
  const to = (from + 1 + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS;
  return [ACCOUNT_KEYS[from], ACCOUNT_KEYS[to], 1 + Math.floor(Math.random() * 300)];
}

/**
 * One transfer with WATCH/MULTI/EXEC, retried until EXEC runs. Balances are read, computed and
 * written back (not INCRBY), so a lost update would show in the total.
 */
async function watchTransfer(client: Client, tally: Tally): Promise<void> {
  const [from, to, amount] = pick();
  while (true) {
    await client.watch(from, to);
    const [source, target] = (await client.mget(from, to)).map(Number);
    if (source < amount) {
      await client.unwatch();
      tally.refusedForFunds++;
      return;
    }
    const done = await client.multi()
      .send("SET", from, source - amount)
      .send("SET", to, target + amount)
      .exec();
    if (done !== null) {
      tally.transfers++;
      return;
    }
    tally.retries++;
  }
}

/** One transfer with BEGIN/COMMIT, retried by client.transaction on CONFLICT. */
async function beginTransfer(client: Client, tally: Tally): Promise<void> {
  const [from, to, amount] = pick();
  let attempts = 0;
  const moved = await client.transaction(async (tx) => {
    attempts++;
    const [source, target] = (await Promise.all([tx.get(from), tx.get(to)])).map(Number);
    if (source < amount) return false;
    await Promise.all([tx.set(from, String(source - amount)), tx.set(to, String(target + amount))]);
    return true;
  }, { retries: 1000, backoffMs: 1, maxBackoffMs: 20 });
  tally.retries += attempts - 1;
  if (moved) tally.transfers++;
  else tally.refusedForFunds++;
}

/** Every balance, read at one instant (MGET is one command). */
async function balances(client: Client): Promise<number[]> {
  return (await client.mget(...ACCOUNT_KEYS)).map(Number);
}

async function checkBooks(client: Client, when: string): Promise<void> {
  const all = await balances(client);
  assertEquals(all.reduce((a, b) => a + b, 0), TOTAL, `the total ${when}`);
  assertOk(all.every((b) => b >= 0), `a negative balance ${when}: ${all}`);
}

/**
 * Runs `CLIENTS` workers doing `transfer` until `stop()` says so; an auditor checks the books
 * all along. With `tolerateLoss`, connection errors end a worker quietly (the server is killed).
 */
async function runPhase(
  server: HermesProcess,
  transfer: (client: Client, tally: Tally, worker: number) => Promise<void>,
  stop: () => boolean,
  tolerateLoss = false,
): Promise<Tally> {
  const tally: Tally = { transfers: 0, retries: 0, refusedForFunds: 0 };
  const workers = Array.from({ length: CLIENTS }, async (_, worker) => {
    const client = await connect({ port: server.port });
    try {
      while (!stop()) await transfer(client, tally, worker);
    } catch (error) {
      if (!tolerateLoss || error instanceof ReplyError) throw error;
    } finally {
      client.close();
    }
  });
  const audits = (async () => {
    if (tolerateLoss) return;
    const auditor = await connect({ port: server.port });
    try {
      while (!stop()) {
        await checkBooks(auditor, "while transfers run");
        await sleep(50);
      }
    } finally {
      auditor.close();
    }
  })();
  await Promise.all([...workers, audits]);
  return tally;
}

function runFor(ms: number): () => boolean {
  const end = Date.now() + ms;
  return () => Date.now() >= end;
}

Deno.test("the bank keeps its total with WATCH/MULTI/EXEC and BEGIN/COMMIT transfers, across SIGKILL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-bank-" });
  try {
    let server = await startHermes([], { dir });
    try {
      const setup = await server.connect();
      await setup.mset(ACCOUNT_KEYS.map((key) => [key, String(START_BALANCE)] as const));
      const watching = await runPhase(server, watchTransfer, runFor(2500));
      await checkBooks(setup, "after the WATCH/MULTI/EXEC transfers");
      const begun = await runPhase(server, beginTransfer, runFor(2500));
      await checkBooks(setup, "after the BEGIN/COMMIT transfers");
      setup.close();
      console.log(`WATCH/MULTI/EXEC: ${JSON.stringify(watching)}`);
      console.log(`BEGIN/COMMIT: ${JSON.stringify(begun)}`);
      for (const tally of [watching, begun]) {
        assertOk(tally.transfers > 50, `only ${tally.transfers} transfers`);
        assertOk(tally.refusedForFunds > 0, "no transfer was ever refused for lack of funds");
      }
      assertOk(watching.retries + begun.retries > 0, "no transfer ever had to retry");

      // Both kinds at once, and a SIGKILL in the middle.
      let killed = false;
      const mixed = runPhase(
        server,
        (client, tally, worker) =>
          worker % 2 === 0 ? watchTransfer(client, tally) : beginTransfer(client, tally),
        () => killed,
        true,
      );
      await sleep(1000);
      await server.kill();
      killed = true;
      const lastRun = await mixed;
      assertOk(lastRun.transfers > 0, "nothing ran before the kill");
    } finally {
      await server.kill();
    }
    server = await startHermes([], { dir });
    try {
      const client = await server.connect();
      await checkBooks(client, "after SIGKILL and restart");
      client.close();
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
