/**
 * How to take back changes: while `Journal.undo` is set, every keyspace change records a step
 * that restores what it replaced (the previous value and deadline of a key, a collection's
 * contents before an op, a flushed database's maps). Rolling back runs the steps newest first.
 *
 * Two users: a BEGIN transaction's statement (a log of its own, rolled back at once), and the
 * round ledger under `--fsync always` (one log for every round not yet durable: a round the
 * log cannot make durable is rolled back, and a durable one is forgotten, oldest first).
 *
 * Steps touch the keyspace's maps directly: an undo is not a change of its own, so it is not
 * journaled. The user of the log decides what happens to the journal records of the undone
 * changes (a refused round drops them; a speculative transaction step never sent them).
 *
 * The common step, putting a key's old value and deadline back, is stored as plain slots (no
 * closure per write: the durable SET path records one for every SET).
 */
import type { Value } from "./value.ts";

/** Takes back a key's change: what a keyspace offers its undo steps. */
export interface KeyRestorer {
  /** Puts `value` (undefined: no key) and `deadline` (0: none) back at `key`, unjournaled. */
  restoreKey(key: string, value: Value | undefined, deadline: number): void;
}

/** Slots per step: [closure or restorer, key, value, deadline]. */
const SLOTS = 4;

export class UndoLog {
  /** Steps as flat slots; position `p` (absolute) is at `(p - #forgotten) * SLOTS`. */
  #slots: unknown[] = [];
  /** Steps recorded so far, forgotten ones included: positions only grow. */
  #count = 0;
  /** Steps dropped from the front by {@linkcode forget}. */
  #forgotten = 0;
  /**
   * Whether changes to memory-only (persistence NONE) partitions are recorded. True for a
   * transaction's log; the round ledger's log turns it on only while a command whose reply
   * waits for the log runs, because a memory-only change made by anything else is final at
   * once (its reply may already be out).
   */
  coversUnlogged = true;
  /**
   * Memory-only partitions with steps here (their later commands must wait too): the position
   * of each one's newest step.
   */
  #touchedUnlogged: Map<number, number> | null = null;

  /** The position after the last step: a mark to roll back or forget to. */
  get length(): number {
    return this.#count;
  }

  /** Records a step that undoes a change when called. */
  push(step: () => void): void {
    this.#slots.push(step, undefined, undefined, 0);
    this.#count++;
  }

  /** Records that `key` held `value` (undefined: nothing) with `deadline` before a change. */
  pushKey(target: KeyRestorer, key: string, value: Value | undefined, deadline: number): void {
    this.#slots.push(target, key, value, deadline);
    this.#count++;
  }

  /** Notes a step for memory-only partition `id` (see {@linkcode coversUnlogged}). */
  touchUnlogged(id: number): void {
    (this.#touchedUnlogged ??= new Map()).set(id, this.#count);
  }

  /** Whether a step for memory-only partition `id` may still be rolled back. */
  touchedUnlogged(id: number): boolean {
    const at = this.#touchedUnlogged?.get(id);
    return at !== undefined && at >= this.#forgotten && at < this.#count;
  }

  /** Undoes every change recorded after `mark` (default: all kept), newest first. */
  rollback(mark = this.#forgotten): void {
    if (mark < this.#forgotten) throw new RangeError(`Cannot roll back to ${mark}: forgotten`);
    const slots = this.#slots;
    for (let p = this.#count - 1; p >= mark; p--) {
      const at = (p - this.#forgotten) * SLOTS;
      const first = slots[at];
      if (typeof first === "function") first();
      else {
        (first as KeyRestorer).restoreKey(
          slots[at + 1] as string,
          slots[at + 2] as Value | undefined,
          slots[at + 3] as number,
        );
      }
    }
    slots.length = (mark - this.#forgotten) * SLOTS;
    this.#count = mark;
    if (mark === this.#forgotten) this.#touchedUnlogged = null;
  }

  /** Forgets the steps before `mark` (their changes stay); later marks stay valid. */
  forget(mark = this.#count): void {
    const drop = mark - this.#forgotten;
    if (drop <= 0) return;
    if (mark === this.#count) this.#slots.length = 0;
    else this.#slots.splice(0, drop * SLOTS);
    this.#forgotten = mark;
    if (mark === this.#count) this.#touchedUnlogged = null;
  }

  /** Forgets every step (the changes stay). */
  clear(): void {
    this.forget();
  }
}
