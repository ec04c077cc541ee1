import { assertEquals } from "../../helpers/assert.ts";
import { ReplyWriter } from "../../../src/protocol/reply_writer.ts";
import { RoundLedger } from "../../../src/commands/round_ledger.ts";
import { Journal } from "../../../src/store/journal.ts";
import { Keyspace } from "../../../src/store/keyspace.ts";
import { CommandError } from "../../../src/commands/errors.ts";
import type { CommandSpec } from "../../../src/commands/spec.ts";

const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);
const spec = (name: string, ...flags: string[]) => ({ name, flags }) as unknown as CommandSpec;
const SET = spec("set", "write", "denyoom");
const GET = spec("get", "readonly", "fast");
const SELECT = spec("select", "loading", "stale", "fast");
const EXEC = spec("exec", "noscript", "loading", "stale");
const REFUSAL = new CommandError("MISCONF disk full");

function setup() {
  const journal = new Journal();
  const ledger = new RoundLedger(journal);
  journal.undo = ledger.undo;
  const db = new Keyspace(0, journal);
  /** Runs `fn` as a command whose reply waits for the log, noting its reply. */
  const run = (out: ReplyWriter, what: CommandSpec, fn: () => void) => {
    const start = out.length;
    fn();
    ledger.noteReply(out, start, out.length, what);
  };
  return { journal, ledger, db, run };
}

Deno.test("a refused round is undone and every reply that could carry data becomes the refusal", () => {
  const { ledger, db, run } = setup();
  const out = new ReplyWriter();
  const other = new ReplyWriter();
  db.set("k", "old");
  ledger.seal();
  ledger.commitOldest();
  other.bulk("released before"); // not noted: a reply of an earlier round
  run(out, SET, () => {
    db.set("k", "new");
    out.ok();
  });
  run(other, GET, () => other.bulk(db.get("k", 0) as string));
  run(out, SELECT, () => out.ok()); // no data: the client did select, and must be told so
  run(out, EXEC, () => {
    out.arrayHeader(1);
    out.ok();
  });
  ledger.seal();
  assertEquals(ledger.refuseAll(REFUSAL), 3);
  assertEquals(db.get("k", 0), "old");
  assertEquals(
    text(out.take()),
    "-MISCONF disk full\r\n+OK\r\n" +
      "-EXECABORT Transaction discarded because of: MISCONF disk full\r\n",
  );
  assertEquals(text(other.take()), "$15\r\nreleased before\r\n-MISCONF disk full\r\n");
});

Deno.test("rounds committed oldest first stay; a refusal then undoes every later one", () => {
  const { ledger, db, run } = setup();
  // One client's batch that spans rounds (WAIT parked it) keeps its replies in one buffer.
  const out = new ReplyWriter();
  for (const value of ["1", "2", "3"]) {
    run(out, SET, () => {
      db.set("k", value);
      out.ok();
    });
    ledger.seal();
  }
  assertEquals(ledger.pending, 3);
  ledger.commitOldest();
  assertEquals(ledger.refuseAll(REFUSAL), 2);
  assertEquals(db.get("k", 0), "1");
  assertEquals(text(out.take()), "+OK\r\n-MISCONF disk full\r\n-MISCONF disk full\r\n");
  assertEquals(ledger.pending, 0);
});

Deno.test("a refusal tells the change stream, once per refusal", () => {
  const { journal, ledger, db } = setup();
  const before = journal.rollbacks;
  db.set("k", "v");
  ledger.seal();
  ledger.refuseAll(REFUSAL);
  assertEquals(journal.rollbacks, before + 1);
  assertEquals(ledger.refuseAll(REFUSAL), 0); // nothing pending: nothing to refuse
  assertEquals(journal.rollbacks, before + 1);
});

Deno.test("a refusal takes out the round's events and keeps the messages around them", () => {
  const { ledger } = setup();
  const subscriber = new ReplyWriter();
  subscriber.bulk("published");
  let start = subscriber.length;
  subscriber.bulk("event");
  ledger.noteEvent(subscriber, start, subscriber.length);
  subscriber.bulk("published-later");
  // An event a client got inside its own write's reply goes with that reply.
  const own = new ReplyWriter();
  start = own.length;
  own.bulk("event");
  ledger.noteEvent(own, start, own.length);
  own.ok();
  ledger.noteReply(own, start, own.length, SET);
  start = own.length;
  own.bulk("event-after");
  ledger.noteEvent(own, start, own.length);
  ledger.seal();
  assertEquals(ledger.refuseAll(REFUSAL), 1);
  assertEquals(text(subscriber.take()), "$9\r\npublished\r\n$15\r\npublished-later\r\n");
  assertEquals(text(own.take()), "-MISCONF disk full\r\n");
});
