/**
 * BEGIN/COMMIT/ROLLBACK semantics in process (a clock moved by hand, exact reply bytes); the
 * same behaviours over TCP, with timeouts and disconnects, are in tests/e2e/transactions_test.ts.
 */
import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { execPing, type InProcess, inProcess } from "./in_process.ts";
import type { Config } from "../../../src/config/settings.ts";
import type { CommandSpec } from "../../../src/commands/spec.ts";

const OK = "+OK\r\n";
const NIL = "$-1\r\n";
const bulk = (text: string) => `$${text.length}\r\n${text}\r\n`;

function setup(overrides: Partial<Config> = {}) {
  const h: InProcess = inProcess(overrides);
  h.setNow(1_700_000_000_000);
  return { h, a: h.session(), b: h.session() };
}

Deno.test("statements see the transaction's own writes, other clients none until COMMIT applies them all", () => {
  const { h, a, b } = setup();
  h.run(b, "SET", "x", "1");
  h.run(b, "SET", "gone", "1");
  assertEquals(h.run(a, "BEGIN"), ":1\r\n");
  assertEquals(h.run(a, "INCR", "x"), ":2\r\n");
  assertEquals(h.run(a, "PUT", "y", "new"), OK);
  assertEquals(h.run(a, "DELETE", "gone"), ":1\r\n");
  assertEquals(h.run(a, "GET", "gone"), NIL);
  assertEquals(h.run(a, "DEL", "y"), ":1\r\n");
  assertEquals(h.run(a, "GET", "y"), NIL);
  assertEquals(h.run(a, "SET", "y", "again"), OK);
  assertEquals(h.run(a, "MGET", "x", "y", "gone"), `*3\r\n${bulk("2")}${bulk("again")}${NIL}`);
  assertEquals(h.run(b, "MGET", "x", "y", "gone"), `*3\r\n${bulk("1")}${NIL}${bulk("1")}`);
  assertEquals(h.run(b, "DBSIZE"), ":2\r\n");
  assertEquals(h.run(a, "INCR", "y"), "-ERR value is not an integer or out of range\r\n");
  assertEquals(h.run(a, "COMMIT"), OK);
  assertEquals(h.run(b, "MGET", "x", "y", "gone"), `*3\r\n${bulk("2")}${bulk("again")}${NIL}`);
  assertEquals(h.run(a, "GET", "x"), bulk("2")); // no transaction any more
});

Deno.test("ROLLBACK and COMMIT name the transaction; wrong, finished or missing ones are refused", () => {
  const { h, a } = setup();
  assertEquals(h.run(a, "COMMIT"), "-ERR COMMIT without BEGIN\r\n");
  assertEquals(h.run(a, "ROLLBACK"), "-ERR ROLLBACK without BEGIN\r\n");
  assertEquals(h.run(a, "COMMIT", "3"), "-ERR no open transaction 3 on this connection\r\n");
  assertEquals(h.run(a, "BEGIN"), ":1\r\n");
  h.run(a, "SET", "k", "v");
  assertEquals(
    h.run(a, "ROLLBACK", "2"),
    "-ERR no open transaction 2 on this connection (the open transaction is 1)\r\n",
  );
  assertEquals(
    h.run(a, "COMMIT", "x"),
    "-ERR no open transaction x on this connection (the open transaction is 1)\r\n",
  );
  assertEquals(
    h.run(a, "COMMIT", "1", "2"),
    "-ERR wrong number of arguments for 'commit' command\r\n",
  );
  assertEquals(h.run(a, "ROLLBACK", "1"), OK);
  assertEquals(h.run(a, "GET", "k"), NIL);
  assertEquals(h.run(a, "ROLLBACK", "1"), "-ERR no open transaction 1 on this connection\r\n");
  assertEquals(h.run(a, "BEGIN"), ":2\r\n");
  assertEquals(h.run(a, "COMMIT", "2"), OK);
});

Deno.test("commands that cannot run in a transaction are refused and the transaction goes on", () => {
  const { h, a, b } = setup();
  h.run(a, "BEGIN");
  h.run(a, "SET", "k", "v");
  assertEquals(h.run(a, "BEGIN"), "-ERR BEGIN calls can not be nested: transaction 1 is open\r\n");
  assertEquals(h.run(a, "MULTI"), "-ERR MULTI is not allowed inside a BEGIN transaction\r\n");
  assertMatch(h.run(a, "WATCH", "k"), /^-ERR WATCH is not allowed inside a BEGIN transaction/);
  assertEquals(h.run(a, "SHUTDOWN"), "-ERR SHUTDOWN is not allowed inside a BEGIN transaction\r\n");
  assertEquals(h.run(a, "EXEC"), "-ERR EXEC without MULTI\r\n");
  assertEquals(h.run(a, "COMMIT"), OK);
  assertEquals(h.run(b, "GET", "k"), bulk("v"));
  // BEGIN, COMMIT and ROLLBACK cannot be queued in MULTI.
  h.run(a, "MULTI");
  assertEquals(h.run(a, "BEGIN"), "-ERR Command not allowed inside a transaction\r\n");
  assertEquals(
    h.run(a, "EXEC"),
    "-EXECABORT Transaction discarded because of previous errors.\r\n",
  );
});

Deno.test("a key read, or read missing, then changed by another client makes COMMIT a CONFLICT that applies nothing", () => {
  const { h, a, b } = setup();
  h.run(b, "SET", "balance", "10");
  h.run(a, "BEGIN");
  h.run(a, "GET", "balance");
  h.run(a, "SET", "log", "spent");
  h.run(b, "SET", "balance", "5");
  assertEquals(
    h.run(a, "COMMIT"),
    "-CONFLICT transaction 1 not committed: key 'balance' in db 0 was changed by another " +
      "client after the transaction read it\r\n",
  );
  assertEquals(h.run(b, "EXISTS", "log"), ":0\r\n");

  h.run(a, "BEGIN");
  assertEquals(h.run(a, "EXISTS", "lock"), ":0\r\n");
  h.run(a, "SET", "lock", "a");
  h.run(b, "SET", "lock", "b");
  assertMatch(h.run(a, "COMMIT"), /^-CONFLICT transaction 2 not committed: key 'lock' in db 0/);
  assertEquals(h.run(b, "GET", "lock"), bulk("b"));
});

Deno.test("KEYS, SCAN, DBSIZE and RANDOMKEY read the database's key set: a change there conflicts", () => {
  const { h, a, b } = setup();
  for (const read of [["KEYS", "*"], ["SCAN", "0"], ["DBSIZE"], ["RANDOMKEY"]]) {
    const id = h.run(a, "BEGIN").slice(1, -2);
    h.run(a, ...read);
    h.run(a, "SET", "count", "n");
    h.run(b, "SELECT", "1");
    h.run(b, "SET", "elsewhere", "1"); // another database: no conflict on its own
    h.run(b, "SELECT", "0");
    h.run(b, "SET", `new-${read[0]}`, "1");
    assertEquals(
      h.run(a, "COMMIT"),
      `-CONFLICT transaction ${id} not committed: db 0 changed (key 'new-${read[0]}') after ` +
        "the transaction read its key set\r\n",
    );
  }
  // A change to another database than the one listed commits.
  h.run(a, "BEGIN");
  h.run(a, "KEYS", "*");
  h.run(b, "SELECT", "1");
  h.run(b, "SET", "elsewhere", "2");
  assertEquals(h.run(a, "COMMIT"), OK);
  // FLUSHDB by another client is named as such.
  const id = h.run(a, "BEGIN").slice(1, -2);
  h.run(a, "DBSIZE");
  h.run(b, "SELECT", "0");
  h.run(b, "FLUSHDB");
  assertEquals(
    h.run(a, "COMMIT"),
    `-CONFLICT transaction ${id} not committed: db 0 was flushed or swapped after the ` +
      "transaction read its key set\r\n",
  );
});

Deno.test("write skew cannot happen: of two transactions that read both keys and write one each, one commits", () => {
  const { h, a, b } = setup();
  const c = h.session();
  h.run(c, "MSET", "oncall:alice", "1", "oncall:bob", "1");
  for (const [client, key] of [[a, "oncall:alice"], [b, "oncall:bob"]] as const) {
    h.run(client, "BEGIN");
    assertEquals(
      h.run(client, "MGET", "oncall:alice", "oncall:bob"),
      `*2\r\n${bulk("1")}${bulk("1")}`,
    );
    h.run(client, "SET", key, "0"); // "the other one is still on call"
  }
  assertEquals(h.run(a, "COMMIT"), OK);
  assertMatch(h.run(b, "COMMIT"), /^-CONFLICT transaction 2 not committed: key 'oncall:alice'/);
  assertEquals(h.run(c, "MGET", "oncall:alice", "oncall:bob"), `*2\r\n${bulk("0")}${bulk("1")}`);
});

Deno.test("blind writes do not conflict: the later COMMIT wins", () => {
  const { h, a, b } = setup();
  h.run(a, "BEGIN");
  h.run(b, "BEGIN");
  h.run(a, "SET", "k", "from-a");
  h.run(b, "SET", "k", "from-b");
  assertEquals(h.run(b, "COMMIT"), OK);
  assertEquals(h.run(a, "COMMIT"), OK);
  assertEquals(h.run(b, "GET", "k"), bulk("from-a"));
});

Deno.test("a key read alive that expires before COMMIT is a change", () => {
  const { h, a, b } = setup();
  h.run(b, "SET", "session", "s", "PX", "100");
  h.run(a, "BEGIN");
  assertEquals(h.run(a, "GET", "session"), bulk("s"));
  h.run(a, "SET", "seen", "1");
  h.setNow(1_700_000_000_200);
  assertMatch(h.run(a, "COMMIT"), /^-CONFLICT transaction 1 not committed: key 'session'/);
  assertEquals(h.run(b, "EXISTS", "seen", "session"), ":0\r\n");
});

Deno.test("a key that had already expired when read is no conflict when it is removed later", () => {
  const { h, a, b } = setup();
  h.run(b, "SET", "old", "s", "PX", "100");
  h.setNow(1_700_000_000_200);
  h.run(a, "BEGIN");
  assertEquals(h.run(a, "GET", "old"), NIL);
  h.run(a, "SET", "seen", "1");
  assertEquals(h.run(a, "COMMIT"), OK);
  assertEquals(h.run(b, "EXISTS", "seen", "old"), ":1\r\n");
});

Deno.test("SELECT, FLUSHDB and SWAPDB inside a transaction apply at COMMIT only", () => {
  const { h, a, b } = setup();
  h.run(b, "SET", "zero", "0");
  h.run(a, "BEGIN");
  h.run(a, "SELECT", "2");
  h.run(a, "SET", "two", "2");
  h.run(a, "SELECT", "0");
  assertEquals(h.run(a, "FLUSHDB"), OK);
  assertEquals(h.run(a, "DBSIZE"), ":0\r\n");
  assertEquals(h.run(a, "SWAPDB", "0", "2"), OK);
  assertEquals(h.run(a, "GET", "two"), bulk("2"));
  assertEquals(h.run(b, "GET", "zero"), bulk("0"));
  assertEquals(h.run(b, "GET", "two"), NIL);
  assertEquals(h.run(a, "COMMIT"), OK);
  assertEquals(h.run(b, "GET", "two"), bulk("2"));
  assertEquals(h.run(b, "GET", "zero"), NIL);
  h.run(b, "SELECT", "2");
  assertEquals(h.run(b, "DBSIZE"), ":0\r\n");
});

Deno.test("a statement past transaction-max-keys or transaction-max-bytes is refused whole and the transaction goes on", () => {
  const { h, a, b } = setup({ transactionMaxKeys: 3, transactionMaxBytes: 2048 });
  h.run(a, "BEGIN");
  assertEquals(h.run(a, "MSET", "k1", "1", "k2", "2"), OK);
  assertEquals(h.run(a, "SET", "k1", "again"), OK); // a key already written counts once
  assertEquals(
    h.run(a, "MSET", "k3", "3", "k4", "4"),
    "-ERR transaction 1 would write more than 3 keys (transaction-max-keys); the command was " +
      "not applied\r\n",
  );
  assertEquals(h.run(a, "EXISTS", "k3", "k4"), ":0\r\n");
  assertEquals(
    h.run(a, "SET", "k3", "x".repeat(3000)),
    "-ERR transaction 1 would buffer more than 2048 bytes of changes (transaction-max-bytes); " +
      "the command was not applied\r\n",
  );
  assertEquals(h.run(a, "SET", "k3", "small"), OK);
  assertEquals(h.run(a, "COMMIT"), OK);
  assertEquals(
    h.run(b, "MGET", "k1", "k2", "k3", "k4"),
    `*4\r\n${bulk("again")}${bulk("2")}${bulk("small")}${NIL}`,
  );
  // Writing one key over and over keeps one change, so it never fills the buffer.
  h.run(a, "BEGIN");
  for (let i = 0; i < 200; i++) assertEquals(h.run(a, "INCR", "counter"), `:${i + 1}\r\n`);
  assertEquals(h.run(a, "COMMIT"), OK);
  assertEquals(h.run(b, "GET", "counter"), bulk("200"));
});

Deno.test("a MULTI queue past transaction-max-bytes refuses the command and EXEC aborts", () => {
  const { h, a, b } = setup({ transactionMaxBytes: 1024 });
  h.run(a, "MULTI");
  assertEquals(h.run(a, "SET", "k", "x".repeat(500)), "+QUEUED\r\n");
  assertEquals(
    h.run(a, "SET", "k", "y".repeat(500)),
    "-ERR MULTI queue full: the queued commands would exceed transaction-max-bytes (1024)\r\n",
  );
  assertEquals(
    h.run(a, "EXEC"),
    "-EXECABORT Transaction discarded because of previous errors.\r\n",
  );
  assertEquals(h.run(b, "EXISTS", "k"), ":0\r\n");
});

Deno.test("COMMIT fires other clients' watches on the keys it writes; counters follow every outcome", () => {
  const { h, a, b } = setup();
  h.run(b, "WATCH", "k");
  h.run(a, "BEGIN");
  h.run(a, "SET", "k", "v");
  assertEquals(execPing(h, b), "*1\r\n+PONG\r\n"); // nothing happened yet
  h.run(b, "WATCH", "k");
  assertEquals(h.run(a, "COMMIT"), OK);
  assertEquals(execPing(h, b), "*-1\r\n");

  h.run(a, "BEGIN");
  h.run(a, "ROLLBACK");
  h.run(a, "BEGIN");
  h.run(a, "GET", "k");
  h.run(b, "SET", "k", "w");
  h.run(a, "COMMIT");
  h.run(b, "BEGIN");
  b.closed(); // the connection ended: its transaction is rolled back
  const stats = h.dispatcher.transactions.interactive.stats;
  assertEquals(stats, { committed: 1, conflicts: 1, rolledBack: 2, timedOut: 0 });
  assertEquals(h.dispatcher.transactions.interactive.live, 0);
});

Deno.test("session.inTransaction is set while EXEC's commands and BEGIN statements run, and only then", () => {
  const seen: boolean[] = [];
  const probe: CommandSpec = {
    name: "probe",
    arity: 1,
    flags: ["readonly"],
    keys: [0, 0, 0],
    group: "server",
    summary: "Records session.inTransaction",
    since: "0.1.0",
    complexity: "O(1)",
    handler(ctx) {
      seen.push(ctx.session.inTransaction);
      ctx.out.ok();
    },
  };
  const h = inProcess({}, [probe]);
  const a = h.session();
  h.run(a, "PROBE");
  h.run(a, "MULTI");
  h.run(a, "PROBE");
  assertEquals(h.run(a, "EXEC"), "*1\r\n+OK\r\n");
  h.run(a, "PROBE");
  h.run(a, "BEGIN");
  h.run(a, "PROBE");
  h.run(a, "COMMIT");
  h.run(a, "PROBE");
  assertEquals(seen, [false, true, false, true, false]);
});

Deno.test("a transaction writing into a partition dropped before COMMIT ends in a CONFLICT; WATCH and BEGIN work in partitions", () => {
  const { h, a, b } = setup();
  assertEquals(h.run(b, "CREATE", "PARTITION", "scratch", "STRING", "WAL"), OK);
  assertEquals(h.run(a, "SELECT", "scratch"), OK);
  assertEquals(h.run(a, "BEGIN"), ":1\r\n");
  assertEquals(
    h.run(a, "CREATE", "PARTITION", "other", "ANY", "WAL"),
    "-ERR CREATE PARTITION is not allowed inside a BEGIN transaction\r\n",
  );
  h.run(a, "SET", "k", "v"); // a blind write: nothing read
  assertEquals(h.run(b, "DROP", "PARTITION", "scratch"), OK);
  assertEquals(
    h.run(a, "COMMIT"),
    "-CONFLICT transaction 1 not committed: partition 16, which it writes, was dropped\r\n",
  );

  h.run(b, "CREATE", "PARTITION", "kept", "STRING", "WAL");
  h.run(a, "SELECT", "kept");
  h.run(b, "SELECT", "kept");
  h.run(a, "WATCH", "w");
  h.run(b, "SET", "w", "1");
  assertEquals(execPing(h, a), "*-1\r\n");
  h.run(a, "BEGIN");
  assertEquals(h.run(a, "INCR", "n"), ":1\r\n");
  assertEquals(h.run(b, "EXISTS", "n"), ":0\r\n");
  assertEquals(h.run(a, "COMMIT"), OK);
  assertEquals(h.run(b, "GET", "n"), bulk("1"));
});
