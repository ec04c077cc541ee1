/**
 * The single executable: `deno task compile` builds `hermes`, which must behave as
 * `deno task start` does. `deno compile` needs the `denort` base runtime, which it downloads
 * on first use; where that is impossible the test runs only when the runtime is at hand:
 * DENORT_BIN names it (deno honours that variable), or it is in Deno's download cache
 * (`<DENO_DIR>/dl/release/v<version>/denort-<target>.zip`), or a `denort` sits beside the deno
 * executable. Otherwise the test skips and says why.
 */
import { assertEquals, assertMatch } from "../helpers/assert.ts";
import { freePort } from "../helpers/redis_process.ts";
import { runTool } from "../helpers/run_tool.ts";
import { connect } from "../../src/client/mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Environment for `deno compile`, or the reason it cannot run here. */
async function denortEnvironment(): Promise<{ env: Record<string, string> } | { skip: string }> {
  const fromEnv = Deno.env.get("DENORT_BIN");
  if (fromEnv) return { env: { DENORT_BIN: fromEnv } };
  const info = await runTool(Deno.execPath(), ["info", "--json"]);
  const denoDir = JSON.parse(info.stdout).denoDir as string;
  const cached = `${denoDir}/dl/release/v${Deno.version.deno}/denort-${Deno.build.target}.zip`;
  if (await exists(cached)) return { env: {} };
  const beside = `${Deno.execPath().replace(/[^/]*$/, "")}denort`;
  if (await exists(beside)) return { env: { DENORT_BIN: beside } };
  return {
    skip: `deno compile needs the denort runtime, which cannot be downloaded here: ` +
      `DENORT_BIN is not set, ${cached} is not cached and ${beside} does not exist`,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("deno task compile builds a hermes binary that runs like deno task start", async () => {
  const denort = await denortEnvironment();
  if ("skip" in denort) {
    console.log(`skipped: ${denort.skip}`);
    return;
  }
  // Build in a copy of the project so the shared working tree gets no ./hermes.
  const work = await Deno.makeTempDir({ prefix: "hermes-compile-" });
  try {
    for (const entry of ["deno.json", "main.ts", "src"]) {
      const copied = await runTool("cp", ["-r", `${ROOT}${entry}`, work]);
      assertEquals(copied.code, 0, copied.stderr);
    }
    const build = await runCommand(Deno.execPath(), ["task", "compile"], work, denort.env);
    assertEquals(build.code, 0, `deno task compile failed:\n${build.stderr}`);
    const binary = `${work}/hermes`;
    assertEquals((await Deno.stat(binary)).isFile, true);

    const version = await runCommand(binary, ["--version"], work);
    const expectedVersion = await runCommand(
      Deno.execPath(),
      ["run", "-A", "main.ts", "--version"],
      work,
    );
    assertMatch(version.stdout, /^hermes \d+\.\d+\.\d+\n$/);
    assertEquals(version.stdout, expectedVersion.stdout);
    const help = await runCommand(binary, ["--help"], work);
    const expectedHelp = await runCommand(
      Deno.execPath(),
      ["run", "-A", "main.ts", "--help"],
      work,
    );
    assertEquals(help.stdout, expectedHelp.stdout);

    // The server: permissions are embedded, so it starts without prompts or flags.
    const port = freePort();
    const server = new Deno.Command(binary, {
      args: ["--port", String(port), "--dir", `${work}/data`],
      cwd: work,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    try {
      const startup = await readUntil(server.stdout, /ready on .*\n/);
      assertMatch(startup, new RegExp(`^Hermes \\S+ ready on 127\\.0\\.0\\.1:${port} pid=\\d+ `));
      const client = await connect({ port });
      await client.set("built", "yes");
      assertEquals(await client.get("built"), "yes");
      client.close();
      const cli = await runCommand(binary, ["cli", "-p", String(port), "GET", "built"], work);
      assertEquals([cli.code, cli.stdout], [0, "yes\n"]);
    } finally {
      server.kill("SIGTERM");
      const status = await server.status;
      await server.stdout.cancel().catch(() => {});
      await server.stderr.cancel().catch(() => {});
      assertEquals(status.code, 0);
    }
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
});

async function runCommand(
  program: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(program, { args, cwd, env, stdin: "null" }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Reads `stream` until `pattern` matches what was read, within 20 s. */
async function readUntil(stream: ReadableStream<Uint8Array>, pattern: RegExp): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const timer = setTimeout(() => reader.cancel(), 20_000);
  try {
    while (!pattern.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`Output ended before ${pattern} appeared:\n${text}`);
      text += decoder.decode(value, { stream: true });
    }
    return text;
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}
