/**
 * The pure parts of the security layer: rules applied to users, their description back as
 * rules, permission checks with key flags and selectors, the ACL file parser, the ACL log's
 * grouping, and password digests.
 */
import { assertEquals, assertOk, assertThrows } from "../../helpers/assert.ts";
import { ALL_COMMANDS } from "../../../src/commands/all.ts";
import { AclCommandTable } from "../../../src/security/command_table.ts";
import { describeUser } from "../../../src/security/describe.ts";
import { checkCommand, Denial } from "../../../src/security/permissions.ts";
import { aclFileText, defaultUser, parseAclFile } from "../../../src/security/acl_file.ts";
import { AclLog } from "../../../src/security/acl_log.ts";
import { hashPassword, sameHash } from "../../../src/security/password.ts";
import { RuleError } from "../../../src/security/rule_error.ts";
import { User } from "../../../src/security/user.ts";

const table = new AclCommandTable(ALL_COMMANDS);

function user(...rules: string[]): User {
  const u = new User("u", table);
  for (const rule of rules) u.apply(rule);
  return u;
}

function verdict(u: User, ...argv: string[]) {
  const name = argv.length > 1 && table.lookup(`${argv[0]}|${argv[1]}`)
    ? `${argv[0]}|${argv[1]}`
    : argv[0];
  return checkCommand(u, table.lookup(name)!, argv);
}

Deno.test("rules describe back to the same permissions, whatever their order", () => {
  const cases: [string[], string][] = [
    [["on", "nopass", "~*", "&*", "+@all"], "on nopass ~* &* +@all"],
    [[], "off resetchannels -@all"],
    [
      ["on", ">pw", "~app:*", "+@read"],
      `on #${hashPassword("pw")} ~app:* resetchannels -@all +@read`,
    ],
    [["+@all", "-get"], "off resetchannels +@all -get"],
    [["+config", "-config|set"], "off resetchannels -@all +config -config|set"],
    [["+select|0", "+select|1"], "off resetchannels -@all +select|0 +select|1"],
    [["%R~r:*", "%W~w:*", "%RW~b:*", "&ch*"], "off %R~r:* %W~w:* ~b:* resetchannels &ch* -@all"],
    [["(~x +get)"], "off resetchannels -@all (~x resetchannels -@all +get)"],
  ];
  for (const [rules, expected] of cases) {
    const u = user(...rules);
    assertEquals(describeUser(u, table), expected, rules.join(" "));
    // Replaying the description (selectors aside) gives the same user again.
    if (!expected.includes("(")) {
      assertEquals(describeUser(user(...expected.split(" ")), table), expected);
    }
  }
});

Deno.test("bad rules are refused with Redis's reasons and change nothing", () => {
  const u = user("on", "~a");
  const problems: [string, string][] = [
    ["foo", "syntax"],
    ["+nosuch", "unknown"],
    ["+@nosuch", "unknown"],
    ["+config|get|x", "subcommandFirstArg"],
    ["<never", "noSuchPassword"],
    ["#abc", "badHash"],
    ["%~x", "syntax"],
    ["~a b", "syntax"],
  ];
  for (const [rule, problem] of problems) {
    assertThrows(
      () => u.copy().apply(rule),
      (e: unknown) => e instanceof RuleError && e.problem === problem,
      rule,
    );
  }
  assertThrows(() => user("allkeys").apply("~x"), RuleError);
  assertThrows(() => user("allchannels").apply("&x"), RuleError);
  assertEquals(describeUser(u, table), "on ~a resetchannels -@all");
});

Deno.test("permissions follow key flags, first arguments and selectors", () => {
  const rw = user("+@all", "%R~r:*", "%W~w:*", "~b:*");
  assertEquals(verdict(rw, "get", "r:1").denial, Denial.none);
  assertEquals(verdict(rw, "get", "w:1"), { denial: Denial.key, argIndex: 1 });
  assertEquals(verdict(rw, "set", "w:1", "v").denial, Denial.none);
  assertEquals(verdict(rw, "set", "w:1", "v", "GET").denial, Denial.key);
  assertEquals(verdict(rw, "exists", "w:1", "r:1", "z").denial, Denial.key); // z matches nothing
  assertEquals(verdict(rw, "rename", "b:1", "w:2").denial, Denial.none);
  assertEquals(verdict(rw, "copy", "b:1", "r:2"), { denial: Denial.key, argIndex: 2 });
  const select0 = user("+select|0");
  assertEquals(verdict(select0, "select", "0").denial, Denial.none);
  assertEquals(verdict(select0, "select", "1").denial, Denial.command);
  const selectors = user("+get", "~a", "(+set ~b)");
  assertEquals(verdict(selectors, "get", "a").denial, Denial.none);
  assertEquals(verdict(selectors, "set", "b", "v").denial, Denial.none);
  assertEquals(verdict(selectors, "set", "a", "v").denial, Denial.key); // key beats command
  assertEquals(verdict(user(), "auth", "x").denial, Denial.none); // no_auth commands always run
  assertOk(user("+@all", "~*", "&*").unrestricted && !user("+@all", "~*").unrestricted);
});

Deno.test("the ACL file parser loads all users or reports every bad line", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const good = parseAclFile(bytes("user a on >x ~* +@all\n\nuser b off\n"), "f.acl", table);
  assertOk("users" in good);
  if ("users" in good) {
    assertEquals([...good.users.keys()].sort(), ["a", "b", "default"]);
    assertEquals(
      aclFileText(good.users.values(), table),
      `user a on #${hashPassword("x")} ~* resetchannels +@all\nuser b off resetchannels -@all\n` +
        "user default on nopass ~* &* +@all\n",
    );
  }
  const bad = parseAclFile(
    bytes("user a on\nuser a off\nbogus\nuser c +nosuch %X~y\n"),
    "f",
    table,
  );
  assertEquals(
    "errors" in bad ? bad.errors : "",
    "WARNING: Duplicate user 'a' found on line 2. f:3 should start with user keyword followed " +
      "by the username. f:4: Error in applying operation '+nosuch': Unknown command or category " +
      "name in ACL. f:4: Syntax error. WARNING: ACL errors detected, no change to the " +
      "previously active ACL rules was performed",
  );
  assertEquals(describeUser(defaultUser(table), table), "on nopass ~* &* +@all");
});

Deno.test("the ACL log groups repeats within a minute and keeps the newest first", () => {
  const log = new AclLog();
  const entry = (object: string, updatedMs: number) => ({
    reason: "key" as const,
    context: "toplevel" as const,
    object,
    username: "u",
    updatedMs,
    clientInfo: `at ${updatedMs}`,
  });
  log.add(entry("k", 0), 3);
  log.add(entry("j", 1), 3);
  log.add(entry("k", 60_000), 3); // within 60 s of the first: grouped, moved to the front
  log.add(entry("k", 200_000), 3); // too late: a new entry
  assertEquals(log.newest(10).map((e) => [e.object, e.count, e.clientInfo]), [
    ["k", 1, "at 200000"],
    ["k", 2, "at 60000"],
    ["j", 1, "at 1"],
  ]);
  log.add(entry("z", 200_001), 3);
  assertEquals(log.length, 3);
  assertEquals(log.newest(1)[0].object, "z");
});

Deno.test("passwords are kept as SHA-256 digests and compared whole", () => {
  assertEquals(
    hashPassword("a"),
    "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
  );
  assertEquals(hashPassword("\xff").length, 64); // bytes, not UTF-8 text
  assertOk(sameHash(hashPassword("x"), hashPassword("x")));
  assertOk(!sameHash(hashPassword("x"), hashPassword("y")));
  assertOk(!sameHash(hashPassword("x"), "short"));
});
