/**
 * The view commands have of the store's surroundings (ServerControl): the live config, the
 * clients, CONFIG SET, SHUTDOWN, persistence and replication controls. It knows no sockets:
 * network connections and embedded sessions register here alike, each with a handle that can
 * close it and send it output written outside its own requests.
 */
import type {
  EvictionControl,
  NetworkStats,
  PersistenceControl,
  RdbControl,
  ReplicationControl,
  ServerControl,
} from "../commands/server_control.ts";
import type { Session } from "../commands/session.ts";
import { configSetFailed, unknownConfigOption } from "../commands/errors.ts";
import { parseSettingValue } from "../commands/config.ts";
import { type Config, findSetting } from "../config/settings.ts";
import type { Logger } from "../log/logger.ts";
import type { MemoryAccount } from "../memory/memory_account.ts";
import { connectionBuffers } from "../protocol/buffer_pool.ts";

/** Before the store plugs eviction in. */
const NO_EVICTION: EvictionControl = { exceededTimes: () => [0, 0], running: false };

const NO_SESSIONS: readonly Session[] = [];

/** What the store needs from a client's transport (a TCP connection or an embedded session). */
export interface ClientHandle {
  /** CLIENT KILL: the command running now is the client's last; its replies go, then it closes. */
  requestClose(): void;
  /**
   * For clients in this process (embedded sessions): ends it when the store closes, answering
   * the batch in flight. Network clients are ended by their listener instead.
   */
  end?(): Promise<void>;
  /** MEMORY PURGE: gives back buffers kept for reuse while the client is idle. */
  releaseBuffers?(): void;
}

/** The network side's ports, once the store listens (see server/server.ts). */
export interface ListeningPorts {
  readonly port: number;
  readonly tlsPort: number;
}

export interface StoreControlOptions {
  config: Config;
  /** The config file CONFIG REWRITE rewrites, or null. */
  configFile?: string | null;
  log: Logger;
  /** SAVE and BGSAVE. */
  rdb: RdbControl;
  /** INFO persistence fields from the durability layer. */
  persistenceInfo?: () => [string, string | number][];
  /** The durability layer's controls for BGREWRITEAOF and LASTSAVE. */
  persistence?: PersistenceControl;
  /** Hook run after CONFIG SET changed a setting (e.g. the log level). */
  onConfigChanged?: (name: string) => void;
  /** SHUTDOWN: closes the store (and its listener) once the current replies are sent. */
  onShutdown: () => void;
  /** used_memory: network connections report what they hold (mem_clients_normal). */
  memory?: MemoryAccount;
}

export class StoreControl implements ServerControl {
  readonly config: Config;
  readonly configFile: string | null;
  /** Counters of every listener the store has had (INFO stats keep counting across them). */
  readonly network: NetworkStats = {
    totalConnectionsReceived: 0,
    rejectedConnections: 0,
    totalNetInputBytes: 0,
    totalNetOutputBytes: 0,
  };
  readonly startedAtMs = Date.now();
  readonly runId = Array.from(crypto.getRandomValues(new Uint8Array(20)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  /** The listener, while the store is served over TCP. */
  listening: ListeningPorts | null = null;
  /** Set once a shutdown or close has begun. */
  stopping = false;
  readonly #clients = new Map<Session, ClientHandle>();
  /** Sessions with output to send once the current round's replies are released. */
  readonly #deliveries = new Set<Session>();
  readonly #options: StoreControlOptions;
  #replication: ReplicationControl | null = null;
  #eviction: EvictionControl = NO_EVICTION;
  #nextClientId = 1;
  /** The account network connections report their buffers to, or null. */
  readonly memory: MemoryAccount | null;

  constructor(options: StoreControlOptions) {
    this.#options = options;
    this.config = options.config;
    this.configFile = options.configFile ?? null;
    this.memory = options.memory ?? null;
  }

  /** The plain TCP port bound, or 0 while the store is not served over TCP. */
  get port(): number {
    return this.listening?.port ?? 0;
  }

  /** The TLS port bound, or 0. */
  get tlsPort(): number {
    return this.listening?.tlsPort ?? 0;
  }

  /** A new client id (CLIENT ID, CLIENT LIST): ids are never reused. */
  nextClientId(): number {
    return this.#nextClientId++;
  }

  /** Registers a client: it shows in CLIENT LIST and INFO, and CLIENT KILL reaches it. */
  attach(session: Session, handle: ClientHandle): void {
    this.#clients.set(session, handle);
  }

  /** Forgets a client that left. */
  detach(session: Session): void {
    this.#clients.delete(session);
    this.#deliveries.delete(session);
  }

  /** Ends every client in this process (see {@linkcode ClientHandle.end}): the store closes. */
  async endLocalClients(): Promise<void> {
    const ending: Promise<void>[] = [];
    for (const handle of this.#clients.values()) if (handle.end) ending.push(handle.end());
    await Promise.all(ending);
  }

  sessions(): Iterable<Session> {
    return this.#clients.keys();
  }

  disconnect(session: Session): void {
    this.#clients.get(session)?.requestClose();
  }

  deliver(session: Session): void {
    this.#deliveries.add(session);
  }

  /** Whether output was queued for another session since the last {@linkcode takeDeliveries}. */
  get delivering(): boolean {
    return this.#deliveries.size !== 0;
  }

  /**
   * The sessions {@linkcode deliver} named since the last call (the round being sealed): their
   * output up to here leaves when that round is released (see round_output.ts), so output
   * caused by a round leaves with the round's replies and never before.
   */
  takeDeliveries(): readonly Session[] {
    if (this.#deliveries.size === 0) return NO_SESSIONS;
    const sessions = [...this.#deliveries];
    this.#deliveries.clear();
    return sessions;
  }

  setConfig(name: string, value: string): void {
    const setting = findSetting(name);
    if (!setting) throw unknownConfigOption(name);
    if (!setting.mutable) throw configSetFailed(name, "can't set immutable config");
    const parsed = parseSettingValue(setting, name, value, this.config[setting.key]);
    (this.config as unknown as Record<string, unknown>)[setting.key] = parsed;
    this.#options.onConfigChanged?.(setting.name);
  }

  get rdb(): RdbControl {
    return this.#options.rdb;
  }

  get replication(): ReplicationControl {
    return this.#replication!;
  }

  /** Plugs replication in (made after this, since it asks for the listening port). */
  setReplication(replication: ReplicationControl): void {
    this.#replication = replication;
  }

  get eviction(): EvictionControl {
    return this.#eviction;
  }

  /** Plugs eviction in (made after the dispatcher, whose gate it drives). */
  setEviction(eviction: EvictionControl): void {
    this.#eviction = eviction;
  }

  purgeMemory(): void {
    for (const handle of this.#clients.values()) handle.releaseBuffers?.();
    connectionBuffers.trim();
    // A full collection, when the runtime exposes one (--v8-flags=--expose-gc): V8's nearest
    // equivalent of giving dirty pages back (benchmarks use it to measure the live heap).
    const gc = (globalThis as { gc?: () => void }).gc;
    if (typeof gc === "function") gc();
  }

  get persistence(): PersistenceControl | undefined {
    return this.#options.persistence;
  }

  persistenceInfo(): [string, string | number][] {
    return this.#options.persistenceInfo?.() ?? [
      ["aof_enabled", 0],
      ["aof_rewrite_in_progress", 0],
      ["aof_rewrite_scheduled", 0],
      ["aof_last_write_status", "ok"],
    ];
  }

  logWarning(message: string): void {
    this.#options.log.warn(message);
  }

  shutdown(): void {
    // Let the SHUTDOWN batch finish before stopping: in-flight replies are answered.
    setTimeout(() => this.#options.onShutdown(), 0);
  }
}
