/**
 * A small Redis/Hermes client for Deno: connect, send commands, pipeline, read replies
 * (RESP2 or RESP3), close.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * const client = await connect({ port: 8080 });
 * await client.send("SET", "greeting", "hello");
 * console.log(await client.send("GET", "greeting")); // "hello"
 * client.close();
 * ```
 */
import { type Arg, encodeCommand } from "./encode_command.ts";
import {
  type DecodedReply,
  Push,
  ReplyError,
  RespDecoder,
  type RespValue,
} from "./resp_decoder.ts";

export interface ConnectOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080. */
  port?: number;
}

export class Client {
  readonly #conn: Deno.TcpConn;
  readonly #decoder = new RespDecoder();
  readonly #readBuf = new Uint8Array(64 * 1024);
  /** Push frames (RESP3 pub/sub) received while waiting for replies. */
  readonly pushes: Push[] = [];
  #closed = false;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Sends one command and returns its reply; an error reply is thrown as {@linkcode ReplyError}. */
  async send(...args: Arg[]): Promise<RespValue> {
    await this.writeRaw(encodeCommand(args));
    const reply = await this.readReply();
    if (reply instanceof ReplyError) throw reply;
    return reply;
  }

  /** Sends one command and returns its reply, error replies included, without throwing. */
  async call(...args: Arg[]): Promise<RespValue> {
    await this.writeRaw(encodeCommand(args));
    return await this.readReply();
  }

  /** Sends all commands in one write and returns their replies in order (errors as values). */
  async pipeline(commands: Arg[][]): Promise<RespValue[]> {
    const parts = commands.map(encodeCommand);
    const total = parts.reduce((sum, p) => sum + p.length, 0);
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    await this.writeRaw(bytes);
    const replies: RespValue[] = [];
    for (let i = 0; i < commands.length; i++) replies.push(await this.readReply());
    return replies;
  }

  /** Writes raw bytes (tests of the protocol itself). */
  async writeRaw(bytes: Uint8Array | string): Promise<void> {
    let data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
    while (data.length > 0) {
      const n = await this.#conn.write(data);
      data = data.subarray(n);
    }
  }

  /** The next reply that is not a push frame. Throws if the server closes first. */
  async readReply(): Promise<RespValue> {
    while (true) {
      const { value } = await this.readDecoded();
      if (value instanceof Push) {
        this.pushes.push(value);
        continue;
      }
      return value;
    }
  }

  /** The next reply or push frame, with its exact bytes. */
  async readDecoded(): Promise<DecodedReply> {
    while (true) {
      const decoded = this.#decoder.next();
      if (decoded) return decoded;
      const n = await this.#conn.read(this.#readBuf);
      if (n === null) throw new Deno.errors.ConnectionReset("Connection closed by server");
      this.#decoder.push(this.#readBuf.subarray(0, n));
    }
  }

  /** Reads until the server closes the connection; returns every byte received meanwhile. */
  async readUntilClosed(timeoutMs = 5000): Promise<string> {
    let text = "";
    const timer = setTimeout(() => this.close(), timeoutMs);
    try {
      while (true) {
        const n = await this.#conn.read(this.#readBuf).catch(() => null);
        if (n === null) break;
        for (let i = 0; i < n; i++) text += String.fromCharCode(this.#readBuf[i]);
      }
    } finally {
      clearTimeout(timer);
    }
    return text;
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/** Opens a connection. */
export async function connect(options: ConnectOptions = {}): Promise<Client> {
  const conn = await Deno.connect({
    hostname: options.host ?? "127.0.0.1",
    port: options.port ?? 8080,
  });
  conn.setNoDelay(true);
  return new Client(conn);
}

export { ReplyError };
export type { RespValue };
