/**
 * Time-to-live commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX, XX, GT, LT), TTL,
 * PTTL, EXPIRETIME, PEXPIRETIME and PERSIST. One function serves each group, as in Redis's
 * expire.c. Deadlines are absolute Unix ms, decided against `ctx.now`. Keyspace events as
 * Redis raises them: `expire`, `del` (a deadline already past), `persist`, and `keymiss` when
 * the TTL family reads a missing key.
 */
import type { CommandContext } from "./context.ts";
import type { ArgDoc, CommandSpec } from "./spec.ts";
import { FIRST_KEY } from "./spec.ts";
import { Errors, invalidExpireTime, unsupportedOption } from "./errors.ts";
import { INT64_MAX, INT64_MIN, option, parseInt64 } from "./args.ts";
import { EventClass } from "../store/events.ts";

const SECOND_MS = 1000n;

/** EXPIRE's four conditions; NX excludes the others, GT excludes LT, XX combines with either. */
interface Conditions {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
}

/** Reads NX/XX/GT/LT from argv[3] on. Redis checks these before it reads the time. */
function parseConditions(argv: string[]): Conditions {
  const found: Conditions = { nx: false, xx: false, gt: false, lt: false };
  for (let i = 3; i < argv.length; i++) {
    switch (option(argv[i])) {
      case "NX":
        found.nx = true;
        break;
      case "XX":
        found.xx = true;
        break;
      case "GT":
        found.gt = true;
        break;
      case "LT":
        found.lt = true;
        break;
      default:
        throw unsupportedOption(argv[i]);
    }
  }
  if (found.nx && (found.xx || found.gt || found.lt)) throw Errors.expireNxConflict;
  if (found.gt && found.lt) throw Errors.expireGtLtConflict;
  return found;
}

/**
 * EXPIRE and friends. `unitMs` is 1000 for seconds; `relative` adds the time to now. A
 * deadline not after now deletes the key (Redis then replicates a DEL) and still replies 1.
 */
function expireGeneric(
  ctx: CommandContext,
  argv: string[],
  name: string,
  unitMs: bigint,
  relative: boolean,
): void {
  const conditions = parseConditions(argv);
  let when = parseInt64(argv[2]);
  // Overflow checks in Redis's order and wording: the unit conversion, then adding now.
  if (unitMs !== 1n) {
    if (when > INT64_MAX / unitMs || when < INT64_MIN / unitMs) throw invalidExpireTime(name);
    when *= unitMs;
  }
  const base = relative ? BigInt(ctx.now) : 0n;
  if (when > INT64_MAX - base) throw invalidExpireTime(name);
  when += base;

  const key = argv[1];
  if (ctx.db.get(key, ctx.now) === undefined) {
    ctx.out.integer(0);
    return;
  }
  const current = ctx.db.deadline(key); // 0: none, which counts as an infinite TTL
  if (
    (conditions.nx && current !== 0) ||
    (conditions.xx && current === 0) ||
    (conditions.gt && (current === 0 || when <= current)) ||
    (conditions.lt && current !== 0 && when >= current)
  ) {
    ctx.out.integer(0);
    return;
  }
  if (ctx.db.expiry.passed(Number(when), ctx.now)) {
    ctx.db.delete(key);
    ctx.notify(EventClass.generic, "del", key);
  } else {
    ctx.db.setDeadline(key, Number(when));
    ctx.notify(EventClass.generic, "expire", key);
  }
  ctx.out.integer(1);
}

/**
 * TTL and friends: -2 for a missing key, -1 without a deadline, else the remaining or
 * absolute time. Seconds are rounded to the nearest, as Redis's `(ms + 500) / 1000`.
 */
function ttlGeneric(ctx: CommandContext, key: string, inMs: boolean, absolute: boolean): void {
  if (ctx.db.peek(key, ctx.now) === undefined) {
    ctx.notify(EventClass.keyMiss, "keymiss", key);
    ctx.out.integer(-2);
    return;
  }
  const deadline = ctx.db.deadline(key);
  if (deadline === 0) {
    ctx.out.integer(-1);
    return;
  }
  const ms = Math.max(0, absolute ? deadline : deadline - ctx.now);
  const reply = inMs ? ms : Math.floor((ms + 500) / 1000);
  // A deadline near 2^63 ms rounds up to 2^63 as a double: never reply beyond int64.
  if (reply >= TWO_POW_63) ctx.out.integerText(INT64_MAX.toString());
  else ctx.out.integer(reply);
}

const TWO_POW_63 = 2 ** 63;

const CONDITION_DOC: ArgDoc = {
  name: "condition",
  type: "oneof",
  flags: ["optional"],
  arguments: [
    { name: "nx", type: "pure-token", token: "NX" },
    { name: "xx", type: "pure-token", token: "XX" },
    { name: "gt", type: "pure-token", token: "GT" },
    { name: "lt", type: "pure-token", token: "LT" },
  ],
};

/** The spec of one EXPIRE variant. */
function expireSpec(
  name: string,
  since: string,
  summary: string,
  time: ArgDoc,
  unitMs: bigint,
  relative: boolean,
): CommandSpec {
  return {
    name,
    arity: -3,
    flags: ["write", "fast"],
    keys: FIRST_KEY,
    keyFlags: ["RW", "update"],
    group: "generic",
    summary,
    since,
    complexity: "O(1)",
    args: [{ name: "key", type: "key" }, time, CONDITION_DOC],
    handler: (ctx, argv) => expireGeneric(ctx, argv, name, unitMs, relative),
  };
}

/** The spec of one TTL variant. */
function ttlSpec(
  name: string,
  since: string,
  summary: string,
  inMs: boolean,
  absolute: boolean,
): CommandSpec {
  return {
    name,
    arity: 2,
    flags: ["readonly", "fast"],
    keys: FIRST_KEY,
    keyFlags: ["RO", "access"],
    group: "generic",
    summary,
    since,
    complexity: "O(1)",
    args: [{ name: "key", type: "key" }],
    handler: (ctx, argv) => ttlGeneric(ctx, argv[1], inMs, absolute),
  };
}

export const expireCommands: CommandSpec[] = [
  expireSpec(
    "expire",
    "1.0.0",
    "Set a key's time to live in seconds",
    { name: "seconds", type: "integer" },
    SECOND_MS,
    true,
  ),
  expireSpec(
    "pexpire",
    "2.6.0",
    "Set a key's time to live in milliseconds",
    { name: "milliseconds", type: "integer" },
    1n,
    true,
  ),
  expireSpec(
    "expireat",
    "1.2.0",
    "Set the expiration for a key as a UNIX timestamp",
    { name: "unix-time-seconds", type: "unix-time" },
    SECOND_MS,
    false,
  ),
  expireSpec(
    "pexpireat",
    "2.6.0",
    "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
    { name: "unix-time-milliseconds", type: "unix-time" },
    1n,
    false,
  ),
  ttlSpec("ttl", "1.0.0", "Get the time to live for a key in seconds", false, false),
  ttlSpec("pttl", "2.6.0", "Get the time to live for a key in milliseconds", true, false),
  ttlSpec("expiretime", "7.0.0", "Get the expiration Unix timestamp for a key", false, true),
  ttlSpec(
    "pexpiretime",
    "7.0.0",
    "Get the expiration Unix timestamp for a key in milliseconds",
    true,
    true,
  ),
  {
    name: "persist",
    keyFlags: ["RW", "update"],
    arity: 2,
    flags: ["write", "fast"],
    keys: FIRST_KEY,
    group: "generic",
    summary: "Remove the expiration from a key",
    since: "2.2.0",
    complexity: "O(1)",
    args: [{ name: "key", type: "key" }],
    handler(ctx, argv) {
      const key = argv[1];
      if (ctx.db.get(key, ctx.now) === undefined || ctx.db.deadline(key) === 0) {
        ctx.out.integer(0);
        return;
      }
      ctx.db.setDeadline(key, 0);
      ctx.notify(EventClass.generic, "persist", key);
      ctx.out.integer(1);
    },
  },
];
