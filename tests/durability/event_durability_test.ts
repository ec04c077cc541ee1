/**
 * Keyspace events wait for durability: a subscriber hears of a write only once the log has it.
 * The server runs under a file-size limit (as in disk_failure_test.ts), so at some point the
 * log cannot take a write: that write is answered MISCONF, and its event is never delivered.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { ReplyError } from "../../src/client/mod.ts";
import { startUnderShell } from "./process.ts";

const VALUE = "v".repeat(500);

Deno.test("a write the log could not take is never announced; every acknowledged one is, in order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-events-" });
  try {
    const server = await startUnderShell("trap '' XFSZ; ulimit -S -f 16", dir, [
      "--notify-keyspace-events",
      "E$",
    ]);
    try {
      const subscriber = await server.connect();
      const events = await subscriber.subscribe("__keyevent@0__:set", "sentinel");
      const writer = await server.connect();
      const acked: string[] = [];
      let refused: string | null = null;
      for (let i = 0; i < 200 && refused === null; i++) {
        const reply = await writer.call("SET", `k${i}`, VALUE);
        if (reply === "OK") acked.push(`k${i}`);
        else if (reply instanceof ReplyError && reply.code === "MISCONF") refused = `k${i}`;
        else throw new Error(`unexpected reply ${reply}`);
      }
      assertOk(refused !== null && acked.length > 2, `${acked.length} acknowledged`);
      // Messages from one publisher keep their order: the sentinel comes after every event.
      assertEquals(await writer.publish("sentinel", "done"), 1);
      const announced: string[] = [];
      for await (const { channel, message } of events) {
        if (channel === "sentinel") break;
        announced.push(message);
      }
      assertEquals(announced, acked);
      writer.close();
      subscriber.close();
    } finally {
      await server.kill();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
