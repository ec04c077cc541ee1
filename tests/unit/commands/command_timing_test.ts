/**
 * CommandTiming with a clock the test moves: the chain, runs of commands sharing one read, their
 * split by weight, and what ends a run. Then, through a Dispatcher, that pipelined @fast commands
 * still get one slow log entry each, in order.
 */
import { assertEquals, assertOk } from "../../helpers/assert.ts";
import {
  COMMAND_WEIGHT,
  CommandTiming,
  mayShareTiming,
  RUN_MAX,
  SHARED_ARGUMENT_BYTES,
} from "../../../src/commands/command_timing.ts";
import type { CommandCounters } from "../../../src/commands/command_stats.ts";
import type { CommandSpec } from "../../../src/commands/spec.ts";
import { Session } from "../../../src/commands/session.ts";
import { bareDispatcher } from "../../helpers/bare_dispatcher.ts";
import type { Dispatcher } from "../../../src/commands/dispatcher.ts";
import { ALL_COMMANDS } from "../../../src/commands/all.ts";
import { DEFAULT_CONFIG } from "../../../src/config/settings.ts";

const session = new Session(1, "127.0.0.1:1", "127.0.0.1:2", 0);
const spec = { name: "get" } as CommandSpec;

/** A timing whose clock reads `now` (counted), charging into `charged` by argv[0]. */
function harness() {
  const h = {
    now: 0,
    reads: 0,
    chainStarts: [] as number[],
    charged: [] as [string, number][],
    timing: null as unknown as CommandTiming,
  };
  h.timing = new CommandTiming(
    (_session, _spec, argv, _counters, durationUs) => h.charged.push([argv[0], durationUs]),
    (mono) => h.chainStarts.push(mono),
    () => {
      h.reads++;
      return h.now;
    },
  );
  return h;
}

const counters = {} as CommandCounters;

Deno.test("command timing: a command timed alone is charged its own time, the chain's read as start", () => {
  const h = harness();
  h.now = 100;
  const first = h.timing.start(true);
  assertEquals(first, 100);
  assertEquals(h.chainStarts, [100]);
  h.now = 100.25;
  assertEquals(h.timing.endAlone(first), 250);
  // The next command starts where that one ended, without a read.
  const reads = h.reads;
  assertEquals(h.timing.start(true), 100.25);
  assertEquals(h.reads, reads);
  h.timing.endRound();
});

Deno.test("command timing: a run shares one read, split by weight", () => {
  const h = harness();
  h.now = 8;
  h.timing.start(false);
  h.timing.share(session, spec, ["a"], counters, 0);
  h.timing.start(false);
  h.timing.share(session, spec, ["b"], counters, 0);
  h.timing.start(false);
  // A reply as big again as a command's weight: twice the share.
  h.timing.share(session, spec, ["c"], counters, COMMAND_WEIGHT);
  assertEquals(h.charged, []);
  assertEquals(h.reads, 1);
  h.now = 8.5; // 500 us for the three
  h.timing.endRound();
  assertEquals(h.reads, 2);
  assertEquals(h.charged, [["a", 125], ["b", 125], ["c", 250]]);
  assertEquals(h.timing.pending, 0);
});

Deno.test("command timing: a run ends at RUN_MAX commands", () => {
  const h = harness();
  h.timing.start(false);
  for (let i = 0; i < RUN_MAX; i++) {
    h.timing.start(false);
    h.timing.share(session, spec, [`c${i}`], counters, 0);
  }
  assertEquals(h.charged.length, RUN_MAX);
  assertEquals(h.reads, 2);
  h.timing.start(false);
  h.timing.share(session, spec, ["next"], counters, 0);
  assertEquals(h.timing.pending, 1);
  h.timing.endRound();
  assertEquals(h.charged.length, RUN_MAX + 1);
});

Deno.test("command timing: a command timed alone ends the run before it, not after", () => {
  const h = harness();
  h.now = 0;
  h.timing.start(false);
  h.timing.share(session, spec, ["fast"], counters, 0);
  h.now = 0.01; // the fast one took 10 us
  const started = h.timing.start(true);
  assertEquals(h.charged, [["fast", 10]]);
  assertEquals(started, 0.01);
  h.now = 5.01; // the slow one takes 5 ms
  assertEquals(h.timing.endAlone(started), 5000);
  h.timing.endRound();
  assertEquals(h.charged.length, 1);
});

Deno.test("command timing: without a round end, the run is charged when the stretch ends", async () => {
  const h = harness();
  h.timing.start(false);
  h.timing.share(session, spec, ["a"], counters, 0);
  h.now = 0.002;
  await Promise.resolve();
  assertEquals(h.charged, [["a", 2]]);
  // The chain was cut: the next command reads the clock afresh.
  h.now = 7;
  assertEquals(h.timing.start(true), 7);
  assertEquals(h.chainStarts, [0, 7]);
  h.timing.endRound();
});

/** A dispatcher over a fresh store, with `config`. */
function dispatcherWith(config = DEFAULT_CONFIG): Dispatcher {
  const dispatcher = bareDispatcher(config);
  dispatcher.configure(config);
  return dispatcher;
}

Deno.test("command timing: the @fast commands and SET may share, others not", () => {
  const byName = new Map(ALL_COMMANDS.map((spec) => [spec.name, spec]));
  for (const name of ["get", "set", "rpush", "hset", "zadd", "incr"]) {
    assertOk(mayShareTiming(byName.get(name)!), name);
  }
  for (const name of ["mset", "keys", "exec", "del", "lrange", "debug", "smembers"]) {
    assertOk(!mayShareTiming(byName.get(name)!), name);
  }
});

Deno.test("command timing: big arguments, EXEC's commands and MONITOR's presence time a command alone", () => {
  const dispatcher = dispatcherWith();
  const client = new Session(3, "127.0.0.1:5", "127.0.0.1:6", 0);
  const run = (...argv: string[]) => dispatcher.run(client, argv);
  run("GET", "a");
  assertEquals(dispatcher.unchargedCommands, 1);
  // A SET of more than SHARED_ARGUMENT_BYTES ends the run before it and is charged at once.
  run("SET", "big", "v".repeat(SHARED_ARGUMENT_BYTES));
  assertEquals(dispatcher.unchargedCommands, 0);
  run("SET", "small", "v");
  assertEquals(dispatcher.unchargedCommands, 1);
  // EXEC is timed alone, and so are the commands it runs (its time includes theirs).
  run("MULTI");
  run("SET", "in", "v");
  run("GET", "in");
  run("EXEC");
  assertEquals(dispatcher.unchargedCommands, 0);
  // While something watches each command, each is timed alone.
  dispatcher.observers.push(() => {});
  run("GET", "a");
  assertEquals(dispatcher.unchargedCommands, 0);
  dispatcher.observers.length = 0;
  dispatcher.endRound();
  assertEquals(dispatcher.stats.counters("get").calls, 3);
  client.out.take();
});

Deno.test("pipelined @fast commands still get one slow log entry each, in order", () => {
  const config = { ...DEFAULT_CONFIG, slowlogSlowerThanUs: 0 };
  const dispatcher = dispatcherWith(config);
  const client = new Session(2, "127.0.0.1:3", "127.0.0.1:4", 0);
  for (let i = 0; i < 40; i++) dispatcher.run(client, ["SET", `k${i}`, "v"]);
  dispatcher.run(client, ["GET", "k0"]);
  dispatcher.endRound();
  client.out.take();
  dispatcher.run(client, ["SLOWLOG", "GET", "100"]);
  const reply = new TextDecoder().decode(client.out.take());
  const shown = [...reply.matchAll(/\$\d+\r\n(SET|GET)\r\n\$\d+\r\n(k\d+)\r\n/g)].map((m) =>
    `${m[1]} ${m[2]}`
  );
  // Newest first.
  const expected = ["GET k0", ...Array.from({ length: 40 }, (_, i) => `SET k${39 - i}`)];
  assertEquals(shown, expected);
  const stats = dispatcher.stats.counters("set");
  assertEquals(stats.calls, 40);
  assertOk(stats.usec >= 0);
  dispatcher.endRound();
});
