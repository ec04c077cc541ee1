/**
 * Every collection type and every op, listed once. A new type adds its module here; the op
 * codes of all types share one space (see ops.ts): hashes 10-19, lists 20-39, sets 40-49,
 * sorted sets 50-59, string ops 60-69.
 */
import { OpTable } from "../ops.ts";
import { HASH_OPS, HASH_TYPE } from "./hash.ts";
import { LIST_OPS, LIST_TYPE } from "./list.ts";
import { SET_OPS, SET_TYPE } from "./set.ts";
import { ZSET_OPS, ZSET_TYPE } from "./zset.ts";
import { STRING_OPS } from "./string_ops.ts";

/** The op table of this build. */
export const OPS: OpTable = new OpTable(
  [...HASH_OPS, ...LIST_OPS, ...SET_OPS, ...ZSET_OPS, ...STRING_OPS],
  [HASH_TYPE, LIST_TYPE, SET_TYPE, ZSET_TYPE],
);
