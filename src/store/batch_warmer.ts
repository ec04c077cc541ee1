/**
 * Warms the table entries a pipelined batch of commands is about to look up, before it runs.
 *
 * Why: a lookup in a big table (the keyspace, a big hash's fields) is three dependent cache
 * misses (an index line, the entry, the key's chars: key_map.ts). Run one command at a time, the
 * processor waits for each in turn, about 500 ns a lookup in the server's profile. Here the
 * batch's keys are hashed first, then every index word is read in one short loop and every
 * entry in another, so the misses of all the batch's keys are in flight together; the commands
 * then find their entries in the cache, and their keys' hashes kept ahead (key_hash.ts).
 *
 * Only reads: what it warms is a guess (a command may select another database first, or fail
 * its checks), and a wrong guess costs time, never a wrong answer.
 */
import { AHEAD_MAX, AHEAD_MAX_LENGTH, hashAhead } from "./key_hash.ts";
import type { KeyMap } from "./key_map.ts";
import type { Keyspace } from "./keyspace.ts";
import type { Collection } from "./value.ts";
import { SHARD_COUNT } from "./sharded_map.ts";

/** An item names a key of the keyspace, or a member of the collection at an earlier key item. */
const KEY = 0;
const MEMBER = 1;

export class BatchWarmer {
  readonly #names: string[] = new Array(AHEAD_MAX).fill("");
  readonly #kinds = new Uint8Array(AHEAD_MAX);
  readonly #hashes = new Int32Array(AHEAD_MAX);
  readonly #words = new Int32Array(AHEAD_MAX);
  readonly #tables: (KeyMap<unknown> | null)[] = new Array(AHEAD_MAX).fill(null);
  /** The collection of each member whose value is warmed too. */
  readonly #owners: (Collection | null)[] = new Array(AHEAD_MAX).fill(null);
  /** For each member item, the key item of its collection. */
  readonly #keyItems = new Int32Array(AHEAD_MAX);
  #count = 0;
  /** The last key item added, or -1. */
  #lastKeyItem = -1;

  /** Whether another item fits (a batch warms AHEAD_MAX names at most). */
  get full(): boolean {
    return this.#count >= AHEAD_MAX - 1;
  }

  /** Notes a key the next command looks up, and the member of its collection it uses, if any. */
  add(key: string, member: string | null): void {
    if (key.length > AHEAD_MAX_LENGTH || this.full) return;
    // A pipeline often names one key again and again (HSET of one hash): it is warmed once.
    let keyItem = this.#lastKeyItem;
    if (keyItem < 0 || this.#names[keyItem] !== key) {
      keyItem = this.#lastKeyItem = this.#count;
      this.#names[this.#count] = key;
      this.#kinds[this.#count++] = KEY;
    }
    if (member === null || member.length > AHEAD_MAX_LENGTH) return;
    this.#keyItems[this.#count] = keyItem;
    this.#names[this.#count] = member;
    this.#kinds[this.#count++] = MEMBER;
  }

  /**
   * Warms every entry noted in `db` (keys, then the members of the collections found) and the
   * values the keys hold, unless `keyValues` is false (a write whose old values' sizes are read
   * later: see Keyspace.prefetch).
   */
  run(db: Keyspace, keyValues = true): void {
    const n = this.#count;
    this.#count = 0;
    this.#lastKeyItem = -1;
    if (n === 0) return;
    const names = this.#names;
    const kinds = this.#kinds;
    const hashes = this.#hashes;
    const words = this.#words;
    const tables = this.#tables;
    const owners = this.#owners;
    const shards = db.data.shards;
    hashAhead(names, n, hashes);
    // Each loop does nothing but its loads, so the processor has all of them outstanding.
    for (let i = 0; i < n; i++) {
      if (kinds[i] === KEY) words[i] = shards[hashes[i] & (SHARD_COUNT - 1)].indexWord(hashes[i]);
    }
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (kinds[i] === KEY) sum += shards[hashes[i] & (SHARD_COUNT - 1)].touchEntry(words[i]);
    }
    // The values: what a read sends, and what a write replaces (its size leaves the account).
    for (let i = 0; keyValues && i < n; i++) {
      if (kinds[i] !== KEY) continue;
      sum += shards[hashes[i] & (SHARD_COUNT - 1)].touchValue(words[i]);
    }
    // The members' tables first (their keys' entries are warm now), then the same two loops,
    // then the values those entries lead to (a big hash's field values).
    let members = 0;
    const keyItems = this.#keyItems;
    let lastKeyItem = -1;
    let table: KeyMap<unknown> | null = null;
    let owner: Collection | null = null;
    for (let i = 1; i < n; i++) {
      if (kinds[i] !== MEMBER) continue;
      const k = keyItems[i];
      if (k !== lastKeyItem) {
        lastKeyItem = k;
        const value = shards[hashes[k] & (SHARD_COUNT - 1)].getHashed(names[k], hashes[k]);
        const collection = typeof value === "object" ? value : null;
        table = collection?.memberTable?.() ?? null;
        owner = collection?.touchValueOfEntry === undefined ? null : collection;
      }
      if (table === null) continue;
      tables[i] = table;
      owners[i] = owner;
      members++;
    }
    if (members !== 0) {
      for (let i = 1; i < n; i++) {
        const table = tables[i];
        if (table !== null) words[i] = table.indexWord(hashes[i]);
      }
      for (let i = 1; i < n; i++) {
        const table = tables[i];
        if (table !== null) sum += table.touchEntry(words[i]);
      }
      for (let i = 1; i < n; i++) {
        const table = tables[i];
        if (table === null) continue;
        const owner = owners[i];
        if (owner !== null) sum += owner.touchValueOfEntry!(table.valueOfWord(words[i]));
        tables[i] = null;
        owners[i] = null;
      }
    }
    // Kept where the compiler cannot see it unused, or it would drop the reads.
    words[0] = sum;
  }
}

/**
 * The one warmer every keyspace and dispatcher uses: a warming runs to its end before anything
 * else does (before a batch, or at the start of MSET), so they never overlap.
 */
export const batchWarmer = new BatchWarmer();
