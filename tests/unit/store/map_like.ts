import { assertEquals } from "../../helpers/assert.ts";

/** The Map calls the keyspace's tables share (KeyMap, ShardedMap). */
export interface MapLike {
  readonly size: number;
  get(key: string): string | undefined;
  set(key: string, value: string): unknown;
  has(key: string): boolean;
  delete(key: string): boolean;
}

/** Stores, replaces and deletes on an empty `map` as on a Map; leaves it holding "a" and "". */
export function checkStoresLikeAMap(map: MapLike): void {
  assertEquals(map.size, 0);
  assertEquals(map.get("a"), undefined);
  map.set("a", "1");
  map.set("b", "2");
  map.set("a", "3");
  assertEquals(map.size, 2);
  assertEquals(map.get("a"), "3");
  assertEquals(map.has("b"), true);
  assertEquals(map.delete("b"), true);
  assertEquals(map.delete("b"), false);
  assertEquals(map.has("b"), false);
  assertEquals(map.size, 1);
  map.set("", "empty");
  assertEquals(map.get(""), "empty");
  assertEquals(map.size, 2);
}
