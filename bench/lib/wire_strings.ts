/**
 * Strings made the way a running server makes them: sent through a real FrameReader as one
 * command's arguments. The reader's decoding decides the string's internal form (flat, one
 * byte per char), which changes how fast it is hashed, compared and copied, so micro
 * benchmarks must not use literals or strings built with `repeat` or `+` (ropes).
 */
import { FrameReader } from "../../src/protocol/frame_reader.ts";

const LIMITS = { maxInlineBytes: 64 * 1024, maxBulkBytes: 512 * 2 ** 20, maxArgs: 1024 * 1024 };

/** Each of `texts` (one byte per char) decoded by a FrameReader, in order. */
export function wireStrings(texts: string[]): string[] {
  const reader = new FrameReader(LIMITS);
  const out: string[] = [];
  for (let from = 0; from < texts.length; from += 1000) {
    const chunk = texts.slice(from, from + 1000);
    const frame = `*${chunk.length}\r\n${chunk.map((t) => `$${t.length}\r\n${t}\r\n`).join("")}`;
    reader.push(Uint8Array.from(frame, (c) => c.charCodeAt(0)));
    const argv = reader.next();
    if (argv === null || argv.length !== chunk.length) throw new Error("Cannot decode arguments");
    out.push(...argv);
  }
  return out;
}

/** One string decoded by a FrameReader. */
export function wireString(text: string): string {
  return wireStrings([text])[0];
}
