/**
 * The hub on its own: messages go straight into subscribers' buffers and are handed to their
 * connections only at release; a subscriber running its own transaction gets its messages
 * after that command; one past the pubsub hard limit is cut off with its buffer dropped.
 */
import { assertEquals, assertOk } from "../../helpers/assert.ts";
import { PubSubHub } from "../../../src/pubsub/hub.ts";
import { Session } from "../../../src/commands/session.ts";
import { type Config, DEFAULT_CONFIG } from "../../../src/config/settings.ts";
import { bytesToLatin1 } from "../../../src/protocol/latin1.ts";

let nextId = 1;

/** A session whose flushes are recorded as text, as a connection would send them. */
function subscriber(protocol: 2 | 3 = 2) {
  const session = new Session(nextId++, "127.0.0.1:1", "127.0.0.1:2", 0);
  session.protocol = protocol;
  const sent: string[] = [];
  session.flushNow = () => sent.push(bytesToLatin1(session.out.take()));
  return { session, sent };
}

/** What the app does when a round is released: the subscribers written to get their output. */
function release(hub: PubSubHub): void {
  for (const session of hub.takeTouched()) session.flushNow?.();
}

function config(overrides: Partial<Config> = {}): Config {
  return { ...DEFAULT_CONFIG, ...overrides };
}

Deno.test("a message waits in the subscriber's buffer until the round is released", () => {
  const hub = new PubSubHub(config());
  const two = subscriber(2);
  const three = subscriber(3);
  hub.add(two.session, "channel", "news");
  hub.add(three.session, "pattern", "n*");
  assertEquals(hub.publish("news", "a"), 2);
  assertEquals(hub.publish("news", "b"), 2);
  assertEquals(two.sent, []); // nothing leaves during the round
  release(hub);
  assertEquals(two.sent, [
    "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$1\r\na\r\n*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$1\r\nb\r\n",
  ]);
  assertEquals(three.sent, [
    ">4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$1\r\na\r\n" +
    ">4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$1\r\nb\r\n",
  ]);
  release(hub); // nothing new: no second flush
  assertEquals(two.sent.length, 1);
});

Deno.test("a subscriber inside its own transaction gets its messages after that command", () => {
  const hub = new PubSubHub(config());
  const { session } = subscriber(3);
  hub.add(session, "channel", "self");
  session.inTransaction = true; // as while its EXEC runs
  session.out.arrayHeader(1); // EXEC's reply is being written...
  assertEquals(hub.publish("self", "inside"), 1);
  session.out.integer(1); // ...and goes on undisturbed
  assertEquals(bytesToLatin1(session.out.peek()), "*1\r\n:1\r\n");
  session.inTransaction = false;
  session.writeHeldPushes(); // what the dispatcher does once EXEC returns
  assertEquals(
    bytesToLatin1(session.out.take()),
    "*1\r\n:1\r\n>3\r\n$7\r\nmessage\r\n$4\r\nself\r\n$6\r\ninside\r\n",
  );
});

Deno.test("a subscriber past the pubsub hard limit is cut off, its buffer dropped at once", () => {
  const limits = DEFAULT_CONFIG.outputLimits;
  const hub = new PubSubHub(config({
    outputLimits: { ...limits, pubsub: { hardBytes: 1000, softBytes: 0, softSeconds: 0 } },
  }));
  const slow = subscriber();
  const fine = subscriber();
  let cutOff = 0;
  slow.session.out.onOverLimit = () => cutOff++;
  hub.add(slow.session, "channel", "c");
  hub.add(fine.session, "channel", "c");
  slow.session.stats.queuedOutputBytes = 900; // already waiting on its socket
  assertEquals(hub.publish("c", "x".repeat(200)), 2);
  assertEquals(cutOff, 1);
  assertEquals(slow.session.out.length, 0);
  assertOk(slow.session.pubsub!.cutOff);
  // Still counted as a receiver (as in Redis) but never written to again.
  assertEquals(hub.publish("c", "more"), 2);
  assertEquals(slow.session.out.length, 0);
  assertEquals(cutOff, 1);
  release(hub);
  assertEquals(fine.sent.length, 1);
});

Deno.test("removing a session drops it from every name it held", () => {
  const hub = new PubSubHub(config());
  const { session } = subscriber();
  hub.add(session, "channel", "a");
  hub.add(session, "pattern", "a*");
  hub.add(session, "shard", "a");
  assertEquals([hub.nameCount("channel"), hub.nameCount("pattern"), hub.nameCount("shard")], [
    1,
    1,
    1,
  ]);
  assertEquals(hub.add(session, "channel", "a"), false);
  hub.forget(session);
  assertEquals([hub.nameCount("channel"), hub.nameCount("pattern"), hub.nameCount("shard")], [
    0,
    0,
    0,
  ]);
  assertEquals(hub.publish("a", "x"), 0);
  assertEquals(hub.publishShard("a", "x"), 0);
  assertEquals(session.clientType, "normal");
});
