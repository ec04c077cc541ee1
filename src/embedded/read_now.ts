/**
 * Embedded reads at once. A command queued to the store actor waits for the next round to be
 * scheduled and then for the round's hook, which for a read has nothing to do: it wrote no
 * record and revealed nothing. When the actor is idle (nothing queued, running or waiting for
 * the log), running a read at once is the same as queueing it: it sees exactly what a round
 * would (everything before it is durable), through the same dispatcher (gates, stats,
 * MONITOR, slowlog), with the same reply. So an embedded session runs such reads in the
 * caller's call, with no round.
 *
 * A read can still change something: a key found expired is deleted (a log record), a miss
 * raises a `keymiss` event, a MONITOR is fed. Then a round is queued for what it caused, and
 * the reply is released with that round, as any command's would be.
 */
import type { Dispatcher } from "../commands/dispatcher.ts";
import type { Session } from "../commands/session.ts";
import type { Journal } from "../store/journal.ts";
import type { StoreActor } from "../store/actor.ts";
import type { PubSubHub } from "../pubsub/hub.ts";
import type { StoreControl } from "./store_control.ts";

/** The parts of an open store a read at once looks at. */
export interface ReadNowParts {
  actor: StoreActor<Session>;
  dispatcher: Dispatcher;
  changes: Journal;
  pubsub: PubSubHub;
  control: StoreControl;
}

/**
 * Runs `argv` for `session` at once when it may (and marks the session's last interaction):
 * true when it ran and is final (its reply is in the session's output), a promise when it ran
 * and its reply waits for a round (resolved once that round is released), or null when it did
 * not run (queue it as usual).
 */
export type ReadNow = (session: Session, argv: string[]) => true | Promise<void> | null;

const NOTHING = (): void => {};

export function readNow(parts: ReadNowParts): ReadNow {
  const { actor, dispatcher, changes, pubsub, control } = parts;
  return (session, argv) => {
    if (!actor.idle || !dispatcher.runsAlone(argv[0])) return null;
    // A gate may hold a command back (writes paused by FAILOVER, DEBUG RELOAD) or refuse it
    // (out of memory, a disk error): only a round can wait; a transaction's commands belong to it.
    if (session.gated || dispatcher.serverGated) return null;
    if (session.multi !== null || session.inTransaction || session.blockState !== null) {
      return null;
    }
    const before = changes.changes;
    dispatcher.run(session, argv);
    session.lastInteractionMs = dispatcher.commandTime;
    // A read wakes no blocked client (only writes make keys ready): what it can cause is a
    // change (a lazy expiry), an event, or output for another session (MONITOR).
    if (changes.changes === before && !pubsub.touchedAny && !control.delivering) return true;
    // What the read caused goes through a round, and the reply with it.
    return actor.run(NOTHING);
  };
}
