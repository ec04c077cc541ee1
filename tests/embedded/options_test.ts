/** The options of `open` and `db.listen` are the server's settings, parsed as its flags are. */
import { OPTION_NAMES, optionName } from "../../src/embedded/options.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { open } from "../../mod.ts";
import { assertEquals, assertRejects } from "../helpers/assert.ts";

Deno.test("every server setting is an option of open and listen, and every option a setting", () => {
  const fromTable = SETTINGS.map(optionName).sort();
  assertEquals(Object.keys(OPTION_NAMES).sort(), fromTable);
});

Deno.test("open takes settings as their flags do and refuses unknown or bad ones clearly", async () => {
  await using db = await open({
    persistence: "none",
    maxBulk: "1kb",
    hashMaxListpackEntries: 4,
    latencyTracking: false,
    disableCommand: ["flushall", "keys"],
    latencyTrackingInfoPercentiles: [50, 99],
  });
  const config = (name: string) => db.command("CONFIG", "GET", name);
  assertEquals(await config("max-bulk"), new Map([["max-bulk", "1024"]]));
  assertEquals(await config("latency-tracking"), new Map([["latency-tracking", "no"]]));
  assertEquals(
    await config("latency-tracking-info-percentiles"),
    new Map([["latency-tracking-info-percentiles", "50 99"]]),
  );
  await assertRejects(() => db.flushAll(), /unknown command 'FLUSHALL'/);
  await assertRejects(
    () => db.setRange("big", 2000, "x"),
    /ERR string exceeds maximum allowed size/,
  );
  await assertRejects(
    () => open({ persistence: "none", maxclient: 3 } as never),
    /Cannot use option "maxclient": no such setting/,
  );
  await assertRejects(
    () => open({ persistence: "none", "max-bulk": 3 } as never),
    /as an option it is "maxBulk"/,
  );
  await assertRejects(() => open({ persistence: "none", fsync: "sometimes" as never }), TypeError);
});
