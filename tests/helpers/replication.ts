/**
 * Helpers for multi-process replication tests: polling for a condition, INFO fields, starting a
 * Hermes replica, waiting until a replica has caught up, and a comparable dump of every key.
 */
import type { Client } from "../../src/client/mod.ts";
import { type HermesProcess, startHermes } from "./hermes_process.ts";

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The fields of `INFO section` as a map. */
export async function info(client: Client, section: string): Promise<Map<string, string>> {
  const text = await client.send("INFO", section) as string;
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** Starts a Hermes replica of the server on `primaryPort`. */
export function startReplica(
  primaryPort: number,
  args: string[] = [],
  options: { dir?: string } = {},
): Promise<HermesProcess> {
  return startHermes(["--replicaof", `127.0.0.1 ${primaryPort}`, ...args], options);
}

/** Waits until `replica` is linked and has applied everything `primary` has released. */
export async function waitInSync(
  primary: Client,
  replica: Client,
  what = "the replica",
): Promise<void> {
  await waitFor(async () => {
    const [p, r] = await Promise.all([info(primary, "replication"), info(replica, "replication")]);
    return r.get("master_link_status") === "up" &&
      r.get("slave_repl_offset") === p.get("master_repl_offset");
  }, `${what} to catch up`);
}

/** Every key of every database with its value and absolute deadline, sorted. */
export async function dumpAll(client: Client, databases = 16): Promise<string[]> {
  const rows: string[] = [];
  for (let db = 0; db < databases; db++) {
    await client.send("SELECT", String(db));
    const names = (await client.send("KEYS", "*") as string[]).sort();
    if (names.length === 0) continue;
    const replies = await client.pipeline(
      names.flatMap((key) => [["GET", key], ["PEXPIRETIME", key]]),
    );
    names.forEach((key, i) => {
      rows.push(
        `${db}/${JSON.stringify(key)}=${JSON.stringify(replies[2 * i])}@${replies[2 * i + 1]}`,
      );
    });
  }
  await client.send("SELECT", "0");
  return rows;
}

/** Closes clients and stops servers, ignoring what already ended. */
export async function cleanup(clients: Client[], servers: HermesProcess[]): Promise<void> {
  for (const client of clients) {
    try {
      client.close();
    } catch { /* closed */ }
  }
  for (const server of servers) {
    await server.stop().catch(() => {});
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
}
