import { assertEquals, assertOk } from "../../helpers/assert.ts";
import { Databases } from "../../../src/store/databases.ts";
import { type ChangeSink, Journal } from "../../../src/store/journal.ts";
import { MemoryAccount } from "../../../src/memory/memory_account.ts";
import {
  type EvictionSettings,
  evictionTimeLimitUs,
  Evictor,
  EvictResult,
  Sweep,
} from "../../../src/memory/eviction.ts";
import { ShardedMap } from "../../../src/store/sharded_map.ts";
import { UndoLog } from "../../../src/store/undo_log.ts";
import type { EvictionPolicy } from "../../../src/memory/eviction_policy.ts";
import { EvictionPool, POOL_SIZE } from "../../../src/memory/eviction_pool.ts";
import { EventClass } from "../../../src/store/events.ts";
import type { Keyspace } from "../../../src/store/keyspace.ts";

/** Keeps the deletions and unit ends the journal reports. */
class Recorder implements ChangeSink {
  readonly deleted: string[] = [];
  units = 0;
  set() {}
  delete(_db: number, key: string) {
    this.deleted.push(key);
  }
  expire() {}
  op() {}
  flush() {}
  swap() {}
  commandEnd() {
    this.units++;
  }
}

const START = 1_700_000_000_000;

function setup(policy: EvictionPolicy, timerStep = 0) {
  const journal = new Journal();
  const recorder = new Recorder();
  journal.addSink(recorder);
  let now = START;
  const store = new Databases(journal, 16, new MemoryAccount(), () => now);
  const settings: EvictionSettings = {
    maxmemoryBytes: 0,
    maxmemoryPolicy: policy,
    maxmemorySamples: 5,
    maxmemoryEvictionTenacity: 100, // no time limit unless a test sets one
    lfuLogFactor: 10,
    lfuDecayTimeMin: 1,
  };
  const deferred: (() => void)[] = [];
  const conditions: boolean[] = [];
  let monotonic = 0;
  const evictor = new Evictor({
    store,
    settings,
    clock: () => now,
    schedule: (task) => task(),
    defer: (fn) => deferred.push(fn),
    onCondition: (over) => conditions.push(over),
    // Each read of the monotonic clock moves it on by `timerStep` ms (0: time stands still).
    timer: () => (monotonic += timerStep),
  });
  return {
    store,
    db: store.dbs[0],
    recorder,
    evictor,
    deferred,
    conditions,
    settings,
    advance(ms: number) {
      now += ms;
    },
    /** Sets maxmemory to `bytes` below what is used now, then runs the background slices. */
    limitBelow(bytes: number) {
      settings.maxmemoryBytes = store.memory.counted - bytes;
      evictor.applySettings();
      while (deferred.length > 0) deferred.shift()!();
    },
  };
}

function fill(db: Keyspace, count: number, prefix = "key:", expireAt = 0): string[] {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = `${prefix}${i}`;
    db.set(key, "v".repeat(100), expireAt === 0 ? 0 : expireAt + i);
    keys.push(key);
  }
  return keys;
}

Deno.test("allkeys-lru evicts the keys not accessed lately, each as its own journaled unit", () => {
  const t = setup("allkeys-lru");
  const keys = fill(t.db, 2000);
  t.advance(60_000);
  const hot = keys.filter((_, i) => i % 4 === 0);
  for (const key of hot) t.db.get(key, START + 60_000);
  t.advance(1000);
  const before = t.recorder.units;
  t.limitBelow(Math.floor(t.store.memory.data / 3));
  assertOk(t.store.memory.counted <= t.store.memory.limit, "memory is back under the limit");
  const evicted = t.store.stats.evictedKeys;
  assertOk(evicted > 400, `${evicted} keys evicted`);
  assertEquals(t.recorder.deleted.length, evicted);
  assertEquals(t.recorder.units - before, evicted);
  const hotKept = hot.filter((key) => t.db.data.has(key)).length;
  assertOk(hotKept / hot.length > 0.95, `${hotKept} of ${hot.length} recently used keys kept`);
  assertEquals(t.conditions.at(-1), false);
});

Deno.test("allkeys-lfu keeps the keys accessed most often", () => {
  const t = setup("allkeys-lfu");
  const keys = fill(t.db, 2000);
  const frequent = keys.filter((_, i) => i % 5 === 0);
  for (let round = 0; round < 30; round++) {
    for (const key of frequent) t.db.get(key, START);
  }
  t.limitBelow(Math.floor(t.store.memory.data / 2));
  const kept = frequent.filter((key) => t.db.data.has(key)).length;
  assertOk(kept / frequent.length > 0.95, `${kept} of ${frequent.length} frequent keys kept`);
  assertOk(t.store.stats.evictedKeys > 500);
});

for (const policy of ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"] as const) {
  Deno.test(`${policy} evicts only keys with a deadline, and fails once none is left`, () => {
    const t = setup(policy);
    const persistent = fill(t.db, 500, "keep:");
    const volatile = fill(t.db, 500, "tmp:", START + 3_600_000);
    t.limitBelow(Math.floor(t.store.memory.data / 4));
    assertOk(persistent.every((key) => t.db.data.has(key)), "every key without a TTL is kept");
    assertOk(volatile.some((key) => !t.db.data.has(key)), "keys with a TTL were evicted");
    // Asking for more than the volatile keys hold: they all go, then nothing more can.
    t.settings.maxmemoryBytes = 1;
    t.evictor.applySettings();
    assertEquals(t.evictor.perform(), EvictResult.fail);
    assertEquals(t.db.volatileCount, 0);
    assertEquals(t.db.size, persistent.length);
  });
}

Deno.test("volatile-ttl evicts the nearest deadlines first", () => {
  const t = setup("volatile-ttl");
  const keys: string[] = [];
  for (let i = 0; i < 2000; i++) {
    // Deadlines in a scattered order, so map order says nothing about them.
    const deadline = START + 1_000_000 + ((i * 7919) % 2000) * 1000;
    t.db.set(`k${i}`, "v".repeat(100), deadline);
    keys.push(`k${i}`);
  }
  t.limitBelow(Math.floor(t.store.memory.data / 2));
  const gone = keys.filter((key) => !t.db.data.has(key));
  const order = (key: string) => (Number(key.slice(1)) * 7919) % 2000;
  // Exact TTL order would evict ranks 0..gone-1; sampling gets close to it.
  const early = gone.filter((key) => order(key) < gone.length).length;
  assertOk(gone.length > 500, `${gone.length} evicted`);
  assertOk(early / gone.length > 0.9, `${early} of ${gone.length} evicted were the earliest`);
});

Deno.test("allkeys-random evicts old and new keys alike", () => {
  const t = setup("allkeys-random");
  const keys = fill(t.db, 4000);
  t.limitBelow(Math.floor(t.store.memory.data / 2));
  const firstHalf = keys.slice(0, 2000).filter((key) => !t.db.data.has(key)).length;
  const secondHalf = keys.slice(2000).filter((key) => !t.db.data.has(key)).length;
  const total = firstHalf + secondHalf;
  assertOk(total > 1000, `${total} evicted`);
  assertOk(firstHalf / total > 0.3 && firstHalf / total < 0.7, `${firstHalf} of ${total} were old`);
});

Deno.test("noeviction refuses (FAIL) and deletes nothing while over the limit", () => {
  const t = setup("noeviction");
  fill(t.db, 100);
  t.limitBelow(1000);
  assertEquals(t.evictor.perform(), EvictResult.fail);
  assertEquals(t.db.size, 100);
  assertEquals(t.conditions.at(-1), true);
  t.db.delete("key:1");
  t.db.delete("key:2");
  t.settings.maxmemoryBytes = 0;
  t.evictor.applySettings();
  assertEquals(t.evictor.perform(), EvictResult.ok);
  assertEquals(t.conditions.at(-1), false);
});

Deno.test("a pass stops at its time limit and the rest runs in deferred slices", () => {
  // Every read of the clock takes 0.1 ms; a pass reads it every 16 evictions, from the 16th on
  // (the first read starts its time), so it stops at the 112th: 0.6 ms past the 16th.
  const t = setup("allkeys-lru", 0.1);
  fill(t.db, 3000);
  t.settings.maxmemoryEvictionTenacity = 10; // 500 us
  t.settings.maxmemoryBytes = Math.floor(t.store.memory.counted / 2);
  t.evictor.applySettings(); // over the limit: background work starts
  const perPass: number[] = [];
  while (t.deferred.length > 0) {
    const before = t.store.stats.evictedKeys;
    t.deferred.shift()!();
    perPass.push(t.store.stats.evictedKeys - before);
  }
  assertOk(perPass.length > 5, `${perPass.length} passes`);
  assertOk(perPass.every((n) => n <= 112), `evictions per pass: ${perPass}`);
  assertOk(t.store.memory.counted <= t.store.memory.limit);
  assertEquals(t.evictor.running, false);
});

Deno.test("exceeded time counts only while passes end over the limit, as Redis's", () => {
  // Every read of the clock takes 1 ms: the figures count the reads.
  const t = setup("allkeys-lru", 1);
  fill(t.db, 200);
  t.limitBelow(500);
  // A pass that gets under the limit opens no stretch and reads no clock.
  t.db.set("key:extra", "x".repeat(600));
  assertEquals(t.evictor.perform(), EvictResult.ok);
  assertEquals(t.evictor.exceededTimes(), [0, 0]);
  // A pass that cannot get under (noeviction) opens one; it closes once under again.
  t.settings.maxmemoryPolicy = "noeviction";
  t.evictor.applySettings();
  t.db.set("key:more", "x".repeat(600));
  assertEquals(t.evictor.perform(), EvictResult.fail);
  const [, current] = t.evictor.exceededTimes();
  assertOk(current > 0, `current ${current}`);
  t.db.delete("key:more");
  t.db.delete("key:extra");
  assertEquals(t.evictor.perform(), EvictResult.ok);
  const [total, after] = t.evictor.exceededTimes();
  assertOk(total > current, `total ${total}`);
  assertEquals(after, 0);
});

Deno.test("candidates left in the pool by a flushed database are passed over, not a failure", () => {
  const t = setup("allkeys-lru");
  fill(t.db, 200, "old:");
  t.limitBelow(2000); // evicts some, and leaves sampled candidates in the pool
  // Under a round's undo log a flush hands its tables over whole: the candidates' tables still
  // hold them at the places they were sampled, though the database no longer does.
  t.store.journal.undo = new UndoLog();
  t.db.flush();
  t.store.journal.undo = null;
  t.settings.maxmemoryBytes = 0;
  t.evictor.applySettings();
  fill(t.db, 200, "new:");
  t.limitBelow(2000);
  assertEquals(t.evictor.perform(), EvictResult.ok);
  assertOk(t.db.size < 200 && t.db.size > 0, `${t.db.size} keys`);
});

Deno.test("eviction time limits follow the tenacity as Redis computes them", () => {
  assertEquals(evictionTimeLimitUs(0), 0);
  assertEquals(evictionTimeLimitUs(10), 500);
  assertEquals(Math.round(evictionTimeLimitUs(11)), 575);
  assertEquals(evictionTimeLimitUs(100), Infinity);
});

Deno.test("nothing is evicted inside a speculative run", () => {
  const t = setup("allkeys-lru");
  fill(t.db, 100);
  t.store.journal.capture = new Recorder();
  t.limitBelow(2000);
  assertEquals(t.evictor.perform(), EvictResult.fail);
  assertEquals(t.db.size, 100);
  t.store.journal.capture = null;
  assertEquals(t.evictor.perform(), EvictResult.ok);
  assertOk(t.db.size < 100);
});

Deno.test("an evicted key raises the evicted event and counts in evicted_keys", () => {
  const t = setup("allkeys-random");
  const events: string[] = [];
  t.store.journal.notifyMask = EventClass.evicted;
  t.store.journal.events = { event: (_c, name, db, key) => events.push(`${name}:${db}:${key}`) };
  fill(t.db, 50);
  t.limitBelow(500);
  assertOk(events.length > 0);
  assertEquals(events.length, t.store.stats.evictedKeys);
  assertOk(events.every((e) => e.startsWith("evicted:0:key:")));
});

Deno.test("the eviction pool keeps the best scores, one entry per place sampled", () => {
  const t = setup("allkeys-lru");
  const pool = new EvictionPool();
  const shard = 0;
  const other = 1;
  for (let i = 0; i < 40; i++) pool.offer(`k${i}`, t.db, (i * 37) % 40, shard, i);
  assertEquals(pool.size, POOL_SIZE);
  const scores = pool.entries.map((e) => e.idle);
  assertEquals(scores, Array.from({ length: POOL_SIZE }, (_, i) => 40 - POOL_SIZE + i));
  pool.offer("low", t.db, 0, shard, 100); // worse than everything kept: dropped
  assertEquals(pool.entries.some((e) => e.key === "low"), false);
  pool.offer("k1", t.db, 100, shard, 1); // sampled again: moves to the best place
  assertEquals(pool.entries.filter((e) => e.key === "k1").length, 1);
  assertEquals(pool.size, POOL_SIZE);
  // The same position of another shard's table is another key.
  pool.offer("k1 elsewhere", t.db, 99, other, 1);
  assertEquals(pool.entries.filter((e) => e.position === 1).length, 2);
  assertEquals(pool.takeBest()?.key, "k1");
  assertEquals(pool.takeBest()?.key, "k1 elsewhere");
  pool.offer("low", t.db, 0, shard, 100); // a free slot takes anything
  assertEquals(pool.entries[0].key, "low");
});

Deno.test("a sweep passes over keys across shards and wraps around, as one step at a time", () => {
  const map = new ShardedMap<number>();
  for (let i = 0; i < 40; i++) map.set(`key:${i}`, i);
  for (let i = 0; i < 40; i += 3) map.delete(`key:${i}`);
  // Walked one entry at a time, a sweep visits every key once per turn.
  const single = new Sweep();
  const turn = Array.from({ length: map.size }, () => {
    const at = single.next(map);
    return single.table!.keyAt(at);
  });
  assertEquals(new Set(turn).size, map.size);
  // Passing over k keys lands where k + 1 single steps land, across shard ends and the wrap.
  for (const skips of [[0, 0, 0], [3, 7, 15], [15, 15, 15, 15], [26, 1, 40]]) {
    const skipping = new Sweep();
    const walking = new Sweep();
    for (const skip of skips) {
      const at = skipping.next(map, skip);
      let step = -1;
      for (let k = 0; k <= skip % map.size; k++) step = walking.next(map);
      assertEquals(skipping.table!.keyAt(at), walking.table!.keyAt(step), `skips ${skips}`);
    }
  }
  // A few keys and long skips (a small database sampled with up to 15 skipped): many turns.
  const few = new ShardedMap<number>();
  for (let i = 0; i < 3; i++) few.set(`few:${i}`, i);
  const skipping = new Sweep();
  const walking = new Sweep();
  for (const skip of [15, 14, 13, 2]) {
    const at = skipping.next(few, skip);
    let step = -1;
    for (let k = 0; k <= skip; k++) step = walking.next(few);
    assertEquals(skipping.table!.keyAt(at), walking.table!.keyAt(step), `skip ${skip}`);
  }
  assertEquals(new Sweep().next(new ShardedMap<number>(), 5), -1);
});

Deno.test("a sweep holds no table a flush handed over: it names the map's current one", () => {
  // A flush under a round's undo log detaches the shards' tables whole (keys and values in them);
  // a sweep that kept one would keep them alive after the round is released.
  const map = new ShardedMap<number>();
  for (let i = 0; i < 40; i++) map.set(`key:${i}`, i);
  const sweep = new Sweep();
  assertOk(sweep.next(map) >= 0);
  const detached = map.detach();
  assertOk(!(detached.shards as unknown[]).includes(sweep.table));
  assertEquals(sweep.table, map.shards[sweep.shard]);
  // Once the keys come back, the sweep walks the new tables.
  for (let i = 0; i < 5; i++) map.set(`new:${i}`, i);
  const at = sweep.next(map);
  assertOk(sweep.table!.keyAt(at).startsWith("new:"));
});
