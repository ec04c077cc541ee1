/**
 * Clients waiting on keys (BLPOP and friends now, BZPOPMIN later), as FIFO queues per
 * (database, key). This module knows nothing of sessions or replies: a {@linkcode Waiter} is
 * whatever the command layer makes, with a `serve` function that tries to satisfy it.
 *
 * It listens to the change stream (a {@linkcode ChangeSink}): a change to a key someone waits
 * on marks the key pending, and `commandEnd` (not called while MULTI/EXEC or COMMIT holds the
 * unit, nor for speculative runs) turns pending keys into ready ones. The owner then calls
 * {@linkcode BlockingQueues.serveReady} after the command, so a push inside a transaction wakes
 * the waiter after EXEC, and a served waiter's own changes (a pop) are a unit of their own.
 * With nobody waiting, every change costs one field test.
 */
import type { ChangeSink } from "./journal.ts";
import type { Value } from "./value.ts";

export interface Waiter {
  /** The database number the waiter blocked in. */
  readonly db: number;
  readonly keys: readonly string[];
  /**
   * Tries to serve the waiter now that `key` may have what it waits for. Returns true when the
   * waiter is done (served, or answered an error): it is then removed from every queue. Returns
   * false when the key cannot serve anyone now, which ends the serving of this key.
   */
  serve(key: string): boolean;
}

export class BlockingQueues implements ChangeSink {
  readonly #queues = new Map<number, Map<string, Waiter[]>>();
  #count = 0;
  #pending: [number, string][] = [];
  #ready: [number, string][] = [];

  /** Waiters blocked now. */
  get size(): number {
    return this.#count;
  }

  /** Whether keys are ready to be served (checked after every command). */
  get hasReady(): boolean {
    return this.#ready.length !== 0;
  }

  /** Queues `waiter` at the end of the queue of each of its keys. */
  add(waiter: Waiter): void {
    let byKey = this.#queues.get(waiter.db);
    if (byKey === undefined) this.#queues.set(waiter.db, byKey = new Map());
    for (const key of new Set(waiter.keys)) {
      const queue = byKey.get(key);
      if (queue === undefined) byKey.set(key, [waiter]);
      else queue.push(waiter);
    }
    this.#count++;
  }

  /** Removes `waiter` from every queue; returns whether it was queued. */
  remove(waiter: Waiter): boolean {
    const byKey = this.#queues.get(waiter.db);
    if (byKey === undefined) return false;
    let found = false;
    for (const key of new Set(waiter.keys)) {
      const queue = byKey.get(key);
      const at = queue?.indexOf(waiter) ?? -1;
      if (at < 0) continue;
      found = true;
      queue!.splice(at, 1);
      if (queue!.length === 0) byKey.delete(key);
    }
    if (byKey.size === 0) this.#queues.delete(waiter.db);
    if (found) this.#count--;
    return found;
  }

  /**
   * Where `waiter` stands in the queue of each of its keys, to put it back exactly there
   * ({@linkcode restore}) if serving it is undone.
   */
  positionsOf(waiter: Waiter): [key: string, index: number][] {
    const byKey = this.#queues.get(waiter.db);
    const positions: [string, number][] = [];
    for (const key of new Set(waiter.keys)) {
      const at = byKey?.get(key)?.indexOf(waiter) ?? -1;
      if (at >= 0) positions.push([key, at]);
    }
    return positions;
  }

  /**
   * Puts a removed waiter back at `positions` (from {@linkcode positionsOf}). Exact when
   * removals are undone newest first, as rollbacks do.
   */
  restore(waiter: Waiter, positions: readonly [string, number][]): void {
    let byKey = this.#queues.get(waiter.db);
    if (byKey === undefined) this.#queues.set(waiter.db, byKey = new Map());
    for (const [key, at] of positions) {
      const queue = byKey.get(key);
      if (queue === undefined) byKey.set(key, [waiter]);
      else queue.splice(at, 0, waiter);
    }
    this.#count++;
  }

  /** How many waiters wait on `key` in `db`. */
  waiting(db: number, key: string): number {
    return this.#queues.get(db)?.get(key)?.length ?? 0;
  }

  /**
   * Serves the waiters of every ready key, oldest first, until each key's queue is empty or a
   * waiter reports the key cannot serve. Serving may make more keys ready (BLMOVE pushes): they
   * are served in the same call.
   */
  serveReady(): void {
    while (this.#ready.length !== 0) {
      const [db, key] = this.#ready.shift()!;
      const queue = this.#queues.get(db)?.get(key);
      if (queue === undefined) continue;
      for (const waiter of queue.slice()) {
        if (!queue.includes(waiter)) continue; // served meanwhile through another key
        if (!waiter.serve(key)) break;
        this.remove(waiter);
      }
    }
  }

  #touch(db: number, key: string): void {
    if (this.#count === 0) return;
    if (this.#queues.get(db)?.has(key)) this.#pending.push([db, key]);
  }

  set(db: number, key: string, value: Value): void {
    if (typeof value !== "string") this.#touch(db, key);
  }

  op(db: number, key: string): void {
    this.#touch(db, key);
  }

  swap(a: number, b: number): void {
    if (this.#count === 0) return;
    for (const db of [a, b]) {
      for (const key of this.#queues.get(db)?.keys() ?? []) this.#pending.push([db, key]);
    }
  }

  delete(): void {}
  expire(): void {}
  flush(): void {}

  commandEnd(): void {
    if (this.#pending.length === 0) return;
    for (const entry of this.#pending) this.#ready.push(entry);
    this.#pending = [];
  }
}
