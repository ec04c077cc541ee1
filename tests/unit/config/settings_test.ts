/** The settings table: one entry per setting, consistent names, defaults that parse. */
import { assertEquals, assertOk } from "../../helpers/assert.ts";
import {
  type Config,
  DEFAULT_CONFIG,
  findSetting,
  SETTINGS,
} from "../../../src/config/settings.ts";

Deno.test("every Config field has exactly one setting, and names are unique", () => {
  // A setting that is part of another's value (max-output) shares that one's field.
  const keys = SETTINGS.filter((s) => !s.partOf).map((s) => s.key).sort();
  assertEquals(keys, (Object.keys(DEFAULT_CONFIG) as (keyof Config)[]).sort());
  const names = SETTINGS.flatMap((s) => [s.name, ...(s.aliases ?? [])]);
  assertEquals(new Set(names).size, names.length);
  for (const name of names) assertEquals(name, name.toLowerCase());
});

Deno.test("a setting that is part of another names it and shares its field", () => {
  const parts = SETTINGS.filter((s) => s.partOf);
  assertOk(parts.length > 0);
  for (const part of parts) {
    const whole = findSetting(part.partOf!);
    assertEquals(whole?.key, part.key, part.name);
    assertEquals(whole?.partOf, undefined, part.name);
  }
});

Deno.test("each default survives a format and parse round trip", () => {
  for (const setting of SETTINGS) {
    const value = DEFAULT_CONFIG[setting.key];
    const text = setting.format(value as never);
    assertEquals(setting.parse(text), value, setting.name);
  }
});

Deno.test("settings are found by name or Redis alias in any case", () => {
  assertEquals(findSetting("maxclients")?.key, "maxClients");
  assertEquals(findSetting("MAXCLIENTS")?.key, "maxClients");
  assertEquals(findSetting("proto-max-bulk-len")?.key, "maxBulkBytes");
  assertEquals(findSetting("loglevel")?.key, "logLevel");
  assertEquals(findSetting("bind")?.key, "host");
  assertEquals(findSetting("no-such-setting"), undefined);
});

Deno.test("limits the server enforces while running can be changed by CONFIG SET", () => {
  for (
    const key of [
      "maxClients",
      "idleTimeoutSec",
      "maxInlineBytes",
      "maxBulkBytes",
      "maxArgs",
      "outputLimits",
      "notifyKeyspaceEvents",
      "maxChannelBytes",
      "maxSubscriptions",
      "logLevel",
    ]
  ) {
    const setting = SETTINGS.find((s) => s.key === key);
    assertOk(setting?.mutable, key);
  }
  for (const key of ["host", "port", "dir"]) {
    assertEquals(SETTINGS.find((s) => s.key === key)?.mutable, false, key);
  }
});
