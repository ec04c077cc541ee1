import { writeLatin1 } from "../protocol/latin1.ts";

/**
 * RESP multibulk commands as bytes, from one-byte strings (char code = byte), for the
 * replication stream. Appends into a growing buffer so a round's commands become one chunk.
 */
export class RespBuffer {
  bytes = new Uint8Array(16 * 1024);
  length = 0;

  /** Appends `*n $len arg ...` for `argv`. */
  command(argv: readonly string[]): void {
    this.#ascii(`*${argv.length}\r\n`);
    for (const arg of argv) {
      this.#ascii(`$${arg.length}\r\n`);
      this.#reserve(arg.length + 2);
      const b = this.bytes;
      writeLatin1(arg, b, this.length);
      let at = this.length + arg.length;
      b[at++] = 13;
      b[at++] = 10;
      this.length = at;
    }
  }

  /** Removes and returns the bytes so far (a copy; the buffer is reused). */
  take(): Uint8Array {
    const out = this.bytes.slice(0, this.length);
    this.length = 0;
    return out;
  }

  /** Removes and returns the first `count` bytes (a copy), keeping the rest. */
  takeFirst(count: number): Uint8Array {
    if (count >= this.length) return this.take();
    const out = this.bytes.slice(0, count);
    this.bytes.copyWithin(0, count, this.length);
    this.length -= count;
    return out;
  }

  #ascii(text: string): void {
    this.#reserve(text.length);
    for (let i = 0; i < text.length; i++) this.bytes[this.length++] = text.charCodeAt(i);
  }

  #reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

/** One command as RESP bytes. */
export function encodeCommand(argv: readonly string[]): Uint8Array {
  const buffer = new RespBuffer();
  buffer.command(argv);
  return buffer.take();
}
