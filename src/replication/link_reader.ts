/**
 * Buffered reads from the link to our primary: reply lines during the handshake, an exact
 * number of bytes for the RDB, then whatever arrives for the stream. Every read is bounded by
 * the caller (line length, payload size).
 */

/** The link broke or sent something we cannot use; the message says what. */
export class LinkError extends Error {
  override name = "LinkError";
}

const MAX_LINE = 64 * 1024;

export class LinkReader {
  readonly #conn: Deno.Conn;
  #buffer = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  /** Called with the number of bytes each successful read returned. */
  onRead: (bytes: number) => void = () => {};

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Reads more bytes into the buffer; throws LinkError when the connection ends. */
  async #fill(): Promise<void> {
    if (this.#start > 0 && this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buffer.length) {
      const live = this.#end - this.#start;
      const next = live * 2 > this.#buffer.length
        ? new Uint8Array(this.#buffer.length * 2)
        : this.#buffer;
      next.set(this.#buffer.subarray(this.#start, this.#end), 0);
      this.#buffer = next;
      this.#start = 0;
      this.#end = live;
    }
    let n: number | null;
    try {
      n = await this.#conn.read(this.#buffer.subarray(this.#end));
    } catch (error) {
      throw new LinkError(`connection lost: ${error instanceof Error ? error.message : error}`);
    }
    if (n === null) throw new LinkError("connection closed by the primary");
    this.#end += n;
    this.onRead(n);
  }

  /** One line without its CRLF (or LF). */
  async line(): Promise<string> {
    while (true) {
      for (let i = this.#start; i < this.#end; i++) {
        if (this.#buffer[i] !== 10) continue;
        const stop = i > this.#start && this.#buffer[i - 1] === 13 ? i - 1 : i;
        let text = "";
        for (let j = this.#start; j < stop; j++) text += String.fromCharCode(this.#buffer[j]);
        this.#start = i + 1;
        return text;
      }
      if (this.#end - this.#start > MAX_LINE) throw new LinkError("reply line too long");
      await this.#fill();
    }
  }

  /** Exactly `n` bytes (a new array). */
  async exactly(n: number, progress?: (read: number) => void): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      if (this.#start === this.#end) await this.#fill();
      const take = Math.min(n - at, this.#end - this.#start);
      out.set(this.#buffer.subarray(this.#start, this.#start + take), at);
      this.#start += take;
      at += take;
      progress?.(at);
    }
    return out;
  }

  /**
   * Bytes up to and without `mark` (the diskless `$EOF:<mark>` transfer), at most `limit`.
   */
  async untilMark(mark: Uint8Array, limit: number): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    let tail = new Uint8Array(0);
    while (true) {
      if (this.#start === this.#end) await this.#fill();
      const chunk = this.#buffer.slice(this.#start, this.#end);
      this.#start = this.#end;
      chunks.push(chunk);
      total += chunk.length;
      if (total > limit + mark.length) throw new LinkError(`RDB transfer over ${limit} bytes`);
      const joined = new Uint8Array(tail.length + chunk.length);
      joined.set(tail);
      joined.set(chunk, tail.length);
      tail = joined.slice(Math.max(0, joined.length - mark.length));
      if (tail.length === mark.length && tail.every((b, i) => b === mark[i])) break;
    }
    const all = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all.subarray(0, total - mark.length);
  }

  /** Whatever is buffered, then the next read's bytes (the stream). */
  async chunk(): Promise<Uint8Array> {
    if (this.#start === this.#end) await this.#fill();
    const out = this.#buffer.slice(this.#start, this.#end);
    this.#start = this.#end;
    return out;
  }
}
