/**
 * What a round leaves to reveal once it is settled: each session's output up to where the
 * round ended (its batches' replies, pub/sub messages, MONITOR lines, blocked clients'
 * answers), the blocked clients it answered, and its replication stream.
 *
 * A round is sealed right after its commands ran and released when the log has made it
 * durable (or refused it). When commits overlap (pipelined group commit), later rounds write on
 * into the same sessions' buffers before an earlier one is released: the marks taken at the
 * seal (`ReplyWriter.position`) let the release hand over exactly this round's part. A refused
 * round has had its buffers rewritten (round_ledger.ts), and every pending round is refused with
 * it, so its sessions are flushed whole.
 */
import type { Session } from "./session.ts";
import type { WokenClient } from "./blocking.ts";
import type { StreamMark } from "../replication/replication.ts";

/** Where a round's output comes from besides its own batches. */
export interface RoundSources {
  /** Sessions written to by others since the last call (pub/sub subscribers, monitors). */
  takeReceivers(): Iterable<Session>;
  /** Blocked clients answered since the last call. */
  takeWoken(): readonly WokenClient[];
  /** Where the replication stream stands (null without replication). */
  sealStream(): StreamMark | null;
  /** Releases (or drops) the stream up to `mark`, in round order. */
  releaseStream(mark: StreamMark, ok: boolean): void;
}

/** A sealed round's output. */
export interface SealedOutput {
  sessions: Session[];
  /** `out.position` of each session at the seal. */
  marks: number[];
  woken: readonly WokenClient[];
  stream: StreamMark | null;
}

export class RoundOutput {
  readonly #sources: RoundSources;

  constructor(sources: RoundSources) {
    this.#sources = sources;
  }

  /** Seals the output of the round whose batches were `batches` (their sessions). */
  seal(batches: readonly Session[]): SealedOutput {
    const sources = this.#sources;
    const woken = sources.takeWoken();
    let sessions = batches as Session[];
    let seen: Set<Session> | null = null;
    const add = (session: Session) => {
      if (seen === null) {
        seen = new Set(sessions);
        sessions = [...sessions];
      }
      if (seen.has(session)) return;
      seen.add(session);
      sessions.push(session);
    };
    for (const session of sources.takeReceivers()) add(session);
    for (const client of woken) add(client.session);
    const marks = new Array<number>(sessions.length);
    for (let i = 0; i < sessions.length; i++) {
      const session = sessions[i];
      marks[i] = session.out.position;
      session.unreleasedRounds++;
    }
    return { sessions, marks, woken, stream: sources.sealStream() };
  }

  /** Reveals a sealed round's output (`ok`: it was made durable; else it was refused). */
  release(output: SealedOutput, ok: boolean): void {
    if (output.stream !== null) this.#sources.releaseStream(output.stream, ok);
    const { sessions, marks } = output;
    for (let i = 0; i < sessions.length; i++) {
      const session = sessions[i];
      session.unreleasedRounds--;
      session.flushNow?.(ok ? marks[i] : undefined);
    }
    for (const client of output.woken) client.wake();
  }
}
