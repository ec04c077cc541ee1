/** Opens the store in `dir` and keeps it open until killed (for lock_test.ts). */
import { open } from "../../../mod.ts";

const db = await open({ dir: Deno.args[0] });
await db.set("holder", String(Deno.pid));
console.log("open");
await new Promise(() => {});
