/**
 * Loads many keys fast with `redis-cli --pipe`: the SET commands are generated as RESP bytes
 * in chunks and streamed to its stdin, so even 20 million keys never sit in memory at once,
 * and the loader (C) is not what limits the rate.
 *
 * Key i is `key:` + i in 12 digits and its value `val:` + i in 12 digits: 16 bytes each.
 */
import { hasCommand } from "../../tests/helpers/redis_process.ts";

export const KEY_BYTES = 16;
export const VALUE_BYTES = 16;
const DIGITS = 12;
const COMMANDS_PER_CHUNK = 10_000;

const template = `*3\r\n$3\r\nSET\r\n$${KEY_BYTES}\r\nkey:${"0".repeat(DIGITS)}\r\n` +
  `$${VALUE_BYTES}\r\nval:${"0".repeat(DIGITS)}\r\n`;
const COMMAND = Uint8Array.from(template, (c) => c.charCodeAt(0));
const KEY_DIGITS_END = template.indexOf("key:") + 4 + DIGITS;
const VALUE_DIGITS_END = template.indexOf("val:") + 4 + DIGITS;

/** Name of key `i`. */
export function keyName(i: number): string {
  return `key:${String(i).padStart(DIGITS, "0")}`;
}

/** Value stored under key `i`. */
export function valueOf(i: number): string {
  return `val:${String(i).padStart(DIGITS, "0")}`;
}

/** Writes `n` as zero-padded digits ending just before `end`. */
function writeDigits(bytes: Uint8Array, end: number, n: number): void {
  for (let i = end - 1; i >= end - DIGITS; i--) {
    bytes[i] = 0x30 + n % 10;
    n = Math.floor(n / 10);
  }
}

/** RESP bytes of `SET key:i val:i` for i in [from, to). */
export function setCommands(from: number, to: number): Uint8Array {
  const out = new Uint8Array((to - from) * COMMAND.length);
  for (let i = from, at = 0; i < to; i++, at += COMMAND.length) {
    out.set(COMMAND, at);
    writeDigits(out, at + KEY_DIGITS_END, i);
    writeDigits(out, at + VALUE_DIGITS_END, i);
  }
  return out;
}

export interface LoadResult {
  keys: number;
  ms: number;
  /** redis-cli's own tally: `errors: 0, replies: N`. */
  replies: number;
  errors: number;
}

/** Why bulk loading cannot run here, or null. */
export function bulkLoadSkipReason(): string | null {
  return hasCommand("redis-cli") ? null : "redis-cli is not on PATH (install redis-tools)";
}

/**
 * Sends `SET key:i val:i` for i in [0, count) to the server on `port` through
 * `redis-cli --pipe`; `onProgress` is called with the keys sent so far after each chunk.
 */
export async function bulkLoad(
  port: number,
  count: number,
  onProgress?: (sent: number, ms: number) => void,
): Promise<LoadResult> {
  const started = performance.now();
  const child = new Deno.Command("redis-cli", {
    args: ["-h", "127.0.0.1", "-p", String(port), "--pipe"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  const writer = child.stdin.getWriter();
  try {
    for (let from = 0; from < count; from += COMMANDS_PER_CHUNK) {
      const to = Math.min(count, from + COMMANDS_PER_CHUNK);
      await writer.write(setCommands(from, to));
      onProgress?.(to, performance.now() - started);
    }
  } finally {
    await writer.close().catch(() => {});
  }
  const { code, stdout, stderr } = await output;
  const ms = performance.now() - started;
  const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  const tally = /errors: (\d+), replies: (\d+)/.exec(text);
  if (code !== 0 || tally === null) {
    throw new Error(`redis-cli --pipe failed (exit code ${code}):\n${text}`);
  }
  return { keys: count, ms, errors: Number(tally[1]), replies: Number(tally[2]) };
}
