/**
 * A leaderboard against redis-server 7.0: tens of thousands of ZINCRBY and ZREM on members that
 * share a prefix, then on members that do not (so Hermes's score tree is keyed, then has its
 * prefix shrunk and its keys computed again: store/types/score_tree.ts), every reply compared,
 * then the whole order, ranks, ranges and counts, and the same after DEBUG RELOAD (lex ranges
 * over mixed scores are left out: Redis leaves their answer unspecified).
 */
import { assertEquals } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { random } from "../helpers/random.ts";
import { type Client, connect } from "../../src/client/mod.ts";

const REDIS = redisAvailable();
if (!REDIS) console.log("Skipping the leaderboard comparison: redis-server is not on PATH");

const COMMANDS = 40_000;
const BATCH = 500;
/** Member prefixes of the second half: shorter than, unlike and longer than the first's. */
const LATER_PREFIXES = ["player:", "pl", "q", "player:00", ""];

function leaderboardCommands(): string[][] {
  const rand = random(2026);
  const commands: string[][] = [];
  const member = (prefix: string) => prefix + String(Math.floor(rand() * 6000)).padStart(12, "0");
  for (let i = 0; i < COMMANDS; i++) {
    const prefix = i < COMMANDS / 2
      ? "player:"
      : LATER_PREFIXES[Math.floor(rand() * LATER_PREFIXES.length)];
    const increment = ["1", "1", "1", "2", "-1", "0.5"][Math.floor(rand() * 6)];
    commands.push(["ZINCRBY", "lb", increment, member(prefix)]);
    if (i % 7 === 0) commands.push(["ZREM", "lb", member(prefix)]);
  }
  return commands;
}

async function run(client: Client, commands: string[][]): Promise<unknown[]> {
  const replies: unknown[] = [];
  for (let at = 0; at < commands.length; at += BATCH) {
    const batch = client.batch();
    for (const command of commands.slice(at, at + BATCH)) batch.send(...command);
    replies.push(...await batch.exec());
  }
  return replies;
}

async function views(client: Client): Promise<unknown[]> {
  return [
    await client.send("ZCARD", "lb"),
    await client.send("ZRANGE", "lb", "0", "-1", "WITHSCORES"),
    await client.send("ZRANK", "lb", "player:000000001234"),
    await client.send("ZREVRANK", "lb", "q000000000042"),
    await client.send("ZREVRANGE", "lb", "100", "119", "WITHSCORES"),
    await client.send("ZMSCORE", "lb", "player:000000000007", "pl000000000007", "nobody"),
    await client.send("ZCOUNT", "lb", "3", "(5"),
    await client.send("ZRANGEBYSCORE", "lb", "2", "2", "LIMIT", "100", "10"),
  ];
}

Deno.test({
  name:
    "a leaderboard whose members change prefix answers as Redis does, before and after a reload",
  ignore: !REDIS,
  async fn() {
    const commands = leaderboardCommands();
    const redis = await startRedis();
    try {
      await withHermes(async (server) => {
        const r = await connect({ port: redis.port });
        const h = await server.connect();
        try {
          const expected = await run(r, commands);
          const got = await run(h, commands);
          for (let i = 0; i < commands.length; i++) {
            assertEquals(got[i], expected[i], commands[i].join(" "));
          }
          const redisViews = await views(r);
          assertEquals(await h.send("OBJECT", "ENCODING", "lb"), "skiplist");
          assertEquals(await views(h), redisViews);
          assertEquals(await h.send("DEBUG", "RELOAD"), "OK");
          assertEquals(await views(h), redisViews);
        } finally {
          r.close();
          h.close();
        }
      });
    } finally {
      await redis.stop();
    }
  },
});
