/**
 * A bare TCP connection for protocol tests: write exact bytes, read exact bytes back, and tell a
 * closed connection from a quiet one. Received bytes are one-byte strings (char code = byte).
 */
import { bytesToLatin1, latin1ToBytes } from "../../src/protocol/latin1.ts";

export class RawSocket {
  readonly #conn: Deno.TcpConn;
  readonly #buf = new Uint8Array(64 * 1024);
  #received = "";
  #closed = false;
  #pending: Promise<void> | null = null;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async connect(port: number): Promise<RawSocket> {
    return new RawSocket(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** This end's port: how the server names this client (`127.0.0.1:<port>`). */
  get localPort(): number {
    return this.#conn.localAddr.port;
  }

  /** Whether the server has closed the connection (seen by a read). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Writes `data` (a one-byte string or bytes) in full; false if the server is gone. */
  async write(data: string | Uint8Array): Promise<boolean> {
    let bytes = typeof data === "string" ? latin1ToBytes(data) : data;
    try {
      while (bytes.length > 0) bytes = bytes.subarray(await this.#conn.write(bytes));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Reads until `done(received)` holds and returns (and consumes) everything received; throws
   * with what arrived if `timeoutMs` passes or the server closes first.
   */
  async readUntil(done: (received: string) => boolean, timeoutMs = 10_000): Promise<string> {
    await this.#waitFor(done, timeoutMs);
    return this.take(this.#received.length);
  }

  /** Reads exactly `count` bytes and returns them; what follows stays for the next read. */
  async readBytes(count: number, timeoutMs = 10_000): Promise<string> {
    await this.#waitFor((r) => r.length >= count, timeoutMs);
    return this.take(count);
  }

  async #waitFor(done: (received: string) => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.#received)) {
      if (this.#closed) {
        throw new Error(`Connection closed after ${JSON.stringify(this.#received)}`);
      }
      if (!await this.#readOnce(deadline - Date.now())) {
        throw new Error(`Timed out after ${JSON.stringify(this.#received.slice(0, 500))}`);
      }
    }
  }

  /**
   * Reads until the server closes; returns everything received. Throws if it is still open
   * after `timeoutMs`.
   */
  async readUntilClosed(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#closed) {
      if (!await this.#readOnce(deadline - Date.now())) {
        throw new Error(`Still open after ${JSON.stringify(this.#received.slice(0, 500))}`);
      }
    }
    return this.take(this.#received.length);
  }

  /** Waits `ms` and returns what arrived meanwhile, without consuming the connection's end. */
  async readFor(ms: number): Promise<string> {
    const deadline = Date.now() + ms;
    while (!this.#closed && Date.now() < deadline) await this.#readOnce(deadline - Date.now());
    return this.take(this.#received.length);
  }

  /** Removes and returns the first `count` received bytes. */
  take(count: number): string {
    const head = this.#received.slice(0, count);
    this.#received = this.#received.slice(count);
    return head;
  }

  close(): void {
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }

  /** One read, at most `ms` long; false on timeout. A pending read carries over to the next call. */
  async #readOnce(ms: number): Promise<boolean> {
    this.#pending ??= this.#conn.read(this.#buf).then(
      (n) => {
        if (n === null) this.#closed = true;
        else this.#received += bytesToLatin1(this.#buf.subarray(0, n));
      },
      () => {
        this.#closed = true; // reset by the server
      },
    ).finally(() => this.#pending = null);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(ms, 0));
    });
    try {
      return await Promise.race([this.#pending.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Sends `data` on a fresh connection and collects the answer: until the server closes (then
 * `closed` is true), or until `quietMs` pass with the connection still open.
 */
export async function exchange(
  port: number,
  data: string | Uint8Array,
  quietMs = 300,
): Promise<{ reply: string; closed: boolean }> {
  const socket = await RawSocket.connect(port);
  try {
    await socket.write(data);
    const reply = await socket.readFor(quietMs);
    return { reply, closed: socket.closed };
  } finally {
    socket.close();
  }
}

/** The RSS of process `pid` in bytes (Linux), or null where /proc is missing. */
export function residentBytes(pid: number): number | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
