/**
 * The replication role of this server and the commands' view of it (ReplicationControl):
 * REPLICAOF / SLAVEOF, PSYNC / SYNC / REPLCONF from replicas, WAIT, ROLE, INFO replication, and
 * the gates a replica needs (read-only, stale data). It owns the {@linkcode Replication} state
 * and, while we are a replica, the {@linkcode MasterLink}.
 */
import type { Config } from "../config/settings.ts";
import type { Databases } from "../store/databases.ts";
import type { Logger } from "../log/logger.ts";
import type { Session } from "../commands/session.ts";
import type { WalJournal } from "../wal/wal_journal.ts";
import type { FailoverRequest, ReplicationControl, RoleReply } from "../commands/server_control.ts";
import { CommandError } from "../commands/errors.ts";
import { commandHas, type GateVerdict, HANDLED } from "../commands/gates.ts";
import type { CommandSpec } from "../commands/spec.ts";
import { MasterLink } from "./master_link.ts";
import { Expired } from "../store/expiry_policy.ts";
import { Replication } from "./replication.ts";

export const ReplicationErrors = {
  readOnly: new CommandError("READONLY You can't write against a read only replica."),
  masterDown: new CommandError(
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
  ),
  waitOnReplica: new CommandError(
    "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a " +
      "replica is configured to be writable (which is not the default) writes to replicas are " +
      "just local and are not propagated.",
  ),
  noMasterLink: new CommandError("NOMASTERLINK Can't SYNC while not connected with my master"),
  failoverOnReplica: new CommandError("ERR FAILOVER is not valid when server is a replica."),
  failoverNoReplicas: new CommandError("ERR FAILOVER requires connected replicas."),
  failoverInProgress: new CommandError("ERR FAILOVER already in progress."),
  failoverNone: new CommandError("ERR No failover in progress."),
  failoverForce: new CommandError(
    "ERR FAILOVER with force option requires both a timeout and target HOST and IP.",
  ),
  failoverTarget: new CommandError("ERR FAILOVER target HOST and PORT is not a replica."),
  failoverTargetOffline: new CommandError("ERR FAILOVER target replica is not online."),
  psyncFailoverReplid: new CommandError("ERR PSYNC FAILOVER replid must match my replid."),
} as const;

/** A FAILOVER in progress. */
interface Failover {
  state: "waiting-for-sync" | "failover-in-progress";
  request: FailoverRequest;
  deadline: number;
  timer: ReturnType<typeof setInterval>;
  /** Writes wait on this while the failover runs (Redis pauses them). */
  pause: Promise<void>;
  resume: () => void;
}

export interface ReplicationManagerOptions {
  config: Config;
  store: Databases;
  log: Logger;
  runInStore: (task: () => void) => Promise<void>;
  runCommand: (session: Session, argv: string[]) => unknown;
  wal: WalJournal | null;
  listeningPort: () => number;
  now: () => number;
  /** Closes a client after its queued output. */
  disconnect: (session: Session) => void;
  /** Called when commands need checking (a replica, paused writes) or no longer do. */
  onGatesNeeded: (needed: boolean) => void;
  /** Installs (or, with null, removes) the hook that runs after every command. */
  setAfterCommand?: (hook: ((session: Session) => void) | null) => void;
}

export class ReplicationManager implements ReplicationControl {
  readonly state: Replication;
  #link: MasterLink | null = null;
  #failover: Failover | null = null;
  readonly #options: ReplicationManagerOptions;

  constructor(options: ReplicationManagerOptions) {
    this.#options = options;
    this.state = new Replication({
      config: options.config,
      store: options.store,
      log: options.log,
      runInStore: options.runInStore,
      now: options.now,
      setAfterCommand: options.setAfterCommand,
    });
    this.state.onCloseSession = options.disconnect;
  }

  /**
   * At start: follow `replicaof` from the config, resuming from the position our log recovered
   * (a replica restarted after a crash asks for a partial resync). A primary whose log ends with
   * its position (`isLast`: it shut down cleanly, nothing changed after, no key expired while it
   * was down) takes its history back, with an empty backlog from that offset, so its replicas
   * that had everything continue, as Redis's primary restarted from its RDB does.
   */
  start(recovered: { replid: string; offset: number; db: number } | null, isLast = false): void {
    const target = this.#options.config.replicaOf;
    if (target === "") {
      if (recovered !== null && isLast && recovered.replid !== "?") {
        this.state.replid = recovered.replid;
        this.state.offset = recovered.offset;
        this.state.appliedOffset = recovered.offset;
        this.state.ensureBacklog();
        this.#options.log.info(
          `Continuing replication history ${recovered.replid} from offset ${recovered.offset}`,
        );
      }
      return;
    }
    const [host, port] = target.split(" ");
    if (recovered !== null) {
      this.state.replid = recovered.replid;
      this.state.offset = recovered.offset;
      this.state.appliedOffset = recovered.offset;
      this.#options.log.info(
        `Resuming replication from the log's position ${recovered.replid}:${recovered.offset}`,
      );
    }
    this.#follow(host, Number(port), recovered !== null, recovered?.db ?? 0);
  }

  get isReplica(): boolean {
    return this.state.isReplica;
  }

  /** The link's state when we are a replica (INFO, ROLE). */
  get link(): MasterLink | null {
    return this.#link;
  }

  #updateGates(): void {
    this.#options.onGatesNeeded(this.isReplica || this.#failover !== null);
    this.#options.log.role = this.isReplica ? "S" : "M";
    // A replica leaves expiry to its primary; a promoted one expires its keys itself again.
    this.#options.store.expiry.followsPrimary = this.isReplica;
  }

  #follow(
    host: string,
    port: number,
    resume: boolean,
    streamDb: number,
    failover?: { done: (error: string | null) => void },
  ): void {
    const options = this.#options;
    this.#link?.stop();
    this.state.becomeReplica(host, port);
    options.config.replicaOf = `${host} ${port}`;
    this.#updateGates();
    this.#link = new MasterLink({
      host,
      port,
      config: options.config,
      replication: this.state,
      store: options.store,
      runInStore: options.runInStore,
      runCommand: options.runCommand,
      wal: options.wal,
      log: options.log,
      listeningPort: options.listeningPort,
      now: options.now,
      resume,
      streamDb,
      failover,
    });
  }

  /** REPLICAOF host port (inside the actor). */
  replicaOf(host: string, port: number): "ok" | "already" {
    const link = this.#link;
    if (link !== null && link.host === host && link.port === port) return "already";
    const wasReplica = this.isReplica;
    this.#options.log.info(`Replicating ${host}:${port} (REPLICAOF)`);
    if (this.#failover) this.#endFailover("REPLICAOF was called");
    void wasReplica;
    // Our data set and history are kept: we ask the new primary for a partial resync.
    this.#follow(host, port, true, 0);
    return "ok";
  }

  /** REPLICAOF NO ONE (inside the actor). */
  replicaOfNoOne(): void {
    if (!this.isReplica) return;
    this.#link?.stop();
    this.#link = null;
    this.state.becomePrimary();
    this.#options.config.replicaOf = "";
    // Our log's position belongs to the old history: a restart must not resume from it.
    this.#options.wal?.writeReplPosition("?", 0, 0);
    this.#updateGates();
    this.#options.log.info(
      `Now a primary (REPLICAOF NO ONE): new replication id ${this.state.replid}, ` +
        `previous ${this.state.replid2} valid up to offset ${this.state.secondOffset - 1}`,
    );
  }

  psync(session: Session, replid: string | null, offset: string | null, failover = false): void {
    if (failover) {
      // Our primary is handing over to us (its FAILOVER): promote, then continue its history.
      if (!this.isReplica || replid !== this.state.replid) {
        throw ReplicationErrors.psyncFailoverReplid;
      }
      this.#options.log.info("Failover request received from our primary: promoting");
      this.replicaOfNoOne();
    }
    if (this.isReplica && this.#link?.state !== "connected") throw ReplicationErrors.noMasterLink;
    this.state.psync(session, replid, offset);
  }

  // --- FAILOVER ---

  /** FAILOVER [TO host port [FORCE]] [TIMEOUT ms]: checks, then starts the switch. */
  failover(request: FailoverRequest): void {
    // Redis's order of checks.
    if (this.isReplica) throw ReplicationErrors.failoverOnReplica;
    if (this.state.onlineReplicas().length === 0) throw ReplicationErrors.failoverNoReplicas;
    if (request.force && (request.host === null || request.timeoutMs <= 0)) {
      throw ReplicationErrors.failoverForce;
    }
    if (this.#failover !== null) throw ReplicationErrors.failoverInProgress;
    if (request.host !== null) {
      const target = this.state.onlineReplicas().find((p) =>
        p.ip === request.host && p.listeningPort === request.port
      );
      if (target === undefined) throw ReplicationErrors.failoverTarget;
      if (target.state !== "online") throw ReplicationErrors.failoverTargetOffline;
    }
    let resume!: () => void;
    const pause = new Promise<void>((resolve) => resume = resolve);
    this.#failover = {
      state: "waiting-for-sync",
      request,
      deadline: request.timeoutMs > 0 ? Date.now() + request.timeoutMs : Infinity,
      timer: setInterval(() => this.#options.runInStore(() => this.#checkFailover()), 50),
      pause,
      resume,
    };
    this.#updateGates();
    this.state.requestAck();
    this.#options.log.info("FAILOVER requested: writes paused, waiting for a replica to catch up");
  }

  /** FAILOVER ABORT. */
  abortFailover(): void {
    if (this.#failover === null) throw ReplicationErrors.failoverNone;
    if (this.#failover.state === "failover-in-progress") {
      this.#link?.stop();
      this.#link = null;
      this.replicaOfNoOne();
    }
    this.#endFailover("FAILOVER ABORT");
  }

  changeReplId(): void {
    this.#options.log.warn("Changing replication IDs after receiving DEBUG change-repl-id");
    this.state.changeReplId();
  }

  /** Inside the actor, every 50 ms while waiting: is a replica caught up? */
  #checkFailover(): void {
    const failover = this.#failover;
    if (failover === null || failover.state !== "waiting-for-sync") return;
    const { request } = failover;
    const end = this.state.streamEnd;
    const candidates = this.state.onlineReplicas().filter((p) =>
      p.state === "online" &&
      (request.host === null || (p.ip === request.host && p.listeningPort === request.port))
    );
    let chosen = candidates.find((p) => p.ackOffset >= end);
    if (chosen === undefined && Date.now() > failover.deadline) {
      if (!request.force || candidates.length === 0) {
        this.#endFailover("Replica never caught up before timeout");
        return;
      }
      chosen = candidates[0];
    }
    if (chosen === undefined) {
      this.state.requestAck();
      return;
    }
    failover.state = "failover-in-progress";
    const host = chosen.ip;
    const port = chosen.listeningPort;
    this.#options.log.info(`FAILOVER: switching roles with replica ${host}:${port}`);
    this.#follow(host, port, true, 0, {
      done: (error) =>
        this.#options.runInStore(() => {
          if (this.#failover !== failover) return;
          if (error === null) {
            this.#endFailover(null);
            return;
          }
          // The target did not take over: we stay the primary.
          this.#link?.stop();
          this.#link = null;
          this.replicaOfNoOne();
          this.#endFailover(`FAILOVER to ${host}:${port} failed: ${error}`);
        }),
    });
  }

  /** Ends the failover (null: it succeeded) and lets paused writes run. */
  #endFailover(abortReason: string | null): void {
    const failover = this.#failover;
    if (failover === null) return;
    this.#failover = null;
    clearInterval(failover.timer);
    failover.resume();
    this.#updateGates();
    if (abortReason === null) this.#options.log.info("FAILOVER done: now a replica");
    else this.#options.log.warn(`FAILOVER aborted: ${abortReason}`);
  }

  listeningPort(session: Session, port: number): void {
    this.state.handshake(session).listeningPort = port;
  }

  rdbOnly(session: Session, on: boolean): void {
    this.state.handshake(session).rdbOnly = on;
  }

  capability(session: Session, capability: string): void {
    if (capability.toLowerCase() === "eof") this.state.handshake(session).capaEof = true;
  }

  ack(session: Session, offset: number): void {
    this.state.ack(session, offset);
  }

  wait(session: Session, replicas: number, timeoutMs: number): number | Promise<void> {
    if (this.isReplica) throw ReplicationErrors.waitOnReplica;
    return this.state.wait(session, replicas, timeoutMs);
  }

  /**
   * The checks a replica adds before commands (READONLY, MASTERDOWN), and FAILOVER's pause of
   * writes. An EXEC carries the flags of what it queued, as in Redis.
   *
   * On a replica this runs before every command, so it also tells the keyspaces what the
   * command does with a key past its deadline (expiry_policy.ts): the primary's commands see it
   * live, a write on a writable replica removes it, anything else finds it missing.
   */
  refuse(session: Session, spec: CommandSpec): GateVerdict {
    if (this.isReplica) {
      this.#options.store.expiry.action = session.kind === "master"
        ? Expired.keep
        : !this.#options.config.replicaReadOnly && commandHas(session, spec, "write")
        ? Expired.remove
        : Expired.hide;
    }
    if (session.kind !== "normal") return null;
    // Inside MULTI a write is only queued: its EXEC is what waits.
    const queued = session.multi !== null && spec.name !== "exec";
    if (this.#failover !== null && !queued && commandHas(session, spec, "write")) {
      session.blocking = this.#failover.pause;
      return HANDLED;
    }
    if (!this.isReplica) return null;
    const config = this.#options.config;
    if (
      !config.replicaServeStaleData && this.#link?.state !== "connected" &&
      !commandHas(session, spec, "stale")
    ) {
      return ReplicationErrors.masterDown;
    }
    if (config.replicaReadOnly && commandHas(session, spec, "write")) {
      return ReplicationErrors.readOnly;
    }
    return null;
  }

  role(): RoleReply {
    const state = this.state;
    const link = this.#link;
    if (link === null) {
      return {
        role: "master",
        offset: state.offset,
        replicas: state.onlineReplicas().filter((p) => p.state === "online")
          .map((p) => [p.ip, String(p.listeningPort), String(p.ackOffset)]),
      };
    }
    const linkState = link.state === "transfer" ? "sync" : link.state;
    return {
      role: "slave",
      host: link.host,
      port: link.port,
      linkState,
      offset: link.state === "connected" ? state.offset : -1,
    };
  }

  info(): [string, string | number][] {
    const state = this.state;
    const config = this.#options.config;
    const link = this.#link;
    const fields: [string, string | number][] = [];
    const now = Date.now();
    if (link === null) {
      fields.push(["role", "master"]);
    } else {
      const up = link.state === "connected";
      fields.push(
        ["role", "slave"],
        ["master_host", link.host],
        ["master_port", link.port],
        ["master_link_status", up ? "up" : "down"],
        [
          "master_last_io_seconds_ago",
          link.lastIoMs === 0 ? -1 : Math.floor((now - link.lastIoMs) / 1000),
        ],
        ["master_sync_in_progress", link.state === "transfer" ? 1 : 0],
        ["slave_read_repl_offset", state.appliedOffset],
        ["slave_repl_offset", state.offset],
      );
      if (link.state === "transfer") {
        fields.push(
          ["master_sync_total_bytes", link.transferSize],
          ["master_sync_read_bytes", link.transferRead],
          [
            "master_sync_left_bytes",
            link.transferSize < 0 ? -1 : link.transferSize - link.transferRead,
          ],
        );
      }
      if (!up) {
        fields.push([
          "master_link_down_since_seconds",
          Math.floor((now - link.downSinceMs) / 1000),
        ]);
      }
      fields.push(
        ["slave_priority", config.replicaPriority],
        ["slave_read_only", config.replicaReadOnly ? 1 : 0],
        ["replica_announced", 1],
      );
    }
    const peers = state.onlineReplicas();
    fields.push(["connected_slaves", peers.length]);
    peers.forEach((peer, i) => {
      const lag = Math.floor((now - peer.ackTimeMs) / 1000);
      fields.push([
        `slave${i}`,
        `ip=${peer.ip},port=${peer.listeningPort},state=${peer.state},offset=${peer.ackOffset},` +
        `lag=${lag}`,
      ]);
    });
    const backlog = state.backlog;
    fields.push(
      ["master_failover_state", this.#failover?.state ?? "no-failover"],
      ["master_replid", state.replid],
      ["master_replid2", state.replid2],
      ["master_repl_offset", state.offset],
      ["second_repl_offset", state.secondOffset],
      ["repl_backlog_active", backlog ? 1 : 0],
      ["repl_backlog_size", config.replBacklogBytes],
      ["repl_backlog_first_byte_offset", backlog ? backlog.start : 0],
      ["repl_backlog_histlen", backlog ? backlog.histlen : 0],
    );
    return fields;
  }

  /** Shutdown: stop the link and the timers. */
  stop(): void {
    if (this.#failover) this.#endFailover("shutdown");
    this.#link?.stop();
    this.state.stop();
  }
}
