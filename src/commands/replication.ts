/**
 * Replication commands: REPLICAOF / SLAVEOF, ROLE, WAIT, and what replicas send their primary
 * (PSYNC, SYNC, REPLCONF). The protocol itself is in src/replication/.
 */
import type { CommandContext } from "./context.ts";
import type { CommandSpec } from "./spec.ts";
import { NO_KEYS } from "./spec.ts";
import { CommandError, Errors } from "./errors.ts";
import { option, parseInteger } from "./args.ts";

function replicaOf(ctx: CommandContext, argv: string[]): void {
  const replication = ctx.server.replication;
  if (option(argv[1]) === "NO" && option(argv[2]) === "ONE") {
    replication.replicaOfNoOne();
    ctx.out.ok();
    return;
  }
  const port = parseInteger(argv[2]);
  if (port < 0 || port > 65535) throw new CommandError("ERR Invalid master port");
  if (replication.replicaOf(argv[1], port) === "already") {
    ctx.out.simple("OK Already connected to specified master");
    return;
  }
  ctx.out.ok();
}

function role(ctx: CommandContext): void {
  const reply = ctx.server.replication.role();
  const out = ctx.out;
  if (reply.role === "master") {
    out.arrayHeader(3);
    out.bulk("master");
    out.integer(reply.offset);
    out.arrayHeader(reply.replicas.length);
    for (const [ip, port, offset] of reply.replicas) {
      out.arrayHeader(3);
      out.bulk(ip);
      out.bulk(port);
      out.bulk(offset);
    }
    return;
  }
  out.arrayHeader(5);
  out.bulk("slave");
  out.bulk(reply.host);
  out.integer(reply.port);
  out.bulk(reply.linkState);
  out.integer(reply.offset);
}

function wait(ctx: CommandContext, argv: string[]): void {
  const replicas = parseInteger(argv[1]);
  const timeout = parseInteger(
    argv[2],
    new CommandError("ERR timeout is not an integer or out of range"),
  );
  if (timeout < 0) throw new CommandError("ERR timeout is negative");
  const outcome = ctx.server.replication.wait(ctx.session, replicas, timeout);
  if (typeof outcome === "number") ctx.out.integer(outcome);
  else ctx.session.blocking = outcome;
}

function psync(ctx: CommandContext, argv: string[]): void {
  // PSYNC replid offset FAILOVER: our primary hands over to us (its FAILOVER command).
  const failover = argv.length > 3 && option(argv[3]) === "FAILOVER";
  ctx.server.replication.psync(ctx.session, argv[1], argv[2], failover);
}

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds] */
function failover(ctx: CommandContext, argv: string[]): void {
  let host: string | null = null;
  let port = 0;
  let timeoutMs = 0;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const word = option(argv[i]);
    if (word === "TO" && host === null && i + 2 < argv.length) {
      host = argv[i + 1];
      port = parseInteger(argv[i + 2]);
      i += 2;
    } else if (word === "TIMEOUT" && timeoutMs === 0 && i + 1 < argv.length) {
      timeoutMs = parseInteger(argv[++i]);
      if (timeoutMs <= 0) throw new CommandError("ERR FAILOVER timeout must be greater than 0");
    } else if (word === "FORCE") {
      force = true;
    } else if (word === "ABORT") {
      abort = true;
    } else {
      throw Errors.syntax;
    }
  }
  if (abort) ctx.server.replication.abortFailover();
  else ctx.server.replication.failover({ host, port, force, timeoutMs });
  ctx.out.ok();
}

function sync(ctx: CommandContext): void {
  ctx.server.replication.psync(ctx.session, null, null);
}

/** REPLCONF option value [option value ...]: what a replica tells its primary. */
function replconf(ctx: CommandContext, argv: string[]): void {
  if (argv.length % 2 === 0) throw Errors.syntax;
  const replication = ctx.server.replication;
  for (let i = 1; i < argv.length; i += 2) {
    const name = argv[i].toLowerCase();
    const value = argv[i + 1];
    if (name === "ack") {
      // Sent by replicas with no reply expected.
      const offset = parseInteger(value);
      replication.ack(ctx.session, offset);
      return;
    }
    if (name === "getack") return; // only a primary's GETACK means something (master_link.ts)
    if (name === "listening-port") {
      const port = parseInteger(value);
      replication.listeningPort(ctx.session, port);
    } else if (name === "rdb-only") {
      const flag = parseInteger(value);
      if (flag !== 0 && flag !== 1) throw Errors.syntax;
      replication.rdbOnly(ctx.session, flag === 1);
    } else if (name === "capa") {
      replication.capability(ctx.session, value);
    } else if (!["ip-address", "rdb-filter-only"].includes(name)) {
      throw new CommandError(`ERR Unrecognized REPLCONF option: ${argv[i]}`);
    }
  }
  ctx.out.ok();
}

const ADMIN: CommandSpec["flags"] = ["admin", "noscript", "stale"];

export const replicationCommands: CommandSpec[] = [
  {
    name: "replicaof",
    arity: 3,
    flags: ADMIN,
    keys: NO_KEYS,
    group: "server",
    summary: "Configures a server as replica of another, or promotes it to a master.",
    since: "5.0.0",
    complexity: "O(1)",
    args: [{ name: "host", type: "string" }, { name: "port", type: "integer" }],
    handler: replicaOf,
  },
  {
    name: "slaveof",
    arity: 3,
    flags: ADMIN,
    keys: NO_KEYS,
    group: "server",
    summary: "Sets a Redis server as a replica of another, or promotes it to being a master.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "host", type: "string" }, { name: "port", type: "integer" }],
    handler: replicaOf,
  },
  {
    name: "role",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast"],
    keys: NO_KEYS,
    group: "server",
    aclCategories: ["admin", "dangerous"],
    summary: "Returns the replication role.",
    since: "2.8.12",
    complexity: "O(1)",
    args: [],
    handler: role,
  },
  {
    name: "wait",
    arity: 3,
    flags: ["noscript"],
    keys: NO_KEYS,
    group: "generic",
    groupCategory: false,
    aclCategories: ["connection"],
    summary:
      "Blocks until the asynchronous replication of all preceding write commands sent by the " +
      "connection is completed.",
    since: "3.0.0",
    complexity: "O(1)",
    args: [
      { name: "numreplicas", type: "integer" },
      { name: "timeout", type: "integer" },
    ],
    handler: wait,
  },
  {
    name: "failover",
    arity: -1,
    flags: ["admin", "noscript", "stale"],
    keys: NO_KEYS,
    group: "server",
    summary: "Starts a coordinated failover from a server to one of its replicas.",
    since: "6.2.0",
    complexity: "O(1)",
    args: [
      {
        name: "target",
        type: "block",
        token: "TO",
        flags: ["optional"],
        arguments: [
          { name: "host", type: "string" },
          { name: "port", type: "integer" },
          { name: "force", type: "pure-token", token: "FORCE", flags: ["optional"] },
        ],
      },
      { name: "abort", type: "pure-token", token: "ABORT", flags: ["optional"] },
      { name: "milliseconds", type: "integer", token: "TIMEOUT", flags: ["optional"] },
    ],
    handler: failover,
  },
  {
    name: "psync",
    arity: -3,
    flags: ["admin", "noscript", "no_multi"],
    keys: NO_KEYS,
    group: "server",
    summary: "Internal command used for replication",
    since: "2.8.0",
    complexity: "O(1) for a partial resync, O(N) with N keys for a full one",
    args: [{ name: "replicationid", type: "string" }, { name: "offset", type: "integer" }],
    handler: psync,
  },
  {
    name: "sync",
    arity: 1,
    flags: ["admin", "noscript", "no_multi"],
    keys: NO_KEYS,
    group: "server",
    summary: "Internal command used for replication",
    since: "1.0.0",
    complexity: "O(N) where N is the number of keys",
    args: [],
    handler: sync,
  },
  {
    name: "replconf",
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale"],
    keys: NO_KEYS,
    group: "server",
    summary: "An internal command for configuring the replication stream",
    since: "3.0.0",
    complexity: "O(1)",
    args: [],
    handler: replconf,
  },
];
