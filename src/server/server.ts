/**
 * The network side of a store: binds the plain and TLS ports, admits clients up to maxclients,
 * runs one Connection per client, closes idle clients, and stops in order (stop accepting,
 * finish in-flight work, close clients). The store it serves, and the clients' registry that
 * commands see, live in src/embedded/ (StoreControl): this layer only adds sockets.
 */
import { Connection } from "./connection.ts";
import { connectionBuffers } from "../protocol/buffer_pool.ts";
import { Session } from "../commands/session.ts";
import type { Config } from "../config/settings.ts";
import type { StoreActor } from "../store/actor.ts";
import type { Logger } from "../log/logger.ts";
import type { ListeningPorts, StoreControl } from "../embedded/store_control.ts";
import { type ClientListener, type ClientSocket, formatAddr, hostOf } from "./transport.ts";
import { listenNodeTls } from "./node_tls.ts";

const MAX_CLIENTS_REPLY = new TextEncoder().encode("-ERR max number of clients reached\r\n");
/** How often idle clients are looked for (Redis's clientsCron runs about as often). */
const IDLE_SWEEP_MS = 1000;
/** Pause after a failed accept (e.g. out of file descriptors) before trying again. */
const ACCEPT_RETRY_MS = 100;
/** How long a shutdown waits for in-flight work before closing the remaining clients. */
const SHUTDOWN_GRACE_MS = 5000;

export interface ServerOptions {
  /** The store's registry of clients and its live config (src/embedded/store_control.ts). */
  control: StoreControl;
  actor: StoreActor<Session>;
  log: Logger;
  /**
   * Sets up a new client's session (its user); returns the error line to send before closing
   * the connection when the client is refused (protected mode), or null.
   */
  admit?: (session: Session, remoteHost: string) => string | null;
}

export class Server implements ListeningPorts {
  readonly config: Config;
  readonly #control: StoreControl;
  readonly #actor: StoreActor<Session>;
  readonly #log: Logger;
  readonly #connections = new Map<Session, Connection>();
  readonly #options: ServerOptions;
  #listener: ClientListener | null = null;
  #tlsListener: ClientListener | null = null;
  #idleTimer: ReturnType<typeof setInterval> | undefined;
  #stopping: Promise<void> | null = null;
  readonly #served = new Set<Promise<void>>();

  constructor(options: ServerOptions) {
    this.#options = options;
    this.#control = options.control;
    this.config = options.control.config;
    this.#actor = options.actor;
    this.#log = options.log;
  }

  /** True once a shutdown has begun. */
  get stopping(): boolean {
    return this.#stopping !== null;
  }

  /** The plain TCP port bound (0 when it is turned off in favour of TLS only). */
  get port(): number {
    const addr = this.#listener?.addr;
    return addr && "port" in addr ? addr.port : this.#plainPortWanted() ? this.config.port : 0;
  }

  /** The TLS port bound, or 0. */
  get tlsPort(): number {
    const addr = this.#tlsListener?.addr;
    return addr && "port" in addr ? addr.port : 0;
  }

  /** Plain TCP is served unless TLS is on and --port is 0 (Redis's way to turn it off). */
  #plainPortWanted(): boolean {
    return this.config.port !== 0 || this.config.tlsPort === 0;
  }

  /** Binds the plain and/or TLS port; throws if it cannot. */
  async listen(): Promise<void> {
    const { host, port, tlsPort } = this.config;
    try {
      if (this.#plainPortWanted()) this.#listener = Deno.listen({ hostname: host, port });
      if (tlsPort !== 0) this.#tlsListener = await this.#listenTls();
    } catch (error) {
      this.#listener?.close();
      throw error;
    }
    this.#idleTimer = setInterval(() => this.#sweep(), IDLE_SWEEP_MS);
    this.#control.listening = this;
  }

  /**
   * The TLS port: Deno's native TLS when client certificates are not asked for, node:tls when
   * they are (Deno.listenTls cannot request them).
   */
  async #listenTls(): Promise<ClientListener> {
    const config = this.config;
    const read = (what: string, path: string): string => {
      if (path === "") throw new Error(`--tls-port needs --${what}`);
      return Deno.readTextFileSync(path);
    };
    const cert = read("tls-cert-file", config.tlsCertFile);
    const key = read("tls-key-file", config.tlsKeyFile);
    if (config.tlsAuthClients === "no") {
      return Deno.listenTls({ hostname: config.host, port: config.tlsPort, cert, key });
    }
    return await listenNodeTls({
      hostname: config.host,
      port: config.tlsPort,
      cert,
      key,
      ca: read("tls-ca-cert-file", config.tlsCaCertFile),
      mode: config.tlsAuthClients,
      onHandshakeError: (message) => this.#log.debug(`TLS handshake failed: ${message}`),
    });
  }

  /** Accepts clients on every port until {@linkcode stop}. */
  async acceptLoop(): Promise<void> {
    const loops = [this.#listener, this.#tlsListener].filter((l) => l !== null)
      .map((listener) => this.#acceptFrom(listener!));
    await Promise.all(loops);
  }

  async #acceptFrom(listener: ClientListener): Promise<void> {
    while (true) {
      let conn: ClientSocket;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (this.#stopping) return;
        if (error instanceof Deno.errors.BadResource) return;
        // Out of file descriptors and the like: back off instead of spinning on the error.
        this.#log.warn("Accepting a connection failed", error);
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      this.#admit(conn);
    }
  }

  #admit(conn: ClientSocket): void {
    if (this.#stopping || this.#connections.size >= this.config.maxClients) {
      // Counted as rejected only, as Redis does (not in total_connections_received).
      this.#control.network.rejectedConnections++;
      this.#refuse(conn, MAX_CLIENTS_REPLY);
      return;
    }
    this.#control.network.totalConnectionsReceived++;
    try {
      conn.setNoDelay?.(true);
    } catch { /* not fatal */ }
    const session = new Session(
      this.#control.nextClientId(),
      formatAddr(conn.remoteAddr),
      formatAddr(conn.localAddr),
      Date.now(),
    );
    const refusal = this.#options.admit?.(session, hostOf(conn.remoteAddr)) ?? null;
    if (refusal !== null) {
      // Protected mode: Redis answers once and closes, counting a rejected connection.
      this.#control.network.rejectedConnections++;
      this.#refuse(conn, new TextEncoder().encode(`-${refusal}\r\n`));
      return;
    }
    const connection = new Connection(
      conn,
      session,
      this.config,
      this.#actor,
      this.#control.network,
      this.#log,
      this.#control.memory,
    );
    this.#connections.set(session, connection);
    this.#control.attach(session, connection);
    const served = connection.serve()
      .catch((error) => this.#log.error(`Client id=${session.id} failed`, error))
      .finally(() => {
        this.#connections.delete(session);
        this.#control.detach(session);
        this.#served.delete(served);
        // What the client left behind (watches, a transaction, subscriptions) is the store's:
        // clean it there.
        if (session.hasCloseHooks) this.#actor.run(() => session.closed());
      });
    this.#served.add(served);
  }

  /** Sends one reply to a refused client and closes it. */
  #refuse(conn: ClientSocket, reply: Uint8Array): void {
    conn.write(reply).catch(() => {}).finally(() => {
      try {
        conn.close();
      } catch { /* already closed */ }
    });
  }

  /**
   * Once a second: idle clients (timeout; as in Redis, a client with subscriptions is never
   * idle, it waits for messages) and clients held past a soft output limit.
   */
  #sweep(): void {
    const timeoutMs = this.config.idleTimeoutSec * 1000;
    const now = Date.now();
    for (const [session, connection] of this.#connections) {
      // Replicas are watched by repl-timeout instead, as in Redis; blocked clients and
      // subscribers wait on purpose.
      const waits = session.clientType !== "normal" || session.blocked;
      if (timeoutMs > 0 && !waits && now - session.lastInteractionMs > timeoutMs) {
        this.#log.debug(`Closing idle client id=${session.id} addr=${session.remoteAddr}`);
        connection.forceClose();
        continue;
      }
      connection.checkOutputLimits();
    }
    // Shared buffers no connection needed over the last second go back to the system.
    connectionBuffers.sweep();
  }

  /**
   * Stops accepting, lets in-flight batches finish and their replies go out, then closes every
   * client. Resolves when all connections are closed.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    clearInterval(this.#idleTimer);
    for (const listener of [this.#listener, this.#tlsListener]) {
      try {
        listener?.close();
      } catch { /* already closed */ }
    }
    for (const connection of this.#connections.values()) connection.finishAndClose();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise((resolve) => timer = setTimeout(resolve, SHUTDOWN_GRACE_MS));
    await Promise.race([Promise.allSettled(this.#served), deadline]);
    clearTimeout(timer);
    for (const connection of this.#connections.values()) connection.forceClose();
    if (this.#control.listening === this) this.#control.listening = null;
  }
}
