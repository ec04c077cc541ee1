/**
 * OBJECT: how a key's value is stored. ENCODING names the representation in use as Redis names
 * its equivalent (listpack, quicklist, intset, hashtable, skiplist; int, embstr, raw for strings).
 * FREQ and IDLETIME read the key's access clock (memory/access_clocks.ts): FREQ only under an
 * LFU policy, IDLETIME under any other, each with Redis's error otherwise. Access times are
 * kept only while an LRU or LFU policy is set; under the others IDLETIME answers 0 (nothing is
 * tracked, so nothing is spent on it). OBJECT looks without touching the clock.
 */
import type { CommandContext } from "./context.ts";
import { MemoryErrors } from "./errors.ts";
import { type CommandSpec, helpSubcommand } from "./spec.ts";
import type { Value } from "../store/value.ts";
import { policyTraits } from "../memory/eviction_policy.ts";
import { accessClock, AccessKind, idleMs, lfuDecayed } from "../memory/access_clocks.ts";
/** Redis's refcount of its shared small integers (OBJ_SHARED_REFCOUNT). */
const SHARED_REFCOUNT = 2147483647;
const SHARED_INTEGERS = 10000;
const EMBSTR_LIMIT = 44;
const INT_TEXT = /^(0|-?[1-9][0-9]*)$/;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A string stored as a number in Redis: canonical integer text within a C long. */
function isIntEncoded(text: string): boolean {
  if (text.length > 20 || !INT_TEXT.test(text)) return false;
  const value = BigInt(text);
  return value >= LONG_MIN && value <= LONG_MAX;
}

/** OBJECT ENCODING's answer for `value`. */
export function encodingOf(value: Value): string {
  if (typeof value !== "string") return value.encoding();
  if (isIntEncoded(value)) return "int";
  return value.length <= EMBSTR_LIMIT ? "embstr" : "raw";
}

/** OBJECT REFCOUNT's answer: Redis shares the objects of the integers 0-9999. */
export function refcountOf(value: Value): number {
  const shared = typeof value === "string" && isIntEncoded(value) &&
    BigInt(value) >= 0n && BigInt(value) < SHARED_INTEGERS;
  return shared ? SHARED_REFCOUNT : 1;
}

/**
 * Seconds since `key` was last accessed (OBJECT IDLETIME, DEBUG OBJECT's lru fields), from its
 * LRU clock; 0 when no access times are kept (a policy other than LRU or LFU) or the clocks
 * hold LFU counters.
 */
export function idleSeconds(ctx: CommandContext, key: string): number {
  const clocks = ctx.db.clocks;
  if (clocks === null || accessClock.kind !== AccessKind.lru) return 0;
  return Math.floor(idleMs(clocks.clockOf(key), ctx.now) / 1000);
}

function lookup(ctx: CommandContext, key: string): Value | undefined {
  const value = ctx.db.peek(key, ctx.now);
  if (value === undefined) ctx.out.nil();
  return value;
}

const HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
];

const SUB = { group: "generic", keys: [2, 2, 1] as [number, number, number] };
const KEY_ARG = [{ name: "key", type: "key" as const }];

export const objectCommands: CommandSpec[] = [
  {
    name: "object",
    arity: -2,
    flags: [],
    keys: [0, 0, 0],
    group: "generic",
    summary: "A container for object introspection commands",
    since: "2.2.3",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        ...SUB,
        name: "object|encoding",
        keyFlags: ["RO"],
        arity: 3,
        flags: ["readonly"],
        summary: "Inspect the internal encoding of a Redis object",
        since: "2.2.3",
        complexity: "O(1)",
        args: KEY_ARG,
        handler(ctx, argv) {
          const value = lookup(ctx, argv[2]);
          if (value !== undefined) ctx.out.bulk(encodingOf(value));
        },
      },
      {
        ...SUB,
        name: "object|refcount",
        keyFlags: ["RO"],
        arity: 3,
        flags: ["readonly"],
        summary: "Get the number of references to the value of the key",
        since: "2.2.3",
        complexity: "O(1)",
        args: KEY_ARG,
        handler(ctx, argv) {
          const value = lookup(ctx, argv[2]);
          if (value !== undefined) ctx.out.integer(refcountOf(value));
        },
      },
      {
        ...SUB,
        name: "object|idletime",
        keyFlags: ["RO"],
        arity: 3,
        flags: ["readonly"],
        summary: "Get the time since a Redis object was last accessed",
        since: "2.2.3",
        complexity: "O(1)",
        args: KEY_ARG,
        handler(ctx, argv) {
          if (lookup(ctx, argv[2]) === undefined) return;
          if (policyTraits(ctx.server.config.maxmemoryPolicy).ranking === "lfu") {
            throw MemoryErrors.idleNotTracked;
          }
          ctx.out.integer(idleSeconds(ctx, argv[2]));
        },
      },
      {
        ...SUB,
        name: "object|freq",
        keyFlags: ["RO"],
        arity: 3,
        flags: ["readonly"],
        summary: "Get the logarithmic access frequency counter of a Redis object",
        since: "4.0.0",
        complexity: "O(1)",
        args: KEY_ARG,
        handler(ctx, argv) {
          if (lookup(ctx, argv[2]) === undefined) return;
          const clocks = ctx.db.clocks;
          if (
            policyTraits(ctx.server.config.maxmemoryPolicy).ranking !== "lfu" || clocks === null
          ) {
            throw MemoryErrors.freqNotTracked;
          }
          ctx.out.integer(lfuDecayed(clocks.clockOf(argv[2]), ctx.now));
        },
      },
      helpSubcommand("object", "generic", "6.2.0", HELP),
    ],
  },
];
