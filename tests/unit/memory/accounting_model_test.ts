/**
 * The memory account is kept by every change, never recomputed: random writes of every type,
 * deadlines, deletions, whole values written at once, flushes, SWAPDB, partitions, speculative
 * stretches taken back by the undo log, and ledger rounds rolled back or forgotten must leave it
 * equal to a count made from scratch.
 */
import { assertEquals, assertOk } from "../../helpers/assert.ts";
import { Databases } from "../../../src/store/databases.ts";
import { DISCARD_CHANGES, Journal } from "../../../src/store/journal.ts";
import { UndoLog } from "../../../src/store/undo_log.ts";
import { cloneValue, type Keyspace, valueMemory } from "../../../src/store/keyspace.ts";
import { HashOp } from "../../../src/store/types/hash.ts";
import { ListOp, ListValue } from "../../../src/store/types/list.ts";
import { SetOp } from "../../../src/store/types/set.ts";
import { ZSetOp } from "../../../src/store/types/zset.ts";
import { StringOp } from "../../../src/store/types/string_ops.ts";
import { encodingLimits } from "../../../src/store/types/limits.ts";
import { NODE_BYTES } from "../../../src/store/types/quicklist.ts";
import {
  arrayBytes,
  HEAP_NUMBER_BYTES,
  objectBytes,
  stringBytes,
} from "../../../src/memory/costs.ts";
import { seededRandom } from "../../durability/workload.ts";
import { Persistence, Schema } from "../../../src/store/partition.ts";

/** What a keyspace's keys, values and deadlines cost, counted from scratch. */
function contentFromScratch(keyspace: Keyspace): number {
  let total = 0;
  for (const shard of keyspace.data.shards) {
    for (const [key, value] of shard) total += stringBytes(key.length) + valueMemory(value);
  }
  return total + keyspace.expires.size * HEAP_NUMBER_BYTES;
}

/** A list's estimate from its public state (its buffer total is otherwise kept incrementally). */
function listFromScratch(list: ListValue): number {
  const nodes = list.items.nodes;
  const buffers = nodes.reduce((sum, node) => sum + node.buf.length, 0);
  return objectBytes(3) + objectBytes(3) + arrayBytes(nodes.length) + nodes.length * NODE_BYTES +
    buffers;
}

function checkAccount(store: Databases): void {
  let total = 0;
  for (const keyspace of store.keyspaces()) {
    assertEquals(keyspace.contentBytes, contentFromScratch(keyspace));
    total += keyspace.bytes;
    for (const shard of keyspace.data.shards) {
      for (const value of shard.values()) {
        if (value instanceof ListValue) assertEquals(value.memoryBytes(), listFromScratch(value));
        else if (typeof value !== "string") {
          // A copy is built from nothing: its counts are made fresh.
          assertEquals(value.memoryBytes(), value.clone().memoryBytes());
        }
      }
    }
  }
  assertEquals(store.memory.data, total);
}

Deno.test("the memory account equals a count from scratch after random changes of every kind", () => {
  const saved = { ...encodingLimits };
  Object.assign(encodingLimits, {
    hashMaxListpackEntries: 8,
    hashMaxListpackValue: 32,
    setMaxIntsetEntries: 8,
    listMaxListpackSize: 4,
    zsetMaxListpackEntries: 8,
  });
  try {
    const journal = new Journal();
    const store = new Databases(journal, 4);
    const partition = store.createPartition({
      name: "p",
      schema: Schema.any,
      persistence: Persistence.wal,
      createdAtMs: 0,
    });
    const rand = seededRandom(1515);
    const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)];
    const text = (max: number) => "x".repeat(Math.floor(rand() * max));
    const text10 = () => `e${Math.floor(rand() * 3000)}`;
    const ledger = new UndoLog();
    const seen = { whole: 0, pfadd: 0, rounds: 0 };
    const encodings = new Set<string>();
    const keys = Array.from({ length: 40 }, (_, i) => `key:${i}`);
    // HyperLogLogs are strings changed by their own op (PFADD), on keys of their own.
    const hlls = Array.from({ length: 5 }, (_, i) => `hll:${i}`);
    const step = (db: Keyspace) => {
      const key = rand() < 0.1 ? pick(hlls) : pick(keys);
      const current = db.get(key, 0);
      const kind = key.startsWith("hll:")
        ? "hll"
        : typeof current === "string"
        ? "string"
        : current?.type ?? pick(["string", "hash", "list", "set", "zset"]);
      const roll = rand();
      if (roll < 0.1) db.delete(key);
      else if (roll < 0.2 && current !== undefined) db.setDeadline(key, rand() < 0.5 ? 0 : 1e13);
      else if (roll < 0.25 && kind !== "hll") {
        // A whole value written at once (RENAME, COPY, SORT ... STORE, ZUNIONSTORE, BITOP).
        const source = db.get(pick(keys), 0);
        if (source !== undefined) {
          db.set(key, cloneValue(source), rand() < 0.3 ? 1e13 : 0);
          seen.whole++;
        }
      } else if (kind === "hll") {
        db.op(key, StringOp.pfadd, Array.from({ length: 1 + Math.floor(rand() * 40) }, text10));
        seen.pfadd++;
      } else if (kind === "string") {
        if (rand() < 0.7) db.set(key, text(100), rand() < 0.3 ? 1e13 : 0);
        else db.op(key, StringOp.setrange, [String(Math.floor(rand() * 120)), text(20)]);
      } else if (kind === "zset") {
        const member = `m${Math.floor(rand() * 30)}`;
        // Integer scores are small integers in V8; fractions are boxed numbers.
        const score = () => rand() < 0.5 ? String(Math.floor(rand() * 100)) : String(rand() * 100);
        const roll = rand();
        if (roll < 0.6) {
          const pairs = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => [
            score(),
            `m${Math.floor(rand() * 30)}`,
          ]);
          db.op(key, ZSetOp.zadd, pairs.flat());
        } else if (roll < 0.85) db.op(key, ZSetOp.zrem, [member]);
        else if (roll < 0.9) {
          db.op(key, ZSetOp.zremrangebyrank, ["0", String(Math.floor(rand() * 4))]);
        } else if (roll < 0.95) db.op(key, ZSetOp.zremrangebyscore, ["(10", String(rand() * 40)]);
        else db.op(key, ZSetOp.zremrangebylex, ["[m1", "(m2"]);
      } else if (kind === "hash") {
        if (rand() < 0.7) db.op(key, HashOp.hset, [`f${Math.floor(rand() * 20)}`, text(60)]);
        else db.op(key, HashOp.hdel, [`f${Math.floor(rand() * 20)}`]);
      } else if (kind === "list") {
        if (rand() < 0.6) db.op(key, ListOp.rpush, [text(300), text(5)]);
        else if (rand() < 0.5) db.op(key, ListOp.lpop, ["2"]);
        else db.op(key, ListOp.lpush, [text(40)]);
      } else {
        const member = rand() < 0.5
          ? String(Math.floor(rand() * 30))
          : `m${Math.floor(rand() * 30)}`;
        db.op(key, rand() < 0.7 ? SetOp.sadd : SetOp.srem, [member]);
      }
    };
    let checks = 0;
    for (let i = 0; i < 3000; i++) {
      const databases = [...store.keyspaces()];
      const db = pick(databases);
      const roll = rand();
      if (roll < 0.005) db.flush();
      else if (roll < 0.01) store.swap(0, 1);
      else if (roll < 0.015) store.trackAccess(rand() < 0.5);
      else if (roll < 0.03) {
        // A speculative stretch (a BEGIN statement) taken back whole.
        const undo = new UndoLog();
        journal.undo = undo;
        journal.capture = DISCARD_CHANGES;
        for (let n = 0; n < 15; n++) {
          if (rand() < 0.05) db.flush();
          else step(db);
        }
        undo.rollback();
        journal.undo = null;
        journal.capture = null;
      } else if (roll < 0.045) {
        // Rounds under --fsync always (the round ledger): each is forgotten once durable, or
        // rolled back when the log refuses it.
        journal.undo = ledger;
        const mark = ledger.length;
        for (let n = 0; n < 10; n++) step(db);
        if (rand() < 0.5) ledger.rollback(mark);
        else ledger.forget();
        seen.rounds++;
        journal.undo = null;
      } else step(db);
      checkAccount(store);
      checks++;
      for (const keyspace of store.keyspaces()) {
        for (const shard of keyspace.data.shards) {
          for (const value of shard.values()) {
            if (typeof value !== "string") encodings.add(`${value.type}:${value.encoding()}`);
          }
        }
      }
    }
    store.dropPartition(partition.id);
    checkAccount(store);
    assertEquals(checks, 3000);
    assertOk(seen.whole > 50 && seen.pfadd > 50 && seen.rounds > 10, JSON.stringify(seen));
    // Every type was met in its compact form and in its big one.
    assertEquals([...encodings].sort(), [
      "hash:hashtable",
      "hash:listpack",
      "list:quicklist",
      "set:hashtable",
      "set:intset",
      "zset:listpack",
      "zset:skiplist",
    ]);
  } finally {
    Object.assign(encodingLimits, saved);
  }
});

Deno.test("values released without a limit leave the account in batches, and every read is exact", () => {
  const store = new Databases(new Journal(), 1);
  const db = store.dbs[0];
  const rand = seededRandom(77);
  const keys = Array.from({ length: 50 }, (_, i) => `key:${i}`);
  const value = () => "v".repeat(Math.floor(rand() * 300));
  // 1,000 overwrites and deletions, the account read at random points in between: each read
  // settles what the keyspace still owes, so it always equals a count from scratch.
  for (let i = 0; i < 1_000; i++) {
    const key = keys[Math.floor(rand() * keys.length)];
    if (rand() < 0.2) db.delete(key);
    else db.set(key, value());
    if (rand() < 0.05) checkAccount(store);
  }
  checkAccount(store);
  // With a limit every change is counted at once: overwriting values with smaller ones frees room
  // before new keys take it, so the limit is never crossed (a deferred count would cross it).
  for (const key of keys) db.set(key, "v".repeat(300));
  let crossed = false;
  store.memory.onOverLimit = () => crossed = true;
  store.memory.setLimit(store.memory.counted + 100);
  for (const key of keys) db.set(key, "");
  for (let i = 0; i < 20; i++) db.set(`new:${i}`, "v".repeat(300));
  assertEquals(crossed, false);
  checkAccount(store);
  store.memory.setLimit(0);
});
