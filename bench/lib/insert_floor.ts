/**
 * The floor under replay, for bench/replay.ts: the cost of only making the strings of N SET
 * records and storing them in Hermes's keyspace, with no file, no checksum and no record
 * decoding. Keys and values are written as bytes and turned into strings by the same latin1
 * decoder replay uses, like bench/lib/bulk_load.ts names them (`key:` and `val:` plus 12
 * digits). One pass per run, in a fresh process (a fresh heap, as at a server's start):
 * - `strings`: make the strings and drop them (what allocating them costs);
 * - `distinct`: make the strings and store them, every record a new key;
 * - `overwrite`: make the strings and store them over `--keys` keys;
 * - `map`: make the strings and store them in one plain `Map`, every record a new key (what
 *   V8 itself costs, without the keyspace's shards and deadline checks).
 *
 *   deno run --v8-flags=--max-semi-space-size=8 bench/lib/insert_floor.ts
 *     [--pass strings|distinct|overwrite] [--records N] [--keys K]
 *
 * Prints `<pass>: <records per second>`.
 */
import { parseArgs } from "node:util";
import { latin1String } from "../../src/wal/codec.ts";
import { Databases } from "../../src/store/databases.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    records: { type: "string", default: "5000000" },
    keys: { type: "string", default: "100000" },
    pass: { type: "string", default: "distinct" },
  },
});
const records = Number(values.records);
const keyCount = Number(values.keys);

const DIGITS = 12;
/** `key:<12 digits>` then `val:<12 digits>`, rewritten in place for each record. */
const scratch = new TextEncoder().encode(`key:${"0".repeat(DIGITS)}val:${"0".repeat(DIGITS)}`);
const NAME_BYTES = 4 + DIGITS;

function writeNumber(i: number): void {
  for (let d = DIGITS - 1; d >= 0; d--) {
    const digit = 48 + i % 10;
    scratch[4 + d] = digit;
    scratch[NAME_BYTES + 4 + d] = digit;
    i = Math.floor(i / 10);
  }
}

function run(pass: string): number {
  const store = new Databases();
  const keyspace = store.dbs[0];
  const plain = new Map<string, string>();
  let kept = 0;
  const started = performance.now();
  for (let i = 0; i < records; i++) {
    writeNumber(pass === "overwrite" ? i % keyCount : i);
    const key = latin1String(scratch, 0, NAME_BYTES);
    const value = latin1String(scratch, NAME_BYTES, 2 * NAME_BYTES);
    if (pass === "strings") kept += key.length + value.length;
    else if (pass === "map") plain.set(key, value);
    else keyspace.set(key, value, 0);
  }
  const seconds = (performance.now() - started) / 1000;
  if (pass === "map") kept = plain.size;
  else if (pass !== "strings") kept = keyspace.size;
  if (kept === 0) throw new Error("nothing was made"); // keeps the loop from being dropped
  return records / seconds;
}

console.log(`${values.pass}: ${Math.round(run(values.pass))}`);
