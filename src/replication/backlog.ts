/**
 * The replication backlog: the newest bytes of the replication stream, up to
 * `repl-backlog-size`, so a replica that reconnects can get what it missed (PSYNC +CONTINUE)
 * instead of a full resync. Offsets are Redis's: the stream's bytes are numbered from 1, and
 * `end` (master_repl_offset) is the number of the last byte written.
 */
export class ReplBacklog {
  #buffer: Uint8Array;
  /** Offset of the last byte written (master_repl_offset). */
  end: number;
  /** Bytes held (repl_backlog_histlen). */
  histlen = 0;
  /** Where the next byte goes in the ring. */
  #at = 0;

  constructor(sizeBytes: number, end: number) {
    this.#buffer = new Uint8Array(sizeBytes);
    this.end = end;
  }

  get size(): number {
    return this.#buffer.length;
  }

  /** Offset of the oldest byte held (repl_backlog_first_byte_offset). */
  get start(): number {
    return this.end - this.histlen + 1;
  }

  append(bytes: Uint8Array): void {
    const size = this.#buffer.length;
    let data = bytes;
    if (data.length > size) data = data.subarray(data.length - size);
    const first = Math.min(data.length, size - this.#at);
    this.#buffer.set(data.subarray(0, first), this.#at);
    if (first < data.length) this.#buffer.set(data.subarray(first), 0);
    this.#at = (this.#at + data.length) % size;
    this.end += bytes.length;
    this.histlen = Math.min(size, this.histlen + bytes.length);
  }

  /** Whether a replica asking for the bytes from `offset` on can be served from here. */
  covers(offset: number): boolean {
    return offset >= this.start && offset <= this.end + 1;
  }

  /** The bytes from `offset` to the end (a copy); call only when {@linkcode covers} holds. */
  readFrom(offset: number): Uint8Array {
    const count = this.end - offset + 1;
    const out = new Uint8Array(count);
    const size = this.#buffer.length;
    const from = (this.#at - count + size * 2) % size;
    const first = Math.min(count, size - from);
    out.set(this.#buffer.subarray(from, from + first), 0);
    if (first < count) out.set(this.#buffer.subarray(0, count - first), first);
    return out;
  }

  /** A new size (CONFIG SET repl-backlog-size): keeps the newest bytes that still fit. */
  resize(sizeBytes: number): void {
    if (sizeBytes === this.#buffer.length) return;
    const keep = Math.min(this.histlen, sizeBytes);
    const tail = this.readFrom(this.end - keep + 1);
    this.#buffer = new Uint8Array(sizeBytes);
    this.#buffer.set(tail, 0);
    this.#at = keep % sizeBytes;
    this.histlen = keep;
  }
}
