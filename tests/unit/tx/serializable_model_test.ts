/**
 * The serializability guarantee, checked against a model: clients run random BEGIN transactions
 * (and plain commands) interleaved statement by statement; then every committed transaction and
 * plain command is replayed one at a time, in commit order, on a fresh store. Each statement must
 * get the same reply it got inside its transaction, and both stores must end the same.
 */
import { assertEquals, assertOk } from "../../helpers/assert.ts";
import { inProcess } from "./in_process.ts";
import type { Session } from "../../../src/commands/session.ts";
import { seededRandom } from "../../durability/workload.ts";

const KEYS = ["a", "b", "c", "d", "e"];

function statement(rand: () => number): string[] {
  const key = () => KEYS[Math.floor(rand() * KEYS.length)];
  const n = () => String(Math.floor(rand() * 10) - 3);
  const roll = rand();
  if (roll < 0.25) return ["GET", key()];
  if (roll < 0.40) return ["INCRBY", key(), n()];
  if (roll < 0.52) return ["SET", key(), n()];
  if (roll < 0.60) return ["DEL", key()];
  if (roll < 0.68) return ["EXISTS", key(), key()];
  if (roll < 0.74) return ["MSET", key(), n(), key(), n()];
  if (roll < 0.79) return ["EXPIRE", key(), "100"];
  if (roll < 0.83) return ["TTL", key()];
  if (roll < 0.87) return ["DBSIZE"];
  if (roll < 0.90) return ["APPEND", key(), "x"];
  if (roll < 0.93) return ["RENAME", key(), key()];
  if (roll < 0.96) return ["FLUSHDB"];
  if (roll < 0.98) return ["SWAPDB", "0", "1"];
  return ["GETDEL", key()];
}

/** Something that took effect: a committed transaction's statements, or a plain command. */
interface Effect {
  statements: string[][];
  replies: string[];
}

interface Client {
  session: Session;
  /** Statements still to run in the open transaction, or null when none is open. */
  plan: string[][] | null;
  done: Effect;
}

Deno.test("random interleaved BEGIN transactions commit a history equal to running them one at a time in commit order", () => {
  const SEEDS = 60;
  let commits = 0;
  let conflicts = 0;
  let statementsChecked = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const rand = seededRandom(seed);
    const live = inProcess();
    const clients: Client[] = Array.from({ length: 4 }, () => ({
      session: live.session(),
      plan: null,
      done: { statements: [], replies: [] },
    }));
    const history: Effect[] = [];
    for (let step = 0; step < 240; step++) {
      const client = clients[Math.floor(rand() * clients.length)];
      if (client.plan === null) {
        if (rand() < 0.25) {
          const argv = statement(rand);
          history.push({ statements: [argv], replies: [live.run(client.session, ...argv)] });
          continue;
        }
        assertOk(live.run(client.session, "BEGIN").startsWith(":"));
        client.plan = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => statement(rand));
        client.done = { statements: [], replies: [] };
      } else if (client.plan.length > 0) {
        const argv = client.plan.shift()!;
        client.done.statements.push(argv);
        client.done.replies.push(live.run(client.session, ...argv));
      } else {
        const verb = rand() < 0.9 ? "COMMIT" : "ROLLBACK";
        const reply = live.run(client.session, verb);
        client.plan = null;
        if (verb === "ROLLBACK") assertEquals(reply, "+OK\r\n");
        else if (reply === "+OK\r\n") {
          history.push(client.done);
          commits++;
        } else {
          assertOk(reply.startsWith("-CONFLICT transaction "), `seed ${seed}: ${reply}`);
          conflicts++;
        }
      }
    }
    for (const client of clients) if (client.plan !== null) live.run(client.session, "ROLLBACK");

    // One at a time, in commit order, on a fresh store.
    const model = inProcess();
    const serial = model.session();
    for (const effect of history) {
      effect.statements.forEach((argv, i) => {
        const reply = model.run(serial, ...argv);
        assertEquals(reply, effect.replies[i], `seed ${seed}: ${argv.join(" ")}`);
        statementsChecked++;
      });
    }
    const check = live.session();
    for (const db of ["0", "1"]) {
      live.run(check, "SELECT", db);
      model.run(serial, "SELECT", db);
      for (const key of KEYS) {
        for (const read of ["GET", "TTL"]) {
          assertEquals(live.run(check, read, key), model.run(serial, read, key), `seed ${seed}`);
        }
      }
      assertEquals(live.run(check, "DBSIZE"), model.run(serial, "DBSIZE"), `seed ${seed}`);
    }
  }
  // The run must have exercised both outcomes many times over.
  assertOk(commits > SEEDS * 5, `only ${commits} commits`);
  assertOk(conflicts > SEEDS, `only ${conflicts} conflicts`);
  console.log(
    `${SEEDS} seeds: ${commits} commits, ${conflicts} conflicts, ` +
      `${statementsChecked} statements replayed serially`,
  );
});
