/**
 * A pub/sub load: one publisher sends `messages` PUBLISH commands to one channel, pipelined
 * `window` at a time, while `subscribers` connections subscribed to it read everything. Timed
 * from the first PUBLISH to the last byte at the last subscriber: messages delivered per
 * second is messages x subscribers / that time.
 *
 * The driver stays out of the way: frames have a known size, so subscribers count bytes rather
 * than parse, and the publisher sends prebuilt commands in one write per window.
 */

const encoder = new TextEncoder();
const CHANNEL = "bench";

export interface PubSubLoad {
  subscribers: number;
  messages: number;
  payloadBytes: number;
  /** PUBLISH commands sent per write (their replies are read before the next write). */
  window: number;
}

export interface PubSubResult {
  seconds: number;
  /** Messages received, all subscribers together. */
  delivered: number;
  deliveredPerSec: number;
  publishedPerSec: number;
}

/** Reads from `conn` until `total` bytes arrived; resolves with when the last one came. */
async function readBytes(conn: Deno.Conn, total: number, buffer: Uint8Array): Promise<number> {
  let received = 0;
  while (received < total) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error(`connection closed after ${received} of ${total} bytes`);
    received += n;
  }
  return performance.now();
}

/** Runs `load` against the server on `port`. */
export async function runPubSubLoad(port: number, load: PubSubLoad): Promise<PubSubResult> {
  const payload = "p".repeat(load.payloadBytes);
  const frame = `*3\r\n$7\r\nmessage\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n` +
    `$${payload.length}\r\n${payload}\r\n`;
  const confirmation = `*3\r\n$9\r\nsubscribe\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n:1\r\n`;
  const subscribers: Deno.Conn[] = [];
  const publisher = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    for (let i = 0; i < load.subscribers; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.setNoDelay(true);
      subscribers.push(conn);
      await conn.write(encoder.encode(`SUBSCRIBE ${CHANNEL}\r\n`));
      await readBytes(conn, confirmation.length, new Uint8Array(256));
    }
    publisher.setNoDelay(true);
    const command = `*3\r\n$7\r\nPUBLISH\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n` +
      `$${payload.length}\r\n${payload}\r\n`;
    const reply = `:${load.subscribers}\r\n`;
    const expected = load.messages * frame.length;
    const started = performance.now();
    const received = subscribers.map((conn) =>
      readBytes(conn, expected, new Uint8Array(256 * 1024))
    );
    const replyBuffer = new Uint8Array(64 * 1024);
    let published = 0;
    while (published < load.messages) {
      const count = Math.min(load.window, load.messages - published);
      await publisher.write(encoder.encode(command.repeat(count)));
      await readBytes(publisher, reply.length * count, replyBuffer);
      published += count;
    }
    const publishedAt = performance.now();
    const finished = Math.max(...await Promise.all(received));
    const seconds = (finished - started) / 1000;
    const delivered = load.messages * load.subscribers;
    return {
      seconds,
      delivered,
      deliveredPerSec: delivered / seconds,
      publishedPerSec: load.messages / ((publishedAt - started) / 1000),
    };
  } finally {
    for (const conn of [publisher, ...subscribers]) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }
}
