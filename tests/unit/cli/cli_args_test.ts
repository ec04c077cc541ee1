import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { CliUsageError, parseCliArgs } from "../../../src/cli/cli_args.ts";

Deno.test("cli flags are read up to the first word, which starts the command", () => {
  const request = parseCliArgs([
    "-h",
    "10.0.0.1",
    "--port=9000",
    "--pass",
    "pw",
    "SET",
    "k",
    "--port",
  ]);
  assertEquals(request, {
    kind: "run",
    options: {
      host: "10.0.0.1",
      port: 9000,
      password: "pw",
      db: 0,
      protocol: 2,
      command: ["SET", "k", "--port"],
    },
  });
});

Deno.test("cli flags choose the protocol, database and output style", () => {
  const request = parseCliArgs(["-3", "-n", "2", "--raw", "--user", "ann"]);
  assertEquals(request.kind, "run");
  if (request.kind !== "run") return;
  assertEquals(request.options.protocol, 3);
  assertEquals(request.options.db, 2);
  assertEquals(request.options.format, "raw");
  assertEquals(request.options.user, "ann");
  assertEquals(request.options.command, []);
  const after = parseCliArgs(["--", "-weird-command"]);
  assertEquals(after.kind === "run" && after.options.command, ["-weird-command"]);
});

Deno.test("cli rejects unknown flags, missing values and bad ports", () => {
  assertThrows(() => parseCliArgs(["--nope"]), CliUsageError);
  assertThrows(() => parseCliArgs(["--port"]), CliUsageError);
  assertThrows(() => parseCliArgs(["--port", "70000"]), /expected an integer from 1 to 65535/);
  assertThrows(() => parseCliArgs(["-p", "12ab"]), CliUsageError);
  assertThrows(() => parseCliArgs(["-n", "-1"]), CliUsageError);
  assertEquals(parseCliArgs(["--help"]).kind, "help");
  assertEquals(parseCliArgs(["--version"]).kind, "version");
});
