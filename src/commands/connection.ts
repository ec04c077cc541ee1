/**
 * Connection commands: PING, ECHO, QUIT, HELLO, AUTH, SELECT, RESET.
 *
 * AUTH and HELLO ... AUTH log the client in as an ACL user (src/security/); while the default
 * user has no password, the one-argument `AUTH <pw>` is refused as a likely misconfiguration, as
 * Redis does.
 */
import type { CommandContext } from "./context.ts";
import type { CommandSpec } from "./spec.ts";
import { Errors, helloOptionSyntax, wrongArity } from "./errors.ts";
import { option, parseInteger, toInt64 } from "./args.ts";
import { isPrintableToken } from "./client.ts";
import { NO_KEYS } from "./spec.ts";
import { partitionArg } from "./database_arg.ts";
import { REDIS_COMPAT_VERSION } from "../version.ts";
import { inSubscribedContext } from "./pubsub.ts";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * HELLO [protover [AUTH user pass] [SETNAME name]]. Options are checked in order, AUTH's
 * credentials when it is reached, so the first bad one names the error as in Redis 7.0; a client
 * still not authenticated after them is refused. As in Redis 7.0, a SETNAME names the client
 * when it is reached (the name stays if a later option is refused); the protocol changes only
 * when all passed. The reply is written in the newly chosen protocol.
 */
function hello(ctx: CommandContext, argv: string[]): void {
  let version: 2 | 3 | null = null;
  if (argv.length >= 2) {
    const asked = toInt64(argv[1]);
    if (asked === null) throw Errors.protocolVersion;
    if (asked !== 2n && asked !== 3n) throw Errors.noProto;
    version = asked === 2n ? 2 : 3;
  }
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const word = option(argv[i]);
    if (word === "AUTH" && more >= 2) {
      // Redacted, then checked at once, as Redis 7.0 does: a bad password wins over a later bad
      // option, and the options after it stay as sent in MONITOR and SLOWLOG.
      ctx.observability.redact(argv, i + 1);
      ctx.observability.redact(argv, i + 2);
      if (!ctx.acl.authenticate(ctx.session, argv[i + 1], argv[i + 2])) throw Errors.wrongPass;
      i += 2;
    } else if (word === "SETNAME" && more >= 1) {
      if (!isPrintableToken(argv[i + 1])) throw Errors.clientName;
      ctx.session.name = argv[i + 1];
      i += 1;
    } else {
      throw helloOptionSyntax(argv[i]);
    }
  }
  if (!ctx.session.authenticated) throw Errors.helloNoAuth;
  if (version !== null) ctx.session.protocol = version;

  const out = ctx.out;
  out.mapHeader(7);
  out.bulk("server");
  out.bulk("redis");
  out.bulk("version");
  out.bulk(REDIS_COMPAT_VERSION);
  out.bulk("proto");
  out.integer(ctx.session.protocol);
  out.bulk("id");
  out.integer(ctx.session.id);
  out.bulk("mode");
  out.bulk("standalone");
  out.bulk("role");
  out.bulk("master");
  out.bulk("modules");
  out.arrayHeader(0);
}

/** AUTH [username] password: the one-argument form is for the default user. */
function auth(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 3) throw Errors.syntax; // shown as sent: Redis redacts after this check
  for (let i = 1; i < argv.length; i++) ctx.observability.redact(argv, i);
  if (argv.length === 2 && ctx.acl.defaultUser.nopass) throw Errors.authNoPassword;
  const [username, password] = argv.length === 2 ? ["default", argv[1]] : [argv[1], argv[2]];
  if (!ctx.acl.authenticate(ctx.session, username, password)) throw Errors.wrongPass;
  ctx.out.ok();
}

/**
 * SELECT index|partition: a partition by name, or an int32 (Redis's getIntFromObject) that is
 * a valid database number.
 */
function select(ctx: CommandContext, argv: string[]): void {
  const partition = partitionArg(ctx, argv[1]);
  if (partition !== null) {
    ctx.session.db = partition.index;
    ctx.db = partition;
    ctx.out.ok();
    return;
  }
  const index = parseInteger(argv[1]);
  if (index < INT32_MIN || index > INT32_MAX) throw Errors.intRange;
  if (index < 0 || index >= ctx.store.count) throw Errors.dbIndexRange;
  ctx.session.db = index;
  ctx.db = ctx.store.dbs[index];
  ctx.out.ok();
}

/**
 * RESET: the connection as if new, as Redis 7.0's resetCommand and clearClientConnectionState:
 * every feature's per-connection state goes through its reset hook (subscriptions left without
 * confirmations, a MULTI discarded and its WATCHes dropped, ...), then database 0, RESP2, no
 * name, and the default user, logged in only when it needs no password (a client of an ACL
 * user, or one that authenticated, must AUTH again). Replicas and our primary's link may not.
 */
function reset(ctx: CommandContext): void {
  const session = ctx.session;
  if (session.kind !== "normal") throw Errors.resetNotNormal;
  session.closed(); // every feature's state, as when the connection ends
  session.db = 0;
  ctx.db = ctx.store.dbs[0];
  session.protocol = 2;
  session.name = "";
  ctx.acl.admit(session);
  session.updateGated();
  ctx.out.simple("RESET");
}

export const connectionCommands: CommandSpec[] = [
  {
    name: "ping",
    arity: -1,
    flags: ["fast"],
    keys: NO_KEYS,
    group: "connection",
    summary: "Returns the server's liveliness response.",
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "message", type: "string", flags: ["optional"] }],
    handler(ctx, argv) {
      if (argv.length > 2) throw wrongArity("ping");
      if (inSubscribedContext(ctx.session)) {
        // A RESP2 subscriber reads every frame as a message array, so PING answers in kind.
        ctx.out.arrayHeader(2);
        ctx.out.bulk("pong");
        ctx.out.bulk(argv.length === 2 ? argv[1] : "");
      } else if (argv.length === 2) ctx.out.bulk(argv[1]);
      else ctx.out.pong();
    },
  },
  {
    name: "echo",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    keys: NO_KEYS,
    group: "connection",
    summary: "Returns the given string.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "message", type: "string" }],
    handler(ctx, argv) {
      ctx.out.bulk(argv[1]);
    },
  },
  {
    name: "quit",
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    keys: NO_KEYS,
    group: "connection",
    summary: "Closes the connection.",
    since: "1.0.0",
    complexity: "O(1)",
    handler(ctx) {
      ctx.out.ok();
      ctx.session.closeRequested = true;
    },
  },
  {
    name: "hello",
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    keys: NO_KEYS,
    group: "connection",
    summary: "Handshakes with the Redis server.",
    since: "6.0.0",
    complexity: "O(1)",
    args: [{
      name: "arguments",
      type: "block",
      flags: ["optional"],
      arguments: [
        { name: "protover", type: "integer" },
        {
          name: "username-password",
          type: "block",
          token: "AUTH",
          flags: ["optional"],
          arguments: [
            { name: "username", type: "string" },
            { name: "password", type: "string" },
          ],
        },
        { name: "clientname", type: "string", token: "SETNAME", flags: ["optional"] },
      ],
    }],
    handler: hello,
  },
  {
    name: "auth",
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    keys: NO_KEYS,
    group: "connection",
    summary: "Authenticates the connection.",
    since: "1.0.0",
    complexity: "O(N) where N is the number of passwords defined for the user",
    args: [
      { name: "username", type: "string", flags: ["optional"] },
      { name: "password", type: "string" },
    ],
    handler: auth,
  },
  {
    name: "select",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    keys: NO_KEYS,
    group: "connection",
    summary: "Changes the selected database, or selects a partition by name.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "index-or-partition", type: "string" }],
    handler: select,
  },
  {
    name: "reset",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    keys: NO_KEYS,
    group: "connection",
    summary: "Resets the connection.",
    since: "6.2.0",
    complexity: "O(1)",
    handler: reset,
  },
];
