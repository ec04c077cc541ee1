/**
 * A store, registry and dispatcher in this process, with no network: clients are sessions whose
 * replies are read straight from their reply writers. For tests that need many interleavings
 * quickly (the randomized transaction model test).
 */
import { Databases } from "../../../src/store/databases.ts";
import { Journal } from "../../../src/store/journal.ts";
import { Registry } from "../../../src/commands/registry.ts";
import { Dispatcher } from "../../../src/commands/dispatcher.ts";
import { Session } from "../../../src/commands/session.ts";
import type { ServerControl } from "../../../src/commands/server_control.ts";
import { ALL_COMMANDS } from "../../../src/commands/all.ts";
import type { CommandSpec } from "../../../src/commands/spec.ts";
import { type Config, DEFAULT_CONFIG } from "../../../src/config/settings.ts";
import { Logger } from "../../../src/log/logger.ts";
import { bytesToLatin1 } from "../../../src/protocol/latin1.ts";

export interface InProcess {
  store: Databases;
  dispatcher: Dispatcher;
  config: Config;
  /** A new client. */
  session(): Session;
  /** Runs one command and returns its reply bytes as a one-byte string. */
  run(session: Session, ...argv: string[]): string;
  /** Moves the clock (Unix ms). */
  setNow(ms: number): void;
}

/** `extraCommands` join the real command table (a probe command, for instance). */
/** MULTI, PING, EXEC on `session`: the EXEC reply (`*1\r\n+PONG\r\n`, or `*-1\r\n` if a watch fired). */
export function execPing(h: InProcess, session: Session): string {
  h.run(session, "MULTI");
  h.run(session, "PING");
  return h.run(session, "EXEC");
}

export function inProcess(
  overrides: Partial<Config> = {},
  extraCommands: CommandSpec[] = [],
): InProcess {
  const config: Config = { ...DEFAULT_CONFIG, ...overrides };
  const store = new Databases(new Journal());
  let now = 1_700_000_000_000;
  const sessions: Session[] = [];
  const server = {
    config,
    sessions: () => sessions,
  } as unknown as ServerControl;
  const dispatcher = new Dispatcher(
    new Registry([...ALL_COMMANDS, ...extraCommands]),
    store,
    server,
    () => now,
    new Logger("error"),
  );
  let nextId = 1;
  return {
    store,
    dispatcher,
    config,
    session() {
      const session = new Session(nextId++, "127.0.0.1:1", "127.0.0.1:2", now);
      sessions.push(session);
      return session;
    },
    run(session, ...argv) {
      dispatcher.run(session, argv);
      return bytesToLatin1(session.out.take());
    },
    setNow(ms) {
      now = ms;
    },
  };
}
