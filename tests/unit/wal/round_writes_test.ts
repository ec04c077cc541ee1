import { assertEquals } from "../../helpers/assert.ts";
import { ReplyWriter } from "../../../src/protocol/reply_writer.ts";
import { RoundWrites } from "../../../src/wal/round_writes.ts";

const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);

Deno.test("refuse replaces exactly the noted replies and keeps the others in order", () => {
  const out = new ReplyWriter();
  const other = new ReplyWriter();
  const writes = new RoundWrites();
  out.bulk("read-before");
  let start = out.length;
  out.ok();
  writes.add(out, start, out.length);
  out.integer(7); // a read that was not journaled
  start = out.length;
  out.integer(42);
  writes.add(out, start, out.length);
  other.bulk("untouched");
  start = other.length;
  other.ok();
  writes.add(other, start, other.length);

  assertEquals(writes.refuse("MISCONF disk full"), 3);
  assertEquals(
    text(out.take()),
    "$11\r\nread-before\r\n-MISCONF disk full\r\n:7\r\n-MISCONF disk full\r\n",
  );
  assertEquals(text(other.take()), "$9\r\nuntouched\r\n-MISCONF disk full\r\n");
});

Deno.test("clear forgets the round so a later refusal touches nothing", () => {
  const out = new ReplyWriter();
  const writes = new RoundWrites();
  out.ok();
  writes.add(out, 0, out.length);
  writes.clear();
  assertEquals(writes.refuse("MISCONF x"), 0);
  assertEquals(text(out.take()), "+OK\r\n");
});

Deno.test("refuse takes out the noted events and keeps the messages around them", () => {
  const subscriber = new ReplyWriter();
  const writes = new RoundWrites();
  subscriber.bulk("published");
  let start = subscriber.length;
  subscriber.bulk("event");
  writes.addEvent(subscriber, start, subscriber.length);
  subscriber.bulk("published-later");
  assertEquals(writes.refuse("MISCONF x"), 0);
  assertEquals(text(subscriber.take()), "$9\r\npublished\r\n$15\r\npublished-later\r\n");

  // An event a client got inside its own write's reply goes with that reply.
  const own = new ReplyWriter();
  start = own.length;
  own.bulk("event");
  writes.addEvent(own, start, own.length);
  own.ok();
  writes.add(own, start, own.length);
  start = own.length;
  own.bulk("event-after");
  writes.addEvent(own, start, own.length);
  assertEquals(writes.refuse("MISCONF x"), 1);
  assertEquals(text(own.take()), "-MISCONF x\r\n");
});
