import { assertEquals, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { farDeadline, sleepPast } from "../helpers/deadlines.ts";
import type { Client } from "../../src/client/mod.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The exact bytes of the reply to one command. */
async function rawReply(client: Client, ...args: string[]): Promise<string> {
  await client.writeRaw(
    `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join(""),
  );
  const { raw } = await client.readDecoded();
  return String.fromCharCode(...raw);
}

Deno.test("EXPIRE sets a TTL that TTL and PTTL report, TTL rounding to the nearest second", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "k", "v");
    assertEquals(await c.send("TTL", "k"), -1);
    assertEquals(await c.send("PTTL", "k"), -1);
    assertEquals(await c.send("TTL", "missing"), -2);
    assertEquals(await c.send("PTTL", "missing"), -2);
    // Each pair goes out in one write, so hardly any time passes between the two commands.
    const sent = Date.now();
    assertEquals(await c.pipeline([["EXPIRE", "k", "100"], ["TTL", "k"]]), [1, 100]);
    const pttl = await c.send("PTTL", "k") as number;
    // At most the time since EXPIRE was sent has passed off its 100 s.
    assertOk(pttl >= 100_000 - (Date.now() - sent) && pttl <= 100_000, `PTTL ${pttl}`);
    // 1499 ms left reads as 1 second, 1999 ms as 2 (the TTL right behind in the same write
    // runs well within the half second that would change them).
    assertEquals(await c.pipeline([["PEXPIRE", "k", "1499"], ["TTL", "k"]]), [1, 1]);
    assertEquals(await c.pipeline([["PEXPIRE", "k", "1999"], ["TTL", "k"]]), [1, 2]);
    assertEquals(await c.send("EXPIRE", "missing", "100"), 0);
    c.close();
  });
});

Deno.test("EXPIREAT, PEXPIREAT, EXPIRETIME and PEXPIRETIME use absolute Unix times", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "k", "v");
    assertEquals(await c.send("EXPIRETIME", "k"), -1);
    assertEquals(await c.send("PEXPIRETIME", "missing"), -2);
    assertEquals(await c.send("EXPIREAT", "k", "4000000000"), 1);
    assertEquals(await c.send("EXPIRETIME", "k"), 4000000000);
    assertEquals(await c.send("PEXPIRETIME", "k"), 4000000000000);
    assertEquals(await c.send("PEXPIREAT", "k", "4000000000499"), 1);
    assertEquals(await c.send("EXPIRETIME", "k"), 4000000000);
    assertEquals(await c.send("PEXPIREAT", "k", "4000000000500"), 1);
    assertEquals(await c.send("EXPIRETIME", "k"), 4000000001); // rounded, as Redis 7.0 does
    assertEquals(await c.send("PEXPIRETIME", "k"), 4000000000500);
    c.close();
  });
});

Deno.test("a deadline in the past deletes the key and still replies 1", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    for (const [command, time] of [["EXPIRE", "-1"], ["PEXPIRE", "0"], ["EXPIREAT", "1"]]) {
      await c.send("SET", "k", "v");
      assertEquals(await c.send(command, "k", time), 1, command);
      assertEquals(await c.send("EXISTS", "k"), 0, command);
    }
    assertEquals(await c.send("PEXPIREAT", "k", "-5"), 0); // no key: nothing to delete
    c.close();
  });
});

Deno.test("NX, XX, GT and LT follow Redis 7's rules", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "k", "v");
    assertEquals(await c.send("EXPIRE", "k", "100", "XX"), 0); // no TTL yet
    assertEquals(await c.send("EXPIRE", "k", "100", "GT"), 0); // no TTL counts as infinite
    assertEquals(await c.send("TTL", "k"), -1);
    assertEquals(await c.send("EXPIRE", "k", "1000", "LT"), 1); // anything is less than infinite
    assertEquals(await c.send("EXPIRE", "k", "100", "NX"), 0);
    assertEquals(await c.send("EXPIRE", "k", "500", "GT"), 0);
    assertEquals(await c.send("EXPIRE", "k", "2000", "GT"), 1);
    assertEquals(await c.send("EXPIRE", "k", "3000", "LT"), 0);
    assertEquals(await c.pipeline([["EXPIRE", "k", "50", "xx", "lt"], ["TTL", "k"]]), [1, 50]);
    assertEquals(await c.send("PERSIST", "k"), 1);
    assertEquals(await c.send("EXPIRE", "k", "10", "nx"), 1);
    assertEquals(await c.send("EXPIRE", "missing", "10", "NX"), 0);
    c.close();
  });
});

Deno.test("EXPIRE refuses conflicting or unknown options with Redis's exact texts", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "k", "v");
    const nxConflict = "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
    assertEquals(await rawReply(c, "EXPIRE", "k", "10", "NX", "XX"), nxConflict);
    assertEquals(await rawReply(c, "EXPIRE", "k", "10", "GT", "NX"), nxConflict);
    assertEquals(
      await rawReply(c, "PEXPIRE", "k", "10", "GT", "LT"),
      "-ERR GT and LT options at the same time are not compatible\r\n",
    );
    assertEquals(
      await rawReply(c, "EXPIRE", "k", "10", "SOON"),
      "-ERR Unsupported option SOON\r\n",
    );
    // Options are checked before the time is read.
    assertEquals(await rawReply(c, "EXPIRE", "k", "x", "SOON"), "-ERR Unsupported option SOON\r\n");
    assertEquals(
      await rawReply(c, "EXPIRE", "k", "1.5"),
      "-ERR value is not an integer or out of range\r\n",
    );
    assertEquals(await c.send("TTL", "k"), -1);
    c.close();
  });
});

Deno.test("an expire time that overflows is refused naming the command", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "k", "v");
    assertEquals(
      await rawReply(c, "EXPIRE", "k", "9223372036854775807"),
      "-ERR invalid expire time in 'expire' command\r\n",
    );
    assertEquals(
      await rawReply(c, "EXPIRE", "k", "-9223372036854776"),
      "-ERR invalid expire time in 'expire' command\r\n",
    );
    assertEquals(
      await rawReply(c, "PEXPIRE", "k", "9223372036854775807"),
      "-ERR invalid expire time in 'pexpire' command\r\n",
    );
    assertEquals(
      await rawReply(c, "EXPIREAT", "k", "9223372036854776"),
      "-ERR invalid expire time in 'expireat' command\r\n",
    );
    assertEquals(await c.send("TTL", "k"), -1);
    // The largest absolute deadlines are accepted.
    assertEquals(await c.send("PEXPIREAT", "k", "9223372036854775807"), 1);
    assertEquals(await c.send("PEXPIRETIME", "k"), 9223372036854775807n);
    c.close();
  });
});

Deno.test("PERSIST removes a TTL and reports whether there was one", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "k", "v");
    assertEquals(await c.send("PERSIST", "k"), 0);
    assertEquals(await c.send("PERSIST", "missing"), 0);
    assertEquals(await c.pipeline([["PEXPIRE", "k", "500"], ["PERSIST", "k"]]), [1, 1]);
    // The deadline PERSIST removed was at most 500 ms after this reply.
    const removed = Date.now() + 500;
    assertEquals(await c.send("TTL", "k"), -1);
    await sleepPast(removed);
    assertEquals(await c.send("GET", "k"), "v");
    c.close();
  });
});

Deno.test("a key is gone once its TTL has passed", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    await c.send("SET", "k", "v");
    assertEquals(await c.pipeline([["PEXPIRE", "k", "500"], ["GET", "k"]]), [1, "v"]);
    // The deadline is at most 500 ms after the reply.
    await sleepPast(Date.now() + 500);
    assertEquals(await c.send("GET", "k"), null);
    assertEquals(await c.send("TTL", "k"), -2);
    assertEquals(await c.send("PERSIST", "k"), 0);
    c.close();
  });
});

Deno.test("active expiry removes expired keys that nobody reads", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    const writes: string[][] = [];
    // A deadline no loaded machine reaches while they are counted; then one 1 ms away.
    const far = String(farDeadline());
    for (let i = 0; i < 1000; i++) writes.push(["SET", `temp:${i}`, "v", "PXAT", far]);
    for (let i = 0; i < 50; i++) writes.push(["SET", `keep:${i}`, "v"]);
    await c.pipeline(writes);
    assertEquals(await c.send("DBSIZE"), 1050);
    await c.pipeline(Array.from({ length: 1000 }, (_, i) => ["PEXPIRE", `temp:${i}`, "1"]));
    // Only DBSIZE is asked: it counts keys without touching them, so lazy expiry never runs.
    let size = 1050;
    const deadline = Date.now() + 30_000;
    while (size > 50 && Date.now() < deadline) {
      await sleep(100);
      size = await c.send("DBSIZE") as number;
    }
    assertEquals(size, 50);
    c.close();
  });
});

Deno.test("time moves on within one pipelined batch: a key whose TTL passes mid-batch is gone for the commands after", async () => {
  await withHermes(async (server) => {
    const c = await server.connect();
    // One write, one round: DEBUG SLEEP holds the server 50 ms between the SET and the reads, as
    // it holds Redis. Each command reads the time as it starts, not the round's.
    const replies = await c.pipeline([
      ["SET", "k", "v", "PX", "20"],
      ["DEBUG", "SLEEP", "0.05"],
      ["GET", "k"],
      ["EXISTS", "k"],
    ]);
    assertEquals(replies, ["OK", "OK", null, 0]);
    c.close();
  });
});
