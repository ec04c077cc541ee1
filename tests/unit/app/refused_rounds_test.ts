/**
 * Rounds the log cannot make durable under `--fsync always` (an injected fdatasync failure),
 * on a whole server in this process: a refused command never takes effect, another client
 * reading in the same round gets the refusal and never the value, and what the log replays
 * afterwards is exactly what was acknowledged.
 */
import { assertEquals, assertOk } from "../../helpers/assert.ts";
import type { RespValue } from "../../../src/client/resp_decoder.ts";
import type { Session } from "../../../src/commands/session.ts";
import {
  afterRestart,
  type AppHarness,
  isRefusal,
  startInProcess,
  withInProcess,
} from "./in_process_app.ts";

interface FamilyCase {
  family: string;
  /** Run first (acknowledged), by the writer and then the reader. */
  setup: string[][];
  readerSetup?: string[][];
  /** The writer's batch in the refused round. */
  write: string[][];
  /** The reader's command in the same round, and what it answers once the log works again. */
  read: string[];
  after: RespValue;
}

const CASES: FamilyCase[] = [
  {
    family: "strings",
    setup: [["SET", "s", "old"], ["SET", "n", "5"]],
    write: [["SET", "s", "new"], ["APPEND", "s", "!"], ["INCR", "n"], ["MSET", "s", "m", "t", "u"]],
    read: ["MGET", "s", "n", "t"],
    after: ["old", "5", null],
  },
  {
    family: "bitmaps and HyperLogLogs",
    setup: [["SETBIT", "bits", "1", "1"], ["PFADD", "hll", "a"]],
    write: [["SETBIT", "bits", "7", "1"], ["PFADD", "hll", "b", "c"], [
      "BITOP",
      "NOT",
      "n",
      "bits",
    ]],
    read: ["BITCOUNT", "bits"],
    after: 1,
  },
  {
    family: "keys and expiry",
    setup: [["SET", "e", "v"], ["SET", "gone", "x"]],
    write: [["EXPIRE", "e", "100"], ["DEL", "gone"], ["RENAME", "e", "e2"], ["COPY", "gone", "c"]],
    read: ["TTL", "e"],
    after: -1,
  },
  {
    family: "hashes",
    setup: [["HSET", "h", "f", "old", "g", "1"]],
    write: [["HSET", "h", "f", "new"], ["HDEL", "h", "g"], ["HINCRBY", "h", "n", "3"]],
    read: ["HGETALL", "h"],
    after: ["f", "old", "g", "1"],
  },
  {
    family: "lists",
    setup: [["RPUSH", "l", "a", "b", "c"]],
    write: [
      ["LPUSH", "l", "x"],
      ["LSET", "l", "1", "y"],
      ["LTRIM", "l", "0", "1"],
      ["LINSERT", "l", "BEFORE", "y", "z"],
      ["LMOVE", "l", "l2", "LEFT", "RIGHT"],
    ],
    read: ["LRANGE", "l", "0", "-1"],
    after: ["a", "b", "c"],
  },
  {
    family: "sets",
    setup: [["SADD", "st", "a", "b"]],
    write: [["SADD", "st", "c"], ["SREM", "st", "a"], ["SMOVE", "st", "st2", "b"]],
    read: ["SMEMBERS", "st"],
    after: ["a", "b"],
  },
  {
    family: "sorted sets",
    setup: [["ZADD", "z", "1", "a", "2", "b"]],
    write: [
      ["ZADD", "z", "5", "a"],
      ["ZREM", "z", "b"],
      ["ZINCRBY", "z", "3", "c"],
      ["ZPOPMIN", "z"],
      ["ZUNIONSTORE", "z2", "1", "z"],
    ],
    read: ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    after: ["a", "1", "b", "2"],
  },
  {
    family: "partitions",
    setup: [["CREATE", "PARTITION", "ledger", "INT", "WAL"], ["SELECT", "ledger"], [
      "SET",
      "p",
      "1",
    ]],
    readerSetup: [["SELECT", "ledger"]],
    write: [["INCRBY", "p", "10"], ["CREATE", "PARTITION", "more", "ANY", "WAL"]],
    read: ["GET", "p"],
    after: "1",
  },
  {
    family: "MULTI/EXEC",
    setup: [["SET", "t", "old"]],
    write: [["MULTI"], ["SET", "t", "new"], ["INCR", "tn"], ["EXEC"]],
    read: ["GET", "t"],
    after: "old",
  },
  {
    family: "BEGIN/COMMIT",
    setup: [["SET", "b", "old"], ["BEGIN"], ["SET", "b", "new"], ["INCR", "bn"]],
    write: [["COMMIT"]],
    read: ["GET", "b"],
    after: "old",
  },
];

/** Commands whose replies carry no data keep them (MULTI's OK, the queued +QUEUED). */
const NO_DATA = new Set(["MULTI", "SELECT", "CREATE"]);

/** Runs `c` with its write refused; returns the writer. */
async function refusedRound(h: AppHarness, c: FamilyCase): Promise<Session> {
  const writer = h.client();
  const reader = h.client();
  for (const command of c.setup) await h.send(writer, command);
  for (const command of c.readerSetup ?? []) await h.send(reader, command);
  const before = h.logged();
  h.faults.replan("fail-sync=1");
  // Submitted in one tick: the two clients share the round.
  const [written, read] = await Promise.all([h.send(writer, ...c.write), h.send(reader, c.read)]);
  c.write.forEach((command, i) => {
    if (command[0] === "CREATE") return; // no_multi, but a write: refused like the others
    const queued = c.write[0][0] === "MULTI" && i > 0 && i < c.write.length - 1;
    if (NO_DATA.has(command[0]) || queued) return;
    assertOk(isRefusal(written[i]), `${c.family}: ${command.join(" ")} answered ${written[i]}`);
  });
  assertOk(isRefusal(read[0]), `${c.family}: the reader got ${read[0]}`);
  assertEquals(h.logged(), before, `${c.family}: the refused round changed data`);
  await h.recovered();
  assertEquals((await h.send(reader, c.read))[0], c.after, c.family);
  return writer;
}

Deno.test("in a refused round every family's writes have no effect and a reader in the same round gets the refusal", async () => {
  const h = await startInProcess();
  try {
    const writers = [];
    for (const c of CASES) writers.push(await refusedRound(h, c));
    // A refused COMMIT ends its transaction, rolled back, as a CONFLICT does.
    const [again] = await h.send(writers.at(-1)!, ["COMMIT"]);
    assertEquals((again as Error).message, "ERR COMMIT without BEGIN");
    const live = h.logged();
    assertEquals(await afterRestart(h), live);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

/** A random command of some family, on a few shared keys (so commands collide). */
function randomCommand(rand: () => number): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const n = () => String(Math.floor(rand() * 3));
  const v = () => pick(["a", "b", "c", "dd", "1", "22"]);
  const s = () => `s${n()}`;
  const h = () => `h${n()}`;
  const l = () => `l${n()}`;
  const t = () => `t${n()}`;
  const z = () => `z${n()}`;
  const any = () => pick([s, h, l, t, z])();
  const commands: (() => string[])[] = [
    () => [
      "SET",
      s(),
      v(),
      ...pick([[], ["EX", "3600"], ["PX", String(1 + Math.floor(rand() * 30))]]),
    ],
    () => ["APPEND", s(), v()],
    () => ["INCR", "counter"],
    () => ["GETDEL", s()],
    () => ["SETRANGE", s(), "2", v()],
    () => ["DEL", any()],
    () => ["EXPIRE", any(), "3600"],
    () => ["PERSIST", any()],
    () => ["MOVE", any(), "1"],
    () => ["COPY", any(), any(), "DB", "1", "REPLACE"],
    () => ["RENAME", s(), s()],
    () => ["HSET", h(), v(), v()],
    () => ["HDEL", h(), v()],
    () => ["HINCRBY", h(), "count", "1"],
    () => [pick(["LPUSH", "RPUSH"]), l(), v(), v()],
    () => [pick(["LPOP", "RPOP"]), l(), pick(["1", "2"])],
    () => ["LSET", l(), pick(["0", "-1", "1"]), v()],
    () => ["LTRIM", l(), pick(["0", "1", "-2"]), pick(["0", "2", "-1"])],
    () => ["LINSERT", l(), pick(["BEFORE", "AFTER"]), v(), v()],
    () => ["LREM", l(), pick(["0", "1", "-1"]), v()],
    () => ["LMOVE", l(), l(), pick(["LEFT", "RIGHT"]), pick(["LEFT", "RIGHT"])],
    () => ["SADD", t(), v(), v()],
    () => ["SREM", t(), v()],
    () => ["SPOP", t()],
    () => ["SMOVE", t(), t(), v()],
    () => ["SINTERSTORE", t(), t(), t()],
    () => ["ZADD", z(), String(Math.floor(rand() * 5)), v(), String(rand()), v()],
    () => ["ZREM", z(), v()],
    () => ["ZINCRBY", z(), "1.5", v()],
    () => [pick(["ZPOPMIN", "ZPOPMAX"]), z()],
    () => ["ZREMRANGEBYRANK", z(), "0", pick(["0", "1", "-1"])],
    () => ["ZUNIONSTORE", z(), "2", z(), z()],
    () => ["SETBIT", s(), String(Math.floor(rand() * 20)), pick(["0", "1"])],
    () => ["PFADD", `p${n()}`, v(), v()],
    () => [pick(["GET", "TYPE", "TTL"]), any()],
    () =>
      pick([
        ["LRANGE", l(), "0", "-1"],
        ["HGETALL", h()],
        ["SMEMBERS", t()],
        ["ZRANGE", z(), "0", "-1", "WITHSCORES"],
        ["DBSIZE"],
      ]),
    () => rand() < 0.2 ? ["SWAPDB", "0", "1"] : ["FLUSHDB"],
  ];
  // FLUSHDB and SWAPDB only now and then, so the keys get to hold something.
  const at = Math.floor(rand() * commands.length);
  return at === commands.length - 1 && rand() < 0.8 ? ["GET", s()] : commands[at]();
}

/** A client's batch: a few commands, now and then a MULTI/EXEC around them. */
function randomBatch(rand: () => number): string[][] {
  const batch = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => randomCommand(rand));
  return rand() < 0.2 ? [["MULTI"], ...batch, ["EXEC"]] : batch;
}

/** Keys that cannot expire during the test (short deadlines differ between live and replay). */
function durableRows(h: AppHarness) {
  const horizon = Date.now() + 3_600_000 / 2;
  return h.logged().filter(([, , , deadline]) => deadline === 0 || deadline > horizon);
}

Deno.test("random rounds of every family: each refused round leaves the data as it was, and replay equals memory", async () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const rand = (await import("../../durability/workload.ts")).seededRandom(seed);
  const h = await startInProcess();
  let refused = 0;
  let committed = 0;
  try {
    const clients = Array.from({ length: 5 }, () => h.client());
    for (let round = 0; round < 150; round++) {
      const refuse = rand() < 0.5;
      const before = h.logged();
      if (refuse) h.faults.replan("fail-sync=1");
      const batches = clients.slice(0, 2 + Math.floor(rand() * 4)).map(() => randomBatch(rand));
      const replies = await Promise.all(batches.map((batch, i) => h.send(clients[i], ...batch)));
      if (refuse && h.app.wal!.failure === null) {
        h.faults.replan(""); // the round wrote nothing, so it synced nothing: nothing to refuse
        continue;
      }
      if (!refuse) {
        committed++;
        continue;
      }
      refused++;
      assertEquals(h.logged(), before, `seed ${seed}, round ${round}: ${JSON.stringify(batches)}`);
      batches.forEach((batch, b) => {
        batch.forEach((command, i) => {
          const queued = batch[0][0] === "MULTI" && i > 0 && i < batch.length - 1;
          if (command[0] === "MULTI" || queued) return;
          assertOk(
            isRefusal(replies[b][i]),
            `seed ${seed}, round ${round}: ${command.join(" ")} answered ${replies[b][i]}`,
          );
        });
      });
      await h.recovered();
    }
    assertOk(
      refused >= 30 && committed >= 30,
      `seed ${seed}: ${refused} refused, ${committed} not`,
    );
    const live = durableRows(h);
    assertEquals(await afterRestart(h, durableRows), live, `seed ${seed}`);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("blocked clients: one served by a refused push waits on in its place, one that blocked in a refused round gets the refusal", async () => {
  await withInProcess(async (h) => {
    const [first, second, pusher, late, lateServed, latePusher] = Array.from(
      { length: 6 },
      () => h.client(),
    );
    assertEquals(await h.send(first, ["BLPOP", "q", "0"]), []);
    assertEquals(await h.send(second, ["BLPOP", "q", "0"]), []);
    h.faults.replan("fail-sync=1");
    const [pushed, blockedLate, servedLate, pushedLate] = await Promise.all([
      h.send(pusher, ["LPUSH", "q", "refused"]),
      h.send(late, ["BLPOP", "other", "0"]),
      h.send(lateServed, ["BLPOP", "q2", "0"]),
      h.send(latePusher, ["RPUSH", "q2", "refused"]),
    ]);
    assertOk(isRefusal(pushed[0]));
    // Blocked in the refused round: answered with the refusal, no longer blocked.
    assertOk(isRefusal(blockedLate[0]) && !late.blocked, `${blockedLate}`);
    assertOk(isRefusal(servedLate[0]) && !lateServed.blocked, `${servedLate}`);
    assertOk(isRefusal(pushedLate[0]));
    // Blocked before: still waiting, in order, with nothing handed to them.
    assertOk(first.blocked && second.blocked);
    assertEquals([h.pending(first), h.pending(second)], [[], []]);
    await h.recovered();
    assertEquals(await h.send(pusher, ["RPUSH", "q", "a"]), [1]);
    assertEquals(h.pending(first), [["q", "a"]]);
    assertOk(second.blocked);
    assertEquals(await h.send(pusher, ["LLEN", "q2"]), [0]);
    assertEquals(await h.send(pusher, ["RPUSH", "q", "b"]), [1]);
    assertEquals(h.pending(second), [["q", "b"]]);
  });
});

Deno.test("memory-only partitions: a confined write in a refused round stands; one moved in from a logged database is undone with it", async () => {
  await withInProcess(async (h) => {
    const [writer, cache] = [h.client(), h.client()];
    await h.send(writer, ["CREATE", "PARTITION", "cache", "ANY", "NONE"]);
    await h.send(cache, ["SELECT", "cache"]);
    await h.send(writer, ["SET", "m", "moved"]);
    h.faults.replan("fail-sync=1");
    const [written, confined] = await Promise.all([
      h.send(writer, ["SET", "k", "v"]),
      h.send(cache, ["SET", "c", "1"], ["INCR", "c"]),
    ]);
    assertOk(isRefusal(written[0]));
    assertEquals(confined, ["OK", 2]);
    await h.recovered();
    assertEquals(await h.send(cache, ["GET", "c"]), ["2"]);
    // MOVE from database 0 waits for the log and takes the partition with it: the partition's
    // later commands in the round wait too, and are refused with it.
    h.faults.replan("fail-sync=1");
    const [moved, after] = await Promise.all([
      h.send(writer, ["MOVE", "m", "cache"]),
      h.send(cache, ["GET", "m"]),
    ]);
    assertOk(isRefusal(moved[0]) && isRefusal(after[0]), `${moved} ${after}`);
    await h.recovered();
    assertEquals(await h.send(cache, ["EXISTS", "m"], ["GET", "c"]), [0, "2"]);
    assertEquals(await h.send(writer, ["GET", "m"]), ["moved"]);
  });
});

Deno.test("pub/sub: a refused round's keyspace events and the messages of its refused EXEC are never delivered", async () => {
  await withInProcess(async (h) => {
    const [subscriber, writer, publisher, transaction] = Array.from(
      { length: 4 },
      () => h.client(),
    );
    await h.send(writer, ["CONFIG", "SET", "notify-keyspace-events", "E$"]);
    await h.send(subscriber, ["SUBSCRIBE", "__keyevent@0__:set", "news"]);
    h.faults.replan("fail-sync=1");
    const [written, published, executed] = await Promise.all([
      h.send(writer, ["SET", "k", "refused"]),
      h.send(publisher, ["PUBLISH", "news", "plain"]),
      h.send(transaction, ["MULTI"], ["PUBLISH", "news", "inside"], ["EXEC"]),
    ]);
    assertOk(isRefusal(written[0]) && isRefusal(executed[2]), `${written} ${executed}`);
    // A PUBLISH touches no data: it happened, and its subscribers heard it.
    assertEquals(published, [1]);
    assertEquals(h.pending(subscriber), [["message", "news", "plain"]]);
    await h.recovered();
    await h.send(writer, ["SET", "k", "acknowledged"]);
    assertEquals(h.pending(subscriber), [["message", "__keyevent@0__:set", "k"]]);
  });
});
