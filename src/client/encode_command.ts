/** Encodes a command as a RESP multibulk array. */

/** An argument: text (UTF-8 encoded), raw bytes, or a number. */
export type Arg = string | number | bigint | Uint8Array;

const encoder = new TextEncoder();

/** Encodes `args` as `*N\r\n$len\r\n...`. Strings are sent as UTF-8. */
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
