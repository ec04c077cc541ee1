/** Argument docs (COMMAND DOCS) that several command families share. */
import type { ArgDoc } from "./spec.ts";

export const KEY: ArgDoc = { name: "key", type: "key" };

/** HSCAN, SSCAN and ZSCAN: `key cursor [MATCH pattern] [COUNT count]`. */
export const COLLECTION_SCAN_ARGS: ArgDoc[] = [
  KEY,
  { name: "cursor", type: "integer" },
  { name: "pattern", type: "pattern", token: "MATCH", flags: ["optional"] },
  { name: "count", type: "integer", token: "COUNT", flags: ["optional"] },
];

/** Their complexity, as Redis's COMMAND DOCS words it (typo included). */
export const COLLECTION_SCAN_COMPLEXITY =
  "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..";
