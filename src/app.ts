/**
 * Wires the parts of a running server together: store, registry, dispatcher, actor, server,
 * active expiry. main.ts adds flags and signals around it.
 */
import type { Config } from "./config/settings.ts";
import { Logger } from "./log/logger.ts";
import { Databases } from "./store/databases.ts";
import { StoreActor } from "./store/actor.ts";
import { startActiveExpiry } from "./store/active_expiry.ts";
import { type Clock, systemClock } from "./store/clock.ts";
import { Registry } from "./commands/registry.ts";
import { Dispatcher } from "./commands/dispatcher.ts";
import type { Session } from "./commands/session.ts";
import { ALL_COMMANDS } from "./commands/all.ts";
import { Server } from "./server/server.ts";

export interface App {
  server: Server;
  store: Databases;
  dispatcher: Dispatcher;
  actor: StoreActor<Session>;
  log: Logger;
  /** Resolves when the server has fully stopped (SHUTDOWN or a signal). */
  stopped: Promise<void>;
  /** Stops the server: in-flight work is answered, then clients are closed. */
  stop(): Promise<void>;
}

/** Builds and starts a server listening on config.host:config.port. */
export function startApp(config: Config, clock: Clock = systemClock): App {
  const log = new Logger(config.logLevel);
  const store = new Databases();
  const registry = new Registry(ALL_COMMANDS);
  // The actor runs commands through the dispatcher, which is built below (it needs the server).
  const actor: StoreActor<Session> = new StoreActor<Session>((session, argv): boolean =>
    dispatcher.run(session, argv)
  );
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => markStopped = resolve);
  const server: Server = new Server({
    config,
    actor,
    log,
    onStopped: () => markStopped(),
    onConfigChanged: (name) => {
      if (name === "log-level") log.level = config.logLevel;
    },
  });
  const dispatcher: Dispatcher = new Dispatcher(registry, store, server, clock, log);
  server.listen();
  const stopExpiry = startActiveExpiry(store, clock, (task) => actor.run(task));
  stopped.then(stopExpiry);
  server.acceptLoop();
  return { server, store, dispatcher, actor, log, stopped, stop: () => server.stop() };
}
