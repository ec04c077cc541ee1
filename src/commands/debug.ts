/**
 * DEBUG, the subset that tools use and that makes sense for Hermes, as Redis 7.0's debug.c:
 * OBJECT (Redis's exact line), SLEEP (blocks the whole server, as in Redis), SET-ACTIVE-EXPIRE,
 * RELOAD (compacts the write-ahead log and rebuilds the data set from it) and CHANGE-REPL-ID.
 * Any other subcommand, or a known one with the wrong arguments, gets Redis's
 * unknown-subcommand error. As in Redis 7, DEBUG is a protected command: the
 * `enable-debug-command` setting allows it for everyone (yes), local connections (local, the
 * default here) or nobody (no).
 */
import type { CommandContext } from "./context.ts";
import { CommandError } from "./errors.ts";
import { option } from "./args.ts";
import type { CommandSpec, Handler } from "./spec.ts";
import { NO_KEYS } from "./spec.ts";
import { encodingOf, idleSeconds, refcountOf } from "./object.ts";
import { RdbEncoder } from "../rdb/rdb_encoder.ts";
import type { Value } from "../store/value.ts";
import { ListValue } from "../store/types/list.ts";
import { strtod } from "../protocol/double_text.ts";
import { EMBEDDED_ADDR } from "../embedded/local_transport.ts";

const NOT_ALLOWED = new CommandError(
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", ' +
    "you can run it from a local connection, otherwise you need to set this option in the " +
    "configuration file, and then restart the server.",
);
const NO_SUCH_KEY = new CommandError("ERR no such key");
const RELOAD_OPTIONS = new CommandError(
  "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
);
const RELOAD_FAILED = new CommandError("ERR Error trying to load the RDB dump");
/** Redis's LRU clock: seconds, 24 bits. */
const LRU_CLOCK_MAX = (1 << 24) - 1;

const HELP = [
  "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANGE-REPL-ID",
  "    Change the replication IDs of the instance.",
  "    Dangerous: should be used only for testing the replication subsystem.",
  "OBJECT <key>",
  "    Show low level info about `key` and associated value.",
  "RELOAD [option ...]",
  "    Compact the write-ahead log and load the data set back from it. Valid <option> values:",
  "    * MERGE: conflicting keys will be loaded from the log.",
  "    * NOFLUSH: the existing database will not be removed before load, and a",
  "      conflicting key fails the reload (nothing changes).",
  "    * NOSAVE: the database will be loaded from the existing log, not compacted first.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    Setting it to 0 disables expiring keys in background when they are not",
  "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
  "    default.",
  "SLEEP <seconds>",
  "    Stop the server for <seconds>. Decimals allowed.",
  "HELP",
  "    Prints this help.",
];

/**
 * Whether `address` (host:port) is a loopback connection, as Redis's islocalClient; an embedded
 * session is in this very process, so local too.
 */
function isLocal(address: string): boolean {
  if (address === EMBEDDED_ADDR) return true;
  const host = address.slice(0, address.lastIndexOf(":")).replace(/^\[|\]$/g, "");
  return host.startsWith("127.") || host === "::1" || host === "localhost" || host === "";
}

function allowed(ctx: CommandContext): boolean {
  const setting = ctx.server.config.enableDebugCommand;
  if (setting === "yes") return true;
  return setting === "local" && isLocal(ctx.session.remoteAddr);
}

function unknown(sub: string): CommandError {
  return new CommandError(
    `ERR unknown subcommand or wrong number of arguments for '${
      sub.slice(0, 128).replace(/[\r\n]/g, " ")
    }'. Try DEBUG HELP.`,
  );
}

/** `x` with two decimals, rounded as C's printf rounds the exact double (ties to even). */
function fixed2(x: number): string {
  const exact = x.toFixed(20);
  const point = exact.indexOf(".");
  const tie = /^50*$/.test(exact.slice(point + 3));
  if (!tie) return x.toFixed(2);
  const cents = BigInt(exact.slice(0, point) + exact.slice(point + 1, point + 3));
  const even = cents % 2n === 0n ? cents : cents + 1n;
  const text = even.toString().padStart(3, "0");
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}

/** The bytes `value` takes in RDB form, without its type byte (Redis's rdbSavedObjectLen). */
function serializedLength(value: Value): number {
  const encoder = new RdbEncoder();
  encoder.value(null, value, false);
  return encoder.length;
}

/** The extra fields Redis prints for lists (quicklists). */
function quicklistFields(ctx: CommandContext, list: ListValue): string {
  const nodes = list.items.nodes;
  let bytes = 0;
  for (const node of nodes) bytes += node.used;
  const average = nodes.length === 0 ? 0 : list.size / nodes.length;
  return ` ql_nodes:${nodes.length} ql_avg_node:${fixed2(average)} ` +
    `ql_listpack_max:${ctx.server.config.listMaxListpackSize} ql_compressed:0 ` +
    `ql_uncompressed_size:${bytes}`;
}

const debugObject = (ctx: CommandContext, key: string): void => {
  // As Redis, the key is looked up as stored: no expiry check, no statistics.
  const value = ctx.db.data.get(key);
  if (value === undefined) throw NO_SUCH_KEY;
  const idle = idleSeconds(ctx, key);
  const lru = (Math.floor(ctx.now / 1000) - idle) & LRU_CLOCK_MAX;
  const extra = value instanceof ListValue ? quicklistFields(ctx, value) : "";
  ctx.out.simple(
    `Value at:0x0 refcount:${refcountOf(value)} encoding:${encodingOf(value)} ` +
      `serializedlength:${serializedLength(value)} lru:${lru} lru_seconds_idle:${idle}${extra}`,
  );
};

/** Blocks the whole process, as Redis's DEBUG SLEEP blocks its one thread. */
function sleepSync(ms: number): void {
  if (!(ms > 0)) return;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(cell, 0, 0, ms);
}

const reload = (ctx: CommandContext, argv: string[]): void => {
  let save = true;
  let flush = true;
  let merge = false;
  for (let j = 2; j < argv.length; j++) {
    const word = option(argv[j]);
    if (word === "MERGE") merge = true;
    else if (word === "NOFLUSH") flush = false;
    else if (word === "NOSAVE") save = false;
    else throw RELOAD_OPTIONS;
  }
  const persistence = ctx.server.persistence;
  if (persistence === undefined || ctx.session.inTransaction) throw RELOAD_FAILED;
  const session = ctx.session;
  session.blocking = persistence.reload({ save, flush, merge }).then(
    () => session.out.ok(),
    () => session.out.error(RELOAD_FAILED.line),
  );
};

const debug: Handler = (ctx, argv) => {
  if (!allowed(ctx)) throw NOT_ALLOWED;
  const sub = option(argv[1]);
  const argc = argv.length;
  if (sub === "HELP" && argc === 2) {
    ctx.out.arrayHeader(HELP.length);
    for (const line of HELP) ctx.out.simple(line);
  } else if (sub === "OBJECT" && argc === 3) {
    debugObject(ctx, argv[2]);
  } else if (sub === "SLEEP" && argc === 3) {
    // strtod with no checks: words read as 0, as in Redis.
    sleepSync(strtod(argv[2]).value * 1000);
    ctx.out.ok();
  } else if (sub === "SET-ACTIVE-EXPIRE" && argc === 3) {
    // atoi: leading digits, anything else reads as 0.
    ctx.store.activeExpiryEnabled = (parseInt(argv[2], 10) || 0) !== 0;
    ctx.out.ok();
  } else if (sub === "RELOAD") {
    reload(ctx, argv);
  } else if (sub === "CHANGE-REPL-ID" && argc === 2) {
    ctx.server.replication.changeReplId();
    ctx.out.ok();
  } else {
    throw unknown(argv[1]);
  }
};

export const debugCommands: CommandSpec[] = [
  {
    name: "debug",
    arity: -2,
    flags: ["admin", "noscript", "loading", "stale"],
    keys: NO_KEYS,
    group: "server",
    summary: "A container for debugging commands",
    since: "1.0.0",
    complexity: "Depends on subcommand.",
    args: [],
    handler: debug,
    aclCategories: ["dangerous"],
  },
];
