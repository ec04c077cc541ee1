/**
 * A Deno program using the embedded store (for crash_test.ts): opens `dir` with
 * `fsync: "always"` and writes from 20 concurrent callers until killed, printing one line per
 * write whose promise resolved: `set <key>`, `push <n>`, `incr <value>`.
 */
import { open } from "../../../mod.ts";

const db = await open({ dir: Deno.args[0], fsync: "always" });
const out = Deno.stdout;
const encoder = new TextEncoder();
let next = 0;
console.log("ready");
await Promise.all(Array.from({ length: 20 }, async () => {
  while (true) {
    const n = next++;
    let line: string;
    if (n % 3 === 0) {
      await db.set(`key:${n}`, `value:${n}`);
      line = `set key:${n}`;
    } else if (n % 3 === 1) {
      await db.rpush("log", String(n));
      line = `push ${n}`;
    } else {
      line = `incr ${await db.incr("counter")}`;
    }
    out.writeSync(encoder.encode(line + "\n"));
  }
}));
