/**
 * DUMP and RESTORE: a key's value as Redis's serialization (RDB encoding + RDB version +
 * CRC-64, see src/rdb/dump_payload.ts), so values move between Hermes and Redis in both
 * directions (`redis-cli --rdb`-style tools, MIGRATE-like scripts).
 */
import type { CommandContext } from "./context.ts";
import type { CommandSpec } from "./spec.ts";
import { FIRST_KEY } from "./spec.ts";
import { CommandError, Errors } from "./errors.ts";
import { option, parseInteger } from "./args.ts";
import { EventClass } from "../store/events.ts";
import { dumpPayload, restorePayload } from "../rdb/dump_payload.ts";
import { restoredClock } from "../memory/access_clocks.ts";
import { RdbError } from "../rdb/format.ts";
import type { Value } from "../store/value.ts";

export const RestoreErrors = {
  busyKey: new CommandError("BUSYKEY Target key name already exists."),
  badPayload: new CommandError("ERR DUMP payload version or checksum are wrong"),
  badFormat: new CommandError("ERR Bad data format"),
  badTtl: new CommandError("ERR Invalid TTL value, must be >= 0"),
  badIdle: new CommandError("ERR Invalid IDLETIME value, must be >= 0"),
  badFreq: new CommandError("ERR Invalid FREQ value, must be >= 0 and <= 255"),
} as const;

function dump(ctx: CommandContext, argv: string[]): void {
  const value = ctx.db.get(argv[1], ctx.now);
  if (value === undefined) ctx.out.nil();
  else ctx.out.bulk(dumpPayload(value));
}

/** RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
function restore(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  let replace = false;
  let absolute = false;
  let idleSeconds = -1;
  let freq = -1;
  for (let i = 4; i < argv.length; i++) {
    const word = option(argv[i]);
    const more = i + 1 < argv.length;
    if (word === "REPLACE") replace = true;
    else if (word === "ABSTTL") absolute = true;
    else if (word === "IDLETIME" && more && freq < 0) {
      idleSeconds = parseInteger(argv[++i]);
      if (idleSeconds < 0) throw RestoreErrors.badIdle;
    } else if (word === "FREQ" && more && idleSeconds < 0) {
      freq = parseInteger(argv[++i]);
      if (freq < 0 || freq > 255) throw RestoreErrors.badFreq;
    } else throw Errors.syntax;
  }
  // Redis's order: an existing key, then the TTL, then the payload.
  if (!replace && ctx.db.get(key, ctx.now) !== undefined) throw RestoreErrors.busyKey;
  let ttl = parseInteger(argv[2]);
  if (ttl < 0) throw RestoreErrors.badTtl;
  let value: Value;
  try {
    value = restorePayload(argv[3]);
  } catch (error) {
    if (!(error instanceof RdbError)) throw error;
    throw error.message === "version or checksum"
      ? RestoreErrors.badPayload
      : RestoreErrors.badFormat;
  }
  if (ttl > 0 && !absolute) ttl += ctx.now;
  if (ttl > 0 && ctx.db.expiry.passed(ttl, ctx.now)) {
    // Already expired: the key ends up absent, as in Redis.
    if (ctx.db.delete(key)) ctx.notify(EventClass.generic, "del", key);
    ctx.out.ok();
    return;
  }
  ctx.db.set(key, value, ttl);
  // The access data the payload's origin had, for the LRU or LFU policy in force.
  const clock = ctx.db.clocks === null ? null : restoredClock(idleSeconds, freq, ctx.now);
  if (clock !== null) ctx.db.clocks!.set(key, clock);
  ctx.notify(EventClass.generic, "restore", key);
  ctx.out.ok();
}

export const dumpRestoreCommands: CommandSpec[] = [
  {
    name: "dump",
    keyFlags: ["RO", "access"],
    arity: 2,
    flags: ["readonly"],
    keys: FIRST_KEY,
    group: "generic",
    summary: "Returns a serialized representation of the value stored at a key.",
    since: "2.6.0",
    complexity: "O(1) to access the key and additional O(N*M) to serialize it.",
    args: [{ name: "key", type: "key" }],
    tips: ["nondeterministic_output"],
    handler: dump,
  },
  {
    name: "restore",
    keyFlags: ["OW", "update"],
    arity: -4,
    flags: ["write", "denyoom"],
    keys: FIRST_KEY,
    group: "generic",
    summary: "Creates a key from the serialized representation of a value.",
    since: "2.6.0",
    complexity: "O(1) to create the new key and additional O(N*M) to reconstruct it.",
    args: [
      { name: "key", type: "key" },
      { name: "ttl", type: "integer" },
      { name: "serialized-value", type: "string" },
      { name: "replace", type: "pure-token", token: "REPLACE", flags: ["optional"] },
      { name: "absttl", type: "pure-token", token: "ABSTTL", flags: ["optional"] },
      { name: "seconds", type: "integer", token: "IDLETIME", flags: ["optional"] },
      { name: "frequency", type: "integer", token: "FREQ", flags: ["optional"] },
    ],
    aclCategories: ["keyspace", "dangerous"],
    handler: restore,
  },
];
