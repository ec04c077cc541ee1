/**
 * The status page in a real browser: headless Chromium loads `/` from a server under load,
 * runs the page's script (polling /stats.json) and the rendered DOM is checked for numbers
 * that change between two loads; a screenshot is saved too.
 */
import { assertEquals, assertMatch, assertNotEquals, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { chromium, chromiumAvailable } from "../helpers/chromium.ts";
import type { Client } from "../../src/client/mod.ts";

const CHROMIUM = chromiumAvailable();
if (!CHROMIUM) console.log("Skipping the status page test: chromium is not on PATH");

/** The text content of the element with `id` in a dumped DOM (the page sets plain text). */
function textOf(dom: string, id: string): string {
  const match = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(dom);
  if (!match) throw new Error(`No element #${id} in the page`);
  return match[1];
}

/** Keeps one client busy with pipelined writes and reads until stopped. */
function startLoad(client: Client): () => Promise<void> {
  let running = true;
  const done = (async () => {
    for (let round = 0; running; round++) {
      await client.pipeline(Array.from({ length: 50 }, (_, i) => {
        const key = `load:${(round * 50 + i) % 5000}`;
        return i % 2 === 0 ? ["SET", key, "value"] : ["GET", key];
      }));
    }
  })();
  return async () => {
    running = false;
    await done;
  };
}

Deno.test({
  name: "the status page renders live numbers and plots in Chromium while the server is loaded",
  ignore: !CHROMIUM,
  async fn() {
    await withHermes(async (server) => {
      const url = `http://127.0.0.1:${server.metricsPort}/`;
      const client = await server.connect();
      const stop = startLoad(client);
      try {
        // The page plots the server's history: wait until it has seconds with fsyncs in it.
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          const stats = await (await fetch(`${url}stats.json`)).json();
          const synced = stats.history.filter((s: { fsyncMs: number | null }) => s.fsyncMs);
          if (synced.length >= 2) break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const first = await chromium(url, ["--dump-dom"]);
        // "updated" shows whole seconds: let the clock move before the second load.
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        const second = await chromium(url, ["--dump-dom"]);
        for (const dom of [first, second]) {
          assertEquals(textOf(dom, "health"), "healthy");
          for (const id of ["ops", "commands", "clients", "keys"]) {
            assertMatch(textOf(dom, id), /^[0-9][0-9,]*$/, `#${id}`);
          }
          assertMatch(textOf(dom, "memory"), /^[0-9.]+ (KiB|MiB|GiB)$/);
          assertMatch(textOf(dom, "hit-ratio"), /^[0-9.]+ %$/);
          assertMatch(textOf(dom, "fsync"), /^[0-9.]+ ms$/);
          assertMatch(textOf(dom, "role"), /^master$/);
          // A plot was drawn from the history (a path with points).
          assertMatch(dom, /<svg id="chart-ops"[^>]*>.*<path d="M[0-9.]+ [0-9.]+ /s);
          assertMatch(dom, /<td>db0<\/td>/);
        }
        const commands = (dom: string) => Number(textOf(dom, "commands").replaceAll(",", ""));
        assertOk(commands(second) > commands(first), "the command count did not move");
        assertNotEquals(textOf(first, "updated"), textOf(second, "updated"));

        const dir = await Deno.makeTempDir({ prefix: "hermes-screenshot-" });
        try {
          const file = `${dir}/status.png`;
          await chromium(url, [`--screenshot=${file}`]);
          const png = await Deno.readFile(file);
          assertEquals([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
          assertOk(png.length > 20_000, `a ${png.length}-byte screenshot is too small`);
          console.log(`Screenshot of the status page: ${png.length} bytes`);
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      } finally {
        await stop();
        client.close();
      }
    }, ["--metrics-port", "0"]);
  },
});
