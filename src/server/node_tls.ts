/**
 * A TLS listener that asks for client certificates, on node:tls: Deno.listenTls cannot request
 * or verify them (Deno 2.9), while node:tls's createServer with `requestCert` and `ca` does. Each
 * accepted socket is adapted to the read/write/close shape the connection layer uses, with
 * backpressure: past READ_BUFFER_BYTES unread, the socket is paused until the reader catches up.
 *
 * `yes`: the handshake fails without a certificate that chains to the CA. `optional`: a client
 * may present none, but a certificate it presents must chain to the CA, or it is disconnected.
 */
import tls from "node:tls";
import { Buffer } from "node:buffer";
import type { ClientListener, ClientSocket } from "./transport.ts";

/** Unread bytes buffered per client before its socket is paused. */
const READ_BUFFER_BYTES = 256 * 1024;

export interface NodeTlsOptions {
  hostname: string;
  port: number;
  cert: string;
  key: string;
  ca: string;
  mode: "yes" | "optional";
  /** Told about handshakes that fail (bad or missing client certificates). */
  onHandshakeError?: (message: string) => void;
}

/** Starts listening; resolves once the port is bound. */
export function listenNodeTls(options: NodeTlsOptions): Promise<ClientListener> {
  const waiting: ((socket: ClientSocket | null) => void)[] = [];
  const ready: ClientSocket[] = [];
  let closed = false;
  const server = tls.createServer({
    cert: options.cert,
    key: options.key,
    ca: options.ca,
    requestCert: true,
    rejectUnauthorized: options.mode === "yes",
  }, (socket) => {
    const presented = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
    if (!socket.authorized && (options.mode === "yes" || presented)) {
      options.onHandshakeError?.(`client certificate refused: ${socket.authorizationError}`);
      socket.destroy();
      return;
    }
    const adapted = new NodeTlsSocket(socket);
    const taker = waiting.shift();
    if (taker) taker(adapted);
    else ready.push(adapted);
  });
  server.on("tlsClientError", (error: Error) => options.onHandshakeError?.(error.message));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      const address = server.address() as { address: string; port: number };
      resolve({
        addr: { transport: "tcp", hostname: address.address, port: address.port },
        accept(): Promise<ClientSocket> {
          const next = ready.shift();
          if (next) return Promise.resolve(next);
          if (closed) return Promise.reject(new Deno.errors.BadResource("listener closed"));
          return new Promise((resolve, reject) => {
            waiting.push((socket) =>
              socket ? resolve(socket) : reject(new Deno.errors.BadResource("listener closed"))
            );
          });
        },
        close() {
          if (closed) return;
          closed = true;
          server.close();
          for (const taker of waiting.splice(0)) taker(null);
          for (const socket of ready.splice(0)) socket.close();
        },
      });
    });
  });
}

/** A node:tls socket as a ClientSocket. */
class NodeTlsSocket implements ClientSocket {
  readonly remoteAddr: Deno.NetAddr;
  readonly localAddr: Deno.NetAddr;
  readonly #socket: tls.TLSSocket;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #wake: (() => void) | null = null;

  constructor(socket: tls.TLSSocket) {
    this.#socket = socket;
    this.remoteAddr = {
      transport: "tcp",
      hostname: socket.remoteAddress ?? "",
      port: socket.remotePort ?? 0,
    };
    this.localAddr = {
      transport: "tcp",
      hostname: socket.localAddress ?? "",
      port: socket.localPort ?? 0,
    };
    socket.on("data", (chunk: Buffer) => {
      this.#chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.#buffered += chunk.byteLength;
      if (this.#buffered > READ_BUFFER_BYTES) socket.pause();
      this.#notify();
    });
    const end = () => {
      this.#ended = true;
      this.#notify();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  async read(into: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    let n = 0;
    while (n < into.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const take = Math.min(chunk.length, into.length - n);
      into.set(chunk.subarray(0, take), n);
      n += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#buffered -= n;
    if (this.#buffered <= READ_BUFFER_BYTES && this.#socket.isPaused()) this.#socket.resume();
    return n;
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.#ended) return Promise.reject(new Deno.errors.BrokenPipe("connection closed"));
    // A copy: the caller recycles its buffer once the write resolves.
    const copy = Buffer.from(bytes);
    return new Promise((resolve, reject) => {
      this.#socket.write(
        copy,
        (error?: Error | null) => error ? reject(error) : resolve(bytes.length),
      );
    });
  }

  close(): void {
    this.#ended = true;
    this.#socket.destroy();
    this.#notify();
  }

  setNoDelay(noDelay = true): void {
    this.#socket.setNoDelay(noDelay);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
