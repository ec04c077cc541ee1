/**
 * Wires the parts of a store together: write-ahead log (replayed), store, registry, dispatcher,
 * actor, clients' registry, replication, active expiry, observability. {@linkcode openStore}
 * opens it in this process with no network (the embedded API, `open`, is built on it); its
 * `listen` adds the network side. The `hermes` server is this store, listening (src/app.ts).
 */
import type { Config } from "../config/settings.ts";
import { Logger } from "../log/logger.ts";
import { DATABASE_COUNT, Databases } from "../store/databases.ts";
import { Journal } from "../store/journal.ts";
import { type EarlyRelease, type RoundHook, StoreActor } from "../store/actor.ts";
import { startActiveExpiry } from "../store/active_expiry.ts";
import { type Clock, systemClock } from "../store/clock.ts";
import { Registry } from "../commands/registry.ts";
import { Dispatcher } from "../commands/dispatcher.ts";
import { Errors, logWriteFailed } from "../commands/errors.ts";
import { AclFileError } from "../security/access_control.ts";
import type { Session } from "../commands/session.ts";
import { ALL_COMMANDS } from "../commands/all.ts";
import { GateOrder, HANDLED, ServerCondition } from "../commands/gates.ts";
import type { ReloadOptions } from "../commands/server_control.ts";
import { Server } from "../server/server.ts";
import { StoreControl } from "./store_control.ts";
import { pubsubContextGate } from "../commands/pubsub.ts";
import { PubSubHub } from "../pubsub/hub.ts";
import { KeyspaceEvents } from "../pubsub/keyspace_events.ts";
import { activeEventClasses } from "../store/events.ts";
import { DataDirError } from "../wal/data_dir.ts";
import { RoundLedger } from "../commands/round_ledger.ts";
import { RoundOutput } from "../commands/round_output.ts";
import { envIfAllowed, FAULTS_ENV, FileFaults } from "../wal/file_faults.ts";
import { WalJournal } from "../wal/wal_journal.ts";
import { WriteAheadLog } from "../wal/write_ahead_log.ts";
import { reloadDataSet } from "../wal/reload.ts";
import { encodingLimits } from "../store/types/limits.ts";
import { RdbSaver } from "../rdb/rdb_saver.ts";
import { ReplicationManager } from "../replication/manager.ts";
import { monitorGate } from "../commands/monitor.ts";
import { LatencyEvents } from "../observe/latency_monitor.ts";
import { MemoryAccount } from "../memory/memory_account.ts";
import { Evictor } from "../memory/eviction.ts";
import { HeapWatch } from "../memory/heap_watch.ts";
import { outOfMemoryGate } from "../commands/out_of_memory.ts";
import { connectionBuffers } from "../protocol/buffer_pool.ts";
import { type ReadNow, readNow } from "./read_now.ts";

/** An open store: everything but the network. */
export interface Store {
  config: Config;
  /** The clients' registry and the commands' view of the surroundings. */
  control: StoreControl;
  store: Databases;
  dispatcher: Dispatcher;
  actor: StoreActor<Session>;
  pubsub: PubSubHub;
  /** The write-ahead log, or null with `--persistence none`. */
  wal: WriteAheadLog | null;
  log: Logger;
  clock: Clock;
  /** Runs an embedded read at once when the store is idle (read_now.ts). */
  readNow: ReadNow;
  /** The listener while the store is served over TCP (see {@linkcode Store.listen}), or null. */
  readonly server: Server | null;
  /**
   * Binds config.host:config.port (and the TLS port) and serves the store there; throws
   * {@linkcode StartupError} when it cannot.
   */
  listen(): Promise<Server>;
  /** Stops serving over TCP (in-flight work is answered, then clients are closed). */
  stopListening(): Promise<void>;
  /** Resolves once the store is closed (SHUTDOWN or close) and the log with it. */
  stopped: Promise<void>;
  /**
   * Closes the store: the listener stops (in-flight work is answered, then clients are closed),
   * then the log is flushed and closed and the directory lock released.
   */
  close(): Promise<void>;
}

/** The server cannot start (data directory in use, damaged log, port taken); for the user. */
export class StartupError extends Error {
  /** Always "StartupError". */
  override name = "StartupError";
}

/** Settings the evictor reads again when CONFIG SET changes one. */
const EVICTION_SETTINGS = new Set([
  "maxmemory",
  "maxmemory-policy",
  "maxmemory-samples",
  "maxmemory-eviction-tenacity",
  "lfu-log-factor",
  "lfu-decay-time",
  "replica-ignore-maxmemory",
]);
/** How often memory is checked against the limit besides before commands (Redis's cron). */
const MEMORY_CHECK_MS = 100;

/** The store reads its compact-form limits from plain numbers (store/types/limits.ts). */
function applyEncodingLimits(config: Config): void {
  encodingLimits.hashMaxListpackEntries = config.hashMaxListpackEntries;
  encodingLimits.hashMaxListpackValue = config.hashMaxListpackValue;
  encodingLimits.setMaxIntsetEntries = config.setMaxIntsetEntries;
  encodingLimits.listMaxListpackSize = config.listMaxListpackSize;
  encodingLimits.zsetMaxListpackEntries = config.zsetMaxListpackEntries;
  encodingLimits.zsetMaxListpackValue = config.zsetMaxListpackValue;
  encodingLimits.hllSparseMaxBytes = config.hllSparseMaxBytes;
}

/** How a store or a server is started, beside its config. */
export interface StartOptions {
  /** The config file the server was started with (CONFIG REWRITE), or null. */
  configFile?: string | null;
  clock?: Clock;
  /** Where the store logs (default: a Logger at config.logLevel on the console). */
  log?: Logger;
  /** Serve it over TCP at once, before replication starts (a server announces its port). */
  listen?: boolean;
  /**
   * Tests only: faults injected into the log's files (file_faults.ts). When absent, the
   * HERMES_TEST_FAULTS environment variable is read once here, for process tests.
   */
  faults?: FileFaults;
  /** Tests only: the log's timer period in ms (retries after a failure; default 1000). */
  walTickMs?: number;
  /**
   * The store owns its process (the `hermes` server): the heap the process holds at open (the
   * runtime and the code) is its used_memory_startup, as in Redis. An embedded store shares
   * the heap with its program, so by default it counts only its own data and buffers: the
   * program's memory never counts against its maxmemory.
   */
  ownsProcess?: boolean;
}

/**
 * Opens a store in this process: replays the log in config.dir (unless persistence is off) and
 * starts everything but the network ({@linkcode Store.listen} adds it). Throws
 * {@linkcode StartupError} when it cannot open.
 */
export async function openStore(config: Config, options: StartOptions = {}): Promise<Store> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? new Logger(config.logLevel);
  applyEncodingLimits(config);
  let faults: FileFaults | null;
  try {
    faults = options.faults ?? FileFaults.fromEnv();
  } catch (error) {
    throw new StartupError(error instanceof Error ? error.message : String(error));
  }
  if (faults !== null) {
    log.warn(`${FAULTS_ENV} is set: the log's files fail on purpose (for tests only)`);
  }
  const journal = config.persistence === "wal" ? new WalJournal() : null;
  const changes = new Journal();
  changes.durable = journal;
  // The heap before any data or client: the runtime, the code and, for an embedded store, its
  // program (used_memory_startup only when the store owns the process).
  const memory = new MemoryAccount();
  const heap = Deno.memoryUsage();
  const heapAtOpen = heap.heapUsed + heap.external;
  if (options.ownsProcess) memory.setStartup(heapAtOpen);
  const heapOutsideStore = options.ownsProcess ? 0 : heapAtOpen;
  // Writes stamp access clocks with the running command's time (the dispatcher's, made below),
  // as reads do: no clock read per write. Outside a command (replay) the clock is asked.
  let accessTime: Clock = clock;
  const store = new Databases(changes, DATABASE_COUNT, memory, () => accessTime());
  // A replica's log keeps keys past their deadline: its primary's DEL removes them.
  store.expiry.followsPrimary = config.replicaOf !== "";
  const wal = journal
    ? await openLog(config, store, journal, log, clock, faults, options.walTickMs)
    : null;
  let registry: Registry;
  try {
    registry = new Registry(ALL_COMMANDS, config.disabledCommands);
  } catch (error) {
    await wal?.close();
    throw new StartupError(error instanceof Error ? error.message : String(error));
  }
  // Keyspace events become pub/sub messages; the journal raises them only while
  // notify-keyspace-events names K or E and a class (notifyMask), so they cost nothing when off.
  const pubsub = new PubSubHub(config);
  changes.events = new KeyspaceEvents(pubsub, config, store);
  changes.notifyMask = activeEventClasses(config.notifyKeyspaceEvents);

  // Blocked clients served by a command are answered right after it (blocking.ts) and woken
  // once the round that served them is durable.
  let runCommand = (session: Session, argv: string[]) => {
    const outcome = dispatcher.run(session, argv);
    if (dispatcher.blocking.queues.hasReady) dispatcher.blocking.serveReady();
    return outcome;
  };
  // What a round leaves to reveal (replies, messages, woken clients, the replication stream)
  // goes once the round is durable (round_output.ts).
  let replication: ReplicationManager | null = null;
  const output = new RoundOutput({
    takeReceivers: () => {
      const touched = pubsub.takeTouched();
      const deliveries = control.takeDeliveries();
      return deliveries.length === 0 ? touched : [...touched, ...deliveries];
    },
    takeWoken: () => dispatcher.blocking.takeWoken(),
    sealStream: () => replication?.state.sealRound() ?? null,
    releaseStream: (mark, ok) => replication?.state.releaseRound(mark, ok),
  });
  let afterRound: RoundHook<Session> = (sessions, release) => {
    output.release(output.seal(sessions), true);
    release();
  };
  let releaseEarly: EarlyRelease<Session> | null = null;
  if (wal && journal) {
    const durable = wal;
    // Group commit: the log writes (and syncs) a round's records before its replies go out.
    // Under --fsync always the ledger can undo a round the log cannot make durable, and
    // answers its replies with MISCONF (see round_ledger.ts).
    const ledger = new RoundLedger(changes);
    const undoLog = () => config.fsync === "always" ? ledger.undo : null;
    changes.undo = undoLog();
    runCommand = (session, argv) => {
      const sealed = journal.sealedRecords;
      // Whether this command (not the batch so far) waits for the log: see Session.
      const waited = session.waitsForRound;
      session.waitsForRound = false;
      const out = session.out;
      const start = out.length;
      const keepGoing = dispatcher.run(session, argv);
      if (session.waitsForRound || journal.sealedRecords !== sealed) {
        session.waitsForRound = true;
        if (changes.undo !== null) ledger.noteReply(out, start, out.length, dispatcher.lastSpec!);
      } else {
        session.waitsForRound = waited;
      }
      if (dispatcher.blocking.queues.hasReady) dispatcher.blocking.serveReady();
      return keepGoing;
    };
    // Events the round's writes caused go if the round is refused.
    pubsub.onEventWritten = (out, start, end) => {
      if (changes.undo !== null) ledger.noteEvent(out, start, end);
    };
    afterRound = (sessions, release) => {
      const sealed = output.seal(sessions);
      const undoable = changes.undo !== null;
      if (undoable) ledger.seal();
      durable.pipelined = pipelinedCommit(store);
      const hold = durable.commitRound(undoable, (ok) => {
        if (undoable) {
          if (ok) ledger.commitOldest();
          else ledger.refuseAll(logWriteFailed(durable.failure ?? "unknown error"));
        }
        output.release(sealed, ok);
        release();
      });
      // A CONFIG SET fsync takes effect from the next round on.
      changes.undo = undoLog();
      return hold;
    };
    // A batch that only used NONE partitions depends on no log write: its replies go out
    // before the round's fdatasync, and its client's next request runs without waiting for it.
    releaseEarly = (session) => {
      if (session.waitsForRound || session.unreleasedRounds !== 0) {
        session.waitsForRound = false;
        return false;
      }
      session.flushNow?.();
      return true;
    };
  }
  // Bytes of values a round released leave the account with the round (Keyspace#bytesLeaving).
  const roundHook = afterRound;
  const settleThenAfterRound: RoundHook<Session> = (sessions, release) => {
    dispatcher.endRound();
    memory.settle();
    return roundHook(sessions, release);
  };
  const actor: StoreActor<Session> = new StoreActor<Session>(
    runCommand,
    settleThenAfterRound,
    releaseEarly,
    (session, commands) => dispatcher.warm(session, commands),
  );
  const rdb = new RdbSaver({
    store,
    config,
    log,
    runInStore: (task) => actor.run(task),
    now: clock,
  });

  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => markStopped = resolve);
  let closing: Promise<void> | null = null;
  let server: Server | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      control.stopping = true;
      await server?.stop();
      await control.endLocalClients();
      replication?.stop();
      // A primary ends its log with its replication position: after a restart, replicas that
      // had everything continue (PSYNC) instead of loading a full copy again.
      const history = () => {
        if (replication === null || replication.isReplica) return null;
        const { replid, offset, backlog } = replication.state;
        return backlog === null ? null : { replid, offset, db: 0 };
      };
      await rdb.settle().then(() => wal?.close(history))
        .catch((error) => log.error("Closing the log failed", error));
      markStopped();
    })();
    return closing;
  };
  const control: StoreControl = new StoreControl({
    config,
    configFile: options.configFile ?? null,
    log,
    rdb,
    onShutdown: () => void close(),
    onConfigChanged: (name) => {
      if (name === "log-level") log.level = config.logLevel;
      applyEncodingLimits(config);
      if (name === "repl-backlog-size") replication?.state.resizeBacklog();
      if (name === "notify-keyspace-events") {
        changes.notifyMask = activeEventClasses(config.notifyKeyspaceEvents);
      }
      if (name === "requirepass") dispatcher.acl.applyRequirePass();
      if (EVICTION_SETTINGS.has(name)) evictor.applySettings();
      dispatcher.configure(config);
    },
    memory,
    persistenceInfo: () => [...rdb.info(), ...(wal ? wal.info() : [])],
    persistence: wal
      ? {
        compact: () => wal.requestCompaction(),
        lastSaveMs: () => wal.lastSaveMs,
        reload: (options) => reload(wal, options),
      }
      : undefined,
  });
  const dispatcher: Dispatcher = new Dispatcher(registry, store, control, clock, log, pubsub);
  accessTime = dispatcher.accessTime;
  dispatcher.addGate(GateOrder.pubsubContext, pubsubContextGate);
  // DEBUG RELOAD holds every other client's commands (they run once it is done) and active
  // expiry, so the log's files stay as they are while they are read back.
  let reloading: Promise<void> | null = null;
  dispatcher.addGate(GateOrder.loading, (session) => {
    if (reloading === null || session.kind !== "normal") return null;
    session.blocking = reloading;
    return HANDLED;
  }, ServerCondition.reload);
  const reload = (wal: WriteAheadLog, options: ReloadOptions): Promise<void> => {
    if (reloading !== null || replication?.isReplica) {
      return Promise.reject(new Error("Cannot reload: a reload runs, or this is a replica"));
    }
    let done!: () => void;
    reloading = new Promise((resolve) => done = resolve);
    dispatcher.setServerCondition(ServerCondition.reload, true);
    const expiry = store.activeExpiryEnabled;
    store.activeExpiryEnabled = false;
    const runInStore = (task: () => void) => actor.run(task);
    return reloadDataSet({ dir: config.dir, store, wal, log, now: clock, runInStore }, options)
      .finally(() => {
        reloading = null;
        dispatcher.setServerCondition(ServerCondition.reload, false);
        store.activeExpiryEnabled = expiry;
        done();
      });
  };
  const blocking = dispatcher.blocking;
  blocking.schedule = (task) => void actor.run(task);
  // The BEGIN timeout sweep changes the store, so it runs in the actor.
  dispatcher.transactions.interactive.schedule = (task) => void actor.run(task);
  dispatcher.configure(config);
  dispatcher.addGate(GateOrder.monitor, monitorGate);
  const observability = dispatcher.observability;
  if (wal) {
    wal.onHealthChange = (failure) => {
      dispatcher.writeRefusal = failure === null ? null : logWriteFailed(failure);
    };
    wal.latency = observability.latency;
  }
  const replicas = new ReplicationManager({
    config,
    store,
    log,
    runInStore: (task) => actor.run(task),
    runCommand: (session, argv) => dispatcher.run(session, argv),
    wal: journal,
    listeningPort: () => config.tlsReplication ? control.tlsPort : control.port,
    now: clock,
    disconnect: (session) => control.disconnect(session),
    // A replica checks every command (read-only, stale data); a primary checks none.
    onGatesNeeded: (needed) => dispatcher.setServerCondition(ServerCondition.replication, needed),
    setAfterCommand: (hook) => {
      dispatcher.afterCommand = hook;
    },
  });
  replication = replicas;
  control.setReplication(replicas);
  dispatcher.addGate(
    GateOrder.readOnlyReplica,
    (session, spec) => replicas.refuse(session, spec),
    ServerCondition.replication,
  );
  // Over maxmemory, commands first evict (or are refused under noeviction): a server condition
  // turns the gate on only while memory is over the limit.
  const evictor: Evictor = new Evictor({
    store,
    settings: config,
    clock,
    schedule: (task) => void actor.run(task),
    allowed: () => !(config.replicaIgnoreMaxmemory && replicas.isReplica),
    onCondition: (over) => dispatcher.setServerCondition(ServerCondition.outOfMemory, over),
  });
  control.setEviction(evictor);
  dispatcher.addGate(GateOrder.outOfMemory, outOfMemoryGate(evictor), ServerCondition.outOfMemory);
  const heapWatch = new HeapWatch();
  const memoryTimer = setInterval(() => {
    memory.setLogPending(wal?.pendingBytes ?? 0);
    memory.samplePeak();
    heapWatch.check(memory.used + heapOutsideStore, memory.limit);
    // Without a limit (and nothing left over from one) there is nothing to check.
    if (evictor.watching) void actor.run(() => evictor.check());
  }, MEMORY_CHECK_MS);
  stopped.then(() => clearInterval(memoryTimer));
  try {
    dispatcher.acl.start();
  } catch (error) {
    await wal?.close();
    if (error instanceof AclFileError) throw new StartupError(error.message);
    throw error;
  }
  const listen = async (): Promise<Server> => {
    if (server !== null) throw new StartupError("The store is already served over TCP");
    if (control.stopping) throw new StartupError("Cannot listen: the store is closed");
    const network = new Server({
      control,
      actor,
      log,
      admit: (session, remoteHost) => {
        if (dispatcher.acl.protectedModeRefuses(remoteHost)) return Errors.protectedMode.line;
        dispatcher.acl.admit(session);
        return null;
      },
    });
    try {
      await network.listen();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const ports = config.tlsPort === 0 ? `${config.port}` : `${config.port}/${config.tlsPort}`;
      throw new StartupError(`cannot listen on ${config.host}:${ports}: ${reason}`);
    }
    server = network;
    // Buffers waiting in the connections' shared pool count as client memory (of the store
    // served last, when one process serves several).
    connectionBuffers.counter = (delta) => memory.addClients(delta);
    network.acceptLoop();
    return network;
  };
  const stopListening = async (): Promise<void> => {
    const network = server;
    if (network === null) return;
    await network.stop();
    if (server === network) server = null;
  };
  if (options.listen) {
    try {
      await listen();
    } catch (error) {
      await wal?.close();
      throw error;
    }
  }
  wal?.start((task) => actor.run(task));
  const stopExpiry = startActiveExpiry(
    store,
    clock,
    (task) => actor.run(task),
    (ms) => observability.latency.record(LatencyEvents.expireCycle, ms),
  );
  stopped.then(stopExpiry);
  observability.rates.start({
    commands: () => dispatcher.stats.totalCommandsProcessed,
    netInputBytes: () => control.network.totalNetInputBytes,
    netOutputBytes: () => control.network.totalNetOutputBytes,
  });
  stopped.then(() => observability.rates.stop());
  replicas.start(journal?.lastPosition ?? null, journal?.positionIsLast ?? false);
  return {
    config,
    control,
    store,
    dispatcher,
    actor,
    readNow: readNow({ actor, dispatcher, changes, pubsub, control }),
    pubsub,
    wal,
    log,
    clock,
    get server() {
      return server;
    },
    listen,
    stopListening,
    stopped,
    close,
  };
}

async function openLog(
  config: Config,
  store: Databases,
  journal: WalJournal,
  log: Logger,
  clock: Clock,
  faults: FileFaults | null,
  tickMs: number | undefined,
): Promise<WriteAheadLog> {
  try {
    return await WriteAheadLog.open({
      dir: config.dir,
      settings: config,
      store,
      journal,
      log,
      clock,
      openFile: faults?.open,
      tickMs,
    });
  } catch (error) {
    if (error instanceof DataDirError) throw new StartupError(error.message);
    throw error;
  }
}

/**
 * For benchmarks only: `HERMES_GROUP_COMMIT=pipelined` or `blocking` forces one group commit
 * (read once; bench/durable_set.ts and bench/partitions.ts compare them side by side).
 */
const GROUP_COMMIT = envIfAllowed("HERMES_GROUP_COMMIT");

/**
 * Whether the next round commits pipelined (WriteAheadLog.pipelined): while a NONE partition
 * exists, so its clients never wait for another client's fdatasync. Without one, the blocking
 * fdatasync measured faster on durable SET (DEVELOPERS.md, "Pipelined group commit").
 */
function pipelinedCommit(store: Databases): boolean {
  if (GROUP_COMMIT === "pipelined") return true;
  if (GROUP_COMMIT === "blocking") return false;
  return store.hasMemoryOnlyPartitions;
}
