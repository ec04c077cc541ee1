/**
 * Runs one client's batch of commands through the store actor, for network connections and
 * embedded sessions alike: when a command blocks its client (BLPOP), the replies before it are
 * handed over, the client waits for its answer, then the rest of the batch runs.
 */
import type { BlockState, Session } from "../commands/session.ts";
import type { StoreActor } from "../store/actor.ts";

/** How a client waits while blocked, and hands its output over. */
export interface BatchClient {
  readonly session: Session;
  /** Resolves true once the blocked command is answered, false when the client left. */
  waitUnblocked(state: BlockState): Promise<boolean>;
  /** Hands the replies encoded so far to the client. */
  flush(): void;
}

/**
 * Runs `batch` for `client`; returns false when the client left (or was closed) while blocked,
 * after cancelling its wait in the store.
 */
export async function runBatch(
  actor: StoreActor<Session>,
  client: BatchClient,
  batch: string[][],
): Promise<boolean> {
  await actor.submit(client.session, batch);
  return client.session.blockState === null || await continueBlocked(actor, client, batch);
}

/**
 * The rest of {@linkcode runBatch} once a command of `batch` blocked its client: waits for the
 * answer, then runs the commands after it (which may block again). A caller on the hot path
 * submits itself and comes here only when blocked, saving a promise per batch.
 */
export async function continueBlocked(
  actor: StoreActor<Session>,
  client: BatchClient,
  batch: string[][],
): Promise<boolean> {
  const session = client.session;
  let pending = batch;
  while (true) {
    const state = session.blockState;
    if (state === null) return true;
    client.flush(); // replies of the commands before the blocking one
    if (!await client.waitUnblocked(state)) {
      await actor.run(() => state.cancel());
      return false;
    }
    session.blockState = null; // taken: the next blocking command sets its own
    client.flush();
    pending = pending.slice(pending.indexOf(state.argv) + 1);
    if (pending.length === 0 || session.closeRequested) return true;
    await actor.submit(session, pending);
  }
}
