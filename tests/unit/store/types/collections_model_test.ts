/**
 * Randomized tests of the four collection types against plain models: thousands of random ops
 * applied through Keyspace.op (so through the op table, the journal and undo), with small
 * encoding limits so collections convert from their compact forms midway. The full contents are
 * compared with the model as it goes, after undoing random stretches of ops, and after
 * replaying the journaled log into a fresh store.
 */
import { assertEquals } from "../../../helpers/assert.ts";
import { dumpStore, dumpValue } from "../../../helpers/store_dump.ts";
import { Databases } from "../../../../src/store/databases.ts";
import { DISCARD_CHANGES, Journal } from "../../../../src/store/journal.ts";
import { UndoLog } from "../../../../src/store/undo_log.ts";
import { WalJournal } from "../../../../src/wal/wal_journal.ts";
import { decodeChanges } from "../../../../src/wal/codec.ts";
import { storeApplier } from "../../../../src/wal/replay.ts";
import { encodingLimits } from "../../../../src/store/types/limits.ts";
import { HashOp } from "../../../../src/store/types/hash.ts";
import { clampRange, ListOp } from "../../../../src/store/types/list.ts";
import { SetOp } from "../../../../src/store/types/set.ts";
import { scoreText, ZSetOp, type ZSetValue } from "../../../../src/store/types/zset.ts";
import { parseScoreRange } from "../../../../src/store/types/zset_bounds.ts";
import type { Keyspace } from "../../../../src/store/keyspace.ts";
import { random } from "../../../helpers/random.ts";

interface Model {
  /**
   * Applies one random op to the store and the model; `check` is false for a scratch model
   * stepped over a store it does not describe (reads are then not compared).
   */
  step(db: Keyspace, rand: () => number, check?: boolean): void;
  /** The model's contents in dumpValue's form, or undefined for a missing key. */
  expected(): unknown;
}

function hashModel(): Model {
  const map = new Map<string, string>();
  return {
    step(db, rand) {
      const field = () => rand() < 0.05 ? "long-".repeat(20) : `f${Math.floor(rand() * 40)}`;
      if (rand() < 0.65) {
        const args: string[] = [];
        for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
          const f = field();
          const v = rand() < 0.05 ? "v".repeat(100) : `v${Math.floor(rand() * 1e6)}`;
          args.push(f, v);
          map.set(f, v);
        }
        db.op("k", HashOp.hset, args);
      } else {
        const args = [field(), field()];
        for (const f of args) map.delete(f);
        db.op("k", HashOp.hdel, args);
      }
    },
    expected: () =>
      map.size === 0 ? undefined : {
        hash: [...map].map(([f, v]) => [f, v]).sort((a, b) => a[0] < b[0] ? -1 : 1),
      },
  };
}

function setModel(): Model {
  const set = new Set<string>();
  return {
    step(db, rand) {
      const member = () => {
        const r = rand();
        if (r < 0.6) return String(Math.floor(rand() * 60) - 10);
        if (r < 0.65) return "9223372036854775807";
        return `m${Math.floor(rand() * 30)}`;
      };
      if (rand() < 0.6) {
        const args = [member(), member()];
        for (const m of args) set.add(m);
        db.op("k", SetOp.sadd, args);
      } else {
        const args = [member(), member(), member()];
        for (const m of args) set.delete(m);
        db.op("k", SetOp.srem, args);
      }
    },
    expected: () => set.size === 0 ? undefined : { set: [...set].sort() },
  };
}

function listModel(): Model {
  let list: string[] = [];
  return {
    step(db, rand) {
      const value = () => rand() < 0.03 ? "L".repeat(200) : `e${Math.floor(rand() * 12)}`;
      const r = rand();
      if (r < 0.25) {
        const args = [value(), value()];
        list.unshift(...args.slice().reverse());
        db.op("k", ListOp.lpush, args);
      } else if (r < 0.5) {
        const args = [value(), value(), value()];
        list.push(...args);
        db.op("k", ListOp.rpush, args);
      } else if (r < 0.6) {
        const n = 1 + Math.floor(rand() * 3);
        list.splice(0, n);
        db.op("k", ListOp.lpop, [String(n)]);
      } else if (r < 0.7) {
        const n = 1 + Math.floor(rand() * 3);
        list.splice(Math.max(0, list.length - n), n);
        db.op("k", ListOp.rpop, [String(n)]);
      } else if (r < 0.77) {
        if (list.length === 0) return;
        const index = Math.floor(rand() * list.length * 2) - list.length;
        const v = value();
        list[index < 0 ? index + list.length : index] = v;
        db.op("k", ListOp.lset, [String(index), v]);
      } else if (r < 0.85) {
        const pivot = value();
        const v = value();
        const after = rand() < 0.5;
        const at = list.indexOf(pivot);
        if (at >= 0) list.splice(after ? at + 1 : at, 0, v);
        db.op("k", ListOp.linsert, [after ? "AFTER" : "BEFORE", pivot, v]);
      } else if (r < 0.93) {
        const count = Math.floor(rand() * 5) - 2;
        const target = value();
        let left = count === 0 ? Infinity : Math.abs(count);
        if (count >= 0) {
          list = list.filter((e) => !(e === target && left-- > 0));
        } else {
          for (let i = list.length - 1; i >= 0 && left > 0; i--) {
            if (list[i] === target) {
              list.splice(i, 1);
              left--;
            }
          }
        }
        db.op("k", ListOp.lrem, [String(count), target]);
      } else {
        const start = Math.floor(rand() * 20) - 10;
        const stop = Math.floor(rand() * 60) - 10;
        const range = clampRange(start, stop, list.length);
        list = range === null ? [] : list.slice(range[0], range[1] + 1);
        db.op("k", ListOp.ltrim, [String(start), String(stop)]);
      }
    },
    expected: () => list.length === 0 ? undefined : { list: list.slice() },
  };
}

function zsetModel(): Model {
  const scores = new Map<string, number>();
  const ordered = () =>
    [...scores].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const removeRanks = (start: number, stop: number) => {
    for (const [member] of ordered().slice(start, stop + 1)) scores.delete(member);
  };
  return {
    step(db, rand, check = true) {
      const member = () =>
        rand() < 0.04 ? "long-".repeat(15) + Math.floor(rand() * 3) : `m${Math.floor(rand() * 40)}`;
      const score = () => {
        const r = rand();
        if (r < 0.03) return Infinity;
        if (r < 0.06) return -Infinity;
        return Math.floor(rand() * 20) / 2 - 3;
      };
      const r = rand();
      if (r < 0.5) {
        const args: string[] = [];
        for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
          const m = member();
          const s = score();
          args.push(scoreText(s), m);
          scores.set(m, s);
        }
        db.op("k", ZSetOp.zadd, args);
      } else if (r < 0.7) {
        const args = [member(), member(), member()];
        for (const m of args) scores.delete(m);
        db.op("k", ZSetOp.zrem, args);
      } else if (r < 0.8) {
        if (scores.size === 0) return;
        const start = Math.floor(rand() * scores.size);
        const stop = Math.min(scores.size - 1, start + Math.floor(rand() * 4));
        removeRanks(start, stop);
        db.op("k", ZSetOp.zremrangebyrank, [String(start), String(stop)]);
      } else if (r < 0.9) {
        const bound = () => (rand() < 0.5 ? "(" : "") + String(Math.floor(rand() * 20) / 2 - 3);
        const [min, max] = [bound(), bound()];
        const range = parseScoreRange(min, max)!;
        const inside = (s: number) =>
          (range.min.strict ? s > range.min.score : s >= range.min.score) &&
          (range.max.strict ? s <= range.max.score : s < range.max.score);
        for (const [m, s] of [...scores]) if (inside(s)) scores.delete(m);
        db.op("k", ZSetOp.zremrangebyscore, [min, max]);
      } else {
        // Reads against the model: ranks, bounds and a walk from a random rank backwards.
        const zset = db.get("k", 0) as ZSetValue | undefined;
        const list = ordered();
        if (!check) return;
        if (zset === undefined) return assertEquals(list.length, 0);
        const m = member();
        assertEquals(zset.rank(m), list.findIndex(([name]) => name === m));
        const min = Math.floor(rand() * 20) / 2 - 3;
        const first = list.findIndex(([, s]) => s >= min);
        const range = parseScoreRange(String(min), "+inf")!;
        assertEquals(zset.firstPast(range.min), first < 0 ? list.length : first);
        const from = Math.floor(rand() * list.length);
        const walked: [string, number][] = [];
        zset.forRange(0, from, true, (name, s) => void walked.push([name, s]));
        assertEquals(walked, list.slice(0, from + 1).reverse());
      }
    },
    expected: () => scores.size === 0 ? undefined : { zset: ordered() },
  };
}

const MODELS: [string, () => Model][] = [
  ["hash", hashModel],
  ["set", setModel],
  ["list", listModel],
  ["zset", zsetModel],
];

for (const [name, makeModel] of MODELS) {
  Deno.test(`random ${name} ops match a model across compact and big forms, undo and log replay`, () => {
    const saved = { ...encodingLimits };
    Object.assign(encodingLimits, {
      hashMaxListpackEntries: 16,
      hashMaxListpackValue: 64,
      setMaxIntsetEntries: 20,
      listMaxListpackSize: 4,
      zsetMaxListpackEntries: 12,
      zsetMaxListpackValue: 64,
    });
    try {
      const log = new WalJournal();
      log.muted = false;
      const journal = new Journal();
      journal.durable = log;
      const store = new Databases(journal);
      const db = store.dbs[0];
      const model = makeModel();
      const rand = random(name.length * 7919);
      let checked = 0;
      let undone = 0;
      for (let i = 0; i < 4000; i++) {
        if (i % 250 === 125) {
          // Ops taken back by the undo log leave exactly the state before them. The model
          // is not stepped; the undone ops are not journaled for the replay below.
          const before = dumpStore(store);
          const undo = new UndoLog();
          journal.undo = undo;
          journal.capture = DISCARD_CHANGES;
          const scratch = makeModel();
          for (let n = 0; n < 20; n++) scratch.step(db, rand, false);
          undo.rollback();
          journal.undo = null;
          journal.capture = null;
          assertEquals(dumpStore(store), before);
          undone++;
        }
        model.step(db, rand);
        journal.commandEnd();
        const value = db.get("k", 0);
        assertEquals(value === undefined ? undefined : dumpValue(value), model.expected());
        checked++;
      }
      const replayed = new Databases();
      decodeLog(log, replayed);
      assertEquals(dumpStore(replayed), dumpStore(store));
      assertEquals(checked, 4000);
      assertEquals(undone, 16);
    } finally {
      Object.assign(encodingLimits, saved);
    }
  });
}

/** Applies every record the WalJournal encoded to `store`. */
function decodeLog(log: WalJournal, store: Databases): void {
  const bytes = log.encoder.bytes;
  const applier = storeApplier(store);
  let at = 0;
  while (at < log.encoder.length) {
    const length = bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 | bytes[at + 3] << 24;
    decodeChanges(bytes, at + 9, at + 9 + length, applier);
    at += 9 + length;
  }
}
