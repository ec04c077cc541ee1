/**
 * How to take back changes: while `Journal.undo` is set, every keyspace change pushes a step
 * that restores what it replaced (the previous value and deadline of a key, a collection's
 * contents before an op, a flushed database's maps). Rolling back runs the steps newest first.
 *
 * Steps touch the keyspace's maps directly: an undo is not a change of its own, so it is not
 * journaled. The user of the log decides what happens to the journal records of the undone
 * changes (a refused round drops them; a speculative transaction step never sent them).
 */
export class UndoLog {
  #steps: (() => void)[] = [];

  /** Steps recorded so far: a mark to roll back to. */
  get length(): number {
    return this.#steps.length;
  }

  push(step: () => void): void {
    this.#steps.push(step);
  }

  /** Undoes every change recorded after `mark` (default: all), newest first. */
  rollback(mark = 0): void {
    const steps = this.#steps;
    for (let i = steps.length - 1; i >= mark; i--) steps[i]();
    steps.length = mark;
  }

  /** Forgets the steps (the changes stay). */
  clear(): void {
    this.#steps.length = 0;
  }
}
