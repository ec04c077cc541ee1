/**
 * What commands write to the log, read back with `hermes dump-log`: results rather than
 * operations, absolute deadlines, one atomic record per multi-key command, and nothing for a
 * write that was refused or changed nothing.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { ReplyError } from "../../src/client/mod.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { dumpLogLines } from "./process.ts";

Deno.test("the log records each command's result, with absolute deadlines and nothing for refusals", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-records-" });
  try {
    const server = await startHermes([], { dir });
    const client = await server.connect();
    const before = Date.now();
    const replies = await client.pipeline([
      ["SET", "a", "10"],
      ["INCR", "a"],
      ["INCRBYFLOAT", "a", "1.5"],
      ["APPEND", "a", "xy"],
      ["SETRANGE", "a", "0", "Z"],
      ["RENAME", "a", "b"],
      ["SET", "b", "other", "NX"], // refused: b exists
      ["INCR", "b"], // an error: not an integer
      ["DEL", "missing"], // changes nothing
      ["EXPIRE", "b", "100"],
      ["MSET", "m1", "1", "m2", "2"],
    ]);
    const after = Date.now();
    assertEquals(replies.slice(0, 6), ["OK", 11, "12.5", 6, 6, "OK"]);
    assertEquals(replies[6], null);
    assertEquals(replies.slice(8), [0, 1, "OK"]);
    client.close();
    await server.stop();

    const lines = await dumpLogLines(dir);
    assertEquals(lines.slice(0, 6), [
      "# hermes-00000001.log (log, generation 1)",
      'SET db=0 "a" "10"',
      'SET db=0 "a" "11"',
      'SET db=0 "a" "12.5"',
      'SET db=0 "a" "12.5xy"',
      'SET db=0 "a" "Z2.5xy"',
    ]);
    // RENAME is one operation naming both keys, whatever the value's size.
    assertEquals(lines[6], 'RENAME db=0 "a" "b"');
    // EXPIRE 100 is logged as the deadline it set, in Unix ms.
    const deadline = Number(/^EXPIRE db=0 "b" deadline=(\d+)/.exec(lines[7])?.[1]);
    assertEquals(deadline >= before + 100_000 && deadline <= after + 100_000, true);
    assertEquals(lines.slice(8), [
      "2 changes, applied together:",
      '    SET db=0 "m1" "1"',
      '    SET db=0 "m2" "2"',
    ]);
    assertEquals(
      lines.some((line) => line.includes('"other"')),
      false,
      "the refused SET NX left a record",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a MULTI/EXEC and a COMMIT are each one record; a discarded, aborted or rolled back one writes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-tx-records-" });
  try {
    const server = await startHermes([], { dir });
    const client = await server.connect();
    const other = await server.connect();
    const replies = await client.pipeline([
      ["MULTI"],
      ["SET", "a", "1"],
      ["INCR", "a"],
      ["SET", "b", "two"],
      ["INCR", "b"], // fails in place: nothing to log
      ["EXEC"],
      ["MULTI"],
      ["SET", "discarded", "1"],
      ["DISCARD"],
      ["BEGIN"],
      ["SET", "c", "3"],
      ["DEL", "a"],
      ["COMMIT"],
      ["BEGIN"],
      ["SET", "rolled", "1"],
      ["ROLLBACK"],
      ["WATCH", "b"],
      ["MULTI"],
      ["SET", "watched", "1"],
    ]);
    const executed = replies[5] as unknown[];
    assertEquals(executed.slice(0, 3), ["OK", 2, "OK"]);
    assertOk(executed[3] instanceof ReplyError);
    assertEquals(replies[12], "OK");
    await other.set("b", "changed");
    assertEquals(await client.call("EXEC"), null);
    client.close();
    other.close();
    await server.stop();

    const lines = await dumpLogLines(dir);
    assertEquals(lines.slice(1), [
      "3 changes, applied together:",
      '    SET db=0 "a" "1"',
      '    SET db=0 "a" "2"',
      '    SET db=0 "b" "two"',
      "2 changes, applied together:",
      '    SET db=0 "c" "3"',
      '    DEL db=0 "a"',
      'SET db=0 "b" "changed"',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a ZADD score is logged as the client wrote it when it is plain decimal, canonical otherwise, and reads back the same after a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-records-" });
  try {
    let server = await startHermes([], { dir });
    let client = await server.connect();
    await client.pipeline([
      ["ZADD", "z", "0012.50", "a"], // plain decimal: logged as written
      ["ZADD", "z", "1e2", "b"], // not plain: formatted
      ["ZADD", "z", "+inf", "c"],
      ["ZINCRBY", "z", "0.25", "a"], // a computed score: formatted
      ["ZADD", "z", "-0", "d", "7", "e"], // several pairs: formatted
    ]);
    const before = await client.send("ZRANGE", "z", "0", "-1", "WITHSCORES");
    client.close();
    await server.stop();

    const lines = await dumpLogLines(dir);
    assertEquals(lines.slice(1), [
      'ZADD db=0 "z" "0012.50" "a"',
      'ZADD db=0 "z" "100" "b"',
      'ZADD db=0 "z" "inf" "c"',
      'ZADD db=0 "z" "12.75" "a"',
      'ZADD db=0 "z" "-0" "d" "7" "e"',
    ]);

    server = await startHermes([], { dir });
    client = await server.connect();
    assertEquals(await client.send("ZRANGE", "z", "0", "-1", "WITHSCORES"), before);
    assertEquals(await client.send("ZSCORE", "z", "a"), "12.75");
    client.close();
    await server.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RENAME and COPY of a big collection log a few bytes, and a killed server comes back with them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-rename-record-" });
  try {
    const server = await startHermes([], { dir });
    const client = await server.connect();
    const fields: string[] = [];
    for (let i = 0; i < 20_000; i++) fields.push(`field:${i}`, `value:${i}`);
    await client.send("HSET", "big", ...fields);
    await client.send("SET", "target", "old", "EX", "1000");
    await client.send("PEXPIRE", "big", "5000000");
    const logSize = async () => {
      let bytes = 0;
      for await (const entry of Deno.readDir(dir)) {
        if (entry.name.endsWith(".log")) bytes += (await Deno.stat(`${dir}/${entry.name}`)).size;
      }
      return bytes;
    };
    const before = await logSize();
    // Over an existing key (its deadline goes with it), then back under a new name.
    assertEquals(await client.send("RENAME", "big", "target"), "OK");
    assertEquals(await client.send("RENAMENX", "target", "renamed"), 1);
    assertEquals(await client.send("COPY", "renamed", "copied", "DB", "2"), 1);
    const grown = await logSize() - before;
    assertOk(grown < 300, `renames and a copy of a 20,000-field hash grew the log by ${grown} B`);
    const ttl = await client.send("PTTL", "renamed") as number;
    await server.kill(); // kill -9: only what the log holds comes back
    client.close();

    const again = await startHermes([], { dir });
    const reader = await again.connect();
    assertEquals(await reader.send("EXISTS", "big", "target"), 0);
    assertEquals(await reader.send("HLEN", "renamed"), 20_000);
    assertEquals(await reader.send("HGET", "renamed", "field:19999"), "value:19999");
    const ttlAfter = await reader.send("PTTL", "renamed") as number;
    assertOk(ttlAfter > ttl - 60_000 && ttlAfter <= ttl, `deadline kept: ${ttl} then ${ttlAfter}`);
    // The copy is a copy: changing it leaves the original as it was.
    await reader.send("SELECT", "2");
    assertEquals(await reader.send("HGET", "copied", "field:19999"), "value:19999");
    assertOk((await reader.send("PTTL", "copied") as number) > ttl - 60_000, "the copy's deadline");
    assertEquals(await reader.send("HDEL", "copied", "field:0"), 1);
    await reader.send("SELECT", "0");
    assertEquals(await reader.send("HLEN", "renamed"), 20_000);
    reader.close();
    await again.stop();

    // RENAME over a key deletes it in the same record; no record holds the hash's fields.
    const lines = await dumpLogLines(dir);
    const at = lines.indexOf('    RENAME db=0 "big" "target"');
    assertEquals(lines.slice(at - 2, at + 3), [
      "2 changes, applied together:",
      '    DEL db=0 "target"',
      '    RENAME db=0 "big" "target"',
      'RENAME db=0 "target" "renamed"',
      'COPY db=0 "renamed" to db=2 "copied"',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MOVE is one operation between logged databases, and what the logged side saw otherwise", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-move-record-" });
  try {
    const server = await startHermes([], { dir });
    const client = await server.connect();
    await client.send("CREATE", "PARTITION", "volatile", "ANY", "NONE");
    await client.send("RPUSH", "list", "a", "b", "c");
    await client.send("PEXPIRE", "list", "5000000");
    await client.send("SET", "away", "gone with the partition");
    await client.send("SELECT", "volatile");
    await client.send("SET", "back", "from the partition");
    assertEquals(await client.send("MOVE", "back", "0"), 1);
    await client.send("SELECT", "0");
    assertEquals(await client.send("MOVE", "list", "3"), 1);
    assertEquals(await client.send("MOVE", "away", "volatile"), 1);
    await server.kill();
    client.close();

    const again = await startHermes([], { dir });
    const reader = await again.connect();
    assertEquals(await reader.send("GET", "back"), "from the partition");
    assertEquals(await reader.send("EXISTS", "list", "away"), 0);
    await reader.send("SELECT", "3");
    assertEquals(await reader.send("LRANGE", "list", "0", "-1"), ["a", "b", "c"]);
    assertOk((await reader.send("PTTL", "list") as number) > 4_000_000, "the deadline moved too");
    reader.close();
    await again.stop();

    const lines = await dumpLogLines(dir);
    // Out of the NONE partition: the value, whole; between databases: one operation; into the
    // partition: only the deletion.
    assertOk(lines.includes('SET db=0 "back" "from the partition"'), lines.join("\n"));
    assertOk(lines.includes('MOVE db=0 "list" to db=3 "list"'), lines.join("\n"));
    assertOk(lines.includes('DEL db=0 "away"'), lines.join("\n"));
    assertEquals(lines.filter((line) => line.includes("from the partition")).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
