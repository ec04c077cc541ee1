/** Encodes a command as a RESP multibulk array. */

/**
 * An argument: text (sent as UTF-8), raw bytes (sent as they are), or a number (sent as its
 * decimal text).
 *
 * @example
 * ```ts
 * import { type Arg, connect } from "./mod.ts";
 * const args: Arg[] = ["SET", "blob", new Uint8Array([0, 255]), "EX", 60];
 * const client = await connect({ port: 8080 });
 * await client.send(...args);
 * client.close();
 * ```
 */
export type Arg = string | number | bigint | Uint8Array;

const encoder = new TextEncoder();

/**
 * Encodes `args` as a RESP multibulk command (`*N\r\n$len\r\n...`). Strings are encoded as
 * UTF-8.
 *
 * @example
 * ```ts
 * import { encodeCommand } from "./mod.ts";
 * new TextDecoder().decode(encodeCommand(["GET", "k"])); // "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
 * ```
 */
export function encodeCommand(args: Arg[]): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(`*${args.length}\r\n`)];
  let total = parts[0].length;
  for (const arg of args) {
    const bytes = arg instanceof Uint8Array ? arg : encoder.encode(String(arg));
    const header = encoder.encode(`$${bytes.length}\r\n`);
    parts.push(header, bytes, CRLF);
    total += header.length + bytes.length + 2;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const CRLF = new Uint8Array([0x0d, 0x0a]);
