/**
 * The bytes waiting to be written to one client's socket, in order.
 *
 * A chunk handed over whole (a reply buffer taken from the writer) is written as it is. Small
 * output that arrives while a write is in flight (pub/sub messages to a subscriber that reads
 * slowly) is copied into blocks the queue owns instead, so such a client costs about the bytes
 * it is owed rather than one 16 KB buffer per message, and gets fewer, larger writes. The
 * owned blocks are freed at once when the queue is cleared (their buffers are detached), so a
 * client cut off with megabytes queued gives the memory back without waiting for a GC.
 */

/** Smallest and largest block the queue allocates for copied output. */
const MIN_BLOCK_BYTES = 16 * 1024;
const MAX_BLOCK_BYTES = 1024 * 1024;

export class OutputQueue {
  #chunks: Uint8Array[] = [];
  /** The owned block being filled (newest bytes), and how much of it is used. */
  #tail: Uint8Array<ArrayBuffer> | null = null;
  #tailUsed = 0;
  /** Buffers of owned blocks still queued (freed by {@linkcode clear}). */
  #owned = new Set<ArrayBuffer>();
  #bytes = 0;

  /** Bytes queued and not yet written. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Queues `chunk` as it is; the queue keeps it until it is written. */
  push(chunk: Uint8Array): void {
    this.#seal();
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
  }

  /** Queues a copy of `bytes` in the queue's own blocks (the caller may reuse `bytes`). */
  copy(bytes: Uint8Array): void {
    this.#bytes += bytes.length;
    let offset = 0;
    while (offset < bytes.length) {
      if (this.#tail === null || this.#tailUsed === this.#tail.length) {
        this.#seal();
        // Blocks grow with the backlog: small for a client that is a little behind.
        const size = Math.min(MAX_BLOCK_BYTES, Math.max(MIN_BLOCK_BYTES, this.#bytes));
        this.#tail = new Uint8Array(size);
        this.#owned.add(this.#tail.buffer);
      }
      const n = Math.min(bytes.length - offset, this.#tail.length - this.#tailUsed);
      this.#tail.set(bytes.subarray(offset, offset + n), this.#tailUsed);
      this.#tailUsed += n;
      offset += n;
    }
  }

  /** The next bytes to write (oldest first), or null when nothing is queued. */
  next(): Uint8Array | null {
    if (this.#chunks.length === 0) this.#seal();
    const chunk = this.#chunks.shift();
    if (chunk === undefined) return null;
    // The writer holds it from now on (a reply buffer handed over whole was never owned).
    if (this.#owned.size !== 0) this.#owned.delete(chunk.buffer as ArrayBuffer);
    return chunk;
  }

  /** `n` bytes of a chunk from {@linkcode next} were written. */
  written(n: number): void {
    this.#bytes -= n;
  }

  /** Drops everything queued, freeing the owned blocks now. */
  clear(): void {
    for (const buffer of this.#owned) buffer.transfer(0);
    this.#owned.clear();
    this.#chunks = [];
    this.#tail = null;
    this.#tailUsed = 0;
    this.#bytes = 0;
  }

  /** Moves the filled part of the tail block into the chunk list (after the older chunks). */
  #seal(): void {
    const tail = this.#tail;
    if (tail === null) return;
    if (this.#tailUsed > 0) this.#chunks.push(tail.subarray(0, this.#tailUsed));
    else this.#owned.delete(tail.buffer);
    this.#tail = null;
    this.#tailUsed = 0;
  }
}
