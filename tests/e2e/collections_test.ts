import { assertEquals, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { type Client, ReplyError } from "../../src/client/mod.ts";

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

async function errorOf(client: Client, ...args: string[]): Promise<string> {
  const reply = await client.call(...args);
  assertOk(reply instanceof ReplyError, `${args.join(" ")} should fail`);
  return (reply as ReplyError).message;
}

async function makeOneOfEach(c: Client): Promise<void> {
  await c.send("SET", "str", "v");
  await c.send("HSET", "hash", "f", "v");
  await c.send("RPUSH", "list", "a", "b");
  await c.send("SADD", "set", "m");
}

Deno.test("key commands work on hashes, lists and sets: TYPE, EXISTS, DEL, UNLINK, expiry, SCAN TYPE, RANDOMKEY", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await makeOneOfEach(c);
    for (
      const [key, type] of [["str", "string"], ["hash", "hash"], ["list", "list"], ["set", "set"]]
    ) {
      assertEquals(await c.send("TYPE", key), type);
      const [, keys] = await c.send("SCAN", "0", "TYPE", type, "COUNT", "100") as [
        string,
        string[],
      ];
      assertEquals(keys, [key]);
    }
    assertEquals(await c.send("EXISTS", "hash", "list", "set"), 3);
    assertEquals(await c.send("PEXPIRE", "hash", "100000"), 1);
    assertOk(await c.send("PTTL", "hash") as number > 0);
    assertEquals(await c.send("PERSIST", "hash"), 1);
    assertEquals(await c.send("PEXPIRE", "list", "50"), 1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    assertEquals(await c.send("LLEN", "list"), 0);
    assertEquals(await c.send("EXISTS", "list"), 0);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(await c.send("RANDOMKEY") as string);
    assertEquals([...seen].sort(), ["hash", "set", "str"]);
    assertEquals(await c.send("DEL", "hash", "set"), 2);
    assertEquals(await c.send("UNLINK", "str"), 1);
    assertEquals(await c.send("DBSIZE"), 0);
    c.close();
  });
});

Deno.test("RENAME, COPY and MOVE carry collections whole; COPY is a deep copy", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await makeOneOfEach(c);
    await c.send("PEXPIRE", "list", "100000");
    assertEquals(await c.send("RENAME", "list", "list2"), "OK");
    assertEquals(await c.send("LRANGE", "list2", "0", "-1"), ["a", "b"]);
    assertOk(await c.send("PTTL", "list2") as number > 0);
    assertEquals(await c.send("COPY", "list2", "copy"), 1);
    await c.send("RPUSH", "copy", "c");
    await c.send("HSET", "hash", "g", "w");
    assertEquals(await c.send("COPY", "hash", "hcopy"), 1);
    await c.send("HDEL", "hash", "f");
    await c.send("SADD", "set", "n");
    assertEquals(await c.send("COPY", "set", "scopy", "DB", "2"), 1);
    await c.send("SREM", "set", "m");
    assertEquals(await c.send("LRANGE", "list2", "0", "-1"), ["a", "b"]);
    assertEquals(await c.send("LRANGE", "copy", "0", "-1"), ["a", "b", "c"]);
    assertEquals(await c.send("HGETALL", "hcopy"), ["f", "v", "g", "w"]);
    assertEquals(await c.send("MOVE", "hcopy", "1"), 1);
    await c.send("SELECT", "2");
    assertEquals((await c.send("SMEMBERS", "scopy") as string[]).sort(), ["m", "n"]);
    await c.send("SELECT", "1");
    assertEquals(await c.send("HGET", "hcopy", "g"), "w");
    assertEquals(await c.send("OBJECT", "ENCODING", "hcopy"), "listpack");
    c.close();
  });
});

Deno.test("every string command refuses a collection and every collection command refuses a string", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await makeOneOfEach(c);
    const stringCommands = [
      ["GET", "K"],
      ["APPEND", "K", "x"],
      ["INCR", "K"],
      ["STRLEN", "K"],
      ["GETRANGE", "K", "0", "1"],
      ["SETRANGE", "K", "0", "x"],
      ["GETDEL", "K"],
      ["INCRBYFLOAT", "K", "1"],
      ["GETSET", "K", "x"],
    ];
    const byType: Record<string, string[][]> = {
      hash: [["HGET", "K", "f"], ["HSET", "K", "f", "v"], ["HGETALL", "K"], ["HLEN", "K"]],
      list: [["LPUSH", "K", "x"], ["LRANGE", "K", "0", "-1"], ["LLEN", "K"], ["BLPOP", "K", "0"]],
      set: [["SADD", "K", "x"], ["SMEMBERS", "K"], ["SCARD", "K"], ["SINTER", "K"]],
    };
    for (const key of ["hash", "list", "set"]) {
      for (const command of stringCommands) {
        assertEquals(await errorOf(c, ...command.map((a) => a === "K" ? key : a)), WRONGTYPE);
      }
    }
    for (const [type, commands] of Object.entries(byType)) {
      for (const key of ["str", "hash", "list", "set"]) {
        if (key === type) continue;
        for (const command of commands) {
          const args = command.map((a) => a === "K" ? key : a);
          assertEquals(await errorOf(c, ...args), WRONGTYPE, args.join(" "));
        }
      }
    }
    assertEquals(await c.send("MGET", "str", "hash", "list"), ["v", null, null]);
    c.close();
  });
});

Deno.test("HSCAN and SSCAN of big collections return every element present for the whole scan", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    const fields: string[] = [];
    for (let i = 0; i < 3000; i++) fields.push(`field:${i}`, `value:${i}`);
    await c.send("HSET", "h", ...fields);
    await c.send("SADD", "s", ...Array.from({ length: 3000 }, (_, i) => `member:${i}`));
    assertEquals(await c.send("OBJECT", "ENCODING", "h"), "hashtable");
    for (const [command, key] of [["HSCAN", "h"], ["SSCAN", "s"]]) {
      const seen = new Set<string>();
      let cursor = "0";
      let calls = 0;
      do {
        const [next, items] = await c.send(command, key, cursor, "COUNT", "100") as [
          string,
          string[],
        ];
        const step = command === "HSCAN" ? 2 : 1;
        for (let i = 0; i < items.length; i += step) seen.add(items[i]);
        // Changes between calls: elements added and removed do not disturb the others.
        if (calls === 3) {
          if (command === "HSCAN") {
            await c.send("HDEL", key, "field:2999");
            await c.send("HSET", key, "extra", "1");
          } else {
            await c.send("SREM", key, "member:2999");
            await c.send("SADD", key, "extra");
          }
        }
        cursor = next;
        calls++;
      } while (cursor !== "0");
      const prefix = command === "HSCAN" ? "field" : "member";
      for (let i = 0; i < 2999; i++) assertOk(seen.has(`${prefix}:${i}`), `${key} missed ${i}`);
      assertOk(calls > 10, `${command} took several calls`);
    }
    const [, matched] = await c.send("HSCAN", "h", "0", "MATCH", "field:1*", "COUNT", "100000") as [
      string,
      string[],
    ];
    assertEquals(matched.length, 1111 * 2);
    c.close();
  });
});

Deno.test("replies of big collections are bounded only by max-output: a client asking for more is cut off", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    const values = Array.from({ length: 20000 }, (_, i) => `element-number-${i}`);
    await c.send("RPUSH", "big", ...values);
    assertEquals((await c.send("LRANGE", "big", "0", "-1") as string[]).length, 20000);
    await c.send("CONFIG", "SET", "max-output", "64kb");
    const reply = await c.call("LRANGE", "big", "0", "-1").catch((e) => e);
    assertOk(reply instanceof Error, "the client is disconnected");
    const d = await server.connect();
    const drawn = await d.call("SRANDMEMBER", "nothing", "-1000000000").catch((e) => e);
    assertEquals(drawn, []);
    await d.send("SADD", "s", "a");
    const huge = await d.call("SRANDMEMBER", "s", "-1000000000").catch((e) => e);
    assertOk(huge instanceof Error, "a huge negative count is cut off at max-output");
    const e = await server.connect();
    assertEquals(await e.send("LLEN", "big"), 20000);
    e.close();
  });
});
