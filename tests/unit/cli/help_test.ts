import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { generalHelp, parseCommandDocs, topicHelp } from "../../../src/cli/help.ts";
import { parseReplyTree } from "../../../src/cli/reply_tree.ts";
import { encodeCommand } from "../../../src/client/mod.ts";

/** Builds RESP for a nested structure: arrays stay arrays, strings become bulk strings. */
type Doc = string | number | Doc[];
function resp(value: Doc): string {
  if (typeof value === "number") return `:${value}\r\n`;
  if (typeof value === "string") return `$${value.length}\r\n${value}\r\n`;
  return `*${value.length}\r\n${value.map(resp).join("")}`;
}

const SET_DOCS: Doc = [
  "set",
  [
    "summary",
    "Set the string value of a key",
    "since",
    "1.0.0",
    "group",
    "string",
    "complexity",
    "O(1)",
    "arguments",
    [
      ["name", "key", "type", "key", "key_spec_index", 0],
      ["name", "value", "type", "string"],
      ["name", "condition", "type", "oneof", "flags", ["optional"], "arguments", [
        ["name", "nx", "type", "pure-token", "token", "NX"],
        ["name", "xx", "type", "pure-token", "token", "XX"],
      ]],
      ["name", "get", "type", "pure-token", "token", "GET", "flags", ["optional"]],
      ["name", "expiration", "type", "oneof", "flags", ["optional"], "arguments", [
        ["name", "seconds", "type", "integer", "token", "EX"],
        ["name", "keepttl", "type", "pure-token", "token", "KEEPTTL"],
      ]],
    ],
  ],
  "mset",
  [
    "summary",
    "Set multiple keys",
    "since",
    "1.0.1",
    "group",
    "string",
    "complexity",
    "O(N)",
    "arguments",
    [["name", "data", "type", "block", "flags", ["multiple"], "arguments", [
      ["name", "key", "type", "key"],
      ["name", "value", "type", "string"],
    ]]],
  ],
  "del",
  [
    "summary",
    "Delete a key",
    "since",
    "1.0.0",
    "group",
    "generic",
    "complexity",
    "O(N)",
    "arguments",
    [["name", "key", "type", "key", "flags", ["multiple"]]],
  ],
];

function docs() {
  return parseCommandDocs(parseReplyTree(Uint8Array.from(resp(SET_DOCS), (c) => c.charCodeAt(0))));
}

Deno.test("help shows a command's syntax built from COMMAND DOCS", () => {
  assertEquals(
    topicHelp(docs(), ["SET"]),
    "\n  SET key value [NX|XX] [GET] [EX seconds|KEEPTTL]\n  summary: Set the string value of a key\n" +
      "  since: 1.0.0\n  group: string\n  complexity: O(1)\n\n",
  );
  assertMatch(topicHelp(docs(), ["mset"])!, /MSET key value \[key value \.\.\.\]/);
  assertMatch(topicHelp(docs(), ["del"])!, /DEL key \[key \.\.\.\]/);
  assertEquals(topicHelp(docs(), ["nosuch"]), null);
});

Deno.test("help lists commands by group and help @group lists one group", () => {
  const text = generalHelp(docs());
  assertMatch(text, /@generic\n {2}DEL +Delete a key\n/);
  assertMatch(text, /@string\n {2}MSET +Set multiple keys\n {2}SET +Set the string value/);
  const group = topicHelp(docs(), ["@generic"])!;
  assertMatch(group, /DEL key/);
  assertEquals(group.includes("MSET"), false);
});

Deno.test("help falls back to a built-in list without COMMAND DOCS", () => {
  assertMatch(generalHelp(null), /COMMAND DOCS is not available/);
  assertMatch(generalHelp(null), /GET key/);
  assertMatch(topicHelp(null, ["get"])!, /GET key/);
  assertEquals(topicHelp(null, ["nosuch"]), null);
});

Deno.test("COMMAND DOCS in RESP3 map form is read the same way", () => {
  const map = "%1\r\n$3\r\ndel\r\n%2\r\n$7\r\nsummary\r\n$12\r\nDelete a key\r\n" +
    "$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n" +
    "$5\r\nflags\r\n~1\r\n+multiple\r\n";
  const parsed = parseCommandDocs(parseReplyTree(Uint8Array.from(map, (c) => c.charCodeAt(0))));
  assertEquals(parsed[0].name, "del");
  assertEquals(parsed[0].syntax, "key [key ...]");
  assertEquals(encodeCommand(["x"]).length, 11);
});
