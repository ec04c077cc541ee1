/**
 * Active expiry, as Redis's expire cycle: ten times a second, sample keys that have deadlines
 * and remove the expired ones, repeating while more than a quarter of a sample was expired, so
 * keys nobody reads do not pile up. Each cycle runs inside the store actor (it owns the data)
 * and stops at a small time budget, so it never holds up clients for long.
 */
import type { Databases } from "./databases.ts";
import type { Clock } from "./clock.ts";

export const ACTIVE_EXPIRY_INTERVAL_MS = 100;
/** Keys sampled per database per step (Redis: ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP). */
export const SAMPLE_KEYS = 20;
/** Longest one cycle may run, in ms. */
export const CYCLE_BUDGET_MS = 5;

/** The database each store's next cycle starts at. */
const resumeAt = new WeakMap<Databases, number>();

export interface ExpireCycleOptions {
  /** Time budget of the cycle in ms. Default {@linkcode CYCLE_BUDGET_MS}. */
  budgetMs?: number;
  /** Monotonic ms used to measure the budget. Default `performance.now`. */
  timer?: () => number;
}

/**
 * Runs one cycle over every database and partition; returns how many keys it removed. Expiry decisions use
 * `clock` (Unix ms); the budget is measured with `options.timer`. Each database continues
 * where the previous cycle stopped, so a cycle cut short by its budget loses no ground.
 */
export function activeExpireCycle(
  store: Databases,
  clock: Clock,
  options: ExpireCycleOptions = {},
): number {
  const budgetMs = options.budgetMs ?? CYCLE_BUDGET_MS;
  const timer = options.timer ?? (() => performance.now());
  const started = timer();
  const keyspaces = store.keyspaces();
  const count = keyspaces.length;
  const first = (resumeAt.get(store) ?? 0) % count;
  let removedTotal = 0;
  for (let n = 0; n < count; n++) {
    const index = (first + n) % count;
    const db = keyspaces[index];
    if (db.volatileCount === 0) continue;
    while (true) {
      const [checked, removed] = db.expireSample(clock(), SAMPLE_KEYS);
      removedTotal += removed;
      if (timer() - started >= budgetMs) {
        // The next cycle starts after this one, so a busy database cannot starve the others.
        resumeAt.set(store, index + 1);
        return removedTotal;
      }
      // Like Redis: another step only while over a quarter of the sample had expired.
      if (checked === 0 || removed * 4 <= checked) break;
    }
  }
  resumeAt.set(store, 0);
  return removedTotal;
}

/**
 * Schedules the cycle through `runInStore` every 100 ms; returns a function that stops it.
 * `onCycle` is told how long each cycle held the store, in ms (LATENCY's expire-cycle event).
 */
export function startActiveExpiry(
  store: Databases,
  clock: Clock,
  runInStore: (task: () => void) => Promise<void>,
  onCycle?: (ms: number) => void,
): () => void {
  let inFlight = false;
  const timer = setInterval(() => {
    if (inFlight || !store.activeExpiryEnabled) return;
    inFlight = true;
    runInStore(() => {
      // The deletions are journaled like a command's (one atomic unit), so the log and any
      // replica drop the keys too.
      const started = performance.now();
      if (activeExpireCycle(store, clock) > 0) store.journal.commandEnd();
      onCycle?.(performance.now() - started);
    }).finally(() => inFlight = false);
  }, ACTIVE_EXPIRY_INTERVAL_MS);
  return () => clearInterval(timer);
}
