import { assertEquals } from "../../helpers/assert.ts";
import { partitionRefusal, valueRefusal } from "../../../src/commands/partition_rules.ts";
import type { CommandFlag, CommandSpec } from "../../../src/commands/spec.ts";
import { stringCommands } from "../../../src/commands/strings.ts";
import { ALL_COMMANDS } from "../../../src/commands/all.ts";
import { Databases } from "../../../src/store/databases.ts";
import { type Partition, Persistence, Schema } from "../../../src/store/partition.ts";

function spec(name: string, group: string, flags: CommandFlag[]): CommandSpec {
  return {
    name,
    group,
    flags,
    arity: -2,
    keys: [1, 1, 1],
    summary: "",
    since: "",
    complexity: "",
  };
}

const store = new Databases();
const make = (name: string, schema: Schema) =>
  store.createPartition({ name, schema, persistence: Persistence.none, createdAtMs: 0 });
const ints = make("ints", Schema.int);
const strings = make("strings", Schema.string);
const any = make("any", Schema.any);

/** The error line, or "ok". */
function verdict(partition: Partition | undefined, command: CommandSpec, argv: string[]): string {
  return partitionRefusal(partition, command, argv)?.line ?? "ok";
}

const byName = (name: string) => stringCommands.find((s) => s.name === name)!;

Deno.test("every string write of the table is classified for INT: checked, integer-safe or refused", () => {
  const notInt = "ERR value is not an integer for partition 'ints' (schema INT)";
  const cases: [string, string[], string][] = [
    ["set", ["set", "k", "12"], "ok"],
    ["set", ["set", "k", "x", "NX"], notInt],
    ["put", ["put", "k", "1.5"], notInt],
    ["setnx", ["setnx", "k", "007"], notInt],
    ["getset", ["getset", "k", "-9223372036854775808"], "ok"],
    ["setex", ["setex", "k", "10", "abc"], notInt],
    ["psetex", ["psetex", "k", "10", "5"], "ok"],
    ["mset", ["mset", "a", "1", "b", "2", "c", "x"], notInt],
    ["mset", ["mset", "a", "1", "b"], "ok"], // the handler's own arity error comes first
    ["msetnx", ["msetnx", "a", "1", "b", " 2"], notInt],
    ["incr", ["incr", "k"], "ok"],
    ["decr", ["decr", "k"], "ok"],
    ["incrby", ["incrby", "k", "5"], "ok"],
    ["decrby", ["decrby", "k", "5"], "ok"],
    ["getdel", ["getdel", "k"], "ok"],
    ["getex", ["getex", "k", "EX", "5"], "ok"],
    [
      "append",
      ["append", "k", "1"],
      "ERR command 'append' is not allowed in partition 'ints' (schema INT)",
    ],
    [
      "setrange",
      ["setrange", "k", "0", "1"],
      "ERR command 'setrange' is not allowed in partition 'ints' (schema INT)",
    ],
    [
      "incrbyfloat",
      ["incrbyfloat", "k", "1"],
      "ERR command 'incrbyfloat' is not allowed in partition 'ints' (schema INT)",
    ],
    ["get", ["get", "k"], "ok"],
  ];
  for (const [name, argv, expected] of cases) {
    assertEquals(verdict(ints, byName(name), argv), expected, argv.join(" "));
    assertEquals(verdict(strings, byName(name), argv), "ok", argv.join(" "));
  }
  // Every string write of the family is among the cases above.
  const writes = stringCommands.filter((s) => s.flags.includes("write")).map((s) => s.name);
  const covered = new Set(cases.map(([name]) => name));
  assertEquals(writes.filter((name) => !covered.has(name)), []);
});

Deno.test("commands of other families are placed by group and write flag alone", () => {
  const hset = spec("hset", "hash", ["write", "denyoom"]);
  const zadd = spec("zadd", "sorted-set", ["write"]);
  const setbit = spec("setbit", "bitmap", ["write"]);
  const pfadd = spec("pfadd", "hyperloglog", ["write"]);
  const hget = spec("hget", "hash", ["readonly"]);
  const del = spec("del", "generic", ["write"]);
  const flushdb = spec("flushdb", "server", ["write"]);
  for (
    const [command, int, string] of [
      [hset, false, false],
      [zadd, false, false],
      [setbit, false, true],
      [pfadd, false, true],
      [hget, true, true],
      [del, true, true],
      [flushdb, true, true],
    ] as const
  ) {
    assertEquals(verdict(ints, command, [command.name, "k", "v"]) === "ok", int, command.name);
    assertEquals(
      verdict(strings, command, [command.name, "k", "v"]) === "ok",
      string,
      command.name,
    );
    assertEquals(verdict(any, command, [command.name, "k", "v"]), "ok", command.name);
  }
  assertEquals(
    verdict(strings, hset, ["hset", "k", "f", "v"]),
    "ERR command 'hset' is not allowed in partition 'strings' (schema STRING)",
  );
});

Deno.test("a dropped partition lets only commands that use no database run", () => {
  const dropped = "ERR the selected partition was dropped; SELECT a database or partition";
  assertEquals(verdict(undefined, byName("get"), ["get", "k"]), dropped);
  assertEquals(verdict(undefined, spec("dbsize", "server", ["readonly"]), ["dbsize"]), dropped);
  for (const group of ["connection", "transactions", "pubsub", "partition"]) {
    assertEquals(verdict(undefined, spec("x", group, []), ["x"]), "ok", group);
  }
});

Deno.test("whole values moved in are checked against the target's schema", () => {
  const collection = { type: "hash" } as unknown as Parameters<typeof valueRefusal>[1];
  assertEquals(valueRefusal(ints, "42"), null);
  assertEquals(
    valueRefusal(ints, "4.2")?.line,
    "ERR value is not an integer for partition 'ints' (schema INT)",
  );
  assertEquals(valueRefusal(strings, "4.2"), null);
  assertEquals(
    valueRefusal(strings, collection)?.line,
    "ERR value is not a string for partition 'strings' (schema STRING)",
  );
  assertEquals(valueRefusal(any, collection), null);
  assertEquals(valueRefusal(null, collection), null);
});

Deno.test("sorted set writes run only in ANY; bitmap and HyperLogLog writes in STRING and ANY", () => {
  const groups = new Map<string, CommandSpec[]>();
  for (const command of ALL_COMMANDS) {
    if (!command.flags.includes("write")) continue;
    groups.set(command.group, [...groups.get(command.group) ?? [], command]);
  }
  const cases: [string, boolean, boolean][] = [
    ["sorted-set", false, false],
    ["bitmap", false, true],
    ["hyperloglog", false, true],
  ];
  let checked = 0;
  for (const [group, int, string] of cases) {
    const commands = groups.get(group) ?? [];
    assertEquals(commands.length > 0, true, group);
    for (const command of commands) {
      const argv = [command.name, "k", "1", "m"];
      assertEquals(verdict(ints, command, argv) === "ok", int, command.name);
      assertEquals(verdict(strings, command, argv) === "ok", string, command.name);
      assertEquals(verdict(any, command, argv), "ok", command.name);
      checked++;
    }
  }
  assertEquals(checked > 15, true);
});
