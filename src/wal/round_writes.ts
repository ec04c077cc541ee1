/**
 * Where, in each client's pending replies, the current round's writes answered. If the log
 * then fails to make the round durable, those replies are swapped for a MISCONF error before
 * anything is sent, so a write the log lost is never acknowledged. The other replies (reads,
 * refusals) stay as they were, so the client's reply stream stays in step.
 */

/** The part of a reply writer this needs (ReplyWriter has it). */
export interface ReplyBuffer {
  readonly length: number;
  take(): Uint8Array;
  raw(bytes: Uint8Array): void;
  error(line: string): void;
}

export class RoundWrites {
  #outs: ReplyBuffer[] = [];
  #starts: number[] = [];
  #ends: number[] = [];

  /** Notes that a command's reply occupies `out[start..end)` and its changes are in the round. */
  add(out: ReplyBuffer, start: number, end: number): void {
    this.#outs.push(out);
    this.#starts.push(start);
    this.#ends.push(end);
  }

  /** The round was made durable (or changed nothing): forget it. */
  clear(): void {
    if (this.#outs.length === 0) return;
    this.#outs = [];
    this.#starts = [];
    this.#ends = [];
  }

  /**
   * The round could not be made durable: every noted reply becomes `-<errorLine>`.
   * Returns how many replies were replaced.
   */
  refuse(errorLine: string): number {
    const byOut = new Map<ReplyBuffer, number[]>();
    for (let i = 0; i < this.#outs.length; i++) {
      const list = byOut.get(this.#outs[i]);
      if (list) list.push(i);
      else byOut.set(this.#outs[i], [i]);
    }
    let replaced = 0;
    for (const [out, entries] of byOut) {
      const last = entries[entries.length - 1];
      // The replies must all still be in the buffer (they are: the actor holds the round).
      if (this.#ends[last] > out.length) continue;
      const bytes = out.take();
      let at = 0;
      for (const i of entries) {
        out.raw(bytes.subarray(at, this.#starts[i]));
        out.error(errorLine);
        at = this.#ends[i];
        replaced++;
      }
      out.raw(bytes.subarray(at));
    }
    this.clear();
    return replaced;
  }
}
