/**
 * The ACL matrix: a user with `~app:* +@read` against every command of the table. Commands not
 * in @read are refused with Redis's NOPERM text whatever their arguments; @read commands are
 * refused for keys outside app:* and pass ACL for keys inside it; hand-written reads check real
 * replies. The data is compared before and after: nothing the user sent changed anything.
 *
 * Built from the command table itself, so every family (strings, keys, hashes, lists, pub/sub,
 * ...) is covered as soon as it is registered, with no entry to add here.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { type Client, connect, ReplyError } from "../../src/client/mod.ts";
import { ALL_COMMANDS } from "../../src/commands/all.ts";
import { aclCategories } from "../../src/commands/categories.ts";
import { keyArguments } from "../../src/commands/key_specs.ts";
import type { CommandSpec } from "../../src/commands/spec.ts";

const KEY_DENIED =
  "NOPERM this user has no permissions to access one of the keys used as arguments";

/** Every command and subcommand, with the words that name it. */
function everyCommand(): { spec: CommandSpec; words: string[] }[] {
  const found: { spec: CommandSpec; words: string[] }[] = [];
  for (const spec of ALL_COMMANDS) {
    if (!spec.subcommands) found.push({ spec, words: [spec.name] });
    for (const sub of spec.subcommands ?? []) {
      found.push({ spec: sub, words: [spec.name, sub.name.split("|")[1]] });
    }
  }
  return found;
}

/** A call of the command's minimum arity, with `key` at every key position. */
function sampleCall(spec: CommandSpec, words: string[], key: string): string[] {
  const count = Math.max(Math.abs(spec.arity), words.length);
  const argv = [...words];
  while (argv.length < count) argv.push("1");
  for (const { index } of keyArguments(spec, argv)) argv[index] = key;
  return argv;
}

async function reply(client: Client, argv: string[]): Promise<unknown> {
  return await client.call(...argv);
}

/** The whole data set, to compare before and after. */
async function snapshot(admin: Client): Promise<string> {
  const keys = (await admin.send("KEYS", "*") as string[]).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const type = await admin.send("TYPE", key);
    const value = type === "string" ? await admin.send("GET", key) : "";
    parts.push(`${key}=${type}:${value}:${await admin.send("PTTL", key) === -1}`);
  }
  return parts.join("\n");
}

Deno.test("a user with ~app:* +@read can read app:* keys and nothing else, for every command", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    await admin.send("MSET", "app:1", "one", "app:2", "2", "other:1", "secret");
    await admin.send("ACL", "SETUSER", "reader", "on", ">pw", "~app:*", "+@read");
    const before = await snapshot(admin);
    const user = await connect({ port: server.port, username: "reader", password: "pw" });

    // Hand-written reads: real replies.
    assertEquals(await user.send("GET", "app:1"), "one");
    assertEquals(await user.send("MGET", "app:1", "app:2", "app:none"), ["one", "2", null]);
    assertEquals(await user.send("STRLEN", "app:1"), 3);
    assertEquals(await user.send("EXISTS", "app:1", "app:2"), 2);
    assertEquals(await user.send("TTL", "app:1"), -1);
    assertEquals(await user.send("DBSIZE"), 3);
    assertEquals((await user.send("KEYS", "*") as string[]).length, 3); // names, as in Redis
    for (const argv of [["GET", "other:1"], ["MGET", "app:1", "other:1"], ["TTL", "other:1"]]) {
      const answer = await reply(user, argv);
      assertOk(answer instanceof ReplyError && answer.message === KEY_DENIED, argv.join(" "));
    }

    // Every command of the table.
    let refusedCommands = 0;
    let refusedKeys = 0;
    let passed = 0;
    for (const { spec, words } of everyCommand()) {
      if (spec.flags.includes("no_auth")) continue; // AUTH, HELLO, QUIT: allowed to everyone
      const reads = aclCategories(spec).includes("read");
      const hasKeys = keyArguments(spec, sampleCall(spec, words, "k")).length > 0;
      const outside = await reply(user, sampleCall(spec, words, "other:1"));
      const name = words.join(" ");
      if (!reads) {
        assertOk(outside instanceof ReplyError, `${name} ran for a +@read user`);
        // A refused EXEC is reported as Redis's rejectCommand does, inside EXECABORT.
        const prefix = spec.name === "exec" ? "EXECABORT Transaction discarded because of: " : "";
        assertEquals(
          (outside as ReplyError).message,
          `${prefix}NOPERM this user has no permissions to run the '${spec.name}' command`,
          name,
        );
        refusedCommands++;
        continue;
      }
      if (hasKeys) {
        assertOk(outside instanceof ReplyError && outside.message === KEY_DENIED, name);
        refusedKeys++;
      }
      const inside = await reply(user, sampleCall(spec, words, "app:1"));
      assertOk(!(inside instanceof ReplyError && inside.message.startsWith("NOPERM")), name);
      passed++;
    }
    assertOk(refusedCommands > 40, `only ${refusedCommands} commands were refused`);
    assertOk(refusedKeys > 5 && passed > 10, `${refusedKeys} key refusals, ${passed} passed`);
    console.log(
      `  ${refusedCommands} commands refused, ${refusedKeys} refused for a key, ${passed} passed`,
    );
    assertEquals(await snapshot(admin), before);
    user.close();
    admin.close();
  });
});
