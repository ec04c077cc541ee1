/**
 * Keys and values are kept as one-byte ("latin1") strings: every byte 0-255 maps to the char
 * code of the same number, so any bytes round-trip exactly, and V8 stores such strings flat at
 * one byte per character.
 */
import { Buffer } from "node:buffer";

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** A Buffer view over `bytes` (no copy), for the fast native latin1 decoder. */
export function latin1View(bytes: Uint8Array): Latin1Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Latin1Buffer;
}

/** Decodes bytes to a one-byte string, one char per byte. */
export function bytesToLatin1(bytes: Uint8Array): string {
  return latin1View(bytes).latin1Slice(0, bytes.length);
}

/** Encodes a one-byte string back to its bytes. Chars above 255 (never stored) are truncated. */
export function latin1ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Encodes UTF-16 text (from our own code, e.g. INFO or error texts) into a one-byte string of its UTF-8 bytes. */
export function utf8ToLatin1(text: string): string {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  return bytesToLatin1(new TextEncoder().encode(text));
}

/** Decodes a one-byte string holding UTF-8 bytes into readable text (for logs and the CLI). */
export function latin1ToUtf8(text: string): string {
  return new TextDecoder().decode(latin1ToBytes(text));
}
