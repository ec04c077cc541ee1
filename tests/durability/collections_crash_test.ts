/**
 * Collections through kill -9: blocked BLMOVE clients moving elements while pushers add them
 * (no element lost or duplicated), and a compaction of big collections (sorted sets included)
 * while they change
 * (the state after a restart is exactly the acknowledged one, with or without a kill).
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes } from "../helpers/hermes_process.ts";
import type { Client } from "../../src/client/mod.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hermes-collections-crash-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

Deno.test("kill -9 while BLMOVE clients are blocked and pushes flow loses and duplicates no element", async () => {
  await withDir(async (dir) => {
    const server = await startHermes([], { dir });
    const pushed = new Set<string>(); // acknowledged pushes
    const attempted = new Set<string>();
    const moved = new Set<string>(); // acknowledged moves
    let stop = false;
    const movers = Array.from({ length: 4 }, async () => {
      const client = await server.connect();
      while (!stop) {
        try {
          const value = await client.send("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0");
          if (typeof value === "string") moved.add(value);
        } catch {
          return; // the server was killed
        }
      }
    });
    const pushers = Array.from({ length: 3 }, async (_, p) => {
      const client = await server.connect();
      for (let i = 0; !stop; i++) {
        const value = `p${p}-${i}`;
        attempted.add(value);
        try {
          await client.send("RPUSH", "src", value);
          pushed.add(value);
        } catch {
          return;
        }
        if (i % 50 === 0) await sleep(1); // let the movers block now and then
      }
    });
    const deadline = Date.now() + 60_000;
    while (moved.size < 300) {
      assertOk(Date.now() < deadline, `only ${moved.size} values moved in 60 s`);
      await sleep(10);
    }
    await server.kill();
    stop = true;
    await Promise.all([...movers, ...pushers]);

    const restarted = await startHermes([], { dir });
    try {
      const c = await restarted.connect();
      const src = await c.send("LRANGE", "src", "0", "-1") as string[];
      const dst = await c.send("LRANGE", "dst", "0", "-1") as string[];
      const all = [...src, ...dst];
      assertEquals(new Set(all).size, all.length, "no element is duplicated");
      for (const value of pushed) assertOk(all.includes(value), `acknowledged push ${value} lost`);
      for (const value of all) assertOk(attempted.has(value), `${value} was never pushed`);
      const inDst = new Set(dst);
      for (const value of moved) assertOk(inDst.has(value), `acknowledged move of ${value} lost`);
      assertOk(moved.size >= 300 && pushed.size >= 300, "the workload ran");
      c.close();
    } finally {
      await restarted.stop();
    }
  });
});

/** The collections' full contents, read over the wire. */
async function contents(c: Client) {
  return {
    list: await c.send("LRANGE", "list", "0", "-1"),
    hashPairs: pairs(await c.send("HGETALL", "hash") as string[]),
    set: (await c.send("SMEMBERS", "set") as string[]).sort(),
    zset: await c.send("ZRANGE", "zset", "0", "-1", "WITHSCORES"),
  };
}

function pairs(flat: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push(`${flat[i]}=${flat[i + 1]}`);
  return out.sort();
}

async function loadBig(server: HermesProcess): Promise<void> {
  const c = await server.connect();
  const batch: string[][] = [];
  for (let i = 0; i < 60_000; i += 5000) {
    batch.push(["RPUSH", "list", ...Array.from({ length: 5000 }, (_, k) => `element-${i + k}`)]);
    const fields: string[] = [];
    for (let k = i; k < i + 5000; k++) fields.push(`field-${k}`, `value-${k}`);
    batch.push(["HSET", "hash", ...fields]);
    batch.push(["SADD", "set", ...Array.from({ length: 5000 }, (_, k) => `member-${i + k}`)]);
    const scored: string[] = [];
    for (let k = i; k < i + 5000; k++) scored.push(String((k * 7919) % 10007), `player-${k}`);
    batch.push(["ZADD", "zset", ...scored]);
  }
  await c.pipeline(batch);
  c.close();
}

/** Changes the collections one acknowledged command at a time; `step` picks the change. */
async function change(c: Client, step: number): Promise<void> {
  switch (step % 9) {
    case 0:
      await c.send("LPUSH", "list", `head-${step}`);
      break;
    case 1:
      await c.send("RPOP", "list", "2");
      break;
    case 2:
      await c.send("HSET", "hash", `field-${step * 13}`, `changed-${step}`, `new-${step}`, "x");
      break;
    case 3:
      await c.send("HDEL", "hash", `field-${step * 17}`);
      break;
    case 4:
      await c.send("SADD", "set", `added-${step}`);
      break;
    case 5:
      await c.send("SREM", "set", `member-${step * 19}`, `member-${step * 23}`);
      break;
    case 6:
      await c.send("ZINCRBY", "zset", "0.5", `player-${step * 29}`);
      break;
    case 7:
      await c.send("ZPOPMIN", "zset", "2");
      break;
    case 8:
      await c.send("ZREMRANGEBYSCORE", "zset", String(step), `(${step + 3}`);
      break;
  }
}

async function compacting(c: Client): Promise<boolean> {
  const info = await c.send("INFO", "persistence") as string;
  return info.includes("aof_rewrite_in_progress:1");
}

for (const kill of [false, true]) {
  Deno.test(`changes to big collections during a compaction${kill ? ", then kill -9," : ""} restart to exactly the acknowledged state`, async () => {
    await withDir(async (dir) => {
      const first = await startHermes([], { dir });
      await loadBig(first);
      const c = await first.connect();
      let steps = 0;
      let during = 0;
      // A loaded machine may finish a compaction before this client's next command: start
      // another until changes land while one runs.
      for (let attempt = 1; during === 0; attempt++) {
        assertOk(attempt <= 10, "no change landed while a compaction ran, in 10 compactions");
        assertEquals(
          await c.send("BGREWRITEAOF"),
          "Background append only file rewriting started",
        );
        const first = steps;
        // Change the collections while the snapshot is written; keep going a little after.
        while (steps < first + 40 || (!kill && await compacting(c))) {
          const before = await compacting(c);
          await change(c, steps++);
          // Running before the change and after its reply: the change landed during it.
          if (before && await compacting(c)) during++;
          if (kill && steps >= first + 40) break;
        }
      }
      const expected = await contents(c);
      c.close();
      if (kill) await first.kill();
      else await first.stop();
      const second = await startHermes([], { dir });
      try {
        const d = await second.connect();
        assertEquals(await contents(d), expected);
        d.close();
      } finally {
        await second.stop();
      }
    });
  });
}
