/**
 * The pub/sub hub: who listens to which channel, pattern and shard channel, and delivery of
 * messages (PUBLISH, SPUBLISH, keyspace events). Owned by the store actor, like the data.
 *
 * Delivery writes each message straight into the subscriber's reply buffer (`session.out`) in
 * the order commands run (a lone subscriber's frame is deferred there, encoded only when the
 * buffer is read or written again: after the publishers' replies leave), so a subscriber sees
 * its own replies and its messages interleaved as they happened, and one publisher's messages
 * in publish order. Nothing written there leaves
 * before the round is released: the actor runs the round, makes it durable (afterRound), then
 * flushes the sessions that ran commands (the publishers' replies first) and, through
 * {@linkcode PubSubHub.released}, the subscribers that only received messages.
 *
 * A subscriber whose waiting output passes the pubsub class's hard limit is cut off at once:
 * its buffer is dropped, nothing more is written to it, and its connection closes at release.
 * So a subscriber that never reads costs a bounded amount of memory and never slows a publisher.
 */
import type { Session } from "../commands/session.ts";
import type { Config } from "../config/settings.ts";
import type { ReplyWriter } from "../protocol/reply_writer.ts";
import { globMatch } from "../store/glob.ts";
import { KeyMap } from "../store/key_map.ts";
import { ClientSubscriptions, type Namespace } from "./client_subscriptions.ts";
import {
  FOUR_ITEMS,
  type FrameHeader,
  MESSAGE_HEAD,
  MessageFrames,
  THREE_ITEMS,
} from "./message_frames.ts";

export type { Namespace };

/** Frames above this size leave the encoder's buffer grown; it is shrunk after delivery. */
const LARGE_FRAME_BYTES = 64 * 1024;

export class PubSubHub {
  /** KeyMaps: PUBLISH's channel comes fresh off the wire (see store/key_hash.ts). */
  readonly #subscribers: Record<Namespace, KeyMap<Set<Session>>> = {
    channel: new KeyMap(),
    pattern: new KeyMap(),
    shard: new KeyMap(),
  };
  readonly #config: Config;
  readonly #frames = new MessageFrames();
  /** Sessions written to since the last release, each once. */
  #touched: Session[] = [];
  /**
   * Called with the place of each withdrawable message written into a subscriber's buffer, so a
   * round the log fails to make durable can take its events back (see embedded/store.ts).
   */
  onEventWritten: ((out: ReplyWriter, start: number, end: number) => void) | null = null;

  constructor(config: Config) {
    this.#config = config;
  }

  /** Whether anyone listens at all (keyspace events are not even named otherwise). */
  get hasListeners(): boolean {
    return this.#subscribers.channel.size !== 0 || this.#subscribers.pattern.size !== 0;
  }

  /** Subscribes `session` to `name`; false when it already was. */
  add(session: Session, namespace: Namespace, name: string): boolean {
    const state = session.pubsub ??= new ClientSubscriptions();
    const own = state.names(namespace);
    if (own.has(name)) return false;
    own.add(name);
    const map = this.#subscribers[namespace];
    const sessions = map.get(name);
    if (sessions === undefined) map.set(name, new Set([session]));
    else sessions.add(session);
    return true;
  }

  /** Unsubscribes `session` from `name`; false when it was not subscribed. */
  remove(session: Session, namespace: Namespace, name: string): boolean {
    const state = session.pubsub;
    if (state === null || !state.names(namespace).delete(name)) return false;
    const map = this.#subscribers[namespace];
    const sessions = map.get(name)!;
    sessions.delete(session);
    if (sessions.size === 0) map.delete(name);
    return true;
  }

  /** Drops every subscription of `session` without a word to it (RESET, disconnect). */
  removeAll(session: Session): void {
    const state = session.pubsub;
    if (state === null) return;
    for (const namespace of ["channel", "pattern", "shard"] as const) {
      for (const name of [...state.names(namespace)]) this.remove(session, namespace, name);
    }
  }

  /** A session's close hook (disconnect, RESET): leaves everything, silently. */
  readonly forget = (session: Session): void => this.removeAll(session);

  /**
   * PUBLISH: delivers to the channel's subscribers, then to every matching pattern's, and
   * returns how many deliveries there were (a client reached twice counts twice, as in Redis).
   * `withdrawable` marks what a round the log refuses takes back: keyspace events, and
   * messages published inside MULTI/EXEC (a refused round refuses its EXEC whole).
   */
  publish(channel: string, payload: string, withdrawable = false): number {
    let receivers = 0;
    const subscribers = this.#subscribers.channel.get(channel);
    if (subscribers !== undefined) {
      if (subscribers.size === 1) {
        // One receiver: encode the frame straight into its output, not once and then copy it.
        for (const session of subscribers) {
          this.#deliverMessage(session, channel, payload, withdrawable);
        }
      } else {
        const body = this.#frames.body("message", channel, payload);
        for (const session of subscribers) this.#deliver(session, THREE_ITEMS, body, withdrawable);
      }
      receivers += subscribers.size;
    }
    const patterns = this.#subscribers.pattern;
    if (patterns.size !== 0) {
      for (const [pattern, sessions] of patterns) {
        if (!globMatch(pattern, channel)) continue;
        const body = this.#frames.patternBody(pattern, channel, payload);
        for (const session of sessions) this.#deliver(session, FOUR_ITEMS, body, withdrawable);
        receivers += sessions.size;
      }
    }
    if (payload.length + channel.length > LARGE_FRAME_BYTES) this.#frames.shrink();
    return receivers;
  }

  /** SPUBLISH: delivers to the shard channel's subscribers only (patterns never see it). */
  publishShard(channel: string, payload: string, withdrawable = false): number {
    const subscribers = this.#subscribers.shard.get(channel);
    if (subscribers === undefined) return 0;
    const body = this.#frames.body("smessage", channel, payload);
    for (const session of subscribers) this.#deliver(session, THREE_ITEMS, body, withdrawable);
    if (payload.length + channel.length > LARGE_FRAME_BYTES) this.#frames.shrink();
    return subscribers.size;
  }

  /** Names with at least one subscriber in `namespace`, those matching `pattern` if given. */
  activeNames(namespace: "channel" | "shard", pattern: string | null): string[] {
    const names: string[] = [];
    for (const name of this.#subscribers[namespace].keys()) {
      if (pattern === null || globMatch(pattern, name)) names.push(name);
    }
    return names;
  }

  /** How many clients are subscribed to `name` in `namespace`. */
  subscriberCount(namespace: "channel" | "shard", name: string): number {
    return this.#subscribers[namespace].get(name)?.size ?? 0;
  }

  /** How many distinct names have subscribers (INFO pubsub_channels, PUBSUB NUMPAT, ...). */
  nameCount(namespace: Namespace): number {
    return this.#subscribers[namespace].size;
  }

  /** Whether a message was queued for a subscriber since the last {@linkcode takeTouched}. */
  get touchedAny(): boolean {
    return this.#touched.length !== 0;
  }

  /**
   * The subscribers written to since the last call (the round being sealed): their output up to
   * here leaves when that round is released (see round_output.ts).
   */
  takeTouched(): readonly Session[] {
    const touched = this.#touched;
    if (touched.length === 0) return touched;
    this.#touched = [];
    for (const session of touched) session.pubsub!.awaitingRelease = false;
    return touched;
  }

  #deliver(session: Session, header: FrameHeader, body: Uint8Array, withdrawable: boolean): void {
    const state = session.pubsub!;
    if (state.cutOff) return;
    const head = header[session.protocol];
    if (session.inTransaction) {
      // The subscriber published inside its own EXEC: the message follows EXEC's reply.
      const frame = new Uint8Array(head.length + body.length);
      frame.set(head);
      frame.set(body, head.length);
      (session.heldPushes ??= []).push(frame);
      return;
    }
    const out = session.out;
    const start = out.length;
    out.raw(head);
    out.raw(body);
    this.#delivered(session, start, withdrawable);
  }

  /** A `message` frame for `session`, encoded in its output (see {@linkcode #deliver}). */
  #deliverMessage(session: Session, channel: string, payload: string, withdrawable: boolean): void {
    if (session.pubsub!.cutOff) return;
    if (session.inTransaction) {
      this.#deliver(
        session,
        THREE_ITEMS,
        this.#frames.body("message", channel, payload),
        withdrawable,
      );
      return;
    }
    const out = session.out;
    const start = out.length;
    // Encoded when the round's output is handed over, after the publishers' replies (see
    // ReplyWriter.deferMessage); a withdrawable event is written now, where a refused round can
    // find it, and so is anything for an in-process caller's kept reply.
    if (withdrawable || out.capturing) {
      out.raw(MESSAGE_HEAD[session.protocol]);
      out.bulk(channel);
      out.bulk(payload);
    } else out.deferMessage(MESSAGE_HEAD[session.protocol], channel, payload);
    this.#delivered(session, start, withdrawable);
  }

  /** After a frame was written to `session`'s output from `start`: its release and limit. */
  #delivered(session: Session, start: number, withdrawable: boolean): void {
    const state = session.pubsub!;
    const out = session.out;
    if (withdrawable && this.onEventWritten !== null) this.onEventWritten(out, start, out.length);
    if (!state.awaitingRelease) {
      state.awaitingRelease = true;
      // Its output now holds what only the round's durability may reveal: no early release.
      session.waitsForRound = true;
      this.#touched.push(session);
    }
    const hard = this.#config.outputLimits.pubsub.hardBytes;
    if (hard > 0 && out.length + session.stats.queuedOutputBytes > hard) {
      state.cutOff = true;
      out.discard();
      out.onOverLimit?.(); // the connection closes it when the round is released
    }
  }
}
