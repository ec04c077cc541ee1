/** client-output-buffer-limit: Redis's syntax and refusals, and the hard and soft limits. */
import { assertEquals, assertOk, assertThrows } from "../../helpers/assert.ts";
import {
  formatOutputLimits,
  type OutputLimit,
  OutputLimitWatch,
  parseOutputLimits,
  SettingValueError,
} from "../../../src/config/output_limits.ts";
import { DEFAULT_CONFIG } from "../../../src/config/settings.ts";

const DEFAULTS = DEFAULT_CONFIG.outputLimits;

Deno.test("the default limits print as Redis prints its own, normal being max-output", () => {
  assertEquals(
    formatOutputLimits(DEFAULTS),
    "normal 67108864 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
  );
});

Deno.test("classes given are replaced, the others kept, with sizes in Redis's units", () => {
  const limits = parseOutputLimits("pubsub 1mb 2kb 3 SLAVE 1k 0 0", DEFAULTS);
  assertEquals(limits.pubsub, { hardBytes: 1024 * 1024, softBytes: 2048, softSeconds: 3 });
  assertEquals(limits.replica, { hardBytes: 1000, softBytes: 0, softSeconds: 0 });
  assertEquals(limits.normal, DEFAULTS.normal);
  assertEquals(parseOutputLimits("replica 1 2 3", DEFAULTS).replica.softSeconds, 3);
  assertEquals(parseOutputLimits("", DEFAULTS), DEFAULTS);
  assertEquals(parseOutputLimits("normal 01 1B 2147483647", DEFAULTS).normal, {
    hardBytes: 1,
    softBytes: 1,
    softSeconds: 2147483647,
  });
});

Deno.test("a bad limit is refused whole with Redis's reason", () => {
  const refusals: [string, string][] = [
    ["pubsub 1 2", "Wrong number of arguments in buffer limit configuration."],
    ["normal 1 2 3 ", "Wrong number of arguments in buffer limit configuration."],
    ["  normal 1 2 3", "Wrong number of arguments in buffer limit configuration."],
    ["master 1 2 3", "Invalid client class specified in buffer limit configuration."],
    ["normal 1 2 3 bogus 1 2 3", "Invalid client class specified in buffer limit configuration."],
    ["normal x 0 0", "Error in hard, soft or soft_seconds setting in buffer limit configuration."],
    ["normal -1 0 0", "Error in hard, soft or soft_seconds setting in buffer limit configuration."],
    [
      "normal 1.5 0 0",
      "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
    ],
    ["normal 0 0 3k", "Error in hard, soft or soft_seconds setting in buffer limit configuration."],
    [
      "normal 0 0 2147483648",
      "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
    ],
    ["normal 1t 0 0", "Error in hard, soft or soft_seconds setting in buffer limit configuration."],
  ];
  for (const [text, reason] of refusals) {
    assertThrows(() => parseOutputLimits(text, DEFAULTS), SettingValueError, reason);
  }
});

const LIMIT: OutputLimit = { hardBytes: 1000, softBytes: 100, softSeconds: 2 };

Deno.test("past the hard limit a client is over at once", () => {
  const watch = new OutputLimitWatch();
  assertOk(!watch.exceeded(LIMIT, 1000, () => 0));
  assertOk(watch.exceeded(LIMIT, 1001, () => 0));
});

Deno.test("past the soft limit a client is over once it stayed there longer than the seconds", () => {
  const watch = new OutputLimitWatch();
  assertOk(!watch.exceeded(LIMIT, 101, () => 10_000)); // starts the clock
  assertOk(!watch.exceeded(LIMIT, 500, () => 12_000)); // exactly 2 s: not yet
  assertOk(watch.exceeded(LIMIT, 500, () => 12_001));
  // Dropping under the soft limit starts over.
  const again = new OutputLimitWatch();
  assertOk(!again.exceeded(LIMIT, 200, () => 0));
  assertOk(!again.exceeded(LIMIT, 50, () => 1_500));
  assertOk(!again.exceeded(LIMIT, 200, () => 3_000));
  assertOk(!again.exceeded(LIMIT, 200, () => 4_000));
  assertOk(again.exceeded(LIMIT, 200, () => 5_001));
});

Deno.test("a limit of 0 is off", () => {
  const watch = new OutputLimitWatch();
  const off: OutputLimit = { hardBytes: 0, softBytes: 0, softSeconds: 0 };
  assertOk(!watch.exceeded(off, 1e12, () => 0));
  assertOk(!watch.exceeded(off, 1e12, () => 1e9));
});
