/**
 * Sends many commands fast: one RESP text for all of them in one write (the client's encoding
 * per argument is slow for hundreds of thousands of arguments), then reads every reply.
 */
import type { Client } from "../../src/client/mod.ts";

/**
 * Sends `commands` (ASCII arguments) in one write and returns the replies. `client` must be
 * used for nothing else meanwhile: raw reads and queued commands do not mix.
 */
export async function sendAll(client: Client, commands: string[][]): Promise<unknown[]> {
  let text = "";
  for (const args of commands) {
    text += `*${args.length}\r\n`;
    for (const arg of args) text += `$${arg.length}\r\n${arg}\r\n`;
  }
  await client.writeRaw(text);
  const replies: unknown[] = [];
  for (let i = 0; i < commands.length; i++) replies.push(await client.readReply());
  return replies;
}

/** MSET commands of 1000 keys each for `<prefix>:0` to `<prefix>:<count - 1>`. */
export function msetCommands(prefix: string, count: number, value = "v"): string[][] {
  const commands: string[][] = [];
  for (let start = 0; start < count; start += 1000) {
    const mset = ["MSET"];
    for (let i = start; i < Math.min(count, start + 1000); i++) mset.push(`${prefix}:${i}`, value);
    commands.push(mset);
  }
  return commands;
}
