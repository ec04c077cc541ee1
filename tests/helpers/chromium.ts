/**
 * Headless Chromium, the real browser the status page is tested in (Debian package
 * `chromium`): each run gets a fresh profile and a virtual time budget, so the page's script
 * runs its polls and the run ends by itself.
 */
import { assertEquals } from "./assert.ts";
import { hasCommand } from "./redis_process.ts";
import { runTool } from "./run_tool.ts";

export function chromiumAvailable(): boolean {
  return hasCommand("chromium");
}

/**
 * Runs headless Chromium on `url` with a fresh profile, a 1280x1000 window and 3 s of virtual
 * time; `mode` is `["--dump-dom"]` (the rendered DOM is returned) or `["--screenshot=FILE"]`.
 */
export async function chromium(url: string, mode: string[]): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "hermes-chromium-" });
  try {
    const result = await runTool("chromium", [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      "--virtual-time-budget=3000",
      "--window-size=1280,1000",
      ...mode,
      url,
    ], { timeoutMs: 90_000 });
    assertEquals(result.code, 0, result.stderr);
    return result.stdout;
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
