/**
 * HyperLogLog commands, as Redis 7.0's hyperloglog.c: PFADD, PFCOUNT and PFMERGE over strings
 * in Redis's own format (store/types/hyperloglog.ts). PFADD is written as the PFADD op (the
 * elements), PFCOUNT's cache update as the SETRANGE of the 8 cache bytes (PFCOUNT is a read
 * that writes, as in Redis), and PFMERGE as the whole merged value.
 */
import type { CommandContext } from "./context.ts";
import { CommandError, Errors } from "./errors.ts";
import type { CommandSpec, Handler } from "./spec.ts";
import { FIRST_KEY } from "./spec.ts";
import { countRead } from "./string_lookup.ts";
import { EventClass } from "../store/events.ts";
import { pfaddResult, StringOp } from "../store/types/string_ops.ts";
import {
  CACHE_OFFSET,
  cacheBytes,
  cachedCount,
  countRegisters,
  HllCorruptError,
  hllCount,
  isHll,
  mergeInto,
  mergeRegisters,
  REGISTERS,
} from "../store/types/hyperloglog.ts";

const NOT_HLL = new CommandError("WRONGTYPE Key is not a valid HyperLogLog string value.");
const CORRUPT = new CommandError("INVALIDOBJ Corrupted HLL object detected");
const CACHE_AT = String(CACHE_OFFSET);

/** The HyperLogLog at `key`, undefined when missing; Redis's errors for anything else. */
function lookupHll(ctx: CommandContext, key: string, forRead: boolean): string | undefined {
  const value = ctx.db.get(key, ctx.now);
  if (forRead) countRead(ctx, key, value);
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw Errors.wrongType;
  if (!isHll(value)) throw NOT_HLL;
  return value;
}

/** Runs `fn`, answering a corrupt sparse representation as Redis does. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof HllCorruptError) throw CORRUPT;
    throw error;
  }
}

const pfadd: Handler = (ctx, argv) => {
  const key = argv[1];
  const current = lookupHll(ctx, key, false);
  const elements = argv.slice(2);
  const next = guarded(() => pfaddResult(current, elements));
  if (next === null) return ctx.out.integer(0);
  ctx.db.op(key, StringOp.pfadd, elements);
  ctx.notify(EventClass.string, "pfadd", key);
  ctx.out.integer(1);
};

const pfcount: Handler = (ctx, argv) => {
  if (argv.length > 2) {
    const max = new Uint8Array(REGISTERS);
    for (let i = 1; i < argv.length; i++) {
      const value = lookupHll(ctx, argv[i], true);
      if (value !== undefined) guarded(() => mergeRegisters(max, value));
    }
    return ctx.out.integer(countRegisters(max));
  }
  const key = argv[1];
  const value = lookupHll(ctx, key, true);
  if (value === undefined) return ctx.out.integer(0);
  const cached = cachedCount(value);
  if (cached !== null) return ctx.out.integer(cached);
  const count = guarded(() => hllCount(value));
  // The cache lives in the value, so refreshing it is a write (logged and replicated).
  ctx.db.op(key, StringOp.setrange, [CACHE_AT, cacheBytes(count)]);
  ctx.out.integer(count);
};

const pfmerge: Handler = (ctx, argv) => {
  const max = new Uint8Array(REGISTERS);
  let dense = false;
  for (let i = 1; i < argv.length; i++) {
    const value = lookupHll(ctx, argv[i], true);
    if (value === undefined) continue;
    if (value.charCodeAt(4) === 0) dense = true;
    guarded(() => mergeRegisters(max, value));
  }
  const key = argv[1];
  const target = ctx.db.get(key, ctx.now) as string | undefined;
  const merged = guarded(() => mergeInto(target, max, dense));
  if (target === undefined) ctx.db.set(key, merged, 0);
  else ctx.db.update(key, merged);
  ctx.notify(EventClass.string, "pfadd", key);
  ctx.out.ok();
};

const KEYS = { name: "key", type: "key" as const, flags: ["multiple" as const] };

export const hyperLogLogCommands: CommandSpec[] = [
  {
    name: "pfadd",
    arity: -2,
    flags: ["write", "denyoom", "fast"],
    keys: FIRST_KEY,
    group: "hyperloglog",
    summary: "Adds the specified elements to the specified HyperLogLog.",
    since: "2.8.9",
    complexity: "O(1) to add every element.",
    args: [
      { name: "key", type: "key" },
      { name: "element", type: "string", flags: ["optional", "multiple"] },
    ],
    keyFlags: ["RW", "insert"],
    handler: pfadd,
  },
  {
    name: "pfcount",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    group: "hyperloglog",
    summary:
      "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
    since: "2.8.9",
    complexity:
      "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
    args: [KEYS],
    keyFlags: ["RW", "access"],
    handler: pfcount,
  },
  {
    name: "pfmerge",
    arity: -2,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    group: "hyperloglog",
    summary: "Merge N different HyperLogLogs into a single one.",
    since: "2.8.9",
    complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
    args: [
      { name: "destkey", type: "key" },
      { name: "sourcekey", type: "key", flags: ["optional", "multiple"] },
    ],
    keySpecs: [{ flags: ["RW", "access", "insert"], first: 1, last: 1, step: 1 }, {
      flags: ["RO", "access"],
      first: 2,
      last: -1,
      step: 1,
    }],
    handler: pfmerge,
  },
];
