/**
 * The connection's pipelining over a fake transport, where the writes can be counted: commands
 * issued in the same tick share one write, replies go to callers in order, failures reject
 * every pending caller.
 */
import { assertEquals, assertOk, assertRejects } from "../../helpers/assert.ts";
import { Client, type Transport } from "../../../src/client/mod.ts";

/** A transport that records writes and serves scripted reply bytes. */
class FakeTransport implements Transport {
  writes: string[] = [];
  #chunks: Uint8Array[] = [];
  #wake: (() => void) | null = null;
  #ended = false;

  serve(text: string): void {
    this.#chunks.push(Uint8Array.from(text, (c) => c.charCodeAt(0)));
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    const chunk = this.#chunks.shift()!;
    buffer.set(chunk);
    return chunk.length;
  }

  write(data: Uint8Array): Promise<number> {
    this.writes.push(String.fromCharCode(...data));
    return Promise.resolve(data.length);
  }

  close(): void {
    this.end();
  }
}

Deno.test("commands issued in the same tick leave in one write", async () => {
  const transport = new FakeTransport();
  const client = new Client(transport);
  const replies = Promise.all([client.get("a"), client.incr("n"), client.call("GET")]);
  transport.serve("$1\r\n1\r\n:7\r\n-ERR wrong number of arguments for 'get' command\r\n");
  const [a, n, error] = await replies;
  assertEquals(a, "1");
  assertEquals(n, 7);
  assertEquals(String(error), "ReplyError: ERR wrong number of arguments for 'get' command");
  assertEquals(transport.writes, [
    "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$3\r\nGET\r\n",
  ]);
  client.close();
});

Deno.test("commands awaited one by one leave in separate writes", async () => {
  const transport = new FakeTransport();
  const client = new Client(transport);
  const first = client.ping();
  transport.serve("+PONG\r\n");
  assertEquals(await first, "PONG");
  const second = client.ping();
  transport.serve("+PONG\r\n");
  assertEquals(await second, "PONG");
  assertEquals(transport.writes.length, 2);
  client.close();
});

Deno.test("replies split across reads reach the right callers", async () => {
  const transport = new FakeTransport();
  const client = new Client(transport);
  const replies = Promise.all([client.get("a"), client.get("b")]);
  transport.serve("$5\r\nhel");
  transport.serve("lo\r\n$-");
  transport.serve("1\r\n");
  assertEquals(await replies, ["hello", null]);
  client.close();
});

Deno.test("a connection closed by the server rejects every pending command", async () => {
  const transport = new FakeTransport();
  const client = new Client(transport);
  const a = client.get("a");
  const b = client.get("b");
  transport.serve("$1\r\nx\r\n");
  transport.end();
  assertEquals(await a, "x");
  await assertRejects(() => b, Deno.errors.ConnectionReset);
  assertOk(client.closed);
  await assertRejects(() => client.get("c"), Deno.errors.BadResource);
});

Deno.test("subscribing needs at least one name", async () => {
  const transport = new FakeTransport();
  const client = new Client(transport);
  await assertRejects(() => client.subscribe(), TypeError);
  await assertRejects(() => client.psubscribe(), TypeError);
  assertEquals(transport.writes.length, 0);
  client.close();
});

Deno.test("in RESP2 a subscribed connection reads message arrays as messages and PING's pong as a reply", async () => {
  const transport = new FakeTransport();
  const client = new Client(transport);
  const subscribing = client.subscribe("a", "b");
  transport.serve("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  transport.serve("*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
  const subscription = await subscribing;
  const ping = client.send("PING");
  transport.serve("*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n");
  transport.serve("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  assertEquals(await ping, ["pong", ""]);
  assertEquals((await subscription.next()).value?.message, "hi");
  // A message arriving with no command waiting is still read (the subscription keeps reading).
  transport.serve("*3\r\n$7\r\nmessage\r\n$1\r\nb\r\n$3\r\nbye\r\n");
  assertEquals((await subscription.next()).value?.channel, "b");
  const leaving = subscription.unsubscribe();
  transport.serve("*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n");
  transport.serve("*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n");
  await leaving;
  assertEquals((await subscription.next()).done, true);
  assertEquals(client.pushes.length, 0); // confirmations and messages were all taken
  client.close();
});

Deno.test("a refused subscription rejects with the server's error", async () => {
  const transport = new FakeTransport();
  const client = new Client(transport);
  const hello = client.hello(3);
  transport.serve("%1\r\n+proto\r\n:3\r\n");
  await hello;
  const subscribed = client.subscribe("news");
  transport.serve("-ERR unknown command 'SUBSCRIBE'\r\n");
  await assertRejects(() => subscribed, /unknown command/);
  client.close();
});
