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
const SAMPLE_KEYS = 20;
/** Longest one cycle may run. */
const CYCLE_BUDGET_MS = 5;

/** Runs one cycle over every database; returns how many keys it removed. */
export function activeExpireCycle(store: Databases, clock: Clock): number {
  const started = performance.now();
  let removedTotal = 0;
  for (const db of store.dbs) {
    if (db.volatileCount === 0) continue;
    while (true) {
      const [checked, removed] = db.expireSample(clock(), SAMPLE_KEYS);
      removedTotal += removed;
      if (checked === 0 || removed * 4 <= checked) break;
      if (performance.now() - started > CYCLE_BUDGET_MS) return removedTotal;
    }
    if (performance.now() - started > CYCLE_BUDGET_MS) break;
  }
  return removedTotal;
}

/** Schedules the cycle through `runInStore` every 100 ms; returns a function that stops it. */
export function startActiveExpiry(
  store: Databases,
  clock: Clock,
  runInStore: (task: () => void) => Promise<void>,
): () => void {
  let inFlight = false;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = true;
    runInStore(() => activeExpireCycle(store, clock)).finally(() => inFlight = false);
  }, ACTIVE_EXPIRY_INTERVAL_MS);
  return () => clearInterval(timer);
}
