/**
 * What a handler sees: the client's session and reply writer, its selected database, the time
 * of this command, and the shared store and server. The dispatcher fills in one context per
 * command (reusing one object, since the actor runs one command at a time).
 */
import type { ReplyWriter } from "../protocol/reply_writer.ts";
import type { Databases } from "../store/databases.ts";
import type { Keyspace } from "../store/keyspace.ts";
import type { PubSubHub } from "../pubsub/hub.ts";
import type { CommandStats } from "./command_stats.ts";
import type { Observability } from "./observability.ts";
import type { Registry } from "./registry.ts";
import type { ServerControl } from "./server_control.ts";
import type { Session } from "./session.ts";
import type { Transactions } from "../tx/transactions.ts";
import type { Blocking } from "./blocking.ts";
import type { AccessControl } from "../security/access_control.ts";

export interface CommandContext {
  session: Session;
  out: ReplyWriter;
  /** The client's selected database. */
  db: Keyspace;
  /** Unix ms, read once per command. */
  now: number;
  readonly store: Databases;
  readonly server: ServerControl;
  readonly registry: Registry;
  readonly stats: CommandStats;
  /** MULTI/EXEC, WATCH and BEGIN/COMMIT state (src/tx/). */
  readonly transactions: Transactions;
  /** Clients waiting in blocking commands (BLPOP, ...). */
  readonly blocking: Blocking;
  /** Users, AUTH and ACL rules (src/security/). */
  readonly acl: AccessControl;
  /** Pub/sub subscriptions and delivery (src/pubsub/hub.ts). */
  readonly pubsub: PubSubHub;
  /** Slow log, latency monitor, MONITOR feed and rates. */
  readonly observability: Observability;
  /**
   * Raises a keyspace event for `key` in the selected database (notify-keyspace-events):
   * `eventClass` from store/events.ts, `name` as Redis names it (`set`, `hset`, `lpush`,
   * `rename_from`, ...). Free when nobody listens.
   */
  notify(eventClass: number, name: string, key: string): void;
}
