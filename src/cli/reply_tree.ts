/**
 * A reply with its RESP type kept, for printing: the client library's decoded values merge
 * simple and bulk strings, integers and doubles, which redis-cli prints differently
 * (`OK` against `"OK"`, `(integer) 1` against `(double) 1`).
 */

/** One reply, typed as it came over the wire. Texts are one-byte strings. */
export type ReplyNode =
  | {
    type: "simple" | "error" | "integer" | "double" | "bignum" | "bulk" | "verbatim";
    text: string;
  }
  | { type: "bool"; value: boolean }
  | { type: "nil" }
  | { type: "array" | "set" | "push"; items: ReplyNode[] }
  | { type: "map"; entries: [ReplyNode, ReplyNode][] };

/** Parses the bytes of one complete reply (as `Client.readDecoded` returns them). */
export function parseReplyTree(raw: Uint8Array): ReplyNode {
  const parser = new TreeParser(raw);
  return parser.value();
}

class TreeParser {
  #pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  value(): ReplyNode {
    const type = this.bytes[this.#pos++];
    const line = this.#line();
    switch (type) {
      case 0x2b: // +
        return { type: "simple", text: line };
      case 0x2d: // -
        return { type: "error", text: line };
      case 0x3a: // :
        return { type: "integer", text: line };
      case 0x2c: // ,
        return { type: "double", text: line };
      case 0x28: // (
        return { type: "bignum", text: line };
      case 0x23: // #
        return { type: "bool", value: line === "t" };
      case 0x5f: // _
        return { type: "nil" };
      case 0x24: // $
      case 0x21: // ! bulk error
      case 0x3d: { // = verbatim
        const len = Number(line);
        if (len < 0) return { type: "nil" };
        const body = this.#take(len);
        if (type === 0x21) return { type: "error", text: body };
        if (type === 0x3d) return { type: "verbatim", text: body.slice(4) };
        return { type: "bulk", text: body };
      }
      case 0x2a: // *
      case 0x7e: // ~
      case 0x3e: { // >
        const count = Number(line);
        if (count < 0) return { type: "nil" };
        const items: ReplyNode[] = [];
        for (let i = 0; i < count; i++) items.push(this.value());
        return { type: type === 0x2a ? "array" : type === 0x7e ? "set" : "push", items };
      }
      case 0x25: { // %
        const entries: [ReplyNode, ReplyNode][] = [];
        for (let i = Number(line); i > 0; i--) entries.push([this.value(), this.value()]);
        return { type: "map", entries };
      }
      case 0x7c: { // | attribute: metadata before the real reply; not shown
        for (let i = Number(line) * 2; i > 0; i--) this.value();
        return this.value();
      }
      default:
        throw new TypeError(`Cannot parse reply: unknown type byte ${type}`);
    }
  }

  #line(): string {
    const cr = this.bytes.indexOf(0x0d, this.#pos);
    if (cr < 0) throw new RangeError("Cannot parse reply: it ends inside a line");
    const text = this.#slice(this.#pos, cr);
    this.#pos = cr + 2;
    return text;
  }

  #take(n: number): string {
    if (this.#pos + n > this.bytes.length) {
      throw new RangeError("Cannot parse reply: it ends inside a bulk string");
    }
    const text = this.#slice(this.#pos, this.#pos + n);
    this.#pos += n + 2;
    return text;
  }

  #slice(start: number, end: number): string {
    let text = "";
    for (let i = start; i < end; i += 8192) {
      text += String.fromCharCode(...this.bytes.subarray(i, Math.min(i + 8192, end)));
    }
    return text;
  }
}
