/**
 * What the collection families share: the typed lookup that decides WRONGTYPE in one
 * place, the SCAN-style option grammar of HSCAN/SSCAN (and SCAN), and random sampling counts.
 */
import type { CommandContext } from "./context.ts";
import { Errors } from "./errors.ts";
import { countRead } from "./string_lookup.ts";
import { option, parseInteger } from "./args.ts";
import type { Collection } from "../store/value.ts";
import type { HashValue } from "../store/types/hash.ts";
import type { ListValue } from "../store/types/list.ts";
import type { SetValue } from "../store/types/set.ts";
import type { ZSetValue } from "../store/types/zset.ts";

type TypeOf<T> = T extends HashValue ? "hash"
  : T extends ListValue ? "list"
  : T extends ZSetValue ? "zset"
  : "set";

/**
 * The live value at `key` when it is a `type` collection, undefined when the key is missing;
 * WRONGTYPE for any other value. `forRead` counts a keyspace hit or miss (INFO) and raises
 * `keymiss` for a missing key, as Redis's lookupKeyRead does for read commands.
 */
export function lookup<T extends HashValue | ListValue | SetValue | ZSetValue>(
  ctx: CommandContext,
  key: string,
  type: TypeOf<T>,
  forRead = false,
): T | undefined {
  const value = ctx.db.get(key, ctx.now);
  if (forRead) countRead(ctx, key, value);
  if (value === undefined) return undefined;
  if (typeof value === "string" || value.type !== type) throw Errors.wrongType;
  return value as T;
}

/** SREM's and ZREM's removals: the distinct members from `argv[2]` on that `collection` holds. */
export function presentMembers(
  collection: { has(member: string): boolean },
  argv: string[],
): string[] {
  const present = new Set<string>();
  for (let i = 2; i < argv.length; i++) if (collection.has(argv[i])) present.add(argv[i]);
  return [...present];
}

/** Whether `value` is a collection of `type` (for commands that skip other keys, as SUNION). */
export function isType(value: unknown, type: Collection["type"]): boolean {
  return typeof value === "object" && value !== null && (value as Collection).type === type;
}

export interface ScanOptions {
  count: number;
  /** null when absent or `*`. */
  pattern: string | null;
  /** Lower-cased TYPE (SCAN only), or null. */
  type: string | null;
}

/** The options after a SCAN/HSCAN/SSCAN cursor, with Redis's errors. */
export function parseScanOptions(argv: string[], from: number, allowType: boolean): ScanOptions {
  const options: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = from; i < argv.length; i++) {
    const word = option(argv[i]);
    const hasValue = i + 1 < argv.length;
    if (word === "COUNT" && hasValue) {
      options.count = parseInteger(argv[++i]);
      if (options.count < 1) throw Errors.syntax;
    } else if (word === "MATCH" && hasValue) {
      const pattern = argv[++i];
      options.pattern = pattern === "*" ? null : pattern;
    } else if (word === "TYPE" && hasValue && allowType) {
      // Redis 7.0 compares type names case-insensitively and an unknown name matches nothing.
      options.type = argv[++i].toLowerCase();
    } else {
      throw Errors.syntax;
    }
  }
  return options;
}

/** The reply of a scan step: the next cursor and the items. */
export function replyScan(ctx: CommandContext, cursor: bigint, items: string[]): void {
  ctx.out.arrayHeader(2);
  ctx.out.bulk(cursor.toString());
  ctx.out.arrayHeader(items.length);
  for (const item of items) ctx.out.bulk(item);
}

/** Distinct random indexes below `size`, `count` of them (count < size), in random order. */
export function distinctIndexes(size: number, count: number): number[] {
  const picked = new Set<number>();
  if (count * 3 > size) {
    // Many of them: shuffle a prefix of all indexes instead of rejecting repeats.
    const all = Array.from({ length: size }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      [all[i], all[j]] = [all[j], all[i]];
    }
    return all.slice(0, count);
  }
  while (picked.size < count) picked.add(Math.floor(Math.random() * size));
  return [...picked];
}
