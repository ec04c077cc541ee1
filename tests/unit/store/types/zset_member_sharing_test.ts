/**
 * A sorted set keeps one copy of each member: a score update (ZINCRBY, ZADD of a member already
 * there) gets its member as a new string off the wire, and the score tree must take the map's
 * string back instead of keeping the new one beside it. Strings of equal content cannot be told
 * apart in JavaScript, so a child process with --expose-gc weighs the heap instead.
 */
import { assertOk } from "../../../helpers/assert.ts";

const zsetModule = new URL("../../../../src/store/types/zset.ts", import.meta.url).href;

/**
 * Heap growth (bytes, after full collections) when each of `count` members of `bytes` chars gets
 * a new score through a fresh copy of its name.
 */
async function heapGrowthOfUpdates(count: number, bytes: number): Promise<number> {
  const script = `
    const { ZSetValue } = await import(${JSON.stringify(zsetModule)});
    const name = (i) => String(i).padStart(${bytes}, "m");
    // Another string with the same chars (it holds its own 10 KB), as a command's member is.
    const fresh = (s) => (s + " ").slice(0, -1);
    const zset = new ZSetValue();
    for (let i = 0; i < ${count}; i++) zset.set(fresh(name(i)), i);
    globalThis.gc(); globalThis.gc();
    const before = Deno.memoryUsage().heapUsed;
    for (let i = 0; i < ${count}; i++) zset.set(fresh(name(i)), i + 0.5);
    globalThis.gc(); globalThis.gc();
    const after = Deno.memoryUsage().heapUsed;
    if (zset.size !== ${count} || zset.score(name(7)) !== 7.5) throw new Error("wrong contents");
    console.log(after - before);
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--v8-flags=--expose-gc", script],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assertOk(output.success, "the child process failed");
  return Number(new TextDecoder().decode(output.stdout).trim());
}

Deno.test("a score update keeps one copy of the member: the tree takes the map's", async () => {
  // 2,000 members of 10,000 chars: 20 MB of names; a second copy of each would show as much.
  const growth = await heapGrowthOfUpdates(2_000, 10_000);
  assertOk(growth < 2_000_000, `the heap grew by ${growth} bytes after updating every score`);
});
