/**
 * SLOWLOG through a real server, beyond what the differential script compares: the client's
 * real address and name in each entry, the bound on its length however many commands run,
 * and the settings' defaults and limits.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { ReplyError } from "../../src/client/mod.ts";
import { SLOWLOG_MAX_LEN_LIMIT } from "../../src/config/settings.ts";

type Entry = [number, number, number, string[], string, string];

Deno.test("slow log entries name the client's address and name and the command's real duration", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(await client.send("CONFIG", "GET", "slowlog-*"), [
      "slowlog-log-slower-than",
      "10000",
      "slowlog-max-len",
      "128",
    ]);
    await client.send("CONFIG", "SET", "slowlog-log-slower-than", "0");
    await client.send("CLIENT", "SETNAME", "reporter");
    const before = Math.floor(Date.now() / 1000);
    await client.send("SET", "k", "v");
    const [entry] = await client.send("SLOWLOG", "GET", "1") as Entry[];
    const info = await client.send("CLIENT", "INFO") as string;
    const address = /addr=(\S+)/.exec(info)![1];
    assertEquals(entry[3], ["SET", "k", "v"]);
    assertEquals([entry[4], entry[5]], [address, "reporter"]);
    assertOk(entry[1] >= before && entry[1] <= Math.floor(Date.now() / 1000) + 1);
    assertOk(Number.isInteger(entry[2]) && entry[2] >= 0 && entry[2] < 10_000_000);
    client.close();
  });
});

Deno.test("the slow log never holds more than slowlog-max-len entries", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "100");
    const commands = Array.from({ length: 2000 }, (_, i) => ["SET", `k${i}`, "x".repeat(300)]);
    await client.pipeline(commands);
    assertEquals(await client.send("SLOWLOG", "LEN"), 100);
    const entries = await client.send("SLOWLOG", "GET", "-1") as Entry[];
    assertEquals(entries.length, 100);
    // Newest first, ids one apart, every argument cut to 128 bytes.
    assertEquals(entries[0][3], ["SLOWLOG", "LEN"]);
    for (let i = 1; i < entries.length; i++) assertEquals(entries[i][0], entries[i - 1][0] - 1);
    assertEquals(entries[1][3], ["SET", "k1999", "x".repeat(128) + "... (172 more bytes)"]);

    const tooLong = await client.call(
      "CONFIG",
      "SET",
      "slowlog-max-len",
      String(SLOWLOG_MAX_LEN_LIMIT + 1),
    );
    assertOk(tooLong instanceof ReplyError);
    assertMatch((tooLong as ReplyError).message, /argument must be between 0 and 100000 inclusive/);
    assertEquals(
      await client.send("CONFIG", "SET", "slowlog-max-len", String(SLOWLOG_MAX_LEN_LIMIT)),
      "OK",
    );
    client.close();
  });
});
