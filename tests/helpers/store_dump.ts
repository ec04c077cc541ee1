/**
 * The full contents of a store as plain data (every key, type, contents and deadline), in a
 * canonical order, so two stores compare with one assertEquals.
 */
import type { Databases } from "../../src/store/databases.ts";
import type { Value } from "../../src/store/value.ts";
import { HashValue } from "../../src/store/types/hash.ts";
import { ListValue } from "../../src/store/types/list.ts";
import { SetValue } from "../../src/store/types/set.ts";
import { ZSetValue } from "../../src/store/types/zset.ts";

export type DumpedValue =
  | string
  | { list: string[] }
  | { hash: string[][] }
  | { set: string[] }
  | { zset: [string, number][] };

/** A value as plain data: list and sorted set elements in order, hash and set members sorted. */
export function dumpValue(value: Value): DumpedValue {
  if (typeof value === "string") return value;
  if (value instanceof ListValue) {
    const out: string[] = [];
    value.items.walk(false, (_i, node, start, end) => {
      out.push(node.text(start, end));
      return true;
    });
    return { list: out };
  }
  if (value instanceof HashValue) {
    const pairs: string[][] = [];
    value.forEach((field, v) => pairs.push([field, v]));
    return { hash: pairs.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) };
  }
  if (value instanceof SetValue) return { set: value.members().sort() };
  if (value instanceof ZSetValue) {
    const [members, scores] = value.elements();
    return { zset: members.map((member, i) => [member, scores[i]]) };
  }
  throw new TypeError(`Cannot dump a ${value.type}`);
}

/** Every key of every database and partition: [db, key, value, deadline], sorted. */
export function dumpStore(
  store: Databases,
  keep: (db: number) => boolean = () => true,
): [number, string, DumpedValue, number][] {
  const rows: [number, string, DumpedValue, number][] = [];
  for (const db of store.keyspaces()) {
    if (!keep(db.index)) continue;
    for (const shard of db.data.shards) {
      for (const [key, value] of shard) {
        rows.push([db.index, key, dumpValue(value), db.deadline(key)]);
      }
    }
  }
  return rows.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}
