/**
 * One client's pub/sub state: the channels, patterns and shard channels it listens to, kept
 * beside the hub's maps (hub.ts) so that CLIENT LIST, the reply counts and RESET read it
 * without searching.
 */
/** The three kinds of subscription; each has its own names (a shard channel `a` is not `a`). */
export type Namespace = "channel" | "pattern" | "shard";

export class ClientSubscriptions {
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();
  /** Messages were written to the client's output this round (the hub flushes it at release). */
  awaitingRelease = false;
  /** Past its output limit: nothing more is written to it and it is being disconnected. */
  cutOff = false;

  /** The names subscribed to in `namespace`. */
  names(namespace: Namespace): Set<string> {
    if (namespace === "channel") return this.channels;
    if (namespace === "pattern") return this.patterns;
    return this.shardChannels;
  }

  /** Channels plus patterns: the count SUBSCRIBE and PSUBSCRIBE confirmations carry. */
  get count(): number {
    return this.channels.size + this.patterns.size;
  }

  /** Every subscription, shard channels included: the client is in pub/sub mode while > 0. */
  get total(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }
}
