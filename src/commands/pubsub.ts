/**
 * Pub/sub commands, as Redis 7.0 answers them: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their
 * UNSUBSCRIBE forms (one confirmation frame per name, a push in RESP3), PUBLISH and SPUBLISH
 * (the number of receivers), and PUBSUB CHANNELS/NUMSUB/NUMPAT/SHARDCHANNELS/SHARDNUMSUB/HELP.
 * Subscriptions live in the hub (src/pubsub/hub.ts); the RESP2 "subscribed context" is a gate
 * (see {@linkcode pubsubContextGate}).
 */
import type { CommandContext } from "./context.ts";
import type { Gate } from "./gates.ts";
import type { Session } from "./session.ts";
import type { ArgDoc, ChannelSpec, CommandSpec } from "./spec.ts";
import { helpSubcommand, NO_KEYS } from "./spec.ts";
import {
  channelNameTooLong,
  notInSubscribedContext,
  subcommandSyntax,
  tooManySubscriptions,
} from "./errors.ts";
import type { Namespace } from "../pubsub/hub.ts";

/** The words of one kind of subscription, as its confirmation frames name it. */
interface Kind {
  namespace: Namespace;
  subscribe: string;
  unsubscribe: string;
}

const CHANNELS: Kind = { namespace: "channel", subscribe: "subscribe", unsubscribe: "unsubscribe" };
const PATTERNS: Kind = {
  namespace: "pattern",
  subscribe: "psubscribe",
  unsubscribe: "punsubscribe",
};
const SHARD: Kind = { namespace: "shard", subscribe: "ssubscribe", unsubscribe: "sunsubscribe" };

/**
 * Whether `session` is in Redis's RESP2 subscribed context: it has a subscription of any kind
 * and speaks RESP2, so it may only run the commands of {@linkcode ALLOWED_IN_CONTEXT}.
 */
export function inSubscribedContext(session: Session): boolean {
  return session.protocol === 2 && session.pubsub !== null && session.pubsub.total > 0;
}

const ALLOWED_IN_CONTEXT = new Set([
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "ping",
  "quit",
  "reset",
]);

/** The RESP2 subscribed context's check, with Redis's text naming the refused command. */
export const pubsubContextGate: Gate = (session, spec) => {
  if (!inSubscribedContext(session) || ALLOWED_IN_CONTEXT.has(spec.name)) return null;
  return notInSubscribedContext(spec.name);
};

/** The count a confirmation carries: channels and patterns together, shard channels apart. */
function subscriptionCount(session: Session, kind: Kind): number {
  const state = session.pubsub;
  if (state === null) return 0;
  return kind === SHARD ? state.shardChannels.size : state.count;
}

function confirm(ctx: CommandContext, word: string, name: string | null, count: number): void {
  const out = ctx.out;
  out.pushHeader(3);
  out.bulk(word);
  if (name === null) out.nil();
  else out.bulk(name);
  out.integer(count);
}

/**
 * SUBSCRIBE and friends. Every name is checked against max-channel and the client's total
 * against max-subscriptions before anything changes, so a refused command subscribes to none.
 */
function subscribe(ctx: CommandContext, argv: string[], kind: Kind): void {
  const session = ctx.session;
  const config = ctx.server.config;
  const names = argv.slice(1);
  const fresh = new Set<string>();
  for (const name of names) {
    if (name.length > config.maxChannelBytes) throw channelNameTooLong(config.maxChannelBytes);
    if (session.pubsub?.names(kind.namespace).has(name) !== true) fresh.add(name);
  }
  const total = session.pubsub?.total ?? 0;
  if (total + fresh.size > config.maxSubscriptions) {
    throw tooManySubscriptions(config.maxSubscriptions);
  }
  const hub = ctx.pubsub;
  for (const name of names) {
    hub.add(session, kind.namespace, name);
    confirm(ctx, kind.subscribe, name, subscriptionCount(session, kind));
  }
  session.onClose(hub.forget);
  session.addGateReason(inSubscribedContext);
}

/**
 * UNSUBSCRIBE and friends: the names given (subscribed or not), or with none every
 * subscription of the kind; with none to leave, one confirmation with a null name.
 */
function unsubscribe(ctx: CommandContext, argv: string[], kind: Kind): void {
  const session = ctx.session;
  const hub = ctx.pubsub;
  let names = argv.slice(1);
  if (names.length === 0) {
    names = [...(session.pubsub?.names(kind.namespace) ?? [])];
    if (names.length === 0) {
      confirm(ctx, kind.unsubscribe, null, subscriptionCount(session, kind));
      return;
    }
  }
  for (const name of names) {
    hub.remove(session, kind.namespace, name);
    confirm(ctx, kind.unsubscribe, name, subscriptionCount(session, kind));
  }
  session.updateGated();
}

/** PUBSUB CHANNELS and SHARDCHANNELS: active names, optionally only those matching a pattern. */
function activeChannels(ctx: CommandContext, argv: string[], namespace: "channel" | "shard") {
  if (argv.length > 3) throw subcommandSyntax(argv[1], argv[0]);
  const names = ctx.pubsub.activeNames(namespace, argv.length === 3 ? argv[2] : null);
  ctx.out.arrayHeader(names.length);
  for (const name of names) ctx.out.bulk(name);
}

/** PUBSUB NUMSUB and SHARDNUMSUB: each name followed by its subscriber count, flat. */
function subscriberCounts(ctx: CommandContext, argv: string[], namespace: "channel" | "shard") {
  ctx.out.arrayHeader((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    ctx.out.bulk(argv[i]);
    ctx.out.integer(ctx.pubsub.subscriberCount(namespace, argv[i]));
  }
}

const HELP = [
  "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
  "HELP",
  "    Prints this help.",
];

const CHANNEL_LIST: ArgDoc[] = [{ name: "channel", type: "string", flags: ["multiple"] }];
const PATTERN_LIST: ArgDoc[] = [{ name: "pattern", type: "pattern", flags: ["multiple"] }];
const SHARD_LIST: ArgDoc[] = [{ name: "shardchannel", type: "string", flags: ["multiple"] }];
const optional = (args: ArgDoc[]): ArgDoc[] =>
  args.map((a) => ({ ...a, flags: ["optional", "multiple"] }));

/** Which arguments are channels and what the command does with them (ACL `&` rules). */
function channelArgs(...flags: ChannelSpec["flags"]): ChannelSpec {
  const onlyFirst = flags.includes("publish");
  return { first: 1, last: onlyFirst ? 1 : -1, step: 1, flags };
}

/**
 * Shard channels are placed like keys for cluster routing (COMMAND GETKEYS lists them), with
 * Redis's `not_key` flag: ACL key rules skip them, the channel rules judge them.
 */
const SHARD_KEYS: Partial<CommandSpec> = { keys: [1, -1, 1], keyFlags: ["not_key"] };

/** Fields every (un)subscribe spec shares. */
function subscriptionSpec(
  name: string,
  arity: number,
  summary: string,
  since: string,
  complexity: string,
  args: ArgDoc[],
  handler: CommandSpec["handler"],
  channels: ChannelSpec,
  shard = false,
): CommandSpec {
  return {
    name,
    arity,
    flags: ["pubsub", "noscript", "loading", "stale"],
    keys: NO_KEYS,
    ...(shard ? SHARD_KEYS : {}),
    channels,
    group: "pubsub",
    summary,
    since,
    complexity,
    args,
    handler,
  };
}

const PUBSUB_SUB = { keys: NO_KEYS, group: "pubsub" } as const;

export const pubsubCommands: CommandSpec[] = [
  subscriptionSpec(
    "subscribe",
    -2,
    "Listens for messages published to channels.",
    "2.0.0",
    "O(N) where N is the number of channels to subscribe to.",
    CHANNEL_LIST,
    (ctx, argv) => subscribe(ctx, argv, CHANNELS),
    channelArgs("subscribe"),
  ),
  subscriptionSpec(
    "unsubscribe",
    -1,
    "Stops listening to messages posted to channels.",
    "2.0.0",
    "O(N) where N is the number of clients already subscribed to a channel.",
    optional(CHANNEL_LIST),
    (ctx, argv) => unsubscribe(ctx, argv, CHANNELS),
    channelArgs("unsubscribe"),
  ),
  subscriptionSpec(
    "psubscribe",
    -2,
    "Listens for messages published to channels that match one or more patterns.",
    "2.0.0",
    "O(N) where N is the number of patterns the client is already subscribed to.",
    PATTERN_LIST,
    (ctx, argv) => subscribe(ctx, argv, PATTERNS),
    channelArgs("subscribe", "pattern"),
  ),
  subscriptionSpec(
    "punsubscribe",
    -1,
    "Stops listening to messages published to channels that match one or more patterns.",
    "2.0.0",
    "O(N+M) where N is the number of patterns the client is already subscribed and M is the " +
      "number of total patterns subscribed in the system (by any client).",
    optional(PATTERN_LIST),
    (ctx, argv) => unsubscribe(ctx, argv, PATTERNS),
    channelArgs("unsubscribe", "pattern"),
  ),
  subscriptionSpec(
    "ssubscribe",
    -2,
    "Listens for messages published to shard channels.",
    "7.0.0",
    "O(N) where N is the number of shard channels to subscribe to.",
    SHARD_LIST,
    (ctx, argv) => subscribe(ctx, argv, SHARD),
    channelArgs("subscribe"),
    true,
  ),
  subscriptionSpec(
    "sunsubscribe",
    -1,
    "Stops listening to messages posted to shard channels.",
    "7.0.0",
    "O(N) where N is the number of clients already subscribed to a shard channel.",
    optional(SHARD_LIST),
    (ctx, argv) => unsubscribe(ctx, argv, SHARD),
    channelArgs("unsubscribe"),
    true,
  ),
  {
    name: "publish",
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast"],
    keys: NO_KEYS,
    channels: channelArgs("publish"),
    group: "pubsub",
    summary: "Posts a message to a channel.",
    since: "2.0.0",
    complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel " +
      "and M is the total number of subscribed patterns (by any client).",
    args: [{ name: "channel", type: "string" }, { name: "message", type: "string" }],
    handler(ctx, argv) {
      // Inside MULTI/EXEC the messages go with the EXEC if its round is refused.
      ctx.out.integer(ctx.pubsub.publish(argv[1], argv[2], ctx.session.inTransaction));
    },
  },
  {
    name: "spublish",
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["not_key"],
    channels: channelArgs("publish"),
    group: "pubsub",
    summary: "Post a message to a shard channel",
    since: "7.0.0",
    complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
    args: [{ name: "shardchannel", type: "string" }, { name: "message", type: "string" }],
    handler(ctx, argv) {
      ctx.out.integer(ctx.pubsub.publishShard(argv[1], argv[2], ctx.session.inTransaction));
    },
  },
  {
    name: "pubsub",
    arity: -2,
    flags: [],
    keys: NO_KEYS,
    group: "pubsub",
    summary: "A container for Pub/Sub commands.",
    since: "2.8.0",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        ...PUBSUB_SUB,
        name: "pubsub|channels",
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        summary: "Returns the active channels.",
        since: "2.8.0",
        complexity: "O(N) where N is the number of active channels, and assuming constant " +
          "time pattern matching (relatively short channels and patterns)",
        args: [{ name: "pattern", type: "pattern", flags: ["optional"] }],
        handler: (ctx, argv) => activeChannels(ctx, argv, "channel"),
      },
      {
        ...PUBSUB_SUB,
        name: "pubsub|numsub",
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        summary: "Returns a count of subscribers to channels.",
        since: "2.8.0",
        complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
        args: optional(CHANNEL_LIST),
        handler: (ctx, argv) => subscriberCounts(ctx, argv, "channel"),
      },
      {
        ...PUBSUB_SUB,
        name: "pubsub|numpat",
        arity: 2,
        flags: ["pubsub", "loading", "stale"],
        summary: "Returns a count of unique pattern subscriptions.",
        since: "2.8.0",
        complexity: "O(1)",
        handler(ctx) {
          ctx.out.integer(ctx.pubsub.nameCount("pattern"));
        },
      },
      {
        ...PUBSUB_SUB,
        name: "pubsub|shardchannels",
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        summary: "Returns the active shard channels.",
        since: "7.0.0",
        complexity: "O(N) where N is the number of active shard channels, and assuming " +
          "constant time pattern matching (relatively short shard channels).",
        args: [{ name: "pattern", type: "pattern", flags: ["optional"] }],
        handler: (ctx, argv) => activeChannels(ctx, argv, "shard"),
      },
      {
        ...PUBSUB_SUB,
        name: "pubsub|shardnumsub",
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        summary: "Returns the count of subscribers of shard channels.",
        since: "7.0.0",
        complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested " +
          "shard channels",
        args: optional(SHARD_LIST),
        handler: (ctx, argv) => subscriberCounts(ctx, argv, "shard"),
      },
      // PUBSUB HELP is only @slow in Redis, not @pubsub.
      { ...helpSubcommand("pubsub", "pubsub", "6.2.0", HELP), groupCategory: false },
    ],
  },
];
