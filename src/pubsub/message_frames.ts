/**
 * The frames a subscriber receives, encoded once per message and copied into each subscriber's
 * reply buffer (with one subscriber, straight into its buffer). A frame is a header (`*3` in
 * RESP2, `>3` push in RESP3) and a body that is the same bytes in both protocols (bulk strings),
 * so the body is encoded once for everyone.
 */
import { ReplyWriter } from "../protocol/reply_writer.ts";

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** A frame header per protocol: index 2 for RESP2, 3 for RESP3. */
export interface FrameHeader {
  2: Uint8Array;
  3: Uint8Array;
}

/** `message` and `smessage` frames have three items. */
export const THREE_ITEMS: FrameHeader = { 2: ascii("*3\r\n"), 3: ascii(">3\r\n") };
/**
 * A `message` frame's header and kind, to be followed by the channel and the payload: a message
 * for one subscriber is encoded straight into its buffer.
 */
export const MESSAGE_HEAD: FrameHeader = {
  2: ascii("*3\r\n$7\r\nmessage\r\n"),
  3: ascii(">3\r\n$7\r\nmessage\r\n"),
};
/** `pmessage` frames have four: the pattern comes before the channel. */
export const FOUR_ITEMS: FrameHeader = { 2: ascii("*4\r\n"), 3: ascii(">4\r\n") };

export class MessageFrames {
  readonly #scratch = new ReplyWriter();

  /**
   * The body of a `message` or `smessage` frame. The bytes are valid until the next call:
   * copy them (ReplyWriter.raw) before encoding another.
   */
  body(kind: "message" | "smessage", channel: string, payload: string): Uint8Array {
    const out = this.#scratch;
    out.truncate(0);
    out.bulk(kind);
    out.bulk(channel);
    out.bulk(payload);
    return out.peek();
  }

  /** The body of a `pmessage` frame; valid until the next call, as {@linkcode body}. */
  patternBody(pattern: string, channel: string, payload: string): Uint8Array {
    const out = this.#scratch;
    out.truncate(0);
    out.bulk("pmessage");
    out.bulk(pattern);
    out.bulk(channel);
    out.bulk(payload);
    return out.peek();
  }

  /** Lets go of a buffer grown for a large message, once it is delivered. */
  shrink(): void {
    this.#scratch.discard();
  }
}
