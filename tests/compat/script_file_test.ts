import { assertEquals, assertThrows } from "../helpers/assert.ts";
import { parseScript, ScriptSyntaxError } from "./script_file.ts";
import { type Outcome, sameOutcome } from "./reply_compare.ts";

const parse = (text: string) =>
  parseScript("t.redis", Uint8Array.from(text, (c) => c.charCodeAt(0)));

Deno.test("a script line is tokenized like an inline command, with escapes as bytes", () => {
  const steps = parse('# comment\n\nSET "a b" "c\\x41\\xff"\r\n  GET k\n');
  assertEquals(steps, [
    {
      kind: "command",
      line: 3,
      text: 'SET "a b" "c\\x41\\xff"',
      args: ["SET", "a b", "cA\xff"],
      mode: "exact",
    },
    { kind: "command", line: 4, text: "GET k", args: ["GET", "k"], mode: "exact" },
  ]);
});

Deno.test("the ~ ^ % = and & prefixes choose type-only, any-order, masked, strict and field-masked comparison", () => {
  const steps = parse("~ TTL k\n^ KEYS *\n% SLOWLOG GET\n= COMMAND INFO reset\n& ACL LOG\n");
  assertEquals(steps.map((s) => s.kind === "command" ? [s.mode, s.args] : null), [
    ["type", ["TTL", "k"]],
    ["unordered", ["KEYS", "*"]],
    ["masked", ["SLOWLOG", "GET"]],
    ["strict", ["COMMAND", "INFO", "reset"]],
    ["fields", ["ACL", "LOG"]],
  ]);
});

Deno.test("a field-masked comparison ignores only the values of ACL LOG's moment and connection fields", () => {
  const reply = (age: string, info: string, user: string) =>
    outcome(
      `*1\r\n*6\r\n$8\r\nusername\r\n$${user.length}\r\n${user}\r\n` +
        `$11\r\nage-seconds\r\n,${age}\r\n$11\r\nclient-info\r\n` +
        `$${info.length}\r\n${info}\r\n`,
    );
  const base = reply("0.5", "id=3 addr=127.0.0.1:1", "bob");
  assertEquals(
    sameOutcome(base, reply("12.25", "id=12 addr=127.0.0.1:99999", "bob"), "fields"),
    true,
  );
  assertEquals(sameOutcome(base, reply("0.5", "id=3 addr=127.0.0.1:1", "bo"), "fields"), false);
  assertEquals(sameOutcome(base, reply("12.25", "id=3 addr=127.0.0.1:1", "bob"), "exact"), false);
  // The value's type still counts: a double is not a bulk string.
  const asBulk = outcome(
    "*1\r\n*6\r\n$8\r\nusername\r\n$3\r\nbob\r\n$11\r\nage-seconds\r\n$3\r\n0.5\r\n" +
      "$11\r\nclient-info\r\n$21\r\nid=3 addr=127.0.0.1:1\r\n",
  );
  assertEquals(sameOutcome(base, asBulk, "fields"), false);
});

function outcome(text: string): Outcome {
  return { kind: "reply", raw: Uint8Array.from(text, (c) => c.charCodeAt(0)), value: null };
}

Deno.test("directives send inline text and raw bytes, expect silence, sleep, reconnect and pipeline", () => {
  const steps = parse(
    '!inline ECHO "x"\n!raw "*1\\r\\n$4\\r\\nPING\\r\\n"\n!sleep 20\n!reconnect\n' +
      '!noreply "*2\\r\\n"\n' +
      "!pipeline 2\nPING\n!inline PING\nECHO after\n",
  );
  assertEquals(steps.map((s) => s.kind), [
    "inline",
    "raw",
    "sleep",
    "reconnect",
    "noreply",
    "pipeline",
    "command",
  ]);
  assertEquals(steps[0].kind === "inline" && steps[0].bytes, 'ECHO "x"\r\n');
  assertEquals(steps[1].kind === "raw" && steps[1].bytes, "*1\r\n$4\r\nPING\r\n");
  assertEquals(steps[2].kind === "sleep" && steps[2].ms, 20);
  assertEquals(steps[4].kind === "noreply" && steps[4].bytes, "*2\r\n");
  const pipeline = steps[5];
  assertEquals(pipeline.kind === "pipeline" && pipeline.steps.map((s) => s.line), [7, 8]);
});

Deno.test("a malformed script line is refused with its file and line number", () => {
  assertThrows(
    () => parse('PING\nECHO "open\n'),
    (error) => error instanceof ScriptSyntaxError && /^t\.redis:2: unbalanced/.test(error.message),
  );
  assertThrows(() => parse("!nosuch\n"), /unknown directive/);
  assertThrows(() => parse("!sleep soon\n"), /positive number/);
  assertThrows(() => parse("!pipeline 3\nPING\n"), /followed by only 1 commands/);
  assertThrows(() => parse("!pipeline 1\n!sleep 5\n"), /only commands may follow/);
});

Deno.test("@name sends a request on a named second connection; a pipeline stays on one", () => {
  const steps = parse("@b ~ GET k\nGET k\n!pipeline 2\n@b MULTI\n@b EXEC\n");
  assertEquals(steps[0], {
    kind: "command",
    line: 1,
    text: "@b ~ GET k",
    args: ["GET", "k"],
    mode: "type",
    connection: "b",
  });
  assertEquals("connection" in steps[1], false);
  const pipeline = steps[2];
  assertEquals(
    pipeline.kind === "pipeline"
      ? pipeline.steps.map((s) => "connection" in s && s.connection)
      : [],
    ["b", "b"],
  );
  assertThrows(() => parse("!pipeline 2\n@b MULTI\nEXEC\n"), ScriptSyntaxError, "one connection");
  assertThrows(() => parse("@b !sleep 5\n"), ScriptSyntaxError, "only requests");
});
