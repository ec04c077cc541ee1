/**
 * The reply encoder. Handlers write replies straight into one growing byte buffer per
 * connection, in RESP2 or RESP3 depending on what the client asked for with HELLO, so a
 * pipelined batch of replies becomes one socket write with no per-reply objects.
 *
 * Strings given to it are one-byte strings (see latin1.ts): each char is written as one byte.
 */

import { formatDouble } from "./double_text.ts";

export { formatDouble };
import { type BufferPool, connectionBuffers } from "./buffer_pool.ts";
import { NATIVE_COPY_MIN, writeLatin1 } from "./latin1.ts";

const CRLF_CR = 0x0d;
const CRLF_LF = 0x0a;
/** The buffer of a writer holding nothing: it takes a real one on its first reply. */
const NO_BUFFER = new Uint8Array(0);
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
/** {@linkcode ReplyWriter.captured} when nothing is kept. */
export const NOT_CAPTURED = Symbol("not captured");

/** Replies that never change, encoded once. */
const OK = ascii("+OK\r\n");
const PONG = ascii("+PONG\r\n");
const NIL2 = ascii("$-1\r\n");
const NIL_ARRAY2 = ascii("*-1\r\n");
const NIL3 = ascii("_\r\n");
const ZERO = ascii(":0\r\n");
const ONE = ascii(":1\r\n");
const EMPTY_ARRAY = ascii("*0\r\n");

/** Bytes of a bulk string of `length` bytes: `$`, the length's digits, CRLF, the bytes, CRLF. */
function bulkBytes(length: number): number {
  let digits = 1;
  for (let n = length; n >= 10; n = Math.floor(n / 10)) digits++;
  return length + digits + 5;
}

export class ReplyWriter {
  #buf: Uint8Array = NO_BUFFER;
  #len = 0;
  /** Bytes handed over (taken or consumed) since the start: see {@linkcode position}. */
  #taken = 0;
  /** Where buffers come from and go back to (shared, so an idle writer holds none). */
  readonly #pool: BufferPool;
  /** Protocol version negotiated with HELLO: 2 or 3. */
  protocol: 2 | 3 = 2;
  /**
   * When the buffer has to grow past this many bytes, {@linkcode onOverLimit} is called (the
   * connection uses it to stop a batch whose replies exceed max-output). Checked only when the
   * buffer grows, so it costs nothing per reply.
   */
  limitBytes = Infinity;
  onOverLimit: (() => void) | null = null;
  /**
   * While set, a reply that is one bulk string or nil, written first, is kept as its value
   * ({@linkcode captured}) instead of being encoded: an in-process caller of a read run at once
   * takes it as is, with no encoding and decoding. Any other write encodes it first, in order.
   */
  capturing = false;
  #captured: string | null | typeof NOT_CAPTURED = NOT_CAPTURED;
  /**
   * Messages given to {@linkcode deferMessage} and not encoded yet: head, channel, payload, ...
   * They count in {@linkcode length} and {@linkcode position} as the bytes they will be, and are
   * encoded, in order, before anything else is written or any byte is read or handed over.
   */
  #deferred: (Uint8Array | string)[] | null = null;
  #deferredBytes = 0;

  constructor(pool: BufferPool = connectionBuffers) {
    this.#pool = pool;
  }

  /** Bytes of buffer this writer holds (0 when idle). */
  get capacity(): number {
    return this.#buf.length;
  }

  /** Bytes encoded (or deferred) and not yet taken. */
  get length(): number {
    return this.#len + this.#deferredBytes;
  }

  /**
   * Where the next byte goes, counting every byte ever handed over: a mark that stays valid
   * while earlier bytes are taken (a round's end, released later while later rounds write on).
   */
  get position(): number {
    return this.#taken + this.#len + this.#deferredBytes;
  }

  /** How many bytes before `position` (a mark) are still here, not handed over yet. */
  before(position: number): number {
    if (this.#deferred !== null) this.#encodeDeferred();
    return Math.max(0, Math.min(this.#len, position - this.#taken));
  }

  /**
   * A pub/sub message (`head`, then the channel and the payload as bulk strings), encoded only
   * when something reads or follows it: a subscriber's messages are then encoded after the
   * round's publishers got their replies (the round releases them first), not while the
   * publishers wait.
   */
  deferMessage(head: Uint8Array, channel: string, payload: string): void {
    (this.#deferred ??= []).push(head, channel, payload);
    this.#deferredBytes += head.length + bulkBytes(channel.length) + bulkBytes(payload.length);
  }

  #encodeDeferred(): void {
    const deferred = this.#deferred!;
    this.#deferred = null;
    this.#deferredBytes = 0;
    for (let i = 0; i < deferred.length; i += 3) {
      this.raw(deferred[i] as Uint8Array);
      this.#bulk(deferred[i + 1] as string);
      this.#bulk(deferred[i + 2] as string);
    }
  }

  /**
   * Hands over the encoded bytes; the writer holds no buffer until its next reply. Pass them
   * to {@linkcode recycle} once written.
   */
  take(): Uint8Array {
    if (this.#deferred !== null) this.#encodeDeferred();
    const out = this.#buf.subarray(0, this.#len);
    this.#buf = NO_BUFFER;
    this.#taken += this.#len;
    this.#len = 0;
    return out;
  }

  /** Hands over the first `count` bytes (all of them: {@linkcode take}), keeping the rest. */
  takeFirst(count: number): Uint8Array {
    if (this.#deferred !== null) this.#encodeDeferred();
    if (count >= this.#len) return this.take();
    const out = this.#buf.slice(0, count);
    this.consume(count);
    return out;
  }

  /** Drops the first `count` bytes, which the caller has copied out (they count as handed over). */
  consume(count: number): void {
    if (this.#deferred !== null) this.#encodeDeferred();
    if (count >= this.#len) {
      this.#taken += this.#len;
      this.#len = 0;
      return;
    }
    this.#buf.copyWithin(0, count, this.#len);
    this.#len -= count;
    this.#taken += count;
  }

  /** Gives a buffer from {@linkcode take} back to the pool once the socket has written it. */
  recycle(bytes: Uint8Array<ArrayBufferLike>): void {
    this.#pool.give(bytes);
  }

  /** Gives the buffer back to the pool when nothing is encoded in it (the client is idle). */
  release(): void {
    if (this.#len !== 0 || this.#deferred !== null || this.#buf === NO_BUFFER) return;
    this.#pool.give(this.#buf);
    this.#buf = NO_BUFFER;
  }

  /** Drops everything encoded since `mark` (a previous {@linkcode length}). */
  truncate(mark: number): void {
    if (this.#deferred !== null) this.#encodeDeferred();
    // A kept value was written at length 0: a truncation to 0 drops it too.
    if (mark === 0) this.#captured = NOT_CAPTURED;
    if (mark < this.#len) this.#len = mark;
  }

  /** The value kept while {@linkcode capturing} (a bulk string, or null for nil), if any. */
  get captured(): string | null | typeof NOT_CAPTURED {
    return this.#captured;
  }

  /** Hands over the kept value (see {@linkcode capturing}); nothing is kept after. */
  takeCaptured(): string | null | typeof NOT_CAPTURED {
    const value = this.#captured;
    this.#captured = NOT_CAPTURED;
    return value;
  }

  /** Whether the next reply, written first, is kept as its value (see {@linkcode capturing}). */
  #capturesNext(): boolean {
    return this.capturing && this.#len === 0 && this.#captured === NOT_CAPTURED &&
      this.#deferred === null;
  }

  /** Encodes a kept value, so the reply is in the bytes like any other. */
  encodeCaptured(): void {
    const value = this.#captured;
    if (value === NOT_CAPTURED) return;
    this.#captured = NOT_CAPTURED;
    if (value === null) this.raw(this.protocol === 3 ? NIL3 : NIL2);
    else this.#bulk(value);
  }

  /**
   * The bytes encoded and not yet taken, without taking them: valid only until the next write
   * (for encoding a frame once and copying it into many writers with {@linkcode raw}).
   */
  peek(): Uint8Array {
    if (this.#deferred !== null) this.#encodeDeferred();
    return this.#buf.subarray(0, this.#len);
  }

  /** Drops everything encoded and lets go of the buffer (a client being cut off). */
  discard(): void {
    this.#captured = NOT_CAPTURED;
    this.#deferred = null;
    this.#deferredBytes = 0;
    this.#len = 0;
    this.release();
  }

  ok(): void {
    this.raw(OK);
  }

  pong(): void {
    this.raw(PONG);
  }

  /** `+text`; a CR or LF in `text` is sent as a space so it cannot break the framing. */
  simple(text: string): void {
    this.#ensure(text.length + 3);
    this.#buf[this.#len++] = 0x2b;
    this.#line(text);
    this.#crlf();
  }

  /**
   * `-text`: the full error line including its prefix, e.g. `ERR syntax error`; a CR or LF in
   * `text` is sent as a space, as Redis does.
   */
  error(text: string): void {
    this.#ensure(text.length + 3);
    this.#buf[this.#len++] = 0x2d;
    this.#line(text);
    this.#crlf();
  }

  integer(value: number): void {
    if (value === 0) return this.raw(ZERO);
    if (value === 1) return this.raw(ONE);
    this.#header(0x3a, value);
  }

  /** A bulk string holding the bytes of one-byte string `value`. */
  bulk(value: string): void {
    if (this.#capturesNext()) {
      this.#captured = value;
      return;
    }
    this.#bulk(value);
  }

  #bulk(value: string): void {
    const n = value.length;
    this.#header(0x24, n);
    this.#ensure(n + 2);
    const buf = this.#buf;
    let at = this.#len;
    // Short values (most replies) in the loop right here: a call costs more than they do.
    if (n < NATIVE_COPY_MIN) {
      for (let i = 0; i < n; i++) buf[at + i] = value.charCodeAt(i);
    } else {
      writeLatin1(value, buf, at);
    }
    at += n;
    buf[at++] = CRLF_CR;
    buf[at++] = CRLF_LF;
    this.#len = at;
  }

  /** A bulk string of raw bytes. */
  bulkBytes(value: Uint8Array): void {
    this.#header(0x24, value.length);
    this.#ensure(value.length + 2);
    this.#buf.set(value, this.#len);
    this.#len += value.length;
    this.#crlf();
  }

  /** A bulk string of `bytes[start..end)` (list elements are written straight from storage). */
  bulkSlice(bytes: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.#header(0x24, n);
    this.#ensure(n + 2);
    const buf = this.#buf;
    let at = this.#len;
    if (n < 64) {
      for (let i = start; i < end; i++) buf[at++] = bytes[i];
    } else {
      buf.set(bytes.subarray(start, end), at);
      at += n;
    }
    buf[at++] = CRLF_CR;
    buf[at++] = CRLF_LF;
    this.#len = at;
  }

  /** A missing value: `$-1` in RESP2, `_` in RESP3. */
  nil(): void {
    if (this.#capturesNext()) {
      this.#captured = null;
      return;
    }
    this.raw(this.protocol === 3 ? NIL3 : NIL2);
  }

  /** A missing array: `*-1` in RESP2, `_` in RESP3. */
  nilArray(): void {
    this.raw(this.protocol === 3 ? NIL3 : NIL_ARRAY2);
  }

  arrayHeader(count: number): void {
    if (count === 0) return this.raw(EMPTY_ARRAY);
    this.#header(0x2a, count);
  }

  /** A map of `count` pairs: `%count` in RESP3, a flat array of 2*count items in RESP2. */
  mapHeader(count: number): void {
    if (this.protocol === 3) this.#header(0x25, count);
    else this.arrayHeader(count * 2);
  }

  /** A set: `~count` in RESP3, an array in RESP2. */
  setHeader(count: number): void {
    if (this.protocol === 3) this.#header(0x7e, count);
    else this.arrayHeader(count);
  }

  /** An out-of-band push (pub/sub): `>count` in RESP3, an array in RESP2. */
  pushHeader(count: number): void {
    if (this.protocol === 3) this.#header(0x3e, count);
    else this.arrayHeader(count);
  }

  /** A double: `,x` in RESP3, a bulk string in RESP2, formatted as Redis does. */
  double(value: number): void {
    const text = formatDouble(value);
    if (this.protocol === 3) {
      this.#ensure(text.length + 3);
      this.#buf[this.#len++] = 0x2c;
      this.#ascii(text);
      this.#crlf();
    } else {
      this.bulk(text);
    }
  }

  /** A boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2. */
  boolean(value: boolean): void {
    if (this.protocol === 3) this.simpleRaw(value ? "#t" : "#f");
    else this.integer(value ? 1 : 0);
  }

  /**
   * Verbatim text (INFO): `=len\r\ntxt:...` in RESP3, a bulk string in RESP2. `format` is
   * exactly three characters, as RESP3 requires.
   */
  verbatim(text: string, format = "txt"): void {
    if (this.protocol !== 3) return this.bulk(text);
    this.#header(0x3d, text.length + 4);
    this.#ensure(text.length + 6);
    this.#ascii(format);
    this.#buf[this.#len++] = 0x3a;
    this.#ascii(text);
    this.#crlf();
  }

  /** Writes `text` followed by CRLF, with no type byte (for `#t`-style small frames). */
  simpleRaw(text: string): void {
    this.#ensure(text.length + 2);
    this.#ascii(text);
    this.#crlf();
  }

  /** Appends pre-encoded bytes. */
  raw(bytes: Uint8Array): void {
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  #header(type: number, value: number): void {
    this.#ensure(24);
    this.#buf[this.#len++] = type;
    this.#number(value);
    this.#crlf();
  }

  #number(value: number): void {
    if (value < 0) {
      this.#buf[this.#len++] = 0x2d;
      value = -value;
    }
    if (value < 10) {
      this.#buf[this.#len++] = 0x30 + value;
      return;
    }
    if (!Number.isSafeInteger(value)) {
      // Beyond 2^53 (INCR near the int64 edge uses bigint text): write the text form.
      this.#ascii(BigInt(value).toString());
      return;
    }
    let digits = 2;
    for (let power = 100; value >= power; power *= 10) digits++;
    let at = this.#len + digits;
    this.#len = at;
    const buf = this.#buf;
    if (value <= 0x7fffffff) {
      // Lengths, counts and most integers: int32 division by 10, which the compiler turns into a
      // multiply (a float division and floor per digit was 6% of RPUSH at pipeline 16).
      let v = value | 0;
      while (v >= 10) {
        const quotient = (v / 10) | 0;
        buf[--at] = 0x30 + (v - quotient * 10);
        v = quotient;
      }
      buf[--at] = 0x30 + v;
      return;
    }
    for (let v = value; v > 0; v = Math.floor(v / 10)) buf[--at] = 0x30 + (v % 10);
  }

  /** Writes an integer given as decimal text (for int64 values beyond 2^53). */
  integerText(text: string): void {
    this.#ensure(text.length + 3);
    this.#buf[this.#len++] = 0x3a;
    this.#ascii(text);
    this.#crlf();
  }

  #ascii(text: string): void {
    const buf = this.#buf;
    let at = this.#len;
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    this.#len = at;
  }

  /** Like #ascii, but CR and LF become spaces (simple strings and errors are one line). */
  #line(text: string): void {
    const buf = this.#buf;
    let at = this.#len;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      buf[at++] = c === CRLF_CR || c === CRLF_LF ? 0x20 : c;
    }
    this.#len = at;
  }

  #crlf(): void {
    this.#buf[this.#len++] = CRLF_CR;
    this.#buf[this.#len++] = CRLF_LF;
  }

  #ensure(extra: number): void {
    // Something follows a kept value or deferred messages: they go first, so the order holds.
    if (this.#captured !== NOT_CAPTURED) this.encodeCaptured();
    if (this.#deferred !== null) this.#encodeDeferred();
    const needed = this.#len + extra;
    if (needed <= this.#buf.length) return;
    this.#grow(needed);
  }

  #grow(needed: number): void {
    if (needed > this.limitBytes && this.onOverLimit) this.onOverLimit();
    const pool = this.#pool;
    if (this.#buf === NO_BUFFER && needed <= pool.size) {
      this.#buf = pool.take();
      return;
    }
    let size = Math.max(pool.size, this.#buf.length * 2);
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#len));
    // A pooled buffer outgrown goes back for others.
    if (this.#buf !== NO_BUFFER) pool.give(this.#buf);
    this.#buf = grown;
  }
}
