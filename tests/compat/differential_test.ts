/**
 * Runs every script in tests/compat/scripts/ against Hermes and a reference redis-server side by
 * side and compares the exact reply bytes, first over RESP2 and then again over RESP3 (after
 * HELLO 3 on both). The script format is described in tests/compat/README.md; replies that
 * differ on purpose are listed in deliberate_differences.ts.
 *
 * With HERMES_COMPAT_TARGET=redis the scripts run against two redis-servers instead: every reply
 * must then match, which shows that a script compares only what is deterministic.
 */
import { assertOk } from "../helpers/assert.ts";
import { startCompatServer } from "../helpers/compat_server.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { parseScript, type ScriptStep } from "./script_file.ts";
import { Endpoint, formatMismatch, runScript } from "./script_runner.ts";

const SCRIPTS_DIR = new URL("./scripts/", import.meta.url);

/** The scripts to run: all, or those named in HERMES_COMPAT_SCRIPTS (comma-separated). */
function scriptNames(): string[] {
  const wanted = Deno.env.get("HERMES_COMPAT_SCRIPTS")?.split(",").map((name) => name.trim());
  const names: string[] = [];
  for (const entry of Deno.readDirSync(SCRIPTS_DIR)) {
    if (!entry.isFile || !entry.name.endsWith(".redis")) continue;
    if (wanted === undefined || wanted.includes(entry.name)) names.push(entry.name);
  }
  return names.sort();
}

function loadScript(name: string) {
  return parseScript(name, Deno.readFileSync(new URL(name, SCRIPTS_DIR)));
}

const REDIS = redisAvailable();
if (!REDIS) {
  console.log(
    "Skipping the differential scripts: redis-server is not on PATH " +
      "(install redis-server to compare Hermes with Redis)",
  );
}

Deno.test("every differential script parses and has commands to compare", () => {
  const names = scriptNames();
  if (!Deno.env.has("HERMES_COMPAT_SCRIPTS")) {
    assertOk(names.includes("core.redis"), "core.redis is missing");
  }
  for (const name of names) {
    const steps = loadScript(name);
    assertOk(steps.length > 0, `${name} has no commands`);
  }
});

/** Both servers start empty; FLUSHALL makes sure, and is compared like any other command. */
const FLUSHALL: ScriptStep = {
  kind: "command",
  line: 0,
  text: "FLUSHALL (before the script)",
  args: ["FLUSHALL"],
  mode: "exact",
};

for (const protocol of [2, 3] as const) {
  Deno.test({
    name:
      `every differential script gets the same replies from Hermes and Redis over RESP${protocol}`,
    ignore: !REDIS,
    async fn(t) {
      for (const name of scriptNames()) {
        await t.step(name, async () => {
          const steps = loadScript(name);
          // Fresh servers per script: scripts may change settings, names or databases.
          const hermesServer = await startCompatServer();
          const redisServer = await startRedis().catch(async (error) => {
            await hermesServer.stop();
            throw error;
          });
          const hermes = new Endpoint(hermesServer.kind, hermesServer.port, protocol);
          const redis = new Endpoint("redis", redisServer.port, protocol);
          try {
            const result = await runScript(name, [FLUSHALL, ...steps], hermes, redis);
            for (const t of result.tolerated) {
              console.log(`  tolerated ${name}:${t.line} ${t.command} (${t.reason})`);
              if (Deno.env.get("HERMES_COMPAT_VERBOSE")) {
                console.log(`    ${hermes.label}: ${t.hermes}\n    redis:  ${t.redis}`);
              }
            }
            assertOk(result.compared > 0, `${name} compared no replies`);
            if (result.mismatches.length > 0) {
              throw new Error(
                `${result.mismatches.length} of ${result.compared} replies differ:\n` +
                  result.mismatches.map(formatMismatch).join("\n"),
              );
            }
          } finally {
            hermes.close();
            redis.close();
            await Promise.all([hermesServer.stop(), redisServer.stop()]);
          }
        });
      }
    },
  });
}
