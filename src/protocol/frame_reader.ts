/**
 * The request decoder: bytes in, complete commands (argument lists) out. It understands RESP
 * multibulk (`*N` then `$len` bulk strings, as sent by client libraries and redis-cli) and
 * inline lines (as typed in telnet) on the same stream, choosing per request by the first byte,
 * as Redis does.
 *
 * It is pure and resumable: no I/O, state kept between calls, so a stream split at any byte
 * gives the same commands. Every length is checked against its limit before anything is
 * allocated, so a hostile length cannot make it reserve memory. Arguments are returned as
 * one-byte strings (see latin1.ts).
 */
import { type Latin1Buffer, latin1View, sliceLatin1 } from "./latin1.ts";
import { type BufferPool, connectionBuffers } from "./buffer_pool.ts";
import { ProtocolError } from "./protocol_error.ts";
import { splitInlineArgs } from "./inline.ts";

/** Limits on one request, in bytes or counts. */
export interface FrameLimits {
  maxInlineBytes: number;
  maxBulkBytes: number;
  maxArgs: number;
}

/**
 * Most arguments, and longest argument, a client may send before it authenticates (Redis 7.0's
 * networking.c): a bigger request is refused and the client closed, so an unauthenticated
 * stranger cannot make the server buffer much.
 */
export const PRE_AUTH_MAX_ARGS = 10;
export const PRE_AUTH_MAX_BULK_BYTES = 16 * 1024;

const CR = 0x0d;
const LF = 0x0a;
/**
 * The buffer a reader keeps while idle: a read waits on it, and most requests (a pipeline of
 * 16 small commands included) fit. A request that does not, or a read that fills it (more is
 * coming), moves to a pooled buffer, given back once everything buffered has been parsed.
 */
export const IDLE_BUFFER_BYTES = 1024;
/** Passed to sliceLatin1 for arguments of up to 16 bytes, which it decodes without a view. */
const SHORT_ONLY = latin1View(new Uint8Array(0));
/** #args between commands: frozen, as only a multibulk header starts a command's array. */
const NO_ARGS = Object.freeze([]) as unknown as string[];
/** Never offer a read less room than this (a smaller space means a read call per few bytes). */
const MIN_READ_BYTES = 512;
/** Header lines (`*N`, `$N`) longer than this are garbage, not a slow sender. */
const MAX_HEADER_LINE_BYTES = 64 * 1024;
/** Buffers grown past this for a big argument are given back once they are empty. */
const SHRINK_ABOVE_BYTES = 1024 * 1024;
/** Most room reserved for a bulk beyond the bytes already received. */
const RESERVE_AHEAD_BYTES = 1024 * 1024;

export class FrameReader {
  #limits: FrameLimits;
  readonly #pool: BufferPool;
  readonly #idle = new Uint8Array(IDLE_BUFFER_BYTES);
  #buf: Uint8Array = this.#idle;
  /** The decoder view of #buf, made on first use (short arguments never need it). */
  #bufView: Latin1Buffer | null = null;
  /** Room the last {@linkcode writable} offered, and whether the read after it filled it. */
  #offered = 0;
  #filled = false;
  /** Bytes received since everything buffered was last consumed (the batch being read). */
  #batchBytes = 0;
  #start = 0;
  #end = 0;
  /** Arguments still expected in the current multibulk, or -1 between commands. */
  #pendingArgs = -1;
  #args: string[] = NO_ARGS;
  /** The last command name decoded (see #commandName). */
  #lastName = "";
  /** Length of the bulk whose header was read, or -1 when the next thing is a `$` header. */
  #bulkLen = -1;
  /**
   * Where the search for the end of the line starting at #start resumes (0: from #start), so a
   * line arriving a byte at a time is scanned once, not once per byte.
   */
  #scanFrom = 0;
  /** The client has not authenticated: Redis's small pre-authentication limits apply. */
  preAuth = false;

  constructor(limits: FrameLimits, pool: BufferPool = connectionBuffers) {
    this.#limits = limits;
    this.#pool = pool;
  }

  /** Replaces the limits (CONFIG SET); applies from the next header read. */
  setLimits(limits: FrameLimits): void {
    this.#limits = limits;
  }

  /** Bytes received but not yet returned as commands. */
  get bufferedBytes(): number {
    return this.#end - this.#start;
  }

  /** The last read filled the small buffer of an idle reader: more is probably coming. */
  get filledIdleBuffer(): boolean {
    return this.#filled && this.#buf === this.#idle;
  }

  /** Bytes of memory the reader holds (for CLIENT LIST `qbuf`). */
  get capacityBytes(): number {
    return this.#buf.length;
  }

  /** Free space to read the next chunk into; call {@linkcode commit} with the bytes read. */
  writable(): Uint8Array {
    // Reserve room for a known bulk, but at most RESERVE_AHEAD_BYTES ahead of the data actually
    // arriving, so a header promising 512 MB costs nothing until the bytes come.
    let missing = this.#bulkLen >= 0 ? this.#bulkLen + 2 - (this.#end - this.#start) : 1;
    // The last read filled its space: the client is streaming, read more at once.
    if (this.#filled && missing < this.#pool.size / 2) missing = this.#pool.size / 2;
    this.#makeRoom(missing < 1 ? 1 : missing > RESERVE_AHEAD_BYTES ? RESERVE_AHEAD_BYTES : missing);
    const space = this.#buf.subarray(this.#end);
    this.#offered = space.length;
    return space;
  }

  /** Marks `n` bytes just written into {@linkcode writable}'s array as received. */
  commit(n: number): void {
    this.#end += n;
    this.#batchBytes += n;
    this.#filled = n === this.#offered;
  }

  /** Copies `bytes` in (tests and tools; the server reads straight into {@linkcode writable}). */
  push(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) {
      const space = this.writable();
      const n = Math.min(space.length, bytes.length - offset);
      space.set(bytes.subarray(offset, offset + n));
      this.commit(n);
      offset += n;
    }
  }

  /**
   * Returns the next complete command, or null when more bytes are needed.
   * Throws {@linkcode ProtocolError} for a malformed request; the stream is then unusable.
   */
  next(): string[] | null {
    while (true) {
      if (this.#pendingArgs < 0) {
        if (this.#start >= this.#end) {
          this.#reset();
          return null;
        }
        if (this.#buf[this.#start] === 0x2a /* '*' */) {
          if (!this.#readMultibulkHeader()) return null;
          if (this.#pendingArgs === 0) {
            this.#pendingArgs = -1; // `*0` and `*-1` are empty requests: ignored, no reply
            continue;
          }
        } else {
          const argv = this.#readInline();
          if (argv === null) return null;
          if (argv.length === 0) continue; // empty lines are ignored
          return argv;
        }
      }
      const argv = this.#readBulks();
      if (argv === null) return null;
      return argv;
    }
  }

  #readMultibulkHeader(): boolean {
    const cr = this.#findHeaderEnd("mbulk");
    if (cr < 0) return false;
    const count = parseInteger(this.#buf, this.#start + 1, cr);
    if (count === null || count > this.#limits.maxArgs) {
      throw new ProtocolError("invalid multibulk length");
    }
    if (this.preAuth && count > PRE_AUTH_MAX_ARGS) {
      throw new ProtocolError("unauthenticated multibulk length");
    }
    this.#start = cr + 2;
    this.#pendingArgs = count < 0 ? 0 : count;
    this.#args = [];
    return true;
  }

  #readBulks(): string[] | null {
    const buf = this.#buf;
    while (this.#pendingArgs > 0) {
      if (this.#bulkLen < 0) {
        if (this.#start >= this.#end) return null;
        const cr = this.#findHeaderEnd("bulk");
        if (cr < 0) return null;
        if (buf[this.#start] !== 0x24 /* '$' */) {
          throw new ProtocolError(
            `expected '$', got '${String.fromCharCode(buf[this.#start])}'`,
          );
        }
        const len = parseInteger(buf, this.#start + 1, cr);
        if (len === null || len < 0 || len > this.#limits.maxBulkBytes) {
          throw new ProtocolError("invalid bulk length");
        }
        if (this.preAuth && len > PRE_AUTH_MAX_BULK_BYTES) {
          throw new ProtocolError("unauthenticated bulk length");
        }
        this.#start = cr + 2;
        this.#bulkLen = len;
      }
      // The two bytes after the data are the CRLF; like Redis, they are skipped unchecked.
      if (this.#end - this.#start < this.#bulkLen + 2) return null;
      const args = this.#args;
      if (args.length === 0 && this.#bulkLen <= 16) {
        args.push(this.#commandName(buf, this.#start, this.#bulkLen));
      } else {
        // Arguments up to 16 bytes are decoded without the view (sliceLatin1 never reads it).
        const view = this.#bulkLen > 16 ? this.#view : SHORT_ONLY;
        args.push(sliceLatin1(buf, view, this.#start, this.#start + this.#bulkLen));
      }
      this.#start += this.#bulkLen + 2;
      this.#bulkLen = -1;
      this.#pendingArgs--;
    }
    this.#pendingArgs = -1;
    const argv = this.#args;
    this.#args = NO_ARGS; // the next header makes a fresh array
    return argv;
  }

  /**
   * A command name: the previous command's string when the bytes are the same (a client mostly
   * repeats one command), so a pipeline of SETs decodes "SET" once, and the registry's lookup
   * finds the string's hash already computed.
   */
  #commandName(buf: Uint8Array, start: number, len: number): string {
    const last = this.#lastName;
    if (last.length === len) {
      let i = 0;
      while (i < len && buf[start + i] === last.charCodeAt(i)) i++;
      if (i === len) return last;
    }
    return this.#lastName = sliceLatin1(buf, SHORT_ONLY, start, start + len);
  }

  /**
   * Finds the CR ending a header line that starts at #start, requiring the byte after it to be
   * buffered too. Returns -1 when more bytes are needed; throws when the line is too long.
   */
  #findHeaderEnd(kind: "mbulk" | "bulk"): number {
    // A plain loop: header lines are a few bytes, shorter than a call to indexOf costs.
    const buf = this.#buf;
    const last = this.#end - 1;
    for (let i = this.#scanFrom > this.#start ? this.#scanFrom : this.#start; i < last; i++) {
      if (buf[i] === CR) {
        this.#scanFrom = 0;
        return i;
      }
    }
    if (this.#end - this.#start > MAX_HEADER_LINE_BYTES) {
      throw new ProtocolError(`too big ${kind} count string`);
    }
    // Resume at the last byte: it may be the CR whose LF has not arrived yet.
    this.#scanFrom = last > this.#start ? last : this.#start;
    return -1;
  }

  #readInline(): string[] | null {
    const from = Math.max(this.#start, this.#scanFrom);
    let lf = this.#buf.indexOf(LF, from);
    if (lf >= this.#end) lf = -1; // bytes past #end are stale
    if (lf < 0) {
      if (this.#end - this.#start > this.#limits.maxInlineBytes) {
        throw new ProtocolError("too big inline request");
      }
      this.#scanFrom = this.#end;
      return null;
    }
    let lineEnd = lf;
    if (lineEnd > this.#start && this.#buf[lineEnd - 1] === CR) lineEnd--;
    if (lineEnd - this.#start > this.#limits.maxInlineBytes) {
      throw new ProtocolError("too big inline request");
    }
    const line = this.#view.latin1Slice(this.#start, lineEnd);
    this.#start = lf + 1;
    this.#scanFrom = 0;
    return splitInlineArgs(line);
  }

  /**
   * Makes at least `needed` bytes free after #end: compacts, grows (doubling, but never past
   * what the bulk being read still needs), or trades a big buffer for a small one once the
   * big argument it grew for is gone.
   */
  #makeRoom(needed: number): void {
    const buffered = this.#end - this.#start;
    const free = this.#buf.length - this.#end;
    if (free >= needed && free >= MIN_READ_BYTES) return;
    const wanted = buffered + Math.max(needed, MIN_READ_BYTES);
    const buf = this.#buf;
    if (wanted <= buf.length && !(buf.length > SHRINK_ABOVE_BYTES && wanted * 4 <= buf.length)) {
      buf.copyWithin(0, this.#start, this.#end);
    } else {
      let grown: Uint8Array;
      if (wanted <= this.#idle.length && buf !== this.#idle) grown = this.#idle;
      else if (wanted <= this.#pool.size) grown = this.#pool.take();
      else {
        let size = this.#pool.size;
        while (size < wanted) size *= 2;
        // A big bulk gets exactly its size (plus a read's worth) instead of the next power of two.
        const bulkEnd = this.#bulkLen >= 0 ? this.#bulkLen + 2 + this.#pool.size : 0;
        if (size > SHRINK_ABOVE_BYTES && bulkEnd >= wanted && bulkEnd < size) size = bulkEnd;
        grown = new Uint8Array(size);
      }
      grown.set(buf.subarray(this.#start, this.#end));
      this.#use(grown);
    }
    if (this.#scanFrom > 0) this.#scanFrom -= this.#start;
    this.#start = 0;
    this.#end = buffered;
  }

  /** Switches to `buffer`, giving a pooled one back. */
  #use(buffer: Uint8Array): void {
    if (this.#buf !== this.#idle) this.#pool.give(this.#buf);
    this.#buf = buffer;
    this.#bufView = null;
  }

  /** The decoder view of the current buffer (for arguments longer than 16 bytes). */
  get #view(): Latin1Buffer {
    return this.#bufView ??= latin1View(this.#buf);
  }

  /**
   * Everything consumed: rewind, and go back to the idle buffer unless the client is streaming
   * (its last read filled the space) or sends batches bigger than the idle buffer (a pipelining
   * client waiting for its replies: its next batch would take two reads, and a turn of the event
   * loop between them). A client whose next batch is small goes back to it then, so an idle
   * client holds only that one unless its last batch was big.
   */
  #reset(): void {
    this.#start = 0;
    this.#end = 0;
    this.#scanFrom = 0;
    const batch = this.#batchBytes;
    this.#batchBytes = 0;
    if (this.#buf === this.#idle) return;
    const big = batch > this.#idle.length && this.#buf.length <= this.#pool.size;
    if ((!this.#filled && !big) || this.#buf.length > SHRINK_ABOVE_BYTES) this.#use(this.#idle);
  }
}

/**
 * Parses a signed decimal integer in bytes [from, to) with Redis's strictness (string2ll): an
 * optional '-', digits, no '+', spaces, leading zeros or "-0". Returns null when it is not one,
 * or when it is longer than 19 characters (beyond every limit anyway).
 */
export function parseInteger(buf: Uint8Array, from: number, to: number): number | null {
  // Past 2^53 the value is approximate, but far beyond every limit, which is all that matters.
  if (from >= to || to - from > 19) return null;
  let i = from;
  let negative = false;
  if (buf[i] === 0x2d) {
    negative = true;
    i++;
    if (i >= to || buf[i] === 0x30) return null; // "-" and "-0..." are not numbers to Redis
  } else if (buf[i] === 0x30 && to - i > 1) {
    return null;
  }
  let value = 0;
  for (; i < to; i++) {
    const digit = buf[i] - 0x30;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}
