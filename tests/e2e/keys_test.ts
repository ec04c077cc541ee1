import { assertEquals, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import type { Client } from "../../src/client/mod.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** The exact bytes of the reply to one command. */
async function rawReply(client: Client, ...args: string[]): Promise<string> {
  await client.writeRaw(
    `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join(""),
  );
  const { raw } = await client.readDecoded();
  return String.fromCharCode(...raw);
}

/** Runs a SCAN to the end with the given options; returns every key handed out. */
async function scanAll(client: Client, ...options: string[]): Promise<string[]> {
  const seen: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.send("SCAN", cursor, ...options) as [string, string[]];
    seen.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return seen;
}

Deno.test("DEL, UNLINK and DELETE remove existing keys and count them", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "a", "1");
    await c.send("SET", "b", "2");
    await c.send("SET", "c", "3");
    assertEquals(await c.send("DEL", "a", "a", "missing"), 1);
    assertEquals(await c.send("UNLINK", "b", "missing"), 1);
    assertEquals(await c.send("DELETE", "c"), 1);
    assertEquals(await c.send("DELETE", "c"), 0);
    assertEquals(await c.send("EXISTS", "a", "b", "c"), 0);
    assertEquals(
      await rawReply(c, "DELETE"),
      "-ERR wrong number of arguments for 'delete' command\r\n",
    );
    c.close();
  });
});

Deno.test("EXISTS and TOUCH count a key named twice twice; TYPE says string or none", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "k", "v");
    assertEquals(await c.send("EXISTS", "k", "k", "missing"), 2);
    assertEquals(await c.send("TOUCH", "k", "k", "missing"), 2);
    assertEquals(await rawReply(c, "TYPE", "k"), "+string\r\n");
    assertEquals(await rawReply(c, "TYPE", "missing"), "+none\r\n");
    c.close();
  });
});

Deno.test("RENAME moves the value and its TTL and replaces the destination", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "src", "hello");
    await c.send("PEXPIRE", "src", "100000");
    await c.send("SET", "dst", "old");
    assertEquals(await c.send("RENAME", "src", "dst"), "OK");
    assertEquals(await c.send("GET", "dst"), "hello");
    assertEquals(await c.send("EXISTS", "src"), 0);
    const ttl = await c.send("PTTL", "dst") as number;
    assertOk(ttl > 90_000 && ttl <= 100_000, `PTTL ${ttl}`);
    // A destination's own TTL goes when a key without one is renamed over it.
    await c.send("SET", "plain", "p");
    assertEquals(await c.send("RENAME", "plain", "dst"), "OK");
    assertEquals(await c.send("TTL", "dst"), -1);
    assertEquals(await c.send("RENAME", "dst", "dst"), "OK");
    assertEquals(await c.send("GET", "dst"), "p");
    assertEquals(await rawReply(c, "RENAME", "missing", "x"), "-ERR no such key\r\n");
    assertEquals(await rawReply(c, "RENAME", "missing", "missing"), "-ERR no such key\r\n");
    c.close();
  });
});

Deno.test("RENAMENX renames only onto a free name", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "a", "1");
    await c.send("SET", "b", "2");
    assertEquals(await c.send("RENAMENX", "a", "b"), 0);
    assertEquals(await c.send("GET", "a"), "1");
    assertEquals(await c.send("RENAMENX", "a", "a"), 0);
    assertEquals(await c.send("RENAMENX", "a", "c"), 1);
    assertEquals(await c.send("GET", "c"), "1");
    assertEquals(await c.send("EXISTS", "a"), 0);
    assertEquals(await rawReply(c, "RENAMENX", "a", "d"), "-ERR no such key\r\n");
    c.close();
  });
});

Deno.test("COPY copies value and TTL, to another database too, and REPLACE overwrites", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "orig", "value");
    await c.send("PEXPIRE", "orig", "100000");
    assertEquals(await c.send("COPY", "orig", "copy"), 1);
    assertEquals(await c.send("GET", "copy"), "value");
    assertOk((await c.send("PTTL", "copy") as number) > 90_000);
    assertEquals(await c.send("COPY", "orig", "copy"), 0);
    await c.send("SET", "orig", "changed");
    assertEquals(await c.send("COPY", "orig", "copy", "REPLACE"), 1);
    assertEquals(await c.send("GET", "copy"), "changed");
    assertEquals(await c.send("TTL", "copy"), -1);
    assertEquals(await c.send("COPY", "orig", "orig", "DB", "2"), 1);
    assertEquals(await c.send("COPY", "missing", "x"), 0);
    await c.send("SELECT", "2");
    assertEquals(await c.send("GET", "orig"), "changed");
    await c.send("SELECT", "0");
    assertEquals(
      await rawReply(c, "COPY", "orig", "orig"),
      "-ERR source and destination objects are the same\r\n",
    );
    assertEquals(
      await rawReply(c, "COPY", "orig", "x", "DB", "16"),
      "-ERR DB index is out of range\r\n",
    );
    assertEquals(
      await rawReply(c, "COPY", "orig", "x", "DB", "one"),
      "-ERR partition not found\r\n",
    );
    assertEquals(
      await rawReply(c, "COPY", "orig", "x", "DB", "1.0"),
      "-ERR value is not an integer or out of range\r\n",
    );
    assertEquals(await rawReply(c, "COPY", "orig", "x", "DB"), "-ERR syntax error\r\n");
    assertEquals(await c.send("EXISTS", "x"), 0);
    c.close();
  });
});

Deno.test("MOVE moves a key with its TTL unless the target database has it", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "m", "v");
    await c.send("PEXPIRE", "m", "100000");
    assertEquals(await c.send("MOVE", "m", "1"), 1);
    assertEquals(await c.send("EXISTS", "m"), 0);
    assertEquals(await c.send("MOVE", "m", "1"), 0);
    await c.send("SET", "m", "here");
    assertEquals(await c.send("MOVE", "m", "1"), 0);
    assertEquals(await c.send("GET", "m"), "here");
    await c.send("SELECT", "1");
    assertEquals(await c.send("GET", "m"), "v");
    assertOk((await c.send("PTTL", "m") as number) > 90_000);
    assertEquals(
      await rawReply(c, "MOVE", "m", "1"),
      "-ERR source and destination objects are the same\r\n",
    );
    assertEquals(await rawReply(c, "MOVE", "m", "16"), "-ERR DB index is out of range\r\n");
    assertEquals(
      await rawReply(c, "MOVE", "m", "4294967296"),
      "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
    );
    c.close();
  });
});

Deno.test("KEYS matches Redis glob patterns, binary keys included", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    for (const key of ["hello", "hallo", "hxllo", "heeeello", "h*llo", "other"]) {
      await c.send("SET", key, "1");
    }
    await c.send("SET", bytes("\xc0bin"), "1");
    const keys = async (pattern: string | Uint8Array) =>
      (await c.send("KEYS", pattern) as string[]).sort();
    assertEquals(await keys("h?llo"), ["h*llo", "hallo", "hello", "hxllo"]);
    assertEquals(await keys("h*llo"), ["h*llo", "hallo", "heeeello", "hello", "hxllo"]);
    assertEquals(await keys("h[ae]llo"), ["hallo", "hello"]);
    assertEquals(await keys("h[^e]llo"), ["h*llo", "hallo", "hxllo"]);
    assertEquals(await keys("h\\*llo"), ["h*llo"]);
    assertEquals(await keys("nothing*"), []);
    assertEquals((await keys("*")).length, 7);
    assertEquals(await keys(bytes("[\x80-\xff]*")), ["\xc0bin"]);
    c.close();
  });
});

Deno.test("SCAN visits every key exactly once when nothing changes", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.pipeline(Array.from({ length: 1000 }, (_, i) => ["SET", `key:${i}`, "v"]));
    for (const count of ["1", "7", "100", "5000"]) {
      const seen = await scanAll(c, "COUNT", count);
      assertEquals(seen.length, 1000, `COUNT ${count}`);
      assertEquals(new Set(seen).size, 1000, `COUNT ${count}`);
    }
    // Without COUNT the default page is about ten keys.
    const [cursor, page] = await c.send("SCAN", "0") as [string, string[]];
    assertOk(cursor !== "0");
    assertEquals(page.length, 10);
    c.close();
  });
});

Deno.test("SCAN returns every key present for the whole scan despite writes between calls", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    const writer = await server.connect();
    await c.pipeline(
      Array.from({ length: 3000 }, (_, i) => ["SET", i % 2 ? `stay:${i}` : `gone:${i}`, "v"]),
    );
    const seen = new Set<string>();
    let cursor = "0";
    let step = 0;
    let deleted = 0;
    do {
      const [next, keys] = await c.send("SCAN", cursor, "COUNT", "50") as [string, string[]];
      for (const key of keys) seen.add(key);
      cursor = next;
      // Another client adds and deletes keys between the calls.
      const writes: string[][] = [];
      for (let i = 0; i < 100; i++) writes.push(["SET", `new:${step}:${i}`, "v"]);
      for (let i = 0; i < 40 && deleted < 1500; i++, deleted++) {
        writes.push(["DEL", `gone:${deleted * 2}`]);
      }
      await writer.pipeline(writes);
      step++;
    } while (cursor !== "0" && step < 10_000);
    assertEquals(cursor, "0");
    assertEquals(deleted, 1500);
    for (let i = 1; i < 3000; i += 2) assertOk(seen.has(`stay:${i}`), `stay:${i} was missed`);
    c.close();
    writer.close();
  });
});

Deno.test("SCAN MATCH, COUNT and TYPE filter the keys", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.pipeline(Array.from({ length: 200 }, (_, i) => ["SET", `user:${i}`, "v"]));
    await c.pipeline(Array.from({ length: 50 }, (_, i) => ["SET", `order:${i}`, "v"]));
    const users = await scanAll(c, "MATCH", "user:*", "COUNT", "20");
    assertEquals(users.length, 200);
    assertOk(users.every((key) => key.startsWith("user:")));
    assertEquals((await scanAll(c, "MATCH", "order:1?")).sort().length, 10);
    assertEquals((await scanAll(c, "TYPE", "string")).length, 250);
    assertEquals((await scanAll(c, "TYPE", "STRING")).length, 250);
    assertEquals(await scanAll(c, "TYPE", "hash"), []);
    c.close();
  });
});

Deno.test("SCAN refuses bad cursors and options with Redis's errors", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "k", "v");
    for (const cursor of ["abc", " 0", "0 ", "1.5", "0x10", "18446744073709551616", "+"]) {
      assertEquals(await rawReply(c, "SCAN", cursor), "-ERR invalid cursor\r\n", cursor);
    }
    // strtoul's reading: empty is 0, a sign is allowed, minus wraps around 2^64.
    for (const cursor of ["", "+0", "-0", "00"]) {
      assertEquals(await rawReply(c, "SCAN", cursor), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n");
    }
    assertEquals(await rawReply(c, "SCAN", "abc", "BOGUS"), "-ERR invalid cursor\r\n");
    assertEquals(await rawReply(c, "SCAN", "0", "COUNT", "0"), "-ERR syntax error\r\n");
    assertEquals(
      await rawReply(c, "SCAN", "0", "COUNT", "x"),
      "-ERR value is not an integer or out of range\r\n",
    );
    assertEquals(await rawReply(c, "SCAN", "0", "MATCH"), "-ERR syntax error\r\n");
    assertEquals(await rawReply(c, "SCAN", "0", "BOGUS", "1"), "-ERR syntax error\r\n");
    c.close();
  });
});

Deno.test("RANDOMKEY returns nil on an empty database and never an expired key", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    assertEquals(await rawReply(c, "RANDOMKEY"), "$-1\r\n");
    await c.send("SET", "only", "v");
    assertEquals(await c.send("RANDOMKEY"), "only");
    const writes: string[][] = [];
    for (let i = 0; i < 300; i++) {
      writes.push(["SET", `dead:${i}`, "v"], ["PEXPIRE", `dead:${i}`, "1"]);
    }
    await c.pipeline(writes);
    await sleep(20);
    for (let i = 0; i < 10; i++) assertEquals(await c.send("RANDOMKEY"), "only");
    c.close();
  });
});

Deno.test("an expired key is missing for every key command", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "gone", "v");
    await c.send("SET", "keep", "v");
    assertEquals(await c.send("PEXPIRE", "gone", "30"), 1);
    await sleep(80);
    assertEquals(await c.send("EXISTS", "gone"), 0);
    assertEquals(await c.send("TYPE", "gone"), "none");
    assertEquals(await c.send("KEYS", "*"), ["keep"]);
    const [cursor, page] = await c.send("SCAN", "0") as [string, string[]];
    assertEquals([cursor, page], ["0", ["keep"]]);
    assertEquals(await rawReply(c, "RENAME", "gone", "x"), "-ERR no such key\r\n");
    assertEquals(await c.send("COPY", "gone", "x"), 0);
    assertEquals(await c.send("MOVE", "gone", "1"), 0);
    assertEquals(await c.send("DEL", "gone"), 0);
    c.close();
  });
});
