/**
 * What commands may ask of the server around them (CONFIG, CLIENT, INFO, SHUTDOWN), as an
 * interface so that the command layer never imports the network layer.
 */
import type { Config } from "../config/settings.ts";
import type { Session } from "./session.ts";
import type { CommandSpec } from "./spec.ts";
import type { GateVerdict } from "./gates.ts";

/** FAILOVER's arguments. */
export interface FailoverRequest {
  host: string | null;
  port: number;
  force: boolean;
  timeoutMs: number;
}

/** Counters kept by the network layer (INFO stats and clients). */
export interface NetworkStats {
  totalConnectionsReceived: number;
  rejectedConnections: number;
  totalNetInputBytes: number;
  totalNetOutputBytes: number;
}

export interface ServerControl {
  /** The live configuration; CONFIG SET changes it through {@linkcode setConfig}. */
  readonly config: Config;
  /** The config file the server was started with (CONFIG REWRITE, INFO), or null. */
  readonly configFile: string | null;
  /** Applies a CONFIG SET; throws CommandError with Redis's wording when refused. */
  setConfig(name: string, value: string): void;
  readonly network: NetworkStats;
  /** The port actually bound (differs from config.port when that is 0). */
  readonly port: number;
  /** The TLS port bound, or 0. */
  readonly tlsPort: number;
  readonly startedAtMs: number;
  readonly runId: string;
  /** Connected clients. */
  sessions(): Iterable<Session>;
  /** Closes a client's connection after its pending replies (CLIENT KILL). */
  disconnect(session: Session): void;
  /** Writes a warning to the server log (a failure the client sees only as an error reply). */
  logWarning(message: string): void;
  /**
   * Sends what was written to `session.out` outside the session's own requests (MONITOR lines)
   * when the current round is released, after it was made durable (pub/sub messages take the
   * hub's own path). Output past the client's output limit disconnects it, as for replies.
   */
  deliver(session: Session): void;
  /** Starts an orderly shutdown once the current replies are sent (SHUTDOWN). */
  shutdown(): void;
  /**
   * INFO persistence fields after `loading:0`, in order (aof_enabled, aof_rewrite_in_progress,
   * ...). The durability layer provides them; without it they describe "off".
   */
  persistenceInfo(): [field: string, value: string | number][];
  /** The durability layer's controls (BGREWRITEAOF, LASTSAVE); undefined without persistence. */
  readonly persistence?: PersistenceControl;
  /** RDB snapshots (SAVE, BGSAVE). */
  readonly rdb: RdbControl;
  /** Replication (REPLICAOF, PSYNC, REPLCONF, WAIT, ROLE, INFO replication). */
  readonly replication: ReplicationControl;
  /** Eviction's state (INFO, MEMORY). */
  readonly eviction: EvictionControl;
  /**
   * MEMORY PURGE: lets go of memory kept for reuse (idle clients' reply buffers, the shared
   * buffer pool), and runs a full GC when the runtime exposes one.
   */
  purgeMemory(): void;
}

/** What INFO and MEMORY may ask of eviction (see src/memory/eviction.ts). */
export interface EvictionControl {
  /** total_eviction_exceeded_time and current_eviction_exceeded_time, in ms. */
  exceededTimes(): [total: number, current: number];
  /** Whether eviction goes on in the background. */
  readonly running: boolean;
}

/** ROLE's answer, by role. */
export type RoleReply =
  | { role: "master"; offset: number; replicas: [ip: string, port: string, offset: string][] }
  | { role: "slave"; host: string; port: number; linkState: string; offset: number };

/** What the replication commands may ask (see src/replication/manager.ts). */
export interface ReplicationControl {
  readonly isReplica: boolean;
  replicaOf(host: string, port: number): "ok" | "already";
  replicaOfNoOne(): void;
  /** PSYNC replid offset, or SYNC (nulls): takes the connection over as a replica. */
  psync(session: Session, replid: string | null, offset: string | null, failover?: boolean): void;
  listeningPort(session: Session, port: number): void;
  rdbOnly(session: Session, on: boolean): void;
  /** REPLCONF capa <capability> (eof, psync2). */
  capability(session: Session, capability: string): void;
  ack(session: Session, offset: number): void;
  /** WAIT: the count now, or a promise that writes the reply when it settles. */
  wait(session: Session, replicas: number, timeoutMs: number): number | Promise<void>;
  /** READONLY / MASTERDOWN for this command on a replica, a hold while writes are paused. */
  refuse(session: Session, spec: CommandSpec): GateVerdict;
  failover(request: FailoverRequest): void;
  abortFailover(): void;
  /** DEBUG CHANGE-REPL-ID: a new replication id, and no second one. */
  changeReplId(): void;
  role(): RoleReply;
  info(): [field: string, value: string | number][];
}

/** What SAVE and BGSAVE may ask. */
export interface RdbControl {
  /** Writes dump.rdb now; throws when it cannot. */
  save(): void;
  /** Starts a background save; with `schedule`, one in progress is followed by another. */
  bgsave(schedule?: boolean): "started" | "in-progress" | "scheduled";
  readonly inProgress: boolean;
  /** Unix ms of the last successful save, or 0. */
  readonly lastSaveMs: number;
}

/** DEBUG RELOAD's options. */
export interface ReloadOptions {
  /** Compact the log first (not with NOSAVE). */
  save: boolean;
  /** Empty the databases before loading (not with NOFLUSH). */
  flush: boolean;
  /** With NOFLUSH: keys also in the log take its value instead of failing the reload. */
  merge: boolean;
}

/** What commands may ask of the durability layer. */
export interface PersistenceControl {
  /** Starts a compaction of the log; says why not when one runs or the log is failing. */
  compact(): "started" | "in-progress" | "failing";
  /** Unix ms of the last successful compaction, or of the start. */
  lastSaveMs(): number;
  /**
   * DEBUG RELOAD: compacts the log and rebuilds the data set from it, other clients' commands
   * held meanwhile; rejects (changing nothing) when it cannot.
   */
  reload(options: ReloadOptions): Promise<void>;
}
