/** Helpers for tests of blocking commands: how many clients are blocked, and waiting for n. */
import { waitFor } from "./replication.ts";

/** Anything that sends a command: our client, or a thin wrapper over ioredis or node-redis. */
export interface Admin {
  send(...args: string[]): Promise<unknown>;
}

/** INFO clients' `blocked_clients`. */
export async function blockedClients(admin: Admin): Promise<number> {
  const info = await admin.send("INFO", "clients") as string;
  return Number(/blocked_clients:(\d+)/.exec(info)![1]);
}

/** Waits until exactly `n` clients are blocked. */
export function blocked(admin: Admin, n: number): Promise<void> {
  return waitFor(async () => await blockedClients(admin) === n, `${n} blocked clients`);
}
