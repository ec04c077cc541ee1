/** The replication module's pure parts: the backlog ring, the stream parser, propagation. */
import { assertEquals, assertOk, assertThrows } from "../../helpers/assert.ts";
import { ReplBacklog } from "../../../src/replication/backlog.ts";
import { StreamError, StreamParser } from "../../../src/replication/stream_parser.ts";
import { PropagationSink } from "../../../src/replication/propagation.ts";
import { encodeCommand } from "../../../src/replication/resp_bytes.ts";
import { Databases } from "../../../src/store/databases.ts";
import { Journal } from "../../../src/store/journal.ts";

Deno.test("the backlog keeps the newest bytes with Redis's offsets, checked against a model", () => {
  let cases = 0;
  for (let round = 0; round < 200; round++) {
    const size = 16 + Math.floor(Math.random() * 64);
    const backlog = new ReplBacklog(size, 100);
    const model: number[] = [];
    for (let step = 0; step < 30; step++) {
      const chunk = Uint8Array.from(
        { length: Math.floor(Math.random() * size * 1.5) },
        () => Math.floor(Math.random() * 256),
      );
      backlog.append(chunk);
      model.push(...chunk);
      const held = model.slice(Math.max(0, model.length - size));
      assertEquals(backlog.end, 100 + model.length);
      assertEquals(backlog.histlen, held.length);
      assertEquals(backlog.start, backlog.end - held.length + 1);
      const from = backlog.start + Math.floor(Math.random() * (held.length + 1));
      assertOk(backlog.covers(from));
      assertEquals([...backlog.readFrom(from)], held.slice(from - backlog.start));
      assertOk(!backlog.covers(backlog.start - 1) || held.length === 0);
      assertOk(!backlog.covers(backlog.end + 2));
      cases++;
    }
    backlog.resize(size * 2);
    assertEquals(
      [...backlog.readFrom(backlog.start)],
      model.slice(Math.max(0, model.length - size)),
    );
  }
  assertEquals(cases, 6000);
});

Deno.test("the stream parser splits commands at any byte boundary and counts their bytes", () => {
  const commands = [["SET", "k", "v\r\n"], ["PING"], ["SELECT", "3"], ["DEL", "\x00\xff"]];
  const bytes = new Uint8Array(commands.flatMap((argv) => [...encodeCommand(argv)]));
  for (let cut = 0; cut <= bytes.length; cut++) {
    const parser = new StreamParser(1024);
    const seen: string[][] = [];
    let total = 0;
    for (const part of [bytes.subarray(0, cut), bytes.subarray(cut)]) {
      parser.push(part);
      let command;
      while ((command = parser.next()) !== null) {
        seen.push(command.argv);
        total += command.bytes;
      }
    }
    assertEquals(seen, commands, `cut at ${cut}`);
    assertEquals(total, bytes.length);
  }
});

Deno.test("the stream parser refuses garbage and arguments over the size limit", () => {
  const parse = (text: string, limit = 1024) => {
    const parser = new StreamParser(limit);
    parser.push(new TextEncoder().encode(text));
    return parser.next();
  };
  assertThrows(() => parse("PING\r\n"), StreamError);
  assertThrows(() => parse("*1\r\n+OK\r\n"), StreamError);
  assertThrows(() => parse("*1\r\n$3\r\nabcd\r\n"), StreamError);
  assertThrows(() => parse("*1\r\n$2000\r\n", 1024), StreamError);
  assertThrows(() => parse("*x\r\n"), StreamError);
  assertEquals(parse("*1\r\n$4\r\nPI"), null);
});

/** The commands a sink emitted, decoded back into argv lists. */
function emitted(sink: PropagationSink): string[][] {
  const bytes = sink.take(sink.pendingBytes);
  if (bytes === null) return [];
  const parser = new StreamParser(1 << 20);
  parser.push(bytes);
  const out: string[][] = [];
  let command;
  while ((command = parser.next()) !== null) out.push(command.argv);
  return out;
}

Deno.test("changes become Redis commands stated as results, with SELECT and MULTI/EXEC units", () => {
  const journal = new Journal();
  const sink = new PropagationSink();
  journal.addSink(sink);
  const store = new Databases(journal);
  store.dbs[0].set("a", "1", 0);
  journal.commandEnd();
  store.dbs[0].set("b", "2", 1234);
  store.dbs[0].delete("a");
  journal.commandEnd();
  store.dbs[0].rename("b", "renamed"); // the command itself, not the value
  journal.commandEnd();
  store.dbs[0].rename("renamed", "renamed", store.dbs[5]);
  journal.commandEnd();
  store.dbs[5].copyTo("renamed", "copied", store.dbs[5]);
  journal.commandEnd();
  store.dbs[5].copyTo("renamed", "copied", store.dbs[1]);
  journal.commandEnd();
  store.dbs[2].setDeadline("b", 99);
  store.dbs[2].setDeadline("b", 0);
  journal.commandEnd();
  store.dbs[2].flush();
  journal.commandEnd();
  store.swap(0, 1);
  journal.commandEnd();
  journal.flush(-1);
  journal.commandEnd();
  assertEquals(emitted(sink), [
    ["SELECT", "0"],
    ["SET", "a", "1"],
    ["MULTI"],
    ["SET", "b", "2", "PXAT", "1234"],
    ["DEL", "a"],
    ["EXEC"],
    ["RENAME", "b", "renamed"],
    ["MOVE", "renamed", "5"],
    ["SELECT", "5"],
    ["COPY", "renamed", "copied", "REPLACE"],
    ["COPY", "renamed", "copied", "DB", "1", "REPLACE"],
    ["MULTI"],
    ["SELECT", "2"],
    ["PEXPIREAT", "b", "99"],
    ["PERSIST", "b"],
    ["EXEC"],
    ["FLUSHDB"],
    ["SWAPDB", "0", "1"],
    ["FLUSHALL"],
  ]);
  // A round that failed to be made durable is dropped, and the next one SELECTs again.
  store.dbs[2].set("c", "3", 0);
  journal.commandEnd();
  sink.drop();
  store.dbs[2].set("d", "4", 0);
  journal.commandEnd();
  assertEquals(emitted(sink), [["SELECT", "2"], ["SET", "d", "4"]]);
});
