/**
 * The client library's pub/sub against a real Hermes server: subscriptions as async iterators
 * over RESP2 and RESP3, unsubscribing when the loop ends, patterns and shard channels, names
 * shared by two subscriptions, and the limit on unread messages.
 */
import { assertEquals, assertMatch, assertOk, assertRejects } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { waitFor } from "../helpers/replication.ts";
import { connect, type PubSubMessage, ReplyError } from "../../src/client/mod.ts";

for (const protocol of [2, 3] as const) {
  Deno.test(`subscribe yields messages in order over RESP${protocol}, and leaving the loop unsubscribes`, async () => {
    await withHermes(async (server) => {
      const subscriber = await connect({ port: server.port, protocol });
      const publisher = await connect({ port: server.port });
      const news = await subscriber.subscribe("news", "sport");
      assertEquals([...news.names], ["news", "sport"]);
      const sent = ["one", "two", "Zoë ☕", "stop"];
      for (const [i, text] of sent.entries()) {
        assertEquals(await publisher.publish(i % 2 ? "sport" : "news", text), 1);
      }
      const got: PubSubMessage[] = [];
      for await (const message of news) {
        got.push(message);
        if (message.message === "stop") break;
      }
      assertEquals(got.map((m) => [m.kind, m.channel, m.message]), [
        ["message", "news", "one"],
        ["message", "sport", "two"],
        ["message", "news", "Zoë ☕"],
        ["message", "sport", "stop"],
      ]);
      assertEquals(got[2].bytes, new TextEncoder().encode("Zoë ☕"));
      assertOk(news.ended);
      // break unsubscribed from both channels, so the connection takes any command again.
      assertEquals(await publisher.publish("news", "after"), 0);
      assertEquals(await subscriber.ping(), "PONG");
      assertEquals(await subscriber.set("k", "v"), "OK");
      await subscriber.quit();
      await publisher.quit();
    });
  });
}

Deno.test("psubscribe yields the pattern with each message; ssubscribe yields shard messages", async () => {
  await withHermes(async (server) => {
    const subscriber = await connect({ port: server.port });
    const publisher = await connect({ port: server.port });
    const events = await subscriber.psubscribe("__keyevent@0__:*");
    const shard = await subscriber.ssubscribe("orders");
    await publisher.set("k", "v");
    assertEquals(await publisher.send("SPUBLISH", "orders", "o-1"), 1);
    const event = await events.next();
    assertEquals(event.value, {
      kind: "pmessage",
      pattern: "__keyevent@0__:*",
      channel: "__keyevent@0__:set",
      message: "k",
      bytes: new TextEncoder().encode("k"),
    });
    assertEquals((await shard.next()).value?.message, "o-1");
    await events.unsubscribe();
    await shard.unsubscribe();
    assertEquals(await subscriber.ping(), "PONG");
    await subscriber.quit();
    await publisher.quit();
  }, ["--notify-keyspace-events", "E$"]);
});

Deno.test("two subscriptions sharing a channel both get its messages, and ending one keeps the other", async () => {
  await withHermes(async (server) => {
    const subscriber = await connect({ port: server.port, protocol: 3 });
    const publisher = await connect({ port: server.port });
    const first = await subscriber.subscribe("shared", "only-first");
    const second = await subscriber.subscribe("shared");
    assertEquals(await publisher.publish("shared", "both"), 1); // one connection, one delivery
    assertEquals((await first.next()).value?.message, "both");
    assertEquals((await second.next()).value?.message, "both");
    await first.unsubscribe(); // leaves only-first; shared stays for the second
    assertEquals(await publisher.publish("only-first", "x"), 0);
    assertEquals(await publisher.publish("shared", "still"), 1);
    assertEquals((await second.next()).value?.message, "still");
    assertEquals((await first.next()).done, true);
    // The server dropping a name (here UNSUBSCRIBE by name) ends the subscription left on it.
    await subscriber.unsubscribe("shared");
    assertEquals((await second.next()).done, true);
    await subscriber.quit();
    await publisher.quit();
  });
});

Deno.test("a subscription whose reader falls past the buffer limit fails and unsubscribes", async () => {
  await withHermes(async (server) => {
    const subscriber = await connect({ port: server.port, subscriptionBufferLimit: 5 });
    const publisher = await connect({ port: server.port });
    const feed = await subscriber.subscribe("feed");
    for (let i = 0; i < 6; i++) await publisher.publish("feed", `${i}`);
    // Nobody reads: the sixth message to arrive ends it.
    await waitFor(() => feed.ended, "the subscription to fail");
    await assertRejects(() => feed.next(), Error, "Subscription fell behind: 5 messages unread");
    await waitFor(async () => await publisher.publish("feed", "more") === 0, "the unsubscribe");
    await subscriber.quit();
    await publisher.quit();
  });
});

Deno.test("a RESP2 subscriber's other commands get the server's refusal; PING still answers", async () => {
  await withHermes(async (server) => {
    const subscriber = await connect({ port: server.port });
    const inbox = await subscriber.subscribe("inbox");
    const refusal = await subscriber.call("GET", "k");
    assertOk(refusal instanceof ReplyError);
    assertMatch(
      (refusal as ReplyError).message,
      /^ERR Can't execute 'get': only \(P\|S\)SUBSCRIBE/,
    );
    assertEquals(await subscriber.send("PING"), ["pong", ""]);
    const publisher = await connect({ port: server.port });
    await publisher.publish("inbox", "hi");
    assertEquals((await inbox.next()).value?.message, "hi");
    await inbox.unsubscribe();
    assertEquals(await subscriber.get("k"), null);
    await subscriber.quit();
    await publisher.quit();
  });
});
