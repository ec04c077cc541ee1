/**
 * One connection's loop against a scripted socket: one write per batch, the protocol error
 * after the replies before it, the max-output cut-off (also inside one batch), and closing
 * after in-flight work on shutdown.
 */
import { assertEquals, assertOk } from "../../helpers/assert.ts";
import { Connection } from "../../../src/server/connection.ts";
import { Session } from "../../../src/commands/session.ts";
import { StoreActor } from "../../../src/store/actor.ts";
import { type Config, DEFAULT_CONFIG } from "../../../src/config/settings.ts";
import { Logger } from "../../../src/log/logger.ts";
import type { NetworkStats } from "../../../src/commands/server_control.ts";
import { bytesToLatin1, latin1ToBytes } from "../../../src/protocol/latin1.ts";

/** A Deno.Conn stand-in: reads come from a script, writes are recorded (or never complete). */
class ScriptedConn {
  readonly writes: string[] = [];
  closed = false;
  #chunks: Uint8Array[] = [];
  #waitingRead: ((n: number | null) => void) | null = null;
  #waitingBuffer: Uint8Array | null = null;
  #stalledWrites: (() => void)[] = [];

  /** When true, writes never complete, like a client that stopped reading. */
  stallWrites = false;

  /** Delivers `text` to the server's next read. */
  send(text: string): void {
    this.#chunks.push(latin1ToBytes(text));
    this.#deliver();
  }

  read(buffer: Uint8Array): Promise<number | null> {
    if (this.closed) return Promise.reject(new Deno.errors.BadResource("closed"));
    return new Promise((resolve) => {
      this.#waitingRead = resolve;
      this.#waitingBuffer = buffer;
      this.#deliver();
    });
  }

  write(data: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(new Deno.errors.BadResource("closed"));
    if (this.stallWrites) {
      return new Promise((_, reject) =>
        this.#stalledWrites.push(() => reject(new Deno.errors.Interrupted("closed")))
      );
    }
    this.writes.push(bytesToLatin1(data));
    return Promise.resolve(data.length);
  }

  close(): void {
    this.closed = true;
    this.#waitingRead?.(null);
    this.#waitingRead = null;
    for (const fail of this.#stalledWrites.splice(0)) fail();
  }

  #deliver(): void {
    if (!this.#waitingRead || this.#chunks.length === 0) return;
    const chunk = this.#chunks[0];
    const buffer = this.#waitingBuffer!;
    const n = Math.min(chunk.length, buffer.length);
    buffer.set(chunk.subarray(0, n));
    if (n === chunk.length) this.#chunks.shift();
    else this.#chunks[0] = chunk.subarray(n);
    const resolve = this.#waitingRead;
    this.#waitingRead = null;
    resolve(n);
  }
}

const BIG = "v".repeat(10 * 1024);

interface Harness {
  conn: ScriptedConn;
  connection: Connection;
  session: Session;
  served: Promise<void>;
  /** Commands the fake dispatcher ran, in order. */
  ran: string[];
  /** Holds the actor after each round until released (to keep a batch in flight). */
  holdRounds(): () => void;
}

/** Config overrides giving normal clients a hard output limit of `hardBytes`. */
function normalLimit(hardBytes: number): Partial<Config> {
  const limits = DEFAULT_CONFIG.outputLimits;
  return { outputLimits: { ...limits, normal: { ...limits.normal, hardBytes } } };
}

function harness(overrides: Partial<Config> = {}, releaseEarly = false): Harness {
  const config: Config = { ...DEFAULT_CONFIG, ...overrides };
  const ran: string[] = [];
  let hold: Promise<void> | null = null;
  const actor = new StoreActor<Session>(
    (session, argv) => {
      ran.push(argv.join(" "));
      if (ran.length > 10_000) session.closeRequested = true; // a broken loop ends the test
      const name = argv[0].toUpperCase();
      if (name === "GET") session.out.bulk(BIG);
      else if (name === "BLOCK") {
        // Blocks, and is answered within the same round (another client pushed right after).
        session.blockState = { argv, woken: Promise.resolve(), cancel() {} };
        session.out.simple("SERVED");
        return false;
      } else if (name === "QUIT") {
        session.out.ok();
        session.closeRequested = true;
      } else session.out.pong();
      return !session.closeRequested;
    },
    (_sessions, release) => {
      if (hold === null) return release();
      return hold.then(release);
    },
    releaseEarly
      ? (session) => {
        session.flushNow?.();
        return true;
      }
      : null,
  );
  const conn = new ScriptedConn();
  const session = new Session(1, "127.0.0.1:1", "127.0.0.1:2", Date.now());
  const network: NetworkStats = {
    totalConnectionsReceived: 0,
    rejectedConnections: 0,
    totalNetInputBytes: 0,
    totalNetOutputBytes: 0,
  };
  const connection = new Connection(
    conn as unknown as Deno.Conn,
    session,
    config,
    actor,
    network,
    new Logger("error"),
  );
  const served = connection.serve();
  return {
    conn,
    connection,
    session,
    served,
    ran,
    holdRounds() {
      let release!: () => void;
      hold = new Promise((resolve) => release = resolve);
      return () => {
        hold = null;
        release();
      };
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("a pipelined read is answered with one write holding every reply in order", async () => {
  const h = harness();
  h.conn.send("PING\r\n".repeat(100));
  await tick();
  assertEquals(h.ran.length, 100);
  assertEquals(h.conn.writes, ["+PONG\r\n".repeat(100)]);
  h.conn.send("*1\r\n$4\r\nPING\r\n");
  await tick();
  assertEquals(h.conn.writes.length, 2);
  h.conn.close();
  await h.served;
});

Deno.test("a protocol error follows the replies before it in the same write, then closes", async () => {
  const h = harness();
  h.conn.send('PING\r\nPING\r\nSET a "b\r\nPING\r\n');
  await h.served;
  assertEquals(h.ran, ["PING", "PING"]);
  assertEquals(h.conn.writes, [
    "+PONG\r\n+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n",
  ]);
  assertOk(h.conn.closed);
});

Deno.test("QUIT's reply is written and the rest of the batch is dropped", async () => {
  const h = harness();
  h.conn.send("PING\r\nQUIT\r\nPING\r\n");
  await h.served;
  assertEquals(h.ran, ["PING", "QUIT"]);
  assertEquals(h.conn.writes, ["+PONG\r\n+OK\r\n"]);
  assertOk(h.conn.closed);
});

Deno.test("a client that never reads is cut off once its queued replies pass max-output", async () => {
  const h = harness(normalLimit(100 * 1024));
  h.conn.stallWrites = true;
  for (let i = 0; i < 50 && !h.conn.closed; i++) {
    h.conn.send("GET big\r\n");
    await tick();
  }
  await h.served;
  assertOk(h.conn.closed, "still connected");
  // Cut off just past the limit: about 100 KB of 10 KB replies, not all 50.
  assertOk(h.ran.length >= 10 && h.ran.length <= 12, `${h.ran.length} commands ran`);
  assertEquals(h.session.stats.queuedOutputBytes, 0);
});

Deno.test("one batch whose replies would pass max-output stops at the command that passed it", async () => {
  const h = harness(normalLimit(100 * 1024));
  h.conn.stallWrites = true;
  h.conn.send("GET big\r\n".repeat(1000)); // 10 MB of replies asked for in one read
  await h.served;
  assertOk(h.conn.closed, "still connected");
  assertOk(h.ran.length < 20, `${h.ran.length} of 1000 commands ran`);
  assertEquals(h.conn.writes, []);
  assertEquals(h.session.stats.queuedOutputBytes, 0);
});

Deno.test("replies under max-output are all delivered to a client that reads", async () => {
  const h = harness(normalLimit(100 * 1024));
  h.conn.send("GET big\r\n".repeat(5));
  await tick();
  h.conn.send("GET big\r\n".repeat(5));
  await tick();
  assertEquals(h.ran.length, 10);
  assertEquals(h.conn.writes.join("").length, 10 * (BIG.length + 10));
  assertOk(!h.conn.closed);
  h.conn.close();
  await h.served;
});

Deno.test("finishAndClose lets the batch in flight run in full and be answered", async () => {
  const h = harness();
  const release = h.holdRounds();
  h.conn.send("PING\r\n".repeat(5));
  await tick();
  assertEquals(h.ran.length, 5); // ran, but its round is not released yet
  h.connection.finishAndClose();
  h.conn.send("PING\r\n"); // arrives after the shutdown began: never read
  release();
  await h.served;
  assertEquals(h.ran.length, 5);
  assertEquals(h.conn.writes, ["+PONG\r\n".repeat(5)]);
  assertOk(h.conn.closed);
});

Deno.test("finishAndClose closes an idle connection at once", async () => {
  const h = harness();
  h.conn.send("PING\r\n");
  await tick();
  h.connection.finishAndClose();
  await h.served;
  assertEquals(h.conn.writes, ["+PONG\r\n"]);
  assertOk(h.conn.closed);
});

Deno.test("reads and completed writes both count as interaction for the idle timeout", async () => {
  const h = harness();
  h.session.lastInteractionMs = 0;
  h.conn.send("PING\r\n");
  await tick();
  assertOk(h.session.lastInteractionMs > 0);
  h.session.lastInteractionMs = 0;
  h.connection.flushOutput(); // nothing queued: no write, no interaction
  assertEquals(h.session.lastInteractionMs, 0);
  h.session.out.pong();
  h.connection.flushOutput();
  await tick();
  assertOk(h.session.lastInteractionMs > 0);
  h.conn.close();
  await h.served;
});

Deno.test("a batch released early is written while its round's hook still runs", async () => {
  for (const early of [false, true]) {
    const h = harness({}, early);
    const release = h.holdRounds();
    h.conn.send("PING\r\nPING\r\n");
    await tick();
    await tick();
    assertEquals(h.conn.writes, early ? ["+PONG\r\n+PONG\r\n"] : []);
    release();
    await tick();
    assertEquals(h.conn.writes, ["+PONG\r\n+PONG\r\n"], "one write either way");
    h.conn.send("QUIT\r\n");
    await h.served;
  }
});

Deno.test("commands pipelined after a blocking command answered in its own round still run", async () => {
  const h = harness();
  h.conn.send("PING\r\nBLOCK\r\nPING\r\n");
  await tick();
  await tick();
  assertEquals(h.ran, ["PING", "BLOCK", "PING"]);
  assertEquals(h.conn.writes.join(""), "+PONG\r\n+SERVED\r\n+PONG\r\n");
  assertEquals(h.session.blockState, null);
  h.conn.close();
  await h.served;
});
