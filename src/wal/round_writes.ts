/**
 * Where, in each client's pending output, the current round's writes answered and the keyspace
 * events they caused were written. If the log then fails to make the round durable, before
 * anything is sent those replies are swapped for a MISCONF error and those events are taken
 * out, so a write the log lost is never acknowledged nor announced. The other replies (reads,
 * refusals) and messages stay as they were, so each client's stream stays in step.
 */

/** The part of a reply writer this needs (ReplyWriter has it). */
export interface ReplyBuffer {
  readonly length: number;
  take(): Uint8Array;
  raw(bytes: Uint8Array): void;
  error(line: string): void;
}

interface Span {
  out: ReplyBuffer;
  start: number;
  end: number;
  /** A reply to replace with the error (true), or an event to remove (false). */
  reply: boolean;
}

export class RoundWrites {
  #spans: Span[] = [];

  /** Notes that a command's reply occupies `out[start..end)` and its changes are in the round. */
  add(out: ReplyBuffer, start: number, end: number): void {
    this.#spans.push({ out, start, end, reply: true });
  }

  /** Notes a keyspace event of this round's changes at `out[start..end)`. */
  addEvent(out: ReplyBuffer, start: number, end: number): void {
    this.#spans.push({ out, start, end, reply: false });
  }

  /** The round was made durable (or changed nothing): forget it. */
  clear(): void {
    if (this.#spans.length !== 0) this.#spans = [];
  }

  /**
   * The round could not be made durable: every noted reply becomes `-<errorLine>` and every
   * noted event goes. Returns how many replies were replaced.
   */
  refuse(errorLine: string): number {
    const byOut = new Map<ReplyBuffer, Span[]>();
    for (const span of this.#spans) {
      const list = byOut.get(span.out);
      if (list) list.push(span);
      else byOut.set(span.out, [span]);
    }
    let replaced = 0;
    for (const [out, spans] of byOut) {
      // An event a client got inside its own command's reply is noted before that reply: in
      // start order (the enclosing span first), it falls inside the reply's span and goes
      // with it.
      spans.sort((a, b) => a.start - b.start || b.end - a.end);
      // The output must all still be in the buffer (it is: the actor holds the round).
      if (spans.some((span) => span.end > out.length)) continue;
      const bytes = out.take();
      let at = 0;
      for (const span of spans) {
        if (span.start < at) continue;
        out.raw(bytes.subarray(at, span.start));
        if (span.reply) {
          out.error(errorLine);
          replaced++;
        }
        at = span.end;
      }
      out.raw(bytes.subarray(at));
    }
    this.clear();
    return replaced;
  }
}
