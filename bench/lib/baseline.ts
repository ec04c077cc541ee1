/**
 * Hermes as another commit has it, for before/after comparisons in one run (the machine's noise
 * then hits both alike): the ref is checked out into a temporary git worktree and its main.ts
 * started like this tree's (port 0, a fresh temp dir, the same V8 flags).
 */
import { HERMES_V8_FLAGS } from "../../tests/helpers/hermes_process.ts";
import type { BenchServer } from "./servers.ts";
import { spawnUntilReady } from "./spawn_ready.ts";

const REPO = new URL("../..", import.meta.url).pathname;

async function git(args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command("git", { args, cwd: REPO }).output();
  const text = new TextDecoder().decode(code === 0 ? stdout : stderr).trim();
  if (code !== 0) throw new Error(`git ${args.join(" ")} failed: ${text}`);
  return text;
}

/** A checkout of `ref` in a temp dir (a git worktree), and how to remove it. */
export async function checkOutBaseline(
  ref: string,
): Promise<{ commit: string; tree: string; remove: () => Promise<void> }> {
  const commit = await git(["rev-parse", "--short", ref]);
  const tree = await Deno.makeTempDir({ prefix: "hermes-baseline-" });
  await git(["worktree", "add", "--detach", tree, commit]);
  const remove = async () => {
    await git(["worktree", "remove", "--force", tree]).catch(() => {});
    await Deno.remove(tree, { recursive: true }).catch(() => {});
  };
  return { commit, tree, remove };
}

/** Starts Hermes from git `ref` with `args`; stopping it also removes its worktree. */
export async function startBaselineHermes(ref: string, args: string[]): Promise<BenchServer> {
  const { commit, tree, remove } = await checkOutBaseline(ref);
  const dir = await Deno.makeTempDir({ prefix: "hermes-baseline-data-" });
  const removeTree = async () => {
    await remove();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    const { child, port, drained } = await spawnUntilReady([
      "run",
      ...HERMES_V8_FLAGS,
      "--allow-all",
      `${tree}/main.ts`,
      ...["--port", "0", "--dir", dir, ...args],
    ]);
    return {
      name: "Hermes",
      port,
      pid: child.pid,
      settings: `${ref} (${commit}) ${args.join(" ")}`,
      async stop() {
        child.kill("SIGTERM");
        await child.status;
        await drained.catch(() => {});
        await removeTree();
      },
    };
  } catch (error) {
    await removeTree();
    throw error;
  }
}
