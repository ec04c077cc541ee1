/**
 * Byte buffers shared by every connection, so that an idle client holds none: a connection
 * takes one when a burst of requests or replies needs room and gives it back once the bytes are
 * parsed or written. Under load the same few buffers go round (no allocation per batch); when
 * the load stops they wait here, and {@linkcode BufferPool.trim} lets them go.
 *
 * Bounded: at most `max` free buffers are kept (more are dropped for the GC), so a burst of many
 * clients leaves at most `size * max` bytes behind.
 */

/** Told how the bytes kept by a pool change (memory accounting). */
export type PoolCounter = (deltaBytes: number) => void;

export class BufferPool {
  readonly size: number;
  readonly max: number;
  readonly #free: Uint8Array<ArrayBuffer>[] = [];
  /** The fewest free buffers since the last sweep: that many were not needed meanwhile. */
  #lowWater = 0;
  /** Told how the free buffers' bytes change; null when nobody accounts for them. */
  counter: PoolCounter | null = null;

  constructor(size: number, max: number) {
    this.size = size;
    this.max = max;
  }

  /** Free buffers waiting. */
  get freeCount(): number {
    return this.#free.length;
  }

  /** A buffer of `size` bytes (its contents are whatever the last user left). */
  take(): Uint8Array<ArrayBuffer> {
    const buffer = this.#free.pop();
    if (buffer === undefined) return new Uint8Array(this.size);
    if (this.#free.length < this.#lowWater) this.#lowWater = this.#free.length;
    this.counter?.(-this.size);
    return buffer;
  }

  /** Gives a buffer back; one of another size, or past `max`, is left to the GC. */
  give(buffer: Uint8Array<ArrayBufferLike>): void {
    const backing = buffer.buffer;
    if (!(backing instanceof ArrayBuffer) || backing.byteLength !== this.size) return;
    if (this.#free.length >= this.max) return;
    this.#free.push(new Uint8Array(backing));
    this.counter?.(this.size);
  }

  /** Lets go of every free buffer (MEMORY PURGE). */
  trim(keep = 0): void {
    while (this.#free.length > keep) {
      this.#free.pop();
      this.counter?.(-this.size);
    }
    this.#lowWater = this.#free.length;
  }

  /**
   * Called periodically: lets go of the buffers no one took since the last call, so what a
   * burst left behind is released within two periods while a steady load keeps its own.
   */
  sweep(): void {
    this.trim(this.#free.length - this.#lowWater);
  }
}

/** Bytes of a pooled buffer: the read and reply buffers connections share. */
export const POOLED_BUFFER_BYTES = 16 * 1024;

/** The pool connections read requests into and encode replies into. */
export const connectionBuffers = new BufferPool(POOLED_BUFFER_BYTES, 256);
