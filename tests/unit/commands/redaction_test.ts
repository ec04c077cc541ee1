/**
 * What MONITOR and SLOWLOG are shown of a command whose handler redacted arguments: only that
 * command's arguments change, the client's own argv is left alone, and the redacted copy is
 * dropped once the round's synchronous work is done.
 */
import { assertEquals, assertOk } from "../../helpers/assert.ts";
import { Observability, REDACTED } from "../../../src/commands/observability.ts";
import type { ServerControl } from "../../../src/commands/server_control.ts";

function observability(): Observability {
  // The MONITOR feed is never used here: no server is needed.
  return new Observability([], {} as ServerControl);
}

Deno.test("redacted arguments are shown for that command only, its argv left as sent", () => {
  const seen = observability();
  const auth = ["AUTH", "alice", "secret"];
  const set = ["SET", "k", "v"];
  seen.redact(auth, 1);
  seen.redact(auth, 2);
  assertEquals(seen.shown(auth), ["AUTH", REDACTED, REDACTED]);
  assertEquals(auth, ["AUTH", "alice", "secret"]);
  assertOk(seen.shown(set) === set, "another command is shown as sent");
  // An equal argv of another command is another command.
  assertEquals(seen.shown(["AUTH", "alice", "secret"])[2], "secret");
  // The next command that redacts starts from its own arguments.
  const hello = ["HELLO", "3", "AUTH", "bob", "pw", "SETNAME", "x"];
  seen.redact(hello, 3);
  seen.redact(hello, 4);
  assertEquals(seen.shown(hello), ["HELLO", "3", "AUTH", REDACTED, REDACTED, "SETNAME", "x"]);
});

Deno.test("a redacted copy is forgotten at the end of the round", async () => {
  const seen = observability();
  const auth = ["AUTH", "secret"];
  seen.redact(auth, 1);
  assertEquals(seen.shown(auth), ["AUTH", REDACTED]);
  await Promise.resolve(); // the microtask queued by the first redaction has run
  assertOk(seen.shown(auth) === auth, "the redacted copy is still kept");
});
