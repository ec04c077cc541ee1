/**
 * The memory account is kept by every change, never recomputed: random writes of every type,
 * deadlines, deletions, flushes, SWAPDB, partitions and speculative stretches taken back by the
 * undo log must leave it equal to a count made from scratch.
 */
import { assertEquals } from "../../helpers/assert.ts";
import { Databases } from "../../../src/store/databases.ts";
import { DISCARD_CHANGES, Journal } from "../../../src/store/journal.ts";
import { UndoLog } from "../../../src/store/undo_log.ts";
import { type Keyspace, valueMemory } from "../../../src/store/keyspace.ts";
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
    const keys = Array.from({ length: 40 }, (_, i) => `key:${i}`);
    const step = (db: Keyspace) => {
      const key = pick(keys);
      const current = db.get(key, 0);
      const kind = typeof current === "string"
        ? "string"
        : current?.type ?? pick(["string", "hash", "list", "set", "zset"]);
      const roll = rand();
      if (roll < 0.1) db.delete(key);
      else if (roll < 0.2 && current !== undefined) db.setDeadline(key, rand() < 0.5 ? 0 : 1e13);
      else if (kind === "string") {
        if (rand() < 0.7) db.set(key, text(100), rand() < 0.3 ? 1e13 : 0);
        else db.op(key, StringOp.setrange, [String(Math.floor(rand() * 120)), text(20)]);
      } else if (kind === "zset") {
        const member = `m${Math.floor(rand() * 30)}`;
        // Integer scores are small integers in V8; fractions are boxed numbers.
        const score = rand() < 0.5 ? String(Math.floor(rand() * 100)) : String(rand() * 100);
        const roll = rand();
        if (roll < 0.6) db.op(key, ZSetOp.zadd, [score, member]);
        else if (roll < 0.9) db.op(key, ZSetOp.zrem, [member]);
        else db.op(key, ZSetOp.zremrangebyrank, ["0", String(Math.floor(rand() * 4))]);
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
      } else step(db);
      checkAccount(store);
      checks++;
    }
    store.dropPartition(partition.id);
    checkAccount(store);
    assertEquals(checks, 3000);
  } finally {
    Object.assign(encodingLimits, saved);
  }
});
