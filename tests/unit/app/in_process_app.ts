/**
 * A whole server (store, log, ledger, actor) in this process, with injected disk faults and
 * clients that are bare sessions submitted straight to the actor: batches submitted in the
 * same tick run in the same round, so tests can place a reader in a writer's round exactly.
 */
import { type App, startApp } from "../../../src/app.ts";
import { type Config, DEFAULT_CONFIG } from "../../../src/config/settings.ts";
import { Session } from "../../../src/commands/session.ts";
import { FileFaults } from "../../../src/wal/file_faults.ts";
import { ReplyError, RespDecoder, type RespValue } from "../../../src/client/resp_decoder.ts";
import { dumpStore } from "../../helpers/store_dump.ts";

export { ReplyError };

export interface AppHarness {
  app: App;
  faults: FileFaults;
  dir: string;
  /** A new client. */
  client(): Session;
  /** Submits a batch and resolves with its replies once the round released it. */
  send(session: Session, ...commands: string[][]): Promise<RespValue[]>;
  /** Replies written for `session` since the last read (a blocked client's answer). */
  pending(session: Session): RespValue[];
  /** What was released to `session`'s "socket" since the last read; the rest stays held. */
  released(session: Session): RespValue[];
  /** Waits until the log is healthy again after a failure. */
  recovered(): Promise<void>;
  /** Every logged key (numbered databases and WAL partitions). */
  logged(): ReturnType<typeof dumpStore>;
  /** Stops the server, keeping its directory. */
  stop(): Promise<void>;
}

export async function startInProcess(
  overrides: Partial<Config> = {},
  dir?: string,
): Promise<AppHarness> {
  dir ??= await Deno.makeTempDir({ prefix: "hermes-app-" });
  const config: Config = {
    ...DEFAULT_CONFIG,
    port: 0,
    dir,
    fsync: "always",
    logLevel: "error",
    ...overrides,
  };
  const faults = new FileFaults("");
  const app = await startApp(config, { faults, walTickMs: 10 });
  let nextId = 1_000;
  /** Bytes each client's "connection" was handed (flushNow), not read by the test yet. */
  const sent = new Map<Session, Uint8Array[]>();
  const decode = (chunks: Uint8Array[]): RespValue[] => {
    const decoder = new RespDecoder();
    for (const chunk of chunks) decoder.push(chunk);
    const replies: RespValue[] = [];
    for (let reply = decoder.next(); reply !== null; reply = decoder.next()) {
      replies.push(reply.value);
    }
    return replies;
  };
  const released = (session: Session): RespValue[] => {
    const chunks = sent.get(session) ?? [];
    sent.set(session, []);
    return decode(chunks);
  };
  /** Everything written for `session`: released, then still held. */
  const everything = (session: Session): RespValue[] => {
    const chunks = [...(sent.get(session) ?? []), session.out.take()];
    sent.set(session, []);
    return decode(chunks);
  };
  return {
    app,
    faults,
    dir,
    client() {
      const session = new Session(nextId++, "127.0.0.1:1", "127.0.0.1:2", Date.now());
      const chunks: Uint8Array[] = [];
      sent.set(session, chunks);
      session.flushNow = (upTo) => {
        const out = session.out;
        const count = upTo === undefined ? out.length : out.before(upTo);
        if (count !== 0) sent.get(session)!.push(out.takeFirst(count));
      };
      return session;
    },
    async send(session, ...commands) {
      await app.actor.submit(session, commands);
      return everything(session);
    },
    pending: everything,
    released,
    async recovered() {
      const deadline = Date.now() + 20_000;
      while (app.wal?.failure !== null) {
        if (Date.now() > deadline) throw new Error("The log did not recover in 20 s");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    logged() {
      return dumpStore(app.store, (db) => app.store.keyspace(db)?.memoryOnly !== true);
    },
    async stop() {
      await app.stop();
      await app.stopped;
    },
  };
}

/** Runs `fn` against a fresh in-process server, then stops it and removes its directory. */
export async function withInProcess(fn: (h: AppHarness) => Promise<void>): Promise<void> {
  const h = await startInProcess();
  try {
    await fn(h);
  } finally {
    await h.stop();
    await Deno.remove(h.dir, { recursive: true });
  }
}

/**
 * Stops `h` and starts a server on its directory again: returns what `read` finds there once
 * the log is replayed (default: every logged key), then stops that one too.
 */
export async function afterRestart<T = ReturnType<AppHarness["logged"]>>(
  h: AppHarness,
  read: (reopened: AppHarness) => T = (reopened) => reopened.logged() as T,
): Promise<T> {
  await h.stop();
  const reopened = await startInProcess({}, h.dir);
  try {
    return read(reopened);
  } finally {
    await reopened.stop();
  }
}

/** Whether `reply` is the refusal of a round the log could not make durable. */
export function isRefusal(reply: RespValue): boolean {
  return reply instanceof ReplyError &&
    /^(MISCONF|EXECABORT Transaction discarded because of: MISCONF) Errors writing to the AOF/
      .test(reply.message);
}
