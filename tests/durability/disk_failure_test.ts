/**
 * A log that cannot be written: the server is started under a file-size limit (`ulimit -f`,
 * with SIGXFSZ ignored so write() fails with EFBIG as on a full disk). The write that fails is
 * not acknowledged, writes are refused with MISCONF while reads go on, and once the limit is
 * lifted (prlimit on the running process) the kept bytes are written and writes resume.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { ReplyError } from "../../src/client/mod.ts";
import type { Client } from "../../src/client/mod.ts";
import { hasProgram, startUnderShell } from "./process.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const VALUE = "v".repeat(500);

async function info(client: Client): Promise<string> {
  return await client.send("INFO", "persistence") as string;
}

Deno.test("a write the log cannot take is refused with MISCONF, reads go on, and writes resume once it can", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-full-" });
  try {
    const server = await startUnderShell("trap '' XFSZ; ulimit -S -f 16", dir);
    const acked: string[] = [];
    try {
      const client = await server.connect();
      // A MULTI queued while the log is healthy, executed once it is not.
      const queuer = await server.connect();
      assertEquals(await queuer.pipeline([["MULTI"], ["SET", "queued", "x"]]), ["OK", "QUEUED"]);
      let refusal: unknown = null;
      for (let i = 0; i < 200 && refusal === null; i++) {
        const reply = await client.call("SET", `k${i}`, VALUE);
        if (reply === "OK") acked.push(`k${i}`);
        else refusal = reply;
      }
      assertOk(acked.length > 2, `only ${acked.length} writes before the limit`);
      assertOk(refusal instanceof ReplyError, `expected an error, got ${refusal}`);
      assertMatch(
        (refusal as ReplyError).message,
        /^MISCONF Errors writing to the AOF file: File too large/,
      );
      assertMatch(server.output(), /Cannot write \S+hermes-00000001\.log: File too large/);

      // Writes (and PING, as in Redis 7) are refused before they run; reads still work. An
      // EXEC that would write is refused as a whole, whether the write was queued before the
      // failure or refused while queueing.
      const replies = await client.pipeline([
        ["GET", acked[0]],
        ["SET", "refused", "x"],
        ["DEL", acked[1]],
        ["EXISTS", acked[1]],
        ["PING"],
        ["MULTI"],
        ["GET", acked[0]],
        ["EXEC"],
        ["MULTI"],
        ["SET", "refused", "x"],
        ["EXEC"],
      ]);
      assertEquals(replies[0], VALUE);
      assertMatch((replies[1] as ReplyError).message, /^MISCONF Errors writing to the AOF file/);
      assertMatch((replies[2] as ReplyError).message, /^MISCONF/);
      assertEquals(replies[3], 1);
      assertMatch((replies[4] as ReplyError).message, /^MISCONF/);
      assertEquals(replies.slice(5, 8), ["OK", "QUEUED", [VALUE]]);
      assertEquals(replies[8], "OK");
      assertMatch((replies[9] as ReplyError).message, /^MISCONF/);
      assertEquals(
        (replies[10] as ReplyError).message,
        "EXECABORT Transaction discarded because of previous errors.",
      );
      assertMatch(
        ((await queuer.call("EXEC")) as ReplyError).message,
        /^EXECABORT Transaction discarded because of: MISCONF Errors writing to the AOF file: /,
      );
      assertEquals(await queuer.call("GET", "queued"), null);
      queuer.close();
      assertMatch(await info(client), /aof_last_write_status:err/);

      if (!hasProgram("prlimit")) {
        console.log("Skipping the recovery half: prlimit (util-linux) is not installed");
      } else {
        const lifted = await new Deno.Command("prlimit", {
          args: ["--pid", String(server.pid), "--fsize=unlimited"],
        }).output();
        assertEquals(lifted.code, 0, new TextDecoder().decode(lifted.stderr));
        let reply: unknown = null;
        const deadline = Date.now() + 30_000;
        while (reply !== "OK" && Date.now() < deadline) {
          await sleep(100);
          reply = await client.call("SET", "after", "recovered");
        }
        assertEquals(reply, "OK");
        acked.push("after");
        assertMatch(await info(client), /aof_last_write_status:ok/);
        assertMatch(await info(client), /aof_buffer_length:0/);
        assertMatch(server.output(), /The log is writable again/);
      }
      client.close();
    } finally {
      await server.kill();
    }

    // Every acknowledged write is in the log, which is sound (no garbage before later records).
    const again = await startHermes([], { dir });
    try {
      const reader = await again.connect();
      const values = await reader.send("MGET", ...acked) as string[];
      for (let i = 0; i < acked.length; i++) {
        assertEquals(values[i], acked[i] === "after" ? "recovered" : VALUE, acked[i]);
      }
      reader.close();
    } finally {
      await again.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
