/**
 * The `hermes` server: an embedded store (src/embedded/store.ts) served over TCP, with the HTTP
 * endpoint started first so /healthz can report the load. main.ts adds flags and signals.
 */
import type { Config } from "./config/settings.ts";
import { Logger } from "./log/logger.ts";
import type { Databases } from "./store/databases.ts";
import type { StoreActor } from "./store/actor.ts";
import type { Dispatcher } from "./commands/dispatcher.ts";
import type { Session } from "./commands/session.ts";
import type { Server } from "./server/server.ts";
import type { WriteAheadLog } from "./wal/write_ahead_log.ts";
import type { HttpEndpoint } from "./http/http_endpoint.ts";
import { openStore, type StartOptions, StartupError, type Store } from "./embedded/store.ts";
import { serverView, startHttp } from "./embedded/store_view.ts";

export { type StartOptions, StartupError };

/** A server: a store served over TCP, with its HTTP endpoint. */
export interface App {
  server: Server;
  store: Databases;
  dispatcher: Dispatcher;
  actor: StoreActor<Session>;
  /** The write-ahead log, or null with `--persistence none`. */
  wal: WriteAheadLog | null;
  /** The HTTP endpoint (/metrics, /healthz, status page), or null without --metrics-port. */
  http: HttpEndpoint | null;
  log: Logger;
  /** Resolves when the server has fully stopped (SHUTDOWN or a signal) and the log is closed. */
  stopped: Promise<void>;
  /** Stops the server: in-flight work is answered, then clients are closed. */
  stop(): Promise<void>;
}

/**
 * Replays the log in config.dir (unless persistence is off), then starts a server listening on
 * config.host:config.port. Throws {@linkcode StartupError} when it cannot start.
 */
export async function startApp(config: Config, options: StartOptions = {}): Promise<App> {
  const log = new Logger(config.logLevel);
  const http = config.metricsPort === null ? null : startHttp(config, log);
  let opened: Store;
  try {
    opened = await openStore(config, { ...options, log, listen: true });
  } catch (error) {
    await http?.shutdown();
    throw error;
  }
  const { dispatcher } = opened;
  const server = opened.server!;
  http?.attach(serverView(opened));
  return {
    server,
    store: opened.store,
    dispatcher,
    actor: opened.actor,
    wal: opened.wal,
    http,
    log: opened.log,
    stopped: opened.stopped.then(() => http?.shutdown()),
    stop: () => opened.close(),
  };
}
