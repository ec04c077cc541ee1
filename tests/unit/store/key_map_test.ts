import { assertEquals } from "../../helpers/assert.ts";
import {
  KEY_MAP_BYTES,
  KEY_MAP_MIN_CAPACITY,
  KeyMap,
  keyMapBytes,
  keyTableBytes,
} from "../../../src/store/key_map.ts";
import { AHEAD_MAX, hashAhead, hashKey } from "../../../src/store/key_hash.ts";
import { checkStoresLikeAMap } from "./map_like.ts";
import { REWRITTEN, SMALL_VALUE_BYTES } from "../../../src/store/small_values.ts";

/** Runs each pair of iterators (ours, a Map's) to its end, demanding the same steps. */
function drainAlike<V>(iterators: [Iterator<[string, V]>, Iterator<[string, V]>][], seed: number) {
  for (const [ours, theirs] of iterators) {
    while (true) {
      const step = theirs.next();
      assertEquals(ours.next(), step, `seed ${seed} draining an iterator`);
      if (step.done) break;
    }
  }
}

/** A small deterministic generator, so a failure replays. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

Deno.test("KeyMap stores, replaces and deletes like a Map, in insertion order", () => {
  const map = new KeyMap<string>();
  checkStoresLikeAMap(map);
  map.set("b", "4");
  assertEquals([...map], [["a", "3"], ["", "empty"], ["b", "4"]]);
  assertEquals([...map.values()], ["3", "empty", "4"]);
  const visited: string[] = [];
  map.forEach((value, key) => visited.push(`${key}=${value}`));
  assertEquals(visited, ["a=3", "=empty", "b=4"]);
});

Deno.test("KeyMap.replace sets a present key's value and gives its kept key; adds nothing", () => {
  const map = new KeyMap<number>();
  map.set("player:1", 1);
  map.set("player:2", 2);
  // A key built apart, as one off the wire: equal to the kept one, another string.
  const asked = ["player", "1"].join(":");
  assertEquals(map.replace(asked, 10), "player:1");
  assertEquals(map.get("player:1"), 10);
  assertEquals(map.replace("player:3", 3), undefined);
  assertEquals(map.has("player:3"), false);
  assertEquals(map.size, 2);
  assertEquals([...map], [["player:1", 10], ["player:2", 2]]);
});

Deno.test("keyTableBytes: entries and an index at most three quarters used", () => {
  assertEquals(keyTableBytes(4), 4 * 20 + 8 * 4);
  assertEquals(keyTableBytes(6), 6 * 20 + 8 * 4);
  assertEquals(keyTableBytes(7), 7 * 20 + 16 * 4);
  assertEquals(keyTableBytes(7_500), 7_500 * 20 + 10_000 * 4);
});

Deno.test("KeyMap grows and shrinks its table with its size", () => {
  const map = new KeyMap<number>();
  assertEquals(map.capacity, KEY_MAP_MIN_CAPACITY);
  let grownBy = 0;
  for (let i = 0; i < 10_000; i++) {
    const before = map.capacity;
    map.set(`k${i}`, i);
    if (map.capacity !== before) {
      // A full table doubles: never more, and only when full.
      assertEquals(i, before, `grew at ${i} from ${before}`);
      assertEquals(map.capacity, before * 2);
      grownBy++;
    }
    // What memory accounting adds for a table that only grew is what this one holds.
    assertEquals(keyMapBytes(map.size), KEY_MAP_BYTES + keyTableBytes(map.capacity));
  }
  assertEquals(map.capacity, 16_384);
  assertEquals(grownBy, 12);
  for (let i = 0; i < 9_990; i++) map.delete(`k${i}`);
  assertEquals(map.size, 10);
  assertEquals(map.capacity <= 64, true, `capacity ${map.capacity}`);
  assertEquals([...map.keys()], Array.from({ length: 10 }, (_, i) => `k${9_990 + i}`));
  map.clear();
  assertEquals(map.capacity, KEY_MAP_MIN_CAPACITY);
  assertEquals([...map], []);
});

Deno.test("KeyMap under churn (a cache evicting as it adds) stays four fifths live", () => {
  const map = new KeyMap<number>();
  for (let i = 0; i < 6_000; i++) map.set(`k${i}`, i);
  assertEquals(map.capacity, 8_192);
  for (let i = 6_000; i < 100_000; i++) {
    map.set(`k${i}`, i);
    map.delete(`k${i - 6_000}`);
  }
  assertEquals(map.size, 6_000);
  // Squeezed to a quarter more than the live entries, and kept there.
  assertEquals(map.capacity, 7_500);
  assertEquals(map.get("k99999"), 99_999);
  assertEquals(map.has("k93999"), false);
});

// Under churn at a steady size a rebuild closes the holes in the arrays it has (no new ones):
// entries, their order, their numbers and live iterators must come through it as through a
// rebuild into fresh arrays.
Deno.test("KeyMap under churn closes its holes in place, keeping entries, order, numbers and iterators", () => {
  for (let seed = 1; seed <= 5; seed++) {
    const next = random(seed);
    const map = new KeyMap<number>();
    const model = new Map<string, number>();
    const numbers = new Map<string, number>();
    map.keepAux(-1);
    let added = 0;
    const add = () => {
      const key = `k${added++}`;
      map.set(key, added);
      model.set(key, added);
      numbers.set(key, -1);
      if (next() < 0.5) {
        map.setAux(key, added);
        numbers.set(key, added);
      }
    };
    for (let i = 0; i < 3_000; i++) add();
    const iterators: [Iterator<[string, number]>, Iterator<[string, number]>][] = [];
    const capacities = new Set<number>();
    for (let step = 0; step < 60_000; step++) {
      add();
      // Deletes a random live key, mostly an old one (as eviction does).
      const keys = [...model.keys()].slice(0, 64);
      const key = keys[Math.floor(next() * keys.length)];
      assertEquals(map.delete(key), model.delete(key));
      numbers.delete(key);
      if (step % 997 === 0 && iterators.length < 6) {
        iterators.push([map.entries(), model.entries()]);
      }
      if (step % 7 === 0) {
        for (const [ours, theirs] of iterators) assertEquals(ours.next(), theirs.next());
      }
      if (step > 10_000) capacities.add(map.capacity);
    }
    // One capacity once squeezed: the rebuilds under churn reused the arrays.
    assertEquals(capacities.size, 1, `seed ${seed}: capacities ${[...capacities]}`);
    assertEquals([...map], [...model], `seed ${seed} contents and order`);
    for (const [key, number] of numbers) assertEquals(map.auxOf(key), number, key);
    drainAlike(iterators, seed);
  }
});

Deno.test("KeyMap doubles only a table that just grew: one with holes is rebuilt for its size", () => {
  const map = new KeyMap<number>();
  for (let i = 0; i < 8_192; i++) map.set(`k${i}`, i);
  assertEquals(map.capacity, 8_192);
  // Nearly all live, but with holes (a cache that evicted a few keys): no jump to twice the size.
  for (let i = 0; i < 10; i++) map.delete(`k${i}`);
  map.set("next", 0);
  assertEquals(map.size, 8_183);
  assertEquals(map.capacity, 8_182 + (8_182 >> 2));
});

// The model: V8's own Map. Random operations go to both; live iterators started at random
// moments over both must yield the same keys at every step (a Map's iterator skips deleted
// entries, reaches later inserts and survives rehashing; a KeyMap's must do the same).
/**
 * Random operations on `map` and a Map beside it, live iterators included: `write` takes the
 * rolls below `writeShare` (and says what it checked); the rest delete, open an iterator, clear,
 * or step the open iterators. After every step the size and the key's value must agree, and at
 * the end the contents, their order and every iterator's remaining steps.
 */
function matchAMap<V>(
  map: KeyMap<V>,
  seed: number,
  writeShare: number,
  write: (key: string, model: Map<string, V>, step: number, where: string) => void,
): void {
  const next = random(seed);
  const model = new Map<string, V>();
  const iterators: [Iterator<[string, V]>, Iterator<[string, V]>][] = [];
  const keySpace = 1 + Math.floor(next() * 2000);
  for (let step = 0; step < 15_000; step++) {
    const roll = next();
    const key = `key:${Math.floor(next() * keySpace)}`;
    const where = `seed ${seed} step ${step}`;
    const other = (roll - writeShare) / (1 - writeShare);
    if (roll < writeShare) write(key, model, step, where);
    else if (other < 0.72) assertEquals(map.delete(key), model.delete(key), `${where} delete`);
    else if (other < 0.81) {
      if (iterators.length < 8) iterators.push([map.entries(), model.entries()]);
    } else if (other < 0.811) {
      map.clear();
      model.clear();
    } else {
      for (const [ours, theirs] of iterators) {
        for (let n = Math.floor(next() * 20); n > 0; n--) {
          assertEquals(ours.next(), theirs.next(), `${where} iterator`);
        }
      }
    }
    assertEquals(map.size, model.size);
    assertEquals(map.get(key), model.get(key), `${where} get`);
  }
  assertEquals([...map], [...model], `seed ${seed} contents and order`);
  drainAlike(iterators, seed);
}

Deno.test("KeyMap matches a Map over random operations, live iterators included", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const map = new KeyMap<number>();
    matchAMap(map, seed, 0.45, (key, model, step, where) => {
      if (step % 3 !== 0) map.set(key, step);
      else assertEquals(map.swap(key, step), model.get(key), `${where} swap`);
      model.set(key, step);
    });
  }
});

Deno.test("an iterator that reached the end stays there, as a Map's does", () => {
  const map = new KeyMap<number>();
  map.set("a", 1);
  const iter = map.keys();
  assertEquals(iter.next(), { value: "a", done: false });
  assertEquals(iter.next().done, true);
  map.set("b", 2);
  assertEquals(iter.next().done, true);
});

Deno.test("hashKey: equal strings hash equal, however they were made", () => {
  const bytes = new Uint8Array([107, 101, 121, 58, 49]);
  const made = String.fromCharCode(...bytes);
  const keys = ["key:1", made, "key:2", "key:1", "", "x".repeat(70_000), "x".repeat(70_000)];
  const first = new Map<string, number>();
  for (const key of keys) {
    const hash = hashKey(key);
    if (first.has(key)) assertEquals(hash, first.get(key));
    else first.set(key, hash);
  }
  assertEquals(hashKey("key:1"), hashKey(made));
  // A change at either end of a long key counts (key_hash_test.ts checks every char).
  const long = "y".repeat(80_000);
  assertEquals(hashKey(long) === hashKey(`z${long.slice(1)}`), false);
  assertEquals(hashKey(long) === hashKey(`${long.slice(1)}z`), false);
});

Deno.test("KeyMap keeps a number per entry through growth, holes, rebuilds and clear", () => {
  const next = random(7);
  const map = new KeyMap<number>();
  const numbers = new Map<string, number>();
  map.set("before", 1);
  map.keepAux(-5);
  assertEquals(map.auxOf("before"), -5); // entries there when it started get the fill
  numbers.set("before", -5);
  for (let step = 0; step < 30_000; step++) {
    const key = `k${Math.floor(next() * 3000)}`;
    const roll = next();
    if (roll < 0.5) {
      if (!map.has(key)) numbers.set(key, -5); // a new entry starts at the fill
      map.set(key, step);
      if (next() < 0.5) {
        map.setAux(key, step);
        numbers.set(key, step);
      }
    } else {
      map.delete(key);
      numbers.delete(key);
    }
  }
  assertEquals(map.size, numbers.size);
  for (const [key, number] of numbers) assertEquals(map.auxOf(key), number, key);
  assertEquals(map.auxOf("absent"), undefined);
  map.setAux("absent", 3); // nothing to set
  assertEquals(map.has("absent"), false);
  map.clear();
  map.set("again", 1);
  assertEquals(map.auxOf("again"), -5);
  map.dropAux();
  assertEquals(map.auxOf("again"), undefined);
});

Deno.test("hashKey takes hashes computed ahead in order, and computes any other key itself", () => {
  const keys = ["a", "b", "c", "a"];
  const copy = (text: string) => String.fromCharCode(...[...text].map((c) => c.charCodeAt(0)));
  const expected = keys.map((key) => hashKey(copy(key)));
  const out = new Int32Array(8);
  hashAhead(keys, keys.length, out);
  assertEquals([...out.slice(0, 4)], expected);
  // Out of order, interleaved with other keys, and copies of the same text: all still right.
  assertEquals(hashKey(keys[1]), expected[1]);
  assertEquals(hashKey(copy("zz")), hashKey("zz"));
  assertEquals(hashKey(keys[0]), expected[0]);
  assertEquals(hashKey(copy("a")), expected[0]);
  assertEquals(hashKey(keys[2]), expected[2]);
  assertEquals(hashKey(keys[3]), expected[3]);
  // A key the list does not hold is hashed when it comes, equal to its copies.
  const many = Array.from({ length: 100 }, (_, i) => `many:${i}`);
  const manyHashes = new Int32Array(AHEAD_MAX);
  hashAhead(many, AHEAD_MAX, manyHashes);
  for (let i = 0; i < many.length; i++) {
    const hash = hashKey(many[i]);
    if (i < AHEAD_MAX) assertEquals(hash, manyHashes[i]);
    assertEquals(hash, hashKey(copy(many[i])));
  }
});

Deno.test("KeyMap.advance with a skip passes over live entries only, and tells what is left at the end", () => {
  const map = new KeyMap<number>();
  for (let i = 0; i < 10; i++) map.set(`k${i}`, i);
  for (const gone of [1, 2, 5]) map.delete(`k${gone}`); // live: 0 3 4 6 7 8 9
  const cursor = map.cursor();
  assertEquals(map.keyAt(map.advance(cursor, 0)), "k0");
  assertEquals(map.keyAt(map.advance(cursor, 1)), "k4"); // passes k3
  assertEquals(map.keyAt(map.advance(cursor, 2)), "k8"); // passes k6, k7
  // One live entry (k9) is left: passing 3 ends with 2 still to pass.
  assertEquals(map.advance(cursor, 3), -1 - 2);
  assertEquals(map.advance(cursor, 0), -1);
  // The same walk one entry at a time.
  const one = map.cursor();
  const seen: string[] = [];
  for (let at = map.advance(one); at >= 0; at = map.advance(one)) seen.push(map.keyAt(at));
  assertEquals(seen, ["k0", "k3", "k4", "k6", "k7", "k8", "k9"]);
});

Deno.test("KeyMap keeping short values in cells matches a Map, rewrites in place included", () => {
  type Held = string | { id: number };
  const isShort = (value: Held | undefined) => typeof value === "string" && value.length <= 15;
  for (let seed = 1; seed <= 12; seed++) {
    const map = new KeyMap<Held>();
    map.keepSmallStrings();
    const next = random(seed * 7919);
    // Short strings of any byte, strings past a cell, objects.
    const value = (step: number): Held => {
      const kind = next();
      if (kind < 0.1) return { id: step };
      const length = kind < 0.25 ? 16 + Math.floor(next() * 30) : Math.floor(next() * 16);
      return String.fromCharCode(...Array.from({ length }, () => Math.floor(next() * 256)));
    };
    let rewrites = 0;
    matchAMap(map, seed, 0.6, (key, model, step, where) => {
      const v = value(step);
      const kind = step % 4;
      if (kind === 0) map.set(key, v);
      else if (kind === 1) assertEquals(map.swap(key, v), model.get(key), `${where} swap`);
      else if (kind === 2) {
        // Without the old value: a short one over a short one is rewritten unread.
        const old = map.swapOrRewrite(key, v, false);
        if (old === REWRITTEN) {
          assertEquals(isShort(model.get(key)) && isShort(v), true, `${where} rewrite`);
          rewrites++;
        } else {
          assertEquals(old, model.get(key), `${where} swapOrRewrite`);
        }
      } else {
        assertEquals(map.replace(key, v) !== undefined, model.has(key), `${where} replace`);
        if (!model.has(key)) return;
      }
      model.set(key, v);
    });
    assertEquals(rewrites > 0, true, `seed ${seed}: some short values were rewritten in place`);
  }
});

Deno.test("a KeyMap keeping cells gives their pages back as it shrinks", () => {
  const map = new KeyMap<string>();
  map.keepSmallStrings();
  for (let i = 0; i < 20_000; i++) map.set(`k${i}`, `v${i}`);
  const full = map.cellBytes;
  assertEquals(full >= 20_000 * SMALL_VALUE_BYTES, true);
  for (let i = 100; i < 20_000; i++) map.delete(`k${i}`);
  assertEquals(map.cellBytes < full / 10, true, `${map.cellBytes} of ${full} bytes kept`);
  for (let i = 0; i < 100; i++) assertEquals(map.get(`k${i}`), `v${i}`);
  map.clear();
  assertEquals(map.cellBytes < 1024, true);
});
