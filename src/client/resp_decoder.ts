/**
 * Decodes server replies (RESP2 and RESP3) from bytes. Pure and resumable: feed bytes with
 * {@linkcode RespDecoder.push}, take complete replies with {@linkcode RespDecoder.next}.
 *
 * Bulk and simple strings decode to one-byte strings (each char is one byte), so binary values
 * round-trip; use `latin1ToBytes` or `latin1ToUtf8` from the protocol module to convert.
 */
import { type Latin1Buffer, latin1View, sliceLatin1 } from "../protocol/latin1.ts";

/**
 * An error reply (`-ERR ...`). Returned as a value by the decoder and by
 * {@linkcode Client.call}, thrown by {@linkcode Client.send} and the typed helpers.
 *
 * @example
 * ```ts
 * import { connect, ReplyError } from "./mod.ts";
 * const client = await connect({ port: 8080 });
 * try {
 *   await client.send("INCR", "not-a-number-key");
 * } catch (error) {
 *   if (error instanceof ReplyError) console.log(error.code, error.message);
 * }
 * client.close();
 * ```
 */
export class ReplyError extends Error {
  /** Always "ReplyError". */
  override name = "ReplyError";
  /** The first word: ERR, WRONGTYPE, NOPROTO, ... */
  get code(): string {
    const space = this.message.indexOf(" ");
    return space < 0 ? this.message : this.message.slice(0, space);
  }
}

/**
 * An out-of-band RESP3 push frame (`>`), e.g. a pub/sub message: an array whose first item
 * names the kind (`message`, `subscribe`, `invalidate`, ...).
 *
 * @example
 * ```ts
 * import { connect, type Push } from "./mod.ts";
 * const client = await connect({
 *   port: 8080,
 *   protocol: 3,
 *   onPush: (push: Push) => console.log(push[0], push.slice(1)),
 * });
 * client.close();
 * ```
 */
export class Push extends Array<RespValue> {}

/**
 * Any decoded reply. Simple and bulk strings decode to one-byte strings (each char is one byte);
 * integers to numbers (bigints beyond 2^53); doubles to numbers; maps to `Map`; sets to `Set`;
 * nulls to `null`; error replies to {@linkcode ReplyError} values.
 *
 * @example
 * ```ts
 * import { connect, type RespValue } from "./mod.ts";
 * const client = await connect({ port: 8080 });
 * const reply: RespValue = await client.send("MGET", "a", "b"); // e.g. ["1", null]
 * if (Array.isArray(reply)) console.log(reply.length);
 * client.close();
 * ```
 */
export type RespValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | ReplyError
  | RespValue[]
  | Map<RespValue, RespValue>
  | Set<RespValue>;

/**
 * A reply and the exact bytes it was decoded from.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * const client = await connect({ port: 8080 });
 * await client.writeRaw("PING\r\n");
 * const { value, raw } = await client.readDecoded(); // "PONG", the bytes of "+PONG\r\n"
 * client.close();
 * ```
 */
export interface DecodedReply {
  /** The decoded reply. */
  value: RespValue;
  /** The bytes it was decoded from, type byte to final CRLF. */
  raw: Uint8Array;
}

const NEED_MORE = Symbol("need more");
type Step = RespValue | typeof NEED_MORE;

/**
 * A resumable RESP2/RESP3 reply decoder.
 *
 * @example
 * ```ts
 * import { RespDecoder } from "./mod.ts";
 * const decoder = new RespDecoder();
 * decoder.push(new TextEncoder().encode("+OK\r\n:4"));
 * decoder.next()?.value; // "OK"
 * decoder.next(); // null: the integer is not complete yet
 * decoder.push(new TextEncoder().encode("2\r\n"));
 * decoder.next()?.value; // 42
 * ```
 */
export class RespDecoder {
  /** Received bytes; #buf is the part not yet taken out, decoded up to #pos. */
  #store = new Uint8Array(0);
  #view: Latin1Buffer = latin1View(this.#store);
  #buf = new Uint8Array(0);
  #pos = 0;

  /** Appends received bytes (the buffer grows geometrically, so big replies cost linear time). */
  push(bytes: Uint8Array): void {
    const rest = this.#buf.length - this.#pos;
    let start = this.#buf.byteOffset + this.#pos;
    if (this.#store.length - (start + rest) < bytes.length) {
      if (this.#store.length - rest >= bytes.length && this.#store.length >= 4096) {
        // Room enough once what was decoded is dropped: move the rest to the front.
        this.#store.copyWithin(0, start, start + rest);
      } else {
        let size = Math.max(4096, this.#store.length);
        while (size < (rest + bytes.length) * 1.5) size *= 2;
        const grown = new Uint8Array(size);
        grown.set(this.#store.subarray(start, start + rest));
        this.#store = grown;
        this.#view = latin1View(grown);
      }
      start = 0;
    }
    this.#store.set(bytes, start + rest);
    this.#buf = this.#store.subarray(start, start + rest + bytes.length);
    this.#pos = 0;
  }

  /** Bytes received and not yet decoded. */
  get buffered(): number {
    return this.#buf.length - this.#pos;
  }

  /** The next complete reply, or null when more bytes are needed. */
  next(): DecodedReply | null {
    const start = this.#pos;
    const value = this.nextValue();
    if (value === undefined) return null;
    return { value, raw: this.#buf.slice(start, this.#pos) };
  }

  /** The next complete reply's value (without its bytes), or undefined when more are needed. */
  nextValue(): RespValue | undefined {
    const start = this.#pos;
    // A reply still incomplete at the last look is only scanned (no values built) until it
    // is complete, so a reply arriving in many chunks is decoded once.
    if (!this.#complete()) return undefined;
    const value = this.#value();
    if (value === NEED_MORE) {
      this.#pos = start;
      return undefined;
    }
    return value;
  }

  /** Whether a whole reply starts at #pos (scanning lengths only). */
  #complete(): boolean {
    const start = this.#pos;
    const ok = this.#skip();
    this.#pos = start;
    return ok;
  }

  /** Skips one reply without building it; false when it is not all here. */
  #skip(): boolean {
    const buf = this.#buf;
    if (this.#pos >= buf.length) return false;
    const type = buf[this.#pos++];
    const cr = buf.indexOf(0x0d, this.#pos);
    if (cr < 0 || cr + 1 >= buf.length) return false;
    let number = 0;
    let negative = false;
    for (let i = this.#pos; i < cr; i++) {
      const c = buf[i];
      if (c === 0x2d) negative = true;
      else if (c >= 0x30 && c <= 0x39) number = number * 10 + c - 0x30;
    }
    if (negative) number = -number;
    this.#pos = cr + 2;
    switch (type) {
      case 0x24:
      case 0x21:
      case 0x3d:
        if (number < 0) return true;
        if (buf.length - this.#pos < number + 2) return false;
        this.#pos += number + 2;
        return true;
      case 0x2a:
      case 0x7e:
      case 0x3e:
      case 0x25:
      case 0x7c: {
        const items = type === 0x25 || type === 0x7c ? number * 2 : number;
        for (let i = 0; i < items; i++) if (!this.#skip()) return false;
        return type === 0x7c ? this.#skip() : true;
      }
      default:
        return true;
    }
  }

  #line(): string | null {
    const cr = this.#buf.indexOf(0x0d, this.#pos);
    if (cr < 0 || cr + 1 >= this.#buf.length) return null;
    let text = "";
    for (let i = this.#pos; i < cr; i++) text += String.fromCharCode(this.#buf[i]);
    this.#pos = cr + 2;
    return text;
  }

  #bytes(n: number): string | null {
    if (this.#buf.length - this.#pos < n + 2) return null;
    const at = this.#buf.byteOffset + this.#pos;
    const text = sliceLatin1(this.#store, this.#view, at, at + n);
    this.#pos += n + 2;
    return text;
  }

  #value(): Step {
    if (this.#pos >= this.#buf.length) return NEED_MORE;
    const type = this.#buf[this.#pos++];
    const line = this.#line();
    if (line === null) return NEED_MORE;
    switch (type) {
      case 0x2b: // + simple string
        return line;
      case 0x2d: // - error
        return new ReplyError(line);
      case 0x3a: { // : integer
        const n = Number(line);
        return Number.isSafeInteger(n) ? n : BigInt(line);
      }
      case 0x28: // ( big number
        return BigInt(line);
      case 0x2c: // , double
        return line === "inf" ? Infinity : line === "-inf" ? -Infinity : Number(line);
      case 0x23: // # boolean
        return line === "t";
      case 0x5f: // _ null
        return null;
      case 0x24: // $ bulk
      case 0x21: // ! bulk error
      case 0x3d: { // = verbatim
        const len = Number(line);
        if (len < 0) return null;
        const body = this.#bytes(len);
        if (body === null) return NEED_MORE;
        if (type === 0x21) return new ReplyError(body);
        return type === 0x3d ? body.slice(4) : body;
      }
      case 0x2a: // * array
      case 0x7e: // ~ set
      case 0x3e: { // > push
        const count = Number(line);
        if (count < 0) return null;
        const items: RespValue[] = type === 0x3e ? new Push() : [];
        for (let i = 0; i < count; i++) {
          const item = this.#value();
          if (item === NEED_MORE) return NEED_MORE;
          items.push(item);
        }
        return type === 0x7e ? new Set(items) : items;
      }
      case 0x7c: { // | attribute: metadata about the reply that follows; skipped
        const count = Number(line);
        for (let i = 0; i < count * 2; i++) {
          if (this.#value() === NEED_MORE) return NEED_MORE;
        }
        return this.#value();
      }
      case 0x25: { // % map
        const count = Number(line);
        const map = new Map<RespValue, RespValue>();
        for (let i = 0; i < count; i++) {
          const key = this.#value();
          if (key === NEED_MORE) return NEED_MORE;
          const value = this.#value();
          if (value === NEED_MORE) return NEED_MORE;
          map.set(key, value);
        }
        return map;
      }
      default:
        throw new TypeError(`Cannot decode reply: unknown type byte ${type}`);
    }
  }
}
