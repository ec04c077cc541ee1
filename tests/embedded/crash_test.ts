/**
 * A Deno program using the embedded store is killed with SIGKILL in the middle of writes under
 * `fsync: "always"`: reopening the directory finds every write whose promise had resolved.
 */
import { open } from "../../mod.ts";
import { assertEquals, assertOk } from "../helpers/assert.ts";

const PROGRAM = new URL("./programs/crash_writer.ts", import.meta.url).pathname;

Deno.test("every write an embedded program saw resolve survives a SIGKILL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-embedded-crash-" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", PROGRAM, dir],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const acked: string[] = [];
    let text = "";
    const decoder = new TextDecoder();
    const reader = child.stdout.getReader();
    // Kill once a few thousand writes were acknowledged (while more are in flight).
    while (acked.length < 3000) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the writer exited before it was killed");
      text += decoder.decode(value, { stream: true });
      const lines = text.split("\n");
      text = lines.pop()!;
      for (const line of lines) if (line !== "ready") acked.push(line);
    }
    child.kill("SIGKILL");
    // Lines that reached us after the kill were acknowledged too: read them all.
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    for (const line of text.split("\n")) if (line.includes(" ")) acked.push(line);
    const status = await child.status;
    assertEquals(status.signal, "SIGKILL");

    await using db = await open({ dir });
    const pushed = new Set(await db.lrange("log", 0, -1));
    const counter = Number(await db.get("counter"));
    let checked = 0;
    for (const line of acked) {
      const [kind, what] = line.split(" ");
      if (kind === "set") assertEquals(await db.get(what), what.replace("key", "value"), line);
      else if (kind === "push") assertOk(pushed.has(what), `lost ${line}`);
      else assertOk(counter >= Number(what), `counter ${counter} lost ${line}`);
      checked++;
    }
    assertOk(checked >= 3000, `checked ${checked} writes`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
