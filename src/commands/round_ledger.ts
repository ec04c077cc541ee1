/**
 * The round ledger (`--fsync always`): what the rounds that the log has not made durable yet
 * did, so that the log's verdict on each round holds for everyone.
 *
 * While it is in use, the journal's undo log is the ledger's: every change a round makes
 * records how to take it back (undo_log.ts), and the reply of every command whose reply waits
 * for the log is noted. A round the log made durable is forgotten. A round it could not make
 * durable is undone in memory, newest change first, before any of its replies is released,
 * and each noted reply that could carry data (the command read or wrote keys) becomes the
 * refusal: a refused write never takes effect, and no reply reveals what is not on disk.
 * Replies of commands that touch no data (SELECT, CLIENT SETNAME, CONFIG SET) stand, as do
 * their effects, so a client's view of its own connection stays right.
 *
 * Keyspace events the round's changes caused are noted where they were written into their
 * subscribers' output, and taken out: a refused change is never announced.
 *
 * What else a refused round leaves behind is taken back where it lives: blocked clients
 * (blocking.ts records undo steps in the same log), the replication stream (dropped by the
 * store, embedded/store.ts), listeners of the change stream (`Journal.rolledBack`: WATCH fires,
 * BEGIN transactions conflict) and snapshots being written (spoiled, see SnapshotFreeze).
 *
 * Commands confined to memory-only partitions are not in it: their replies go out before the
 * log is written, and their changes stand whatever the log does (see UndoLog.coversUnlogged).
 */
import { UndoLog } from "../store/undo_log.ts";
import type { Journal } from "../store/journal.ts";
import type { CommandSpec } from "./spec.ts";
import { type CommandError, execAborted } from "./errors.ts";

/** The part of a reply writer the ledger needs (ReplyWriter has it). */
export interface ReplyBuffer {
  readonly length: number;
  take(): Uint8Array;
  raw(bytes: Uint8Array): void;
  error(line: string): void;
}

/** Whether a command's reply may carry data: it read or wrote keys (EXEC: its queue did). */
function carriesData(spec: CommandSpec): boolean {
  return spec.name === "exec" || spec.flags.includes("write") || spec.flags.includes("readonly");
}

/**
 * The noted output of one round: where each reply (with its command's spec) or keyspace event
 * (spec null) sits in its client's pending output.
 */
class RoundReplies {
  readonly outs: ReplyBuffer[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly specs: (CommandSpec | null)[] = [];
}

/** A part of one client's output a refusal replaces (a reply) or removes (an event). */
interface Span {
  start: number;
  end: number;
  /** The refusal's line, or null to remove the span. */
  line: string | null;
}

/** A round waiting for the log's verdict. */
interface PendingRound {
  /** The undo log's length when the round began. */
  undoMark: number;
  replies: RoundReplies;
}

export class RoundLedger {
  readonly undo = new UndoLog();
  readonly #journal: Journal;
  #pending: PendingRound[] = [];
  #current = new RoundReplies();
  #currentStart = 0;

  constructor(journal: Journal) {
    this.#journal = journal;
    // Between commands (active expiry, timers), a memory-only change is final at once.
    this.undo.coversUnlogged = false;
  }

  /** Rounds sealed and waiting for the log's verdict. */
  get pending(): number {
    return this.#pending.length;
  }

  /**
   * Notes that the reply of a command that waits for the log occupies `out[start..end)` (empty
   * when the command blocked its client).
   */
  noteReply(out: ReplyBuffer, start: number, end: number, spec: CommandSpec | null): void {
    const replies = this.#current;
    replies.outs.push(out);
    replies.starts.push(start);
    replies.ends.push(end);
    replies.specs.push(spec);
  }

  /** Notes a keyspace event written at `out[start..end)` by the running round. */
  noteEvent(out: ReplyBuffer, start: number, end: number): void {
    this.noteReply(out, start, end, null);
  }

  /** The running round's commands are done: it waits for the log's verdict. */
  seal(): void {
    this.#pending.push({ undoMark: this.#currentStart, replies: this.#current });
    this.#current = new RoundReplies();
    this.#currentStart = this.undo.length;
  }

  /** The oldest pending round was made durable: its changes stay, its undo steps go. */
  commitOldest(): void {
    this.#pending.shift();
    this.undo.forget(this.#pending[0]?.undoMark ?? this.#currentStart);
  }

  /**
   * Every pending round is refused (the oldest could not be made durable, and the later ones
   * were built on it): their changes are undone newest first, and their noted replies that
   * could carry data become `refusal` (EXEC's becomes EXECABORT naming it). Returns how many
   * replies were replaced.
   */
  refuseAll(refusal: CommandError): number {
    if (this.#current.outs.length !== 0 || this.undo.length !== this.#currentStart) this.seal();
    const rounds = this.#pending;
    if (rounds.length === 0) return 0;
    this.#pending = [];
    this.undo.rollback(rounds[0].undoMark);
    this.#currentStart = this.undo.length;
    this.#journal.rolledBack();
    const aborted = execAborted(refusal).line;
    const byOut = new Map<ReplyBuffer, Span[]>();
    for (const round of rounds) {
      const { outs, starts, ends, specs } = round.replies;
      for (let i = 0; i < outs.length; i++) {
        const spec = specs[i];
        if (spec !== null && !carriesData(spec)) continue;
        const line = spec === null ? null : spec.name === "exec" ? aborted : refusal.line;
        const span = { start: starts[i], end: ends[i], line };
        const list = byOut.get(outs[i]);
        if (list) list.push(span);
        else byOut.set(outs[i], [span]);
      }
    }
    let replaced = 0;
    for (const [out, spans] of byOut) {
      // The output is all still in the buffer: nothing of a pending round was released.
      if (spans.some((span) => span.end > out.length)) continue;
      // An event a client got inside its own command's reply is within that reply's span: in
      // start order (the enclosing span first), it goes with the reply.
      spans.sort((a, b) => a.start - b.start || b.end - a.end);
      const bytes = out.take();
      let at = 0;
      for (const span of spans) {
        if (span.start < at) continue;
        out.raw(bytes.subarray(at, span.start));
        if (span.line !== null) {
          out.error(span.line);
          replaced++;
        }
        at = span.end;
      }
      out.raw(bytes.subarray(at));
    }
    return replaced;
  }
}
