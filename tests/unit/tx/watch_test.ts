/**
 * WATCH's expiry and whole-database rules (Redis 7.0's multi.c), with a clock moved by hand so
 * "already expired but not yet removed" is exact (no active expiry runs in process).
 */
import { assertEquals } from "../../helpers/assert.ts";
import { execPing, inProcess } from "./in_process.ts";

const T0 = 1_700_000_000_000;
const RAN = "*1\r\n+PONG\r\n";
const ABORTED = "*-1\r\n";

function setup(overrides: Parameters<typeof inProcess>[0] = {}) {
  const h = inProcess(overrides);
  h.setNow(T0);
  return { h, a: h.session(), b: h.session() };
}

Deno.test("a key already expired when watched: its removal is no change, a new value is", () => {
  const { h, a, b } = setup();
  h.run(b, "SET", "k", "v", "PXAT", String(T0 + 10));
  h.setNow(T0 + 20);
  h.run(a, "WATCH", "k");
  assertEquals(h.run(b, "GET", "k"), "$-1\r\n"); // removes it
  assertEquals(execPing(h, a), RAN);

  h.setNow(T0);
  h.run(b, "SET", "k", "v", "PXAT", String(T0 + 10));
  h.setNow(T0 + 20);
  h.run(a, "WATCH", "k");
  assertEquals(execPing(h, a), RAN); // still stored, still expired: no change

  h.setNow(T0);
  h.run(b, "SET", "k", "v", "PXAT", String(T0 + 10));
  h.setNow(T0 + 20);
  h.run(a, "WATCH", "k");
  h.run(b, "SET", "k", "fresh");
  assertEquals(execPing(h, a), ABORTED);
});

Deno.test("a key that expires after WATCH aborts EXEC, removed or not", () => {
  const { h, a, b } = setup();
  h.run(b, "SET", "k", "v", "PXAT", String(T0 + 10));
  h.run(a, "WATCH", "k");
  h.setNow(T0 + 20);
  assertEquals(execPing(h, a), ABORTED);

  h.setNow(T0);
  h.run(b, "SET", "k", "v", "PXAT", String(T0 + 10));
  h.run(a, "WATCH", "k");
  h.setNow(T0 + 20);
  h.run(b, "GET", "k");
  assertEquals(execPing(h, a), ABORTED);
});

Deno.test("FLUSHDB and FLUSHALL fire only watches on keys that existed, live ones", () => {
  const { h, a, b } = setup();
  h.run(a, "WATCH", "missing");
  h.run(b, "FLUSHDB");
  assertEquals(execPing(h, a), RAN);

  h.run(b, "SET", "live", "1");
  h.run(a, "WATCH", "live");
  h.run(b, "FLUSHALL");
  assertEquals(execPing(h, a), ABORTED);

  h.run(b, "SET", "dead", "1", "PXAT", String(T0 + 10));
  h.setNow(T0 + 20);
  h.run(a, "WATCH", "dead");
  h.run(b, "FLUSHDB");
  assertEquals(execPing(h, a), RAN);
});

Deno.test("SWAPDB fires watches on keys in either database, expired ones as Redis 7.0 counts them", () => {
  const { h, a, b } = setup();
  const inDb1 = (...argv: string[]) => {
    h.run(b, "SELECT", "1");
    h.run(b, ...argv);
    h.run(b, "SELECT", "0");
  };
  // A missing key replaced by a live one fires; by an expired one does not.
  inDb1("SET", "k", "v");
  h.run(a, "WATCH", "k");
  h.run(b, "SWAPDB", "0", "1");
  assertEquals(execPing(h, a), ABORTED);
  h.run(b, "FLUSHALL");

  inDb1("SET", "k", "v", "PXAT", String(T0 + 10));
  h.setNow(T0 + 20);
  h.run(a, "WATCH", "k");
  h.run(b, "SWAPDB", "0", "1");
  // ...and that expired key's removal is then no change either.
  assertEquals(h.run(b, "GET", "k"), "$-1\r\n");
  assertEquals(execPing(h, a), RAN);
  h.run(b, "FLUSHALL");
  h.setNow(T0);

  // An expired watched key swapped out for nothing, or for another expired key, stays calm;
  // swapped for a live key, it fires.
  for (const [other, expected] of [[null, RAN], ["dead", RAN], ["live", ABORTED]] as const) {
    h.setNow(T0);
    h.run(b, "FLUSHALL");
    h.run(b, "SET", "k", "v", "PXAT", String(T0 + 10));
    if (other === "dead") inDb1("SET", "k", "v", "PXAT", String(T0 + 10));
    if (other === "live") inDb1("SET", "k", "v");
    h.setNow(T0 + 20);
    h.run(a, "WATCH", "k");
    h.run(b, "SWAPDB", "0", "1");
    assertEquals(execPing(h, a), expected, `swapped with ${other}`);
  }
});

Deno.test("WATCH counts keys per client up to max-watched-keys and EXEC, DISCARD and UNWATCH clear them", () => {
  const { h, a, b } = setup({ maxWatchedKeys: 3 });
  assertEquals(h.run(a, "WATCH", "k1", "k2", "k1"), "+OK\r\n");
  assertEquals(
    h.run(a, "WATCH", "k3", "k4"),
    "-ERR too many WATCHed keys: a client may watch at most 3 (max-watched-keys)\r\n",
  );
  assertEquals(h.run(a, "WATCH", "k3"), "+OK\r\n");
  assertEquals(h.dispatcher.transactions.watches.totalKeys, 3);
  assertEquals(execPing(h, a), RAN);
  assertEquals(h.dispatcher.transactions.watches.totalKeys, 0);
  assertEquals(h.dispatcher.transactions.watches.clients, 0);

  h.run(a, "WATCH", "k1");
  h.run(a, "MULTI");
  h.run(a, "DISCARD");
  h.run(b, "SET", "k1", "x");
  assertEquals(execPing(h, a), RAN);

  h.run(a, "WATCH", "k1");
  h.run(a, "UNWATCH");
  h.run(b, "SET", "k1", "y");
  assertEquals(execPing(h, a), RAN);
  assertEquals(h.dispatcher.transactions.watches.totalKeys, 0);
});

Deno.test("a client whose watch fired drops its watches at once and stays aborted", () => {
  const { h, a, b } = setup();
  h.run(a, "WATCH", "k1", "k2");
  h.run(b, "SET", "k1", "x");
  assertEquals(h.dispatcher.transactions.watches.totalKeys, 0);
  h.run(a, "WATCH", "k3");
  assertEquals(h.dispatcher.transactions.watches.totalKeys, 0);
  assertEquals(execPing(h, a), ABORTED);
  assertEquals(execPing(h, a), RAN);
});
