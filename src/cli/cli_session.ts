/**
 * The CLI's connection: connects (AUTH, SELECT, HELLO 3 as asked), runs one command at a time,
 * remembers what the user changed (database, protocol, credentials) so a reconnect restores
 * it, and when the connection turns out to be gone, reconnects and retries the command once.
 */
import {
  type Client,
  connect,
  encodeCommand,
  Push,
  ReplyError,
  type TlsOptions,
} from "../client/mod.ts";
import { latin1ToBytes } from "../protocol/latin1.ts";
import type { CliOptions } from "./cli_args.ts";
import { parseReplyTree, type ReplyNode } from "./reply_tree.ts";

/** The server cannot be reached; the message is what redis-cli would print. */
export class ConnectError extends Error {
  override name = "ConnectError";
}

/** Where the session reports what it does on its own (reconnecting) and pushes it receives. */
export interface SessionEvents {
  /** A line for the user about the connection (printed on stderr). */
  notice(message: string): void;
  /** A RESP3 push frame that arrived while waiting for a reply. */
  push(node: ReplyNode): void;
}

export class CliSession {
  readonly #options: CliOptions;
  readonly #events: SessionEvents;
  #client: Client | null = null;
  #db: number | string;
  #protocol: 2 | 3;
  #password: string | undefined;
  #user: string | undefined;
  /** The open BEGIN transaction's id, or null; shown in the prompt. */
  #transaction: number | null = null;
  /** In MULTI (redis-cli shows `(TX)`). */
  #multi = false;

  constructor(options: CliOptions, events: SessionEvents) {
    this.#options = options;
    this.#events = events;
    this.#db = options.db;
    this.#protocol = options.protocol;
    this.#password = options.password;
    this.#user = options.user;
  }

  /** `host:port` of the server. */
  get address(): string {
    return `${this.#options.host}:${this.#options.port}`;
  }

  /**
   * redis-cli's prompt: `127.0.0.1:8080> `, `127.0.0.1:8080[2]> ` (a database or partition
   * other than 0), `127.0.0.1:8080(TX)> ` in MULTI, or `not connected> `; with a BEGIN
   * transaction open, `127.0.0.1:8080(tx 7)> `.
   */
  get prompt(): string {
    if (!this.#client) return "not connected> ";
    const db = this.#db === 0 ? "" : `[${this.#db}]`;
    const state = this.#transaction !== null
      ? `(tx ${this.#transaction})`
      : this.#multi
      ? "(TX)"
      : "";
    return `${this.address}${db}${state}> `;
  }

  get connected(): boolean {
    return this.#client !== null;
  }

  /** Connects (and authenticates, selects, switches protocol); throws {@linkcode ConnectError}. */
  async connect(): Promise<void> {
    this.close();
    // A new connection starts outside any transaction (the server rolled back the old one).
    this.#transaction = null;
    this.#multi = false;
    let client: Client;
    try {
      client = await connect({
        host: this.#options.host,
        port: this.#options.port,
        tls: tlsOptions(this.#options.tls),
      });
    } catch (error) {
      throw new ConnectError(`Could not connect to Hermes at ${this.address}: ${reason(error)}`);
    }
    try {
      // Setup replies are checked here rather than by connect() so an AUTH or SELECT refusal
      // is reported as the server said it, and the session stays usable (as redis-cli does).
      if (this.#protocol === 3) {
        const args = ["HELLO", "3"];
        if (this.#password !== undefined) {
          args.push("AUTH", this.#user ?? "default", this.#password);
        }
        await setupStep(client, args);
      } else if (this.#password !== undefined) {
        await setupStep(
          client,
          this.#user === undefined
            ? ["AUTH", this.#password]
            : ["AUTH", this.#user, this.#password],
        );
      }
      if (this.#db !== 0) await setupStep(client, ["SELECT", String(this.#db)]);
    } catch (error) {
      client.close();
      if (error instanceof ReplyError) throw new ConnectError(error.message);
      throw new ConnectError(`Could not connect to Hermes at ${this.address}: ${reason(error)}`);
    }
    this.#client = client;
  }

  /**
   * Runs one command (arguments as one-byte strings) and returns its reply. A connection
   * found broken is reconnected once and the command retried, with a notice; a second
   * failure throws {@linkcode ConnectError} and leaves the session not connected.
   */
  async run(args: string[]): Promise<ReplyNode> {
    if (!this.#client) await this.connect();
    try {
      return await this.#exchange(args);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.close();
      this.#events.notice(
        `Connection to ${this.address} lost (${reason(error)}); reconnecting and retrying once`,
      );
    }
    await this.connect();
    try {
      return await this.#exchange(args);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.close();
      throw new ConnectError(`Connection to ${this.address} lost again: ${reason(error)}`);
    }
  }

  /**
   * Sends a command that turns the connection into a stream (SUBSCRIBE, MONITOR) and hands
   * every frame to `frame` until the server closes the connection. Resolves to "refused" when
   * the first reply is an error (the stream never started), else to "closed".
   */
  async stream(
    args: string[],
    frame: (node: ReplyNode) => void,
  ): Promise<"refused" | "closed"> {
    if (!this.#client) await this.connect();
    const client = this.#client!;
    try {
      // In RESP3 the confirmations are push frames, so every frame is shown as it comes.
      await client.writeRaw(encodeCommand(args.map(latin1ToBytes)));
      const first = parseReplyTree((await client.readDecoded()).raw);
      frame(first);
      if (first.type === "error") return "refused";
      while (true) frame(parseReplyTree((await client.readDecoded()).raw));
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.close();
      return "closed";
    }
  }

  /** Closes the connection, if any, at once. */
  close(): void {
    this.#client?.close();
    this.#client = null;
  }

  /** Sends QUIT and closes. */
  async quit(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.quit();
  }

  async #exchange(args: string[]): Promise<ReplyNode> {
    const client = this.#client!;
    await client.writeRaw(encodeCommand(args.map(latin1ToBytes)));
    while (true) {
      const { value, raw } = await client.readDecoded();
      const node = parseReplyTree(raw);
      if (value instanceof Push) {
        this.#events.push(node);
        continue;
      }
      this.#remember(args, node);
      return node;
    }
  }

  /** Follows MULTI and BEGIN for the prompt. */
  #trackTransaction(name: string, node: ReplyNode): void {
    const failed = node.type === "error";
    if (name === "multi" && !failed) this.#multi = true;
    else if (name === "exec" || name === "discard") this.#multi = false;
    else if (name === "begin" && node.type === "integer") this.#transaction = Number(node.text);
    else if (name === "commit" || name === "rollback") {
      if (!failed || (node.type === "error" && TRANSACTION_OVER.test(node.text))) {
        this.#transaction = null;
      }
    }
  }

  /** Keeps what a successful command changed about the connection, for reconnects. */
  #remember(args: string[], node: ReplyNode): void {
    const name = args[0].toLowerCase();
    this.#trackTransaction(name, node);
    if (node.type === "error") return;
    if (name === "select" && args.length === 2) {
      this.#db = /^\d+$/.test(args[1]) ? Number(args[1]) : args[1];
    } else if (name === "auth" && (args.length === 2 || args.length === 3)) {
      this.#password = args[args.length - 1];
      this.#user = args.length === 3 ? args[1] : undefined;
    } else if (name === "hello") {
      if (args.length > 1 && (args[1] === "2" || args[1] === "3")) {
        this.#protocol = args[1] === "3" ? 3 : 2;
      }
      for (let i = 2; i + 2 < args.length; i++) {
        if (args[i].toLowerCase() === "auth") {
          this.#user = args[i + 1];
          this.#password = args[i + 2];
        }
      }
    }
  }
}

/** A COMMIT or ROLLBACK refusal after which no transaction is open any more. */
const TRANSACTION_OVER =
  /^(CONFLICT |ERR (COMMIT|ROLLBACK) without BEGIN|ERR transaction \d+ timed out)/;

async function setupStep(client: Client, args: string[]): Promise<void> {
  const reply = await client.call(...args.map(latin1ToBytes));
  if (reply instanceof ReplyError) throw reply;
}

/** Errors that mean the connection is unusable, as opposed to a bad reply. */
function isConnectionError(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.BadResource ||
    error instanceof Deno.errors.UnexpectedEof ||
    error instanceof Deno.errors.Interrupted ||
    error instanceof Deno.errors.NotConnected;
}

/** An OS error's message without Deno's "(os error N)" suffix. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\(os error \d+\)$/, "");
}

/** The client library's TLS options from the CLI's file names (read on each connect). */
function tlsOptions(tls: CliOptions["tls"]): TlsOptions | undefined {
  if (tls === undefined) return undefined;
  const read = (path: string | undefined) =>
    path === undefined ? undefined : Deno.readTextFileSync(path);
  const caCert = read(tls.caCertFile);
  return {
    caCerts: caCert === undefined ? undefined : [caCert],
    cert: read(tls.certFile),
    key: read(tls.keyFile),
  };
}
