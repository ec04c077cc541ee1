import { assertEquals } from "../../../helpers/assert.ts";
import { random } from "../../../helpers/random.ts";
import { DenseMap } from "../../../../src/store/types/dense_map.ts";

Deno.test("a hash's DenseMap keeps short values in cells: values, order-free contents and bytes match a rebuild", () => {
  for (let seed = 1; seed <= 8; seed++) {
    const next = random(seed);
    const map = new DenseMap(true);
    const model = new Map<string, string>();
    // Short values (cells), values past a cell, and lengths crossing 15 both ways.
    const value = () => {
      const length = next() < 0.7 ? Math.floor(next() * 16) : 16 + Math.floor(next() * 40);
      return String.fromCharCode(...Array.from({ length }, () => Math.floor(next() * 256)));
    };
    for (let step = 0; step < 20_000; step++) {
      const key = `f${Math.floor(next() * 3000)}`;
      if (next() < 0.65) {
        const v = value();
        assertEquals(map.set(key, v), !model.has(key), `seed ${seed} step ${step} set`);
        model.set(key, v);
      } else {
        assertEquals(map.delete(key), model.delete(key), `seed ${seed} step ${step} delete`);
      }
      assertEquals(map.get(key), model.get(key), `seed ${seed} step ${step} get`);
      assertEquals(map.size, model.size);
    }
    const contents = new Map<string, string>();
    for (let slot = 0; slot < map.size; slot++) contents.set(map.keyAt(slot), map.valueAt(slot));
    assertEquals(contents, model, `seed ${seed} contents`);
    // The bytes kept change by change equal those of the same contents added afresh.
    const fresh = new DenseMap(true);
    for (const [k, v] of model) fresh.set(k, v);
    assertEquals(map.memoryBytes(), fresh.memoryBytes(), `seed ${seed} bytes`);
  }
});
