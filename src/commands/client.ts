/**
 * CLIENT: the connection's own id, name and library info, and the list of connected clients with
 * a way to disconnect them. Unknown subcommands (node-redis sends CLIENT MAINT_NOTIFICATIONS)
 * get the dispatcher's standard `unknown subcommand` error, which clients ignore.
 */
import type { CommandContext } from "./context.ts";
import {
  attributeChars,
  CommandError,
  Errors,
  noSuchUser,
  unknownClientType,
  unrecognizedOption,
} from "./errors.ts";
import { option, toInt64 } from "./args.ts";
import type { Session } from "./session.ts";
import type { CommandSpec } from "./spec.ts";
import { helpSubcommand, NO_KEYS } from "./spec.ts";

/**
 * Whether `text` may be a client name or library attribute: only printable ASCII without
 * spaces ('!' to '~'), so CLIENT LIST lines stay parseable. Empty is allowed (it clears).
 */
export function isPrintableToken(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

/** The client kinds CLIENT LIST TYPE and CLIENT KILL TYPE accept, as Redis names them. */
const CLIENT_TYPES = new Set(["normal", "master", "slave", "replica", "pubsub"]);

/**
 * CLIENT LIST's flags, in Redis's order: S a replica (O a monitor, which Redis counts as one),
 * M the master, P subscribed, b blocked; N when none applies.
 */
function clientFlags(session: Session): string {
  const role = session.kind === "replica"
    ? "S"
    : session.monitoring
    ? "O"
    : session.kind === "master"
    ? "M"
    : "";
  const subscribed = session.pubsub !== null && session.pubsub.total > 0;
  const flags = role + (subscribed ? "P" : "") + (session.blocked ? "b" : "");
  return flags === "" ? "N" : flags;
}

/** Which kind of client a session is: a replica or our master, else pubsub or normal. */
function clientType(session: Session): string {
  return session.clientType;
}

function parseClientType(text: string): string {
  const type = text.toLowerCase();
  if (!CLIENT_TYPES.has(type)) throw unknownClientType(text);
  return type === "slave" ? "replica" : type;
}

/**
 * One CLIENT LIST / CLIENT INFO line in Redis's field order. Hermes cannot see its socket's file
 * descriptor, so `fd` is -1; buffer fields report the reader's capacity, the reply buffer and
 * the queued reply bytes, and `tot-mem` what the client holds in all (server/client_memory.ts).
 * `db` is the database number, or the selected partition's name (`Databases.dbName`).
 */
export function clientInfoLine(session: Session, nowMs: number, db: string): string {
  const input = session.stats.inputBufferBytes;
  const output = session.stats.queuedOutputBytes;
  const subscriptions = session.pubsub;
  return `id=${session.id} addr=${session.remoteAddr} laddr=${session.localAddr} fd=-1` +
    ` name=${session.name}` +
    ` age=${Math.floor((nowMs - session.createdAtMs) / 1000)}` +
    ` idle=${Math.max(0, Math.floor((nowMs - session.lastInteractionMs) / 1000))}` +
    ` flags=${clientFlags(session)} db=${db}` +
    ` sub=${subscriptions?.channels.size ?? 0} psub=${subscriptions?.patterns.size ?? 0}` +
    ` ssub=${subscriptions?.shardChannels.size ?? 0} multi=-1` +
    ` qbuf=0 qbuf-free=${input} argv-mem=0 multi-mem=0 rbs=${session.out.capacity} rbp=0` +
    ` obl=0 oll=0 omem=${output} tot-mem=${session.stats.memoryBytes}` +
    ` events=r cmd=${session.lastCommand}` +
    ` user=${session.user.name} redir=-1 resp=${session.protocol}` +
    ` lib-name=${session.libName} lib-ver=${session.libVersion}`;
}

/** Closes `session`: the caller's own connection after this reply, any other at once. */
function kill(ctx: CommandContext, session: Session): void {
  if (session === ctx.session) ctx.session.closeRequested = true;
  else ctx.server.disconnect(session);
}

function list(ctx: CommandContext, argv: string[]): void {
  let sessions: Session[];
  if (argv.length === 2) {
    sessions = [...ctx.server.sessions()];
  } else if (argv.length === 4 && option(argv[2]) === "TYPE") {
    const type = parseClientType(argv[3]);
    sessions = [...ctx.server.sessions()].filter((s) => clientType(s) === type);
  } else if (argv.length > 3 && option(argv[2]) === "ID") {
    const ids: number[] = [];
    for (let i = 3; i < argv.length; i++) {
      const id = toInt64(argv[i]);
      if (id === null) throw Errors.invalidClientId;
      ids.push(Number(id));
    }
    const byId = new Map([...ctx.server.sessions()].map((s) => [s.id, s]));
    sessions = ids.flatMap((id) => byId.get(id) ?? []);
  } else {
    throw Errors.syntax;
  }
  let text = "";
  for (const session of sessions) {
    text += clientInfoLine(session, ctx.now, ctx.store.dbName(session.db)) + "\n";
  }
  ctx.out.verbatim(text);
}

interface KillFilter {
  id?: number;
  user?: string;
  type?: string;
  addr?: string;
  laddr?: string;
  skipMe: boolean;
}

function parseKillFilter(argv: string[], users: ReadonlyMap<string, unknown>): KillFilter {
  const filter: KillFilter = { skipMe: true };
  for (let i = 2; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) throw Errors.syntax;
    const value = argv[i + 1];
    switch (option(argv[i])) {
      case "ID": {
        const id = toInt64(value);
        if (id === null || id <= 0n) throw Errors.clientIdPositive;
        filter.id = Number(id);
        break;
      }
      case "TYPE":
        filter.type = parseClientType(value);
        break;
      case "USER":
        if (!users.has(value)) throw noSuchUser(value);
        filter.user = value;
        break;
      case "ADDR":
        filter.addr = value;
        break;
      case "LADDR":
        filter.laddr = value;
        break;
      case "SKIPME": {
        const answer = option(value);
        if (answer !== "YES" && answer !== "NO") throw Errors.syntax;
        filter.skipMe = answer === "YES";
        break;
      }
      default:
        throw Errors.syntax;
    }
  }
  return filter;
}

function matches(filter: KillFilter, session: Session, self: Session): boolean {
  if (filter.skipMe && session === self) return false;
  if (filter.id !== undefined && session.id !== filter.id) return false;
  if (filter.type !== undefined && clientType(session) !== filter.type) return false;
  if (filter.user !== undefined && session.user.name !== filter.user) return false;
  if (filter.addr !== undefined && session.remoteAddr !== filter.addr) return false;
  if (filter.laddr !== undefined && session.localAddr !== filter.laddr) return false;
  return true;
}

function killClients(ctx: CommandContext, argv: string[]): void {
  if (argv.length === 3) {
    // The old form, CLIENT KILL addr:port: exactly one client, or an error.
    const target = [...ctx.server.sessions()].find((s) => s.remoteAddr === argv[2]);
    if (target === undefined) throw Errors.noSuchClient;
    ctx.out.ok();
    kill(ctx, target);
    return;
  }
  const filter = parseKillFilter(argv, ctx.acl.users);
  const targets = [...ctx.server.sessions()].filter((s) => matches(filter, s, ctx.session));
  ctx.out.integer(targets.length);
  for (const target of targets) kill(ctx, target);
}

function setInfo(ctx: CommandContext, argv: string[]): void {
  const attribute = argv[2];
  const which = attribute.toLowerCase();
  if (which !== "lib-name" && which !== "lib-ver") throw unrecognizedOption(attribute);
  if (!isPrintableToken(argv[3])) throw attributeChars(attribute);
  if (which === "lib-name") ctx.session.libName = argv[3];
  else ctx.session.libVersion = argv[3];
  ctx.out.ok();
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends another client's blocking wait. */
function unblockClient(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 4) throw unblockSyntax;
  let how: "timeout" | "error" = "timeout";
  if (argv.length === 4) {
    const reason = option(argv[3]);
    if (reason === "ERROR") how = "error";
    else if (reason !== "TIMEOUT") throw unblockReason;
  }
  const id = toInt64(argv[2]);
  if (id === null) throw Errors.notInteger;
  const target = [...ctx.server.sessions()].find((s) => s.id === Number(id));
  ctx.out.integer(target !== undefined && ctx.blocking.unblock(target, how) ? 1 : 0);
}

const unblockSyntax = new CommandError(
  "ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.",
);
const unblockReason = new CommandError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");

const HELP = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill the connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections matching every filter given. Filters are:",
  "    * ID <client-id>",
  "      The connection with this ID.",
  "    * ADDR <ip:port>",
  "      Connections made from this address.",
  "    * LADDR <ip:port>",
  "      Connections made to this local address.",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Connections of this type.",
  "    * USER <username>",
  "      Connections authenticated as this user.",
  "    * SKIPME (YES|NO)",
  "      Whether to spare the current connection (default: yes).",
  "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <client-id> [<client-id> ...]]",
  "    Return information about client connections.",
  "SETINFO (LIB-NAME|LIB-VER) <value>",
  "    Record the client library's name or version for CLIENT LIST.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "HELP",
  "    Print this help.",
];

/** Shared by every CLIENT subcommand spec. */
const SUB = {
  keys: NO_KEYS,
  group: "connection",
} as const;

export const clientCommands: CommandSpec[] = [
  {
    name: "client",
    arity: -2,
    flags: [],
    keys: NO_KEYS,
    group: "connection",
    summary: "A container for client connection commands.",
    since: "2.4.0",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        ...SUB,
        name: "client|id",
        arity: 2,
        flags: ["noscript", "loading", "stale"],
        summary: "Returns the unique client ID of the connection.",
        since: "5.0.0",
        complexity: "O(1)",
        handler(ctx) {
          ctx.out.integer(ctx.session.id);
        },
      },
      {
        ...SUB,
        name: "client|info",
        arity: 2,
        flags: ["noscript", "loading", "stale"],
        summary: "Returns information about the connection.",
        tips: ["nondeterministic_output"],
        since: "6.2.0",
        complexity: "O(1)",
        handler(ctx) {
          ctx.out.verbatim(
            clientInfoLine(ctx.session, ctx.now, ctx.store.dbName(ctx.session.db)) + "\n",
          );
        },
      },
      {
        ...SUB,
        name: "client|getname",
        arity: 2,
        flags: ["noscript", "loading", "stale"],
        summary: "Returns the name of the connection.",
        since: "2.6.9",
        complexity: "O(1)",
        handler(ctx) {
          if (ctx.session.name === "") ctx.out.nil();
          else ctx.out.bulk(ctx.session.name);
        },
      },
      {
        ...SUB,
        name: "client|setname",
        arity: 3,
        flags: ["noscript", "loading", "stale"],
        summary: "Sets the connection name.",
        since: "2.6.9",
        complexity: "O(1)",
        args: [{ name: "connection-name", type: "string" }],
        handler(ctx, argv) {
          if (!isPrintableToken(argv[2])) throw Errors.clientName;
          ctx.session.name = argv[2];
          ctx.out.ok();
        },
      },
      {
        ...SUB,
        name: "client|setinfo",
        arity: 4,
        flags: ["noscript", "loading", "stale"],
        summary: "Sets information specific to the client or connection.",
        since: "7.2.0",
        complexity: "O(1)",
        args: [{
          name: "attr",
          type: "oneof",
          arguments: [
            { name: "libname", type: "string", token: "LIB-NAME" },
            { name: "libver", type: "string", token: "LIB-VER" },
          ],
        }],
        handler: setInfo,
      },
      {
        ...SUB,
        name: "client|list",
        arity: -2,
        flags: ["admin", "noscript", "loading", "stale"],
        summary: "Lists open connections.",
        tips: ["nondeterministic_output"],
        since: "2.4.0",
        complexity: "O(N) where N is the number of client connections",
        args: [
          {
            name: "client-type",
            type: "oneof",
            token: "TYPE",
            flags: ["optional"],
            arguments: [
              { name: "normal", type: "pure-token", token: "NORMAL" },
              { name: "master", type: "pure-token", token: "MASTER" },
              { name: "replica", type: "pure-token", token: "REPLICA" },
              { name: "pubsub", type: "pure-token", token: "PUBSUB" },
            ],
          },
          {
            name: "client-id",
            type: "integer",
            token: "ID",
            flags: ["optional", "multiple"],
          },
        ],
        handler: list,
      },
      {
        ...SUB,
        name: "client|kill",
        arity: -3,
        flags: ["admin", "noscript", "loading", "stale"],
        summary: "Terminates open connections.",
        since: "2.4.0",
        complexity: "O(N) where N is the number of client connections",
        args: [{
          name: "filter",
          type: "oneof",
          arguments: [
            { name: "ip:port", type: "string" },
            {
              name: "new-format",
              type: "oneof",
              flags: ["multiple"],
              arguments: [
                { name: "client-id", type: "integer", token: "ID", flags: ["optional"] },
                {
                  name: "client-type",
                  type: "oneof",
                  token: "TYPE",
                  flags: ["optional"],
                  arguments: [
                    { name: "normal", type: "pure-token", token: "NORMAL" },
                    { name: "master", type: "pure-token", token: "MASTER" },
                    { name: "slave", type: "pure-token", token: "SLAVE" },
                    { name: "replica", type: "pure-token", token: "REPLICA" },
                    { name: "pubsub", type: "pure-token", token: "PUBSUB" },
                  ],
                },
                { name: "username", type: "string", token: "USER", flags: ["optional"] },
                { name: "ip:port", type: "string", token: "ADDR", flags: ["optional"] },
                { name: "ip:port", type: "string", token: "LADDR", flags: ["optional"] },
                {
                  name: "skipme",
                  type: "oneof",
                  token: "SKIPME",
                  flags: ["optional"],
                  arguments: [
                    { name: "yes", type: "pure-token", token: "YES" },
                    { name: "no", type: "pure-token", token: "NO" },
                  ],
                },
              ],
            },
          ],
        }],
        handler: killClients,
      },
      {
        ...SUB,
        name: "client|unblock",
        arity: -3,
        flags: ["admin", "noscript", "loading", "stale"],
        summary: "Unblock a client blocked in a blocking command from a different connection.",
        since: "5.0.0",
        complexity: "O(log N) where N is the number of client connections",
        args: [
          { name: "client-id", type: "integer" },
          {
            name: "unblock-type",
            type: "oneof",
            flags: ["optional"],
            arguments: [
              { name: "timeout", type: "pure-token", token: "TIMEOUT" },
              { name: "error", type: "pure-token", token: "ERROR" },
            ],
          },
        ],
        handler: unblockClient,
      },
      helpSubcommand("client", "connection", "5.0.0", HELP),
    ],
  },
];
