import { assertEquals, assertOk } from "../../helpers/assert.ts";
import {
  activeExpireCycle,
  SAMPLE_KEYS,
  startActiveExpiry,
} from "../../../src/store/active_expiry.ts";
import { Databases } from "../../../src/store/databases.ts";

const NOW = 1_700_000_000_000;
const clock = () => NOW;

/** A timer that advances 1 ms every time it is read, so budgets are exercised exactly. */
function steppingTimer(): () => number {
  let ms = 0;
  return () => ms++;
}

Deno.test("one cycle removes expired keys in every database and nothing else", () => {
  const store = new Databases();
  for (const index of [0, 5, 15]) {
    const db = store.dbs[index];
    for (let i = 0; i < 30; i++) db.set(`dead:${i}`, "v", NOW - 1);
    for (let i = 0; i < 30; i++) db.set(`later:${i}`, "v", NOW + 60_000);
    for (let i = 0; i < 30; i++) db.set(`plain:${i}`, "v");
  }
  let removed = 0;
  // Sampling stops once few expired keys are found, so allow a few cycles (generous budget).
  for (let cycle = 0; cycle < 20; cycle++) {
    removed += activeExpireCycle(store, clock, { budgetMs: 1000 });
  }
  assertEquals(removed, 90);
  for (const index of [0, 5, 15]) {
    assertEquals(store.dbs[index].size, 60);
    assertEquals(store.dbs[index].liveKeys(NOW).some((key) => key.startsWith("dead:")), false);
  }
  assertEquals(store.stats.expiredKeys, 90);
});

Deno.test("on a replica a cycle removes nothing: its primary's DELs expire its keys", () => {
  const store = new Databases();
  store.expiry.followsPrimary = true;
  for (let i = 0; i < 30; i++) store.dbs[0].set(`dead:${i}`, "v", NOW - 1);
  assertEquals(activeExpireCycle(store, clock, { budgetMs: 1000 }), 0);
  assertEquals(store.dbs[0].size, 30);
  store.expiry.followsPrimary = false; // promoted
  assertEquals(activeExpireCycle(store, clock, { budgetMs: 1000 }), 30);
});

Deno.test("one cycle stops at its time budget however many keys have expired", () => {
  const store = new Databases();
  const total = 100_000;
  for (let i = 0; i < total; i++) store.dbs[0].set(`dead:${i}`, "v", NOW - 1);
  const budgetMs = 5;
  const removed = activeExpireCycle(store, clock, { budgetMs, timer: steppingTimer() });
  // The timer ticks once at the start and once per sample step: at most `budgetMs` steps.
  assertOk(removed > 0, "it removes something");
  assertOk(removed <= budgetMs * SAMPLE_KEYS, `${removed} removed`);
  assertEquals(store.dbs[0].size, total - removed);
  // The next cycle picks up where this one stopped.
  const again = activeExpireCycle(store, clock, { budgetMs, timer: steppingTimer() });
  assertOk(again > 0);
  assertEquals(store.dbs[0].size, total - removed - again);
});

Deno.test("cycles eventually remove every expired key", () => {
  const store = new Databases();
  for (let i = 0; i < 5000; i++) store.dbs[2].set(`dead:${i}`, "v", NOW - 1);
  let cycles = 0;
  while (store.dbs[2].size > 0 && cycles < 10_000) {
    activeExpireCycle(store, clock, { budgetMs: 5, timer: steppingTimer() });
    cycles++;
  }
  assertEquals(store.dbs[2].size, 0);
  assertOk(cycles > 1, "the budget split the work over several cycles");
});

Deno.test("a busy database does not starve the ones after it", () => {
  const store = new Databases();
  for (let i = 0; i < 100_000; i++) store.dbs[0].set(`dead:${i}`, "v", NOW - 1);
  for (let i = 0; i < 10; i++) store.dbs[1].set(`dead:${i}`, "v", NOW - 1);
  activeExpireCycle(store, clock, { budgetMs: 3, timer: steppingTimer() });
  assertEquals(store.dbs[1].size, 10); // the first cycle ran out of time in db 0
  activeExpireCycle(store, clock, { budgetMs: 3, timer: steppingTimer() });
  assertEquals(store.dbs[1].size, 0);
});

Deno.test("keys whose deadline has not passed survive the cycle", () => {
  const store = new Databases();
  store.dbs[0].set("edge", "v", NOW); // expired only when now > deadline
  store.dbs[0].set("soon", "v", NOW + 1);
  assertEquals(activeExpireCycle(store, clock), 0);
  assertEquals(store.dbs[0].size, 2);
  assertEquals(activeExpireCycle(store, () => NOW + 1), 1);
  assertEquals(store.dbs[0].liveKeys(NOW + 1), ["soon"]);
});

Deno.test("startActiveExpiry runs cycles through the store's queue until stopped", async () => {
  const store = new Databases();
  for (let i = 0; i < 100; i++) store.dbs[0].set(`dead:${i}`, "v", NOW - 1);
  let runs = 0;
  const stop = startActiveExpiry(store, clock, (task) => {
    runs++;
    task();
    return Promise.resolve();
  });
  try {
    for (let waited = 0; store.dbs[0].size > 0 && waited < 5000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    stop();
  }
  assertEquals(store.dbs[0].size, 0);
  const runsAtStop = runs;
  assertOk(runsAtStop > 0);
  await new Promise((resolve) => setTimeout(resolve, 250));
  assertEquals(runs, runsAtStop);
});
