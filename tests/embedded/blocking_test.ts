/**
 * The embedded store runs every blocking helper on a session of its own (`sendBlocking`), the
 * `bytes` view's included, so a waiting pop never holds up the store's other calls.
 */
import { open } from "../../mod.ts";
import { assertEquals } from "../helpers/assert.ts";
import { blocked } from "../helpers/blocked.ts";

Deno.test("blocking pops of the store and of its bytes view wait without holding up other calls", async () => {
  await using db = await open({ persistence: "none" });
  const urgent = db.bzpopMin("tasks", 30);
  const raw = db.bytes.blpop("jobs", 30);
  const highest = db.bzmpop(["scores"], "MAX", 30, 2);
  const moved = db.bytes.blmove("src", "dst", "LEFT", "RIGHT", 30);
  // INFO runs on the store's own session while all four wait (it would queue behind a pop
  // that held that session: fail then instead of hanging).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("the store's session is held by a pop")), 30_000);
  });
  await Promise.race([blocked(db, 4), stuck]).finally(() => clearTimeout(timer));
  assertEquals(await db.zadd("tasks", { urgent: 1, later: 9 }), 2);
  assertEquals(await urgent, { key: "tasks", member: "urgent", score: 1 });
  await db.rpush("jobs", new Uint8Array([0, 255]));
  assertEquals(await raw, {
    key: new TextEncoder().encode("jobs"),
    value: new Uint8Array([0, 255]),
  });
  await db.zadd("scores", { a: 1, b: 2, c: 3 });
  assertEquals(await highest, {
    key: "scores",
    members: [{ member: "c", score: 3 }, { member: "b", score: 2 }],
  });
  await db.rpush("src", "x");
  assertEquals(await moved, new TextEncoder().encode("x"));
  assertEquals(await db.zcard("tasks"), 1);
  assertEquals(await db.lrange("dst", 0, -1), ["x"]);
});
