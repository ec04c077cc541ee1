/**
 * The package: deno.json names its exports, every export is documented (`deno doc --lint`),
 * the root module (client and embedded store) does not pull in the CLI, and `./server` starts
 * a server from code.
 */
import { startServer } from "../../server.ts";
import { connect } from "../../mod.ts";
import { assertEquals, assertOk } from "../helpers/assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function deno(...args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, out: text.decode(stdout) + text.decode(stderr) };
}

Deno.test("deno.json names the package and exports the store, the server and the CLI", async () => {
  const manifest = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assertEquals(manifest.name, "@hermes/hermes");
  assertOk(/^\d+\.\d+\.\d+$/.test(manifest.version));
  assertEquals(manifest.exports, {
    ".": "./mod.ts",
    "./server": "./server.ts",
    "./cli": "./cli.ts",
  });
});

Deno.test("every export of the package is documented (deno doc --lint)", async () => {
  const { code, out } = await deno("doc", "--lint", "mod.ts", "server.ts", "cli.ts");
  assertEquals(code, 0, out);
});

Deno.test("the client and the embedded store load without the CLI", async () => {
  const { code, out } = await deno("info", "--json", "mod.ts");
  assertEquals(code, 0, out);
  const modules: string[] = JSON.parse(out).modules.map((m: { specifier: string }) => m.specifier);
  assertOk(modules.some((m) => m.endsWith("/src/embedded/open.ts")));
  assertOk(modules.some((m) => m.endsWith("/src/client/client.ts")));
  assertEquals(modules.filter((m) => m.includes("/src/cli/")), []);
});

Deno.test("startServer from ./server serves clients until stopped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-start-server-" });
  try {
    const server = await startServer({ port: 0, dir, logLevel: "warn" });
    const client = await connect({ port: server.port });
    assertEquals(await client.set("k", "v"), "OK");
    await client.quit();
    await server.stop();
    await server.stopped;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
