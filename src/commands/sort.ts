/**
 * SORT and SORT_RO, as Redis 7.0's sort.c: the elements of a list, set or sorted set sorted as
 * numbers (strtod, ties broken by the bytes) or with ALPHA as bytes, optionally by the values
 * of other keys (BY pattern, `*` replaced by the element, `->field` reading a hash field; a
 * pattern without `*` means no sorting), with LIMIT, ASC/DESC, GET patterns (`#` is the element
 * itself) and STORE into a list. Without sorting, lists and sorted sets keep their order; a set
 * stored without sorting is sorted ALPHA so the result is deterministic.
 */
import type { CommandContext } from "./context.ts";
import { CommandError, Errors } from "./errors.ts";
import { intArg, option } from "./args.ts";
import type { CommandSpec, Handler, KeyFlag } from "./spec.ts";
import { countRead } from "./string_lookup.ts";
import { EventClass } from "../store/events.ts";
import type { Value } from "../store/value.ts";
import { strtod } from "../protocol/double_text.ts";
import { ListValue } from "../store/types/list.ts";
import type { SetValue } from "../store/types/set.ts";
import type { ZSetValue } from "../store/types/zset.ts";
import type { HashValue } from "../store/types/hash.ts";

const NOT_DOUBLE = new CommandError("ERR One or more scores can't be converted into double");
const BY_DENIED = new CommandError(
  "ERR BY option of SORT denied due to insufficient ACL permissions.",
);
const GET_DENIED = new CommandError(
  "ERR GET option of SORT denied due to insufficient ACL permissions.",
);
/** The smallest normal double (C's DBL_MIN). */
const MIN_NORMAL = 2.2250738585072014e-308;

interface SortRequest {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  by: string | null;
  get: string[];
  store: string | null;
}

function parseRequest(ctx: CommandContext, argv: string[], readOnly: boolean): SortRequest {
  // BY and GET patterns read keys named by the data: Redis wants read access to every key.
  const readsAll = ctx.session.user.unrestricted || ctx.session.user.readsAllKeys !== false;
  const request: SortRequest = {
    desc: false,
    alpha: false,
    limitStart: 0,
    limitCount: -1,
    by: null,
    get: [],
    store: null,
  };
  for (let j = 2; j < argv.length; j++) {
    const word = option(argv[j]);
    const left = argv.length - j - 1;
    if (word === "ASC") request.desc = false;
    else if (word === "DESC") request.desc = true;
    else if (word === "ALPHA") request.alpha = true;
    else if (word === "LIMIT" && left >= 2) {
      request.limitStart = Number(intArg(argv[j + 1]));
      request.limitCount = Number(intArg(argv[j + 2]));
      j += 2;
    } else if (!readOnly && word === "STORE" && left >= 1) request.store = argv[++j];
    else if (word === "BY" && left >= 1) {
      request.by = argv[++j];
      if (cString(request.by).includes("*") && !readsAll) throw BY_DENIED;
    } else if (word === "GET" && left >= 1) {
      if (!readsAll) throw GET_DENIED;
      request.get.push(argv[++j]);
    } else throw Errors.syntax;
  }
  return request;
}

/** The C string of `text`: C functions stop at the first NUL byte. */
function cString(text: string): string {
  const nul = text.indexOf("\0");
  return nul < 0 ? text : text.slice(0, nul);
}

/**
 * The value a pattern names for `element` (Redis's lookupKeyByPattern): `#` is the element,
 * the first `*` is replaced by it, `->field` reads a hash field; null when there is no such
 * string (or hash field), or the pattern has no `*`.
 */
function lookupByPattern(ctx: CommandContext, pattern: string, element: string): string | null {
  if (pattern.charCodeAt(0) === 0x23 && cString(pattern).length === 1) return element;
  const star = cString(pattern).indexOf("*");
  if (star < 0) return null;
  const arrow = pattern.indexOf("->", star + 1);
  const field = arrow >= 0 && arrow + 2 < pattern.length ? pattern.slice(arrow + 2) : null;
  const end = field === null ? pattern.length : arrow;
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, end);
  const value = countRead(ctx, key, ctx.db.get(key, ctx.now));
  if (value === undefined) return null;
  if (field !== null) {
    if (typeof value === "string" || value.type !== "hash") return null;
    return (value as HashValue).get(field) ?? null;
  }
  return typeof value === "string" ? value : null;
}

/** The elements in their own order: a list's, a sorted set's, a set's iteration order. */
function elementsOf(value: Value): string[] {
  if (value instanceof ListValue) {
    const out: string[] = [];
    value.items.walk(false, (_i, node, start, end) => {
      out.push(node.text(start, end));
      return true;
    });
    return out;
  }
  if ((value as ZSetValue).type === "zset") return (value as ZSetValue).elements()[0];
  return (value as SetValue).members();
}

interface Item {
  element: string;
  score: number;
  /** The BY value for ALPHA sorting (null: the key is missing). */
  by: string | null;
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const sortGeneric = (readOnly: boolean): Handler => (ctx, argv) => {
  const request = parseRequest(ctx, argv, readOnly);
  const source = countRead(ctx, argv[1], ctx.db.get(argv[1], ctx.now));
  if (
    source !== undefined &&
    (typeof source === "string" ||
      (source.type !== "list" && source.type !== "set" && source.type !== "zset"))
  ) {
    throw Errors.wrongType;
  }
  let { alpha, by } = request;
  let dontSort = by !== null && !cString(by).includes("*");
  // A set stored without sorting is sorted ALPHA, so the stored list is deterministic.
  if (dontSort && source?.type === "set" && request.store !== null) {
    dontSort = false;
    alpha = true;
    by = null;
  }
  let elements = source === undefined ? [] : elementsOf(source);
  // Lists and sorted sets keep their own order without sorting (reversed by DESC).
  if (dontSort && source?.type !== "set" && request.desc) elements = elements.reverse();
  const length = elements.length;
  let start = request.limitStart < 0 ? 0 : request.limitStart;
  let end = request.limitCount < 0 ? length - 1 : start + request.limitCount - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  const items: Item[] = elements.map((element) => ({ element, score: 0, by: null }));
  if (!dontSort) {
    let conversionError = false;
    for (const item of items) {
      const value = by === null ? item.element : lookupByPattern(ctx, by, item.element);
      if (value === null) continue;
      if (alpha) {
        if (by !== null) item.by = value;
        continue;
      }
      const text = cString(value);
      const read = strtod(text);
      // C's strtod reports ERANGE for overflow and for results below the normal range too.
      const tiny = read.value !== 0 && Math.abs(read.value) < MIN_NORMAL;
      if (read.end !== text.length || read.overflow || read.underflow || tiny) {
        conversionError = true;
      }
      if (Number.isNaN(read.value)) conversionError = true;
      item.score = read.value;
    }
    if (conversionError) throw NOT_DOUBLE;
    const sign = request.desc ? -1 : 1;
    items.sort((x, y) => {
      let cmp: number;
      if (!alpha) {
        cmp = x.score > y.score ? 1 : x.score < y.score ? -1 : compareBytes(x.element, y.element);
      } else if (by !== null) {
        if (x.by === null || y.by === null) cmp = x.by === y.by ? 0 : x.by === null ? -1 : 1;
        else cmp = compareBytes(cString(x.by), cString(y.by));
      } else {
        cmp = compareBytes(cString(x.element), cString(y.element));
      }
      return sign * cmp;
    });
  }
  const count = Math.max(0, end - start + 1);
  const gets = request.get;
  if (request.store === null) {
    ctx.out.arrayHeader(gets.length > 0 ? gets.length * count : count);
    for (let j = start; j <= end; j++) {
      const element = items[j].element;
      if (gets.length === 0) ctx.out.bulk(element);
      for (const pattern of gets) {
        const value = lookupByPattern(ctx, pattern, element);
        if (value === null) ctx.out.nil();
        else ctx.out.bulk(value);
      }
    }
    return;
  }
  const list = new ListValue();
  for (let j = start; j <= end; j++) {
    const element = items[j].element;
    if (gets.length === 0) list.items.pushTail(element);
    for (const pattern of gets) list.items.pushTail(lookupByPattern(ctx, pattern, element) ?? "");
  }
  const destination = request.store;
  if (list.size > 0) {
    ctx.db.set(destination, list, 0);
    ctx.notify(EventClass.list, "sortstore", destination);
  } else if (ctx.db.get(destination, ctx.now) !== undefined) {
    ctx.db.delete(destination);
    ctx.notify(EventClass.generic, "del", destination);
  }
  ctx.out.integer(list.size);
};

/**
 * SORT's keys as Redis's sortGetKeys finds them: the sorted key, and the last STORE's
 * destination (options are skipped with their arguments).
 */
function sortKeys(argv: string[]): { index: number; flags: KeyFlag[] }[] {
  const keys: { index: number; flags: KeyFlag[] }[] = [{ index: 1, flags: ["RO", "access"] }];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const word = option(argv[i]);
    if (word === "LIMIT") i += 2;
    else if (word === "GET" || word === "BY") i += 1;
    else if (word === "STORE" && i + 1 < argv.length) store = i + 1;
  }
  if (store > 0) keys.push({ index: store, flags: ["OW", "update"] });
  return keys;
}

const SORT_ARGS = [
  { name: "key", type: "key" as const },
  { name: "pattern", type: "pattern" as const, token: "BY", flags: ["optional" as const] },
  {
    name: "offset_count",
    type: "block" as const,
    token: "LIMIT",
    flags: ["optional" as const],
    arguments: [
      { name: "offset", type: "integer" as const },
      { name: "count", type: "integer" as const },
    ],
  },
  {
    name: "pattern",
    type: "pattern" as const,
    token: "GET",
    flags: ["optional" as const, "multiple" as const, "multiple_token" as const],
  },
  {
    name: "order",
    type: "oneof" as const,
    flags: ["optional" as const],
    arguments: [
      { name: "asc", type: "pure-token" as const, token: "ASC" },
      { name: "desc", type: "pure-token" as const, token: "DESC" },
    ],
  },
  { name: "sorting", type: "pure-token" as const, token: "ALPHA", flags: ["optional" as const] },
];

export const sortCommands: CommandSpec[] = [
  {
    name: "sort",
    arity: -2,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    group: "generic",
    summary: "Sort the elements in a list, set or sorted set",
    since: "1.0.0",
    complexity:
      "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
    args: [
      ...SORT_ARGS,
      { name: "destination", type: "key", token: "STORE", flags: ["optional"] },
    ],
    keyFlags: ["RO", "access"],
    keysOf: sortKeys,
    aclCategories: ["set", "sortedset", "list", "dangerous"],
    groupCategory: false,
    handler: sortGeneric(false),
  },
  {
    name: "sort_ro",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "generic",
    summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
    since: "7.0.0",
    complexity:
      "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
    args: SORT_ARGS,
    keyFlags: ["RO", "access"],
    aclCategories: ["set", "sortedset", "list", "dangerous"],
    groupCategory: false,
    handler: sortGeneric(true),
  },
];
