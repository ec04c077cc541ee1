/**
 * Splits the replication stream into commands, keeping each command's exact byte length (the
 * replica's offset counts bytes as its primary sent them). The stream is RESP multibulk only;
 * anything else is garbage and ends the link (the replica then resyncs). Bounded: one
 * argument may not exceed `maxBulkBytes`.
 */

/** The stream is not valid RESP: the link must be dropped. */
export class StreamError extends Error {
  override name = "StreamError";
}

export interface StreamCommand {
  argv: string[];
  /** Bytes this command took in the stream. */
  bytes: number;
}

export class StreamParser {
  #buffer = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  readonly #maxBulkBytes: number;

  constructor(maxBulkBytes: number) {
    this.#maxBulkBytes = maxBulkBytes;
  }

  /** Bytes received but not yet returned as commands. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  push(bytes: Uint8Array): void {
    if (this.#end + bytes.length > this.#buffer.length) {
      const live = this.#end - this.#start;
      let size = this.#buffer.length;
      while (size < live + bytes.length) size *= 2;
      const next = size === this.#buffer.length ? this.#buffer : new Uint8Array(size);
      next.set(this.#buffer.subarray(this.#start, this.#end), 0);
      this.#buffer = next;
      this.#start = 0;
      this.#end = live;
    }
    this.#buffer.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /** The next complete command, or null until more bytes arrive; throws StreamError. */
  next(): StreamCommand | null {
    const b = this.#buffer;
    let at = this.#start;
    if (at >= this.#end) return null;
    if (b[at] !== 42 /* '*' */) throw new StreamError(`expected '*', got byte ${b[at]}`);
    const count = this.#number(at + 1);
    if (count === null) return null;
    at = count.next;
    if (count.value < 1 || count.value > 1024 * 1024) {
      throw new StreamError(`bad argument count ${count.value}`);
    }
    const argv: string[] = [];
    for (let i = 0; i < count.value; i++) {
      if (at >= this.#end) return null;
      if (b[at] !== 36 /* '$' */) throw new StreamError(`expected '$', got byte ${b[at]}`);
      const length = this.#number(at + 1);
      if (length === null) return null;
      if (length.value < 0 || length.value > this.#maxBulkBytes) {
        throw new StreamError(`bad argument length ${length.value}`);
      }
      at = length.next;
      if (at + length.value + 2 > this.#end) return null;
      if (b[at + length.value] !== 13 || b[at + length.value + 1] !== 10) {
        throw new StreamError("argument not followed by CRLF");
      }
      let text = "";
      for (let j = 0; j < length.value; j += 8192) {
        text += String.fromCharCode.apply(
          null,
          b.subarray(at + j, at + Math.min(length.value, j + 8192)) as unknown as number[],
        );
      }
      argv.push(text);
      at += length.value + 2;
    }
    const bytes = at - this.#start;
    this.#start = at;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return { argv, bytes };
  }

  /** Reads digits up to CRLF from `at`; null when the line is not complete yet. */
  #number(at: number): { value: number; next: number } | null {
    const b = this.#buffer;
    let value = 0;
    let negative = false;
    let i = at;
    if (i < this.#end && b[i] === 45) {
      negative = true;
      i++;
    }
    const digitsStart = i;
    while (i < this.#end && b[i] >= 48 && b[i] <= 57) {
      value = value * 10 + (b[i] - 48);
      if (value > Number.MAX_SAFE_INTEGER) throw new StreamError("number too large");
      i++;
    }
    if (i + 1 >= this.#end) {
      if (i - digitsStart > 20) throw new StreamError("number too long");
      return null;
    }
    if (i === digitsStart || b[i] !== 13 || b[i + 1] !== 10) {
      throw new StreamError("bad length line");
    }
    return { value: negative ? -value : value, next: i + 2 };
  }
}
