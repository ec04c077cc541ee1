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
  const decode = (session: Session): RespValue[] => {
    const decoder = new RespDecoder();
    decoder.push(session.out.take());
    const replies: RespValue[] = [];
    for (let reply = decoder.next(); reply !== null; reply = decoder.next()) {
      replies.push(reply.value);
    }
    return replies;
  };
  return {
    app,
    faults,
    dir,
    client: () => new Session(nextId++, "127.0.0.1:1", "127.0.0.1:2", Date.now()),
    async send(session, ...commands) {
      await app.actor.submit(session, commands);
      return decode(session);
    },
    pending: decode,
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

/** Whether `reply` is the refusal of a round the log could not make durable. */
export function isRefusal(reply: RespValue): boolean {
  return reply instanceof ReplyError &&
    /^(MISCONF|EXECABORT Transaction discarded because of: MISCONF) Errors writing to the AOF/
      .test(reply.message);
}
