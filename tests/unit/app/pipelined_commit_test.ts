/**
 * The pipelined group commit (a server with a NONE partition): while a round's fdatasync is in
 * flight the server goes on, a memory-only client is answered at once, a reply that depends on
 * the log waits for the fdatasync that covers it, and a failed fdatasync refuses the rounds it
 * covered and every round built on them. The fdatasyncs are slowed down (and failed) by the
 * test file layer: with a blocking fdatasync none of this can pass, since the thread would sit
 * in it.
 */
import { assertEquals, assertOk } from "../../helpers/assert.ts";
import type { RespValue } from "../../../src/client/resp_decoder.ts";
import { isRefusal, withInProcess } from "./in_process_app.ts";

/** Resolves on the next turn of the event loop (socket reads arrive one turn apart too). */
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A promise whose settlement can be checked without waiting for it. */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; done: () => boolean } {
  let done = false;
  promise.then(() => done = true, () => done = true);
  return { promise, done: () => done };
}

Deno.test("a memory-only client is answered while a logged write waits for its fdatasync", async () => {
  await withInProcess(async (h) => {
    const [writer, reader, cache] = [h.client(), h.client(), h.client()];
    await h.send(writer, ["CREATE", "PARTITION", "cache", "ANY", "NONE"]);
    await h.send(cache, ["SELECT", "cache"]);
    h.faults.replan("slow-sync-ms=1000");
    const write = watched(h.send(writer, ["SET", "k", "v"]));
    await turn();
    // The read sees the unsynced write: its reply waits for the same fdatasync.
    const read = watched(h.send(reader, ["GET", "k"]));
    await turn();
    const replies: RespValue[] = [];
    for (let i = 0; i < 50; i++) replies.push(...await h.send(cache, ["INCR", "n"]));
    assertEquals(replies.at(-1), 50);
    assertOk(!write.done() && !read.done(), "a logged reply went out before its fdatasync");
    assertEquals(await write.promise, ["OK"]);
    assertEquals(await read.promise, ["v"]);
  });
});

Deno.test("a failed pipelined fdatasync refuses the rounds it covered and every later one built on them", async () => {
  await withInProcess(async (h) => {
    const [first, second, reader, cache] = [h.client(), h.client(), h.client(), h.client()];
    await h.send(first, ["CREATE", "PARTITION", "cache", "ANY", "NONE"]);
    await h.send(cache, ["SELECT", "cache"]);
    await h.send(first, ["SET", "a", "0"], ["RPUSH", "l", "x"]);
    const before = h.logged();
    h.faults.replan("slow-sync-ms=300,fail-sync=1");
    const covered = h.send(first, ["INCR", "a"], ["LPUSH", "l", "y"]);
    await turn(); // its round ran; its fdatasync is in flight
    const later = h.send(second, ["INCR", "a"], ["RPOP", "l"]); // built on the first round
    await turn();
    const read = h.send(reader, ["GET", "a"]);
    const confined = await h.send(cache, ["SET", "c", "1"]);
    assertEquals(confined, ["OK"]);
    for (const replies of [await covered, await later, await read]) {
      for (const reply of replies) assertOk(isRefusal(reply), `${reply}`);
    }
    assertEquals(h.logged(), before);
    await h.recovered();
    assertEquals(await h.send(reader, ["GET", "a"], ["LRANGE", "l", "0", "-1"]), ["0", ["x"]]);
    assertEquals(await h.send(cache, ["GET", "c"]), ["1"]);
  });
});

Deno.test("a subscriber gets each round's events once that round is durable, not a later round's", async () => {
  await withInProcess(async (h) => {
    const [subscriber, first, second] = [h.client(), h.client(), h.client()];
    await h.send(first, ["CREATE", "PARTITION", "cache", "ANY", "NONE"]);
    await h.send(first, ["CONFIG", "SET", "notify-keyspace-events", "E$"]);
    await h.send(subscriber, ["SUBSCRIBE", "__keyevent@0__:set"]);
    h.faults.replan("slow-sync-ms=300");
    const written = h.send(first, ["SET", "a", "1"]);
    await turn();
    const later = watched(h.send(second, ["SET", "b", "2"]));
    await turn();
    assertEquals(h.released(subscriber), []); // nothing is durable yet
    await written;
    // The first round is released: its event, not the second's, which waits in the buffer.
    assertEquals(h.released(subscriber), [["message", "__keyevent@0__:set", "a"]]);
    assertOk(!later.done());
    await later.promise;
    assertEquals(h.released(subscriber), [["message", "__keyevent@0__:set", "b"]]);
  });
});

Deno.test("a client blocked before a pipelined round that fails waits on, in its place", async () => {
  await withInProcess(async (h) => {
    const [waiter, pusher, other] = [h.client(), h.client(), h.client()];
    await h.send(pusher, ["CREATE", "PARTITION", "cache", "ANY", "NONE"]);
    assertEquals(await h.send(waiter, ["BLPOP", "q", "0"]), []);
    h.faults.replan("slow-sync-ms=200,fail-sync=1");
    const pushed = h.send(pusher, ["RPUSH", "q", "refused"]);
    await turn();
    const later = h.send(other, ["LLEN", "q"]); // built on the push (the waiter took it)
    assertOk(isRefusal((await pushed)[0]) && isRefusal((await later)[0]));
    assertOk(waiter.blocked);
    assertEquals(h.pending(waiter), []);
    await h.recovered();
    await h.send(pusher, ["RPUSH", "q", "kept"]);
    assertEquals(h.pending(waiter), [["q", "kept"]]);
  });
});
