/**
 * Decodes a reply that is one scalar frame (`+`, `-`, `:`, `$`, `_`) straight from its bytes,
 * with no copy into a decoder: the reply of a command an in-process store ran at once
 * (Transport.runNow), where the general decoder's buffering is pure cost. Anything else (an
 * aggregate, a push before the reply, a malformed frame) is left to the decoder.
 */
import { sliceLatin1 } from "../protocol/latin1.ts";
import { ReplyError, type RespValue } from "./resp_decoder.ts";

const CR = 0x0d;

/** The reply `bytes` hold, or undefined when they are not exactly one scalar frame. */
export function quickReply(bytes: Uint8Array): RespValue | undefined {
  const n = bytes.length;
  if (n < 3 || bytes[n - 2] !== CR) return undefined;
  switch (bytes[0]) {
    case 0x24: { // $ bulk
      const cr = bytes.indexOf(CR, 1);
      if (bytes[1] === 0x2d) return cr === 3 && bytes[2] === 0x31 && n === 5 ? null : undefined;
      const length = digits(bytes, 1, cr);
      if (length < 0 || cr + 2 + length + 2 !== n) return undefined;
      const start = cr + 2;
      return sliceLatin1(bytes, null, start, start + length);
    }
    case 0x5f: // _ null
      return n === 3 ? null : undefined;
    case 0x3a: { // : integer
      const negative = bytes[1] === 0x2d;
      const value = digits(bytes, negative ? 2 : 1, n - 2);
      if (value < 0 || !Number.isSafeInteger(value)) return undefined;
      return negative ? -value : value;
    }
    case 0x2b: // + simple string
    case 0x2d: { // - error
      if (bytes.indexOf(CR, 1) !== n - 2) return undefined;
      const line = sliceLatin1(bytes, null, 1, n - 2);
      return bytes[0] === 0x2b ? line : new ReplyError(line);
    }
    default:
      return undefined;
  }
}

/** The decimal number in bytes [start, end), or -1 when they are not all digits. */
function digits(bytes: Uint8Array, start: number, end: number): number {
  if (end <= start) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = bytes[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}
