/**
 * A data directory is used by one open store at a time: a second `open`, in this process or
 * another, fails with a clear error; closing (or the holder dying) releases it.
 */
import { open } from "../../mod.ts";
import { assertEquals, assertMatch, assertRejects } from "../helpers/assert.ts";

const HOLDER = new URL("./programs/hold_open.ts", import.meta.url).pathname;

Deno.test("a second open of a directory in the same process fails until the first is closed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-embedded-lock-" });
  try {
    const first = await open({ dir });
    await first.set("k", "1");
    await assertRejects(() => open({ dir }), (error: Error) => {
      assertMatch(error.message, /this process already has it open .*close that store first/);
      return error.name === "StartupError";
    });
    await first.close();
    await using second = await open({ dir });
    assertEquals(await second.get("k"), "1");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a directory another process has open is refused, naming its pid, until it dies", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-embedded-lock-" });
  try {
    const holder = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", HOLDER, dir],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = holder.stdout.getReader();
    let text = "";
    while (!text.includes("open\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the holder exited early");
      text += new TextDecoder().decode(value);
    }
    await assertRejects(
      () => open({ dir }),
      (error: Error) =>
        error.message.includes(`another Hermes process (pid ${holder.pid}) is using it`),
    );
    holder.kill("SIGKILL");
    await holder.status;
    reader.releaseLock();
    await holder.stdout.cancel();
    await using db = await open({ dir });
    assertEquals(await db.get("holder"), String(holder.pid));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
