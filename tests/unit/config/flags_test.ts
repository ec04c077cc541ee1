/** Command-line flags parsed from the settings table, with clear refusals. */
import { assertEquals, assertMatch, assertOk, assertThrows } from "../../helpers/assert.ts";
import { helpText, parseFlags, UsageError } from "../../../src/config/flags.ts";
import { type Config, DEFAULT_CONFIG, SETTINGS } from "../../../src/config/settings.ts";
import { VERSION } from "../../../src/version.ts";

function configOf(args: string[]): Config {
  const outcome = parseFlags(args);
  if (outcome.kind !== "run") throw new Error(`Expected a config, got ${outcome.kind}`);
  return outcome.config;
}

/** The UsageError message parseFlags gives for `args`. */
function refusal(args: string[]): string {
  try {
    parseFlags(args);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`${JSON.stringify(args)} was accepted`);
}

Deno.test("no flags give the defaults", () => {
  assertEquals(configOf([]), { ...DEFAULT_CONFIG });
});

Deno.test("every protection and network flag sets its setting", () => {
  const config = configOf([
    "--host",
    "0.0.0.0",
    "--port",
    "6380",
    "--dir",
    "/tmp/x",
    "--maxclients",
    "5",
    "--timeout",
    "30",
    "--max-inline",
    "1kb",
    "--max-bulk",
    "1mb",
    "--max-args",
    "100",
    "--max-output",
    "2mb",
    "--log-level",
    "debug",
  ]);
  assertEquals(config.host, "0.0.0.0");
  assertEquals(config.port, 6380);
  assertEquals(config.dir, "/tmp/x");
  assertEquals(config.maxClients, 5);
  assertEquals(config.idleTimeoutSec, 30);
  assertEquals(config.maxInlineBytes, 1024);
  assertEquals(config.maxBulkBytes, 1024 * 1024);
  assertEquals(config.maxArgs, 100);
  assertEquals(config.outputLimits.normal.hardBytes, 2 * 1024 * 1024);
  assertEquals(config.logLevel, "debug");
});

Deno.test("a flag's value may follow an equals sign, and the last one given wins", () => {
  assertEquals(configOf(["--port=7000"]).port, 7000);
  assertEquals(configOf(["--port", "1", "--port", "2"]).port, 2);
  assertEquals(configOf(["--log-level=WARN"]).logLevel, "warn");
});

Deno.test("switches take no value, or an explicit yes or no", () => {
  const switches = SETTINGS.filter((s) => s.isSwitch);
  for (const setting of switches) {
    const on = configOf([`--${setting.name}`]) as unknown as Record<string, unknown>;
    assertEquals(setting.format(on[setting.key] as never), "yes");
    const off = configOf([`--${setting.name}=no`]) as unknown as Record<string, unknown>;
    assertEquals(setting.format(off[setting.key] as never), "no");
  }
});

Deno.test("--help and -h give the help text, --version and -v the version", () => {
  assertEquals(parseFlags(["--help"]), { kind: "help", text: helpText() });
  assertEquals(parseFlags(["-h"]), { kind: "help", text: helpText() });
  assertEquals(parseFlags(["--version"]), { kind: "version", text: `hermes ${VERSION}` });
  assertEquals(parseFlags(["-v"]), { kind: "version", text: `hermes ${VERSION}` });
  // Help wins over other flags, but not over a broken command line.
  assertEquals(parseFlags(["--port", "1", "--help"]).kind, "help");
  assertThrows(() => parseFlags(["--help", "--bogus"]), UsageError);
});

Deno.test("the help text lists every setting with its default, and --help and --version", () => {
  const text = helpText();
  for (const setting of SETTINGS) {
    assertMatch(text, new RegExp(`--${setting.name}\\b`), setting.name);
    assertOk(text.includes(setting.help), setting.name);
  }
  assertMatch(
    text,
    /--maxclients <n> +Most clients connected at once; more are refused \(default: 10000\)/,
  );
  assertMatch(text, /-h, --help/);
  assertMatch(text, /-v, --version/);
});

Deno.test("an unknown flag is refused by name, with a suggestion when it is close", () => {
  assertEquals(refusal(["--bogus"]), 'Unknown flag "--bogus"');
  assertEquals(refusal(["--prot", "1"]), 'Unknown flag "--prot" (did you mean "--port"?)');
  assertEquals(
    refusal(["--max-clients", "1"]),
    'Unknown flag "--max-clients" (did you mean "--maxclients"?)',
  );
  assertEquals(refusal(["-p", "1"]), 'Unknown flag "-p"');
});

Deno.test("a missing value, a stray argument or a value for --help is refused", () => {
  assertEquals(refusal(["--port"]), 'Missing value for "--port" (expected <n>)');
  assertEquals(refusal(["--port", "--dir", "x"]), 'Missing value for "--port" (expected <n>)');
  assertEquals(
    refusal(["--port", "1", "6380"]),
    'Unexpected argument "6380": hermes takes a config file first, then flags',
  );
  assertEquals(refusal(["--help=yes"]), 'Flag "--help" takes no value');
});

Deno.test("bad values are refused with the flag, the value and the reason", () => {
  const cases: [string[], string][] = [
    [["--port", "abc"], 'Invalid value for "--port": cannot parse port "abc": not a whole number'],
    [
      ["--port", "65536"],
      'Invalid value for "--port": cannot use port "65536": must be between 0 and 65535',
    ],
    [
      ["--port", "-1"],
      'Invalid value for "--port": cannot use port "-1": must be between 0 and 65535',
    ],
    [
      ["--maxclients", "0"],
      'Invalid value for "--maxclients": cannot use maxclients "0": must be between 1 and 1000000',
    ],
    [
      ["--timeout", "1.5"],
      'Invalid value for "--timeout": cannot parse timeout "1.5": not a whole number',
    ],
    [
      ["--max-inline", "8"],
      'Invalid value for "--max-inline": cannot use max-inline "8": must be between 16 and 67108864 bytes',
    ],
    [
      ["--max-bulk", "1tb"],
      'Invalid value for "--max-bulk": cannot parse max-bulk "1tb": expected bytes such as 1024, 512kb or 64mb',
    ],
    [
      ["--max-args", "x"],
      'Invalid value for "--max-args": cannot parse max-args "x": not a whole number',
    ],
    [
      ["--max-output", "12q"],
      'Invalid value for "--max-output": cannot parse max-output "12q": expected bytes such as 1024, 512kb or 64mb',
    ],
    [
      ["--log-level", "loud"],
      'Invalid value for "--log-level": cannot use log-level "loud": expected one of debug, info, warn, error',
    ],
    [["--host", ""], 'Invalid value for "--host": cannot use host "": must not be empty'],
    [["--dir="], 'Invalid value for "--dir": cannot use dir "": must not be empty'],
  ];
  for (const [args, message] of cases) assertEquals(refusal(args), message, args.join(" "));
});
