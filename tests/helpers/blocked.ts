/** Helpers for tests of blocking commands: how many clients are blocked, and waiting for n. */
import type { CommandsBase } from "../../src/client/mod.ts";
import { waitFor } from "./replication.ts";

/** INFO clients' `blocked_clients`. */
export async function blockedClients(admin: Pick<CommandsBase, "send">): Promise<number> {
  const info = await admin.send("INFO", "clients") as string;
  return Number(/blocked_clients:(\d+)/.exec(info)![1]);
}

/** Waits until exactly `n` clients are blocked. */
export function blocked(admin: Pick<CommandsBase, "send">, n: number): Promise<void> {
  return waitFor(async () => await blockedClients(admin) === n, `${n} blocked clients`);
}
