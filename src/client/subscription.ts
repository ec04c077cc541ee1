/**
 * Pub/sub for the client: a {@linkcode Subscription} is an async iterator of the messages of
 * the channels (or patterns, or shard channels) it was made for. Leaving the `for await` loop,
 * `unsubscribe()`, or `await using` ends it and unsubscribes from the names no other
 * subscription on the connection still uses.
 *
 * Messages wait in the subscription until read, up to a limit (`bufferLimit`); a subscription
 * whose reader falls that far behind fails (the next read throws) and unsubscribes, so an
 * unread subscription never grows without bound.
 */
import { latin1ToBytes, latin1ToUtf8 } from "../protocol/latin1.ts";
import type { Push } from "./resp_decoder.ts";

/** Which names a subscription listens to: channels, patterns or shard channels. */
export type SubscriptionKind = "channel" | "pattern" | "shard";

/** One message received. */
export interface PubSubMessage {
  /** `message` (a channel), `pmessage` (through a pattern) or `smessage` (a shard channel). */
  kind: "message" | "pmessage" | "smessage";
  /** The channel it was published to, as UTF-8 text. */
  channel: string;
  /** For `pmessage`, the pattern that matched, as UTF-8 text. */
  pattern?: string;
  /** The message as UTF-8 text. */
  message: string;
  /** The message's exact bytes (for binary payloads). */
  bytes: Uint8Array;
}

/** Messages a subscription holds for its reader by default before it fails. */
export const DEFAULT_BUFFER_LIMIT = 10_000;

/** What a subscription needs from its connection. */
export interface SubscriptionHost {
  /** Unsubscribes `subscription` from the names only it uses; resolves once confirmed. */
  release(subscription: Subscription): Promise<void>;
}

/**
 * Live messages of some channels, patterns or shard channels. Get one from
 * `client.subscribe`, `client.psubscribe` or `client.ssubscribe`.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * const client = await connect({ port: 8080 });
 * for await (const { channel, message } of await client.subscribe("news")) {
 *   console.log(channel, message);
 *   if (message === "stop") break; // unsubscribes
 * }
 * client.close();
 * ```
 */
export class Subscription implements AsyncIterableIterator<PubSubMessage>, AsyncDisposable {
  /** Whether this subscription is to channels, patterns or shard channels. */
  readonly kind: SubscriptionKind;
  /** The names still subscribed to (the server may drop some: UNSUBSCRIBE, RESET). */
  readonly names: Set<string>;
  readonly #host: SubscriptionHost;
  readonly #bufferLimit: number;
  #queue: PubSubMessage[] = [];
  #waiting: {
    resolve(result: IteratorResult<PubSubMessage>): void;
    reject(error: unknown): void;
  } | null = null;
  #ended = false;
  #failure: unknown = null;
  #leaving: Promise<void> | null = null;

  /** Made by the client's `subscribe`, `psubscribe` and `ssubscribe`. */
  constructor(
    host: SubscriptionHost,
    kind: SubscriptionKind,
    names: string[],
    bufferLimit = DEFAULT_BUFFER_LIMIT,
  ) {
    this.#host = host;
    this.kind = kind;
    this.names = new Set(names);
    this.#bufferLimit = bufferLimit;
  }

  /** Whether the subscription has ended (nothing more will arrive). */
  get ended(): boolean {
    return this.#ended;
  }

  /** The next message; `done` once the subscription has ended. */
  next(): Promise<IteratorResult<PubSubMessage>> {
    const message = this.#queue.shift();
    if (message !== undefined) return Promise.resolve({ value: message, done: false });
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#waiting = { resolve, reject });
  }

  /** Leaving a `for await` loop unsubscribes. */
  async return(): Promise<IteratorResult<PubSubMessage>> {
    await this.unsubscribe();
    return { value: undefined, done: true };
  }

  /** The subscription is its own async iterator. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** `await using` unsubscribes when the block ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.unsubscribe();
  }

  /**
   * Ends the subscription: unsubscribes from the names no other subscription on the connection
   * uses and resolves once the server confirmed. Messages already received can still be read.
   */
  unsubscribe(): Promise<void> {
    this.#leaving ??= this.#host.release(this).catch(() => {}).finally(() => this.end());
    return this.#leaving;
  }

  /** Called by the connection with each message for one of this subscription's names. */
  deliver(push: Push): void {
    if (this.#ended) return;
    const message = toMessage(push);
    if (this.#waiting !== null) {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting.resolve({ value: message, done: false });
      return;
    }
    if (this.#queue.length >= this.#bufferLimit) {
      this.end(
        new Error(
          `Subscription fell behind: ${this.#bufferLimit} messages unread (bufferLimit); ` +
            "it was unsubscribed",
        ),
      );
      this.#leaving ??= this.#host.release(this).catch(() => {});
      return;
    }
    this.#queue.push(message);
  }

  /** Nothing more will arrive: the reader gets what is queued, then `done` (or `error`). */
  end(error: unknown = null): void {
    if (this.#ended) return;
    this.#ended = true;
    if (error !== null) {
      this.#failure = error;
      this.#queue = [];
    }
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting === null) return;
    if (error !== null) waiting.reject(error);
    else waiting.resolve({ value: undefined, done: true });
  }
}

function toMessage(push: Push): PubSubMessage {
  const kind = String(push[0]).toLowerCase() as PubSubMessage["kind"];
  const raw = (i: number) => String(push[i] ?? "");
  if (kind === "pmessage") {
    return {
      kind,
      pattern: latin1ToUtf8(raw(1)),
      channel: latin1ToUtf8(raw(2)),
      message: latin1ToUtf8(raw(3)),
      bytes: latin1ToBytes(raw(3)),
    };
  }
  return {
    kind,
    channel: latin1ToUtf8(raw(1)),
    message: latin1ToUtf8(raw(2)),
    bytes: latin1ToBytes(raw(2)),
  };
}
