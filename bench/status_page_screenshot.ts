/**
 * Takes the README's screenshot of the status page: a Hermes with keys in two databases and a
 * partition, a few slow commands, driven by redis-benchmark (50 clients, SET/GET/INCR) for `--seconds`
 * while the page's history fills, then headless Chromium renders `/` into a PNG.
 *
 *   deno run --allow-all bench/status_page_screenshot.ts [--seconds 60] [--out docs/status-page.png]
 */
import { parseArgs } from "node:util";
import { startHermes } from "../tests/helpers/hermes_process.ts";
import { chromium, chromiumAvailable } from "../tests/helpers/chromium.ts";
import { hasCommand } from "../tests/helpers/redis_process.ts";
import { msetCommands, sendAll } from "../tests/helpers/bulk.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "60" },
    out: { type: "string", default: new URL("../docs/status-page.png", import.meta.url).pathname },
  },
});

async function main(): Promise<void> {
  if (!chromiumAvailable() || !hasCommand("redis-benchmark")) {
    console.log("Cannot take the screenshot: chromium and redis-benchmark are needed");
    return;
  }
  const server = await startHermes([
    "--metrics-port",
    "0",
    "--slowlog-log-slower-than",
    "2000",
  ]);
  try {
    const setup = await server.connect();
    await sendAll(setup, msetCommands("user", 50_000));
    setup.close();
    const other = await server.connect();
    await other.send("SELECT", "1");
    for (let i = 0; i < 2000; i++) await other.send("SET", `session:${i}`, "x", "EX", "3600");
    // A partition beside the numbered databases.
    await other.send("CREATE", "PARTITION", "cache", "STRING", "NONE");
    await other.send("SELECT", "cache");
    for (let i = 0; i < 5000; i++) await other.send("SET", `page:${i}`, "<html>", "EX", "600");
    // A few commands slow enough for the slow log.
    for (let i = 0; i < 4; i++) await other.send("KEYS", "nomatch*");
    other.close();

    const seconds = Number(values.seconds);
    console.log(`Loading the server for ${seconds} s...`);
    const load = new Deno.Command("redis-benchmark", {
      args: [
        "-p",
        String(server.port),
        "-c",
        "50",
        "-r",
        "100000",
        "-t",
        "set,get,incr",
        "-l",
        "-q",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    await chromium(`http://127.0.0.1:${server.metricsPort}/`, [`--screenshot=${values.out}`]);
    load.kill("SIGTERM");
    await load.status;
    console.log(`Wrote ${values.out}`);
  } finally {
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
}

await main();
