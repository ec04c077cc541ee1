/**
 * `help`, `help <command>` and `help @<group>` at the CLI prompt. The command list, syntax and
 * summaries come from the server's COMMAND DOCS, so they always match the server; when the
 * server has no COMMAND DOCS a short built-in list of the common commands is shown instead.
 */
import { VERSION } from "../version.ts";
import type { ReplyNode } from "./reply_tree.ts";

/** What COMMAND DOCS says about one command. */
export interface CommandDoc {
  name: string;
  summary: string;
  since: string;
  group: string;
  complexity: string;
  /** The argument grammar as redis-cli shows it: `key value [NX|XX] ...`. */
  syntax: string;
}

/** One entry of COMMAND DOCS' `arguments`. */
interface ArgumentDoc {
  name: string;
  type: string;
  displayText?: string;
  token?: string;
  flags: string[];
  arguments: ArgumentDoc[];
}

/** Reads a COMMAND DOCS reply (RESP2 flat array or RESP3 map), subcommands included. */
export function parseCommandDocs(node: ReplyNode): CommandDoc[] {
  const docs: CommandDoc[] = [];
  for (const [nameNode, docNode] of pairs(node)) {
    const name = textOf(nameNode);
    const fields = new Map(pairs(docNode).map(([k, v]) => [textOf(k), v]));
    const args = fields.get("arguments");
    docs.push({
      name,
      summary: textOf(fields.get("summary")),
      since: textOf(fields.get("since")),
      group: textOf(fields.get("group")),
      complexity: textOf(fields.get("complexity")),
      syntax: args ? itemsOf(args).map(parseArgument).map(argumentSyntax).join(" ") : "",
    });
    const subcommands = fields.get("subcommands");
    if (subcommands) docs.push(...parseCommandDocs(subcommands));
  }
  return docs;
}

/** The `help` text: how to get help, then every command with its summary, by group. */
export function generalHelp(docs: CommandDoc[] | null): string {
  const lines = [
    `hermes cli ${VERSION}`,
    "To get help about a command type:",
    '      "help <command>" for help on <command>',
    '      "help @<group>" to list the commands in <group>',
    '      "quit" or "exit" to leave',
    "",
  ];
  if (docs === null) {
    lines.push(
      "COMMAND DOCS is not available (no server, or one without it); common commands:",
      "",
    );
    for (const [syntax, summary] of BUILT_IN) lines.push(`  ${syntax}`, `      ${summary}`);
    return lines.join("\n") + "\n";
  }
  const groups = new Map<string, CommandDoc[]>();
  for (const doc of docs) {
    if (doc.name.includes("|")) continue; // subcommands are listed by "help <container>"
    const list = groups.get(doc.group) ?? [];
    list.push(doc);
    groups.set(doc.group, list);
  }
  const width = Math.max(...[...groups.values()].flat().map((doc) => doc.name.length)) + 2;
  for (const group of [...groups.keys()].sort()) {
    lines.push(`@${group}`);
    for (const doc of groups.get(group)!.sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(`  ${doc.name.toUpperCase().padEnd(width)}${doc.summary}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

/**
 * Help on `topic` (`set`, `config get`, `@string`), or null when nothing matches. Without
 * docs from the server only the built-in list can be searched.
 */
export function topicHelp(docs: CommandDoc[] | null, topic: string[]): string | null {
  const wanted = topic.join(" ").toLowerCase();
  if (docs === null) {
    const found = BUILT_IN.filter(([syntax]) => syntax.toLowerCase().split(" ")[0] === wanted);
    if (found.length === 0) return null;
    return found.map(([syntax, summary]) => `\n  ${syntax}\n  summary: ${summary}\n`).join("");
  }
  let matches: CommandDoc[];
  if (wanted.startsWith("@")) {
    matches = docs.filter((doc) => `@${doc.group}` === wanted);
  } else {
    const name = wanted.replace(" ", "|");
    matches = docs.filter((doc) => doc.name === name || doc.name.startsWith(`${name}|`));
  }
  if (matches.length === 0) return null;
  return matches.map(describe).join("");
}

function describe(doc: CommandDoc): string {
  const name = doc.name.toUpperCase().replace("|", " ");
  return [
    "",
    `  ${name}${doc.syntax ? ` ${doc.syntax}` : ""}`,
    `  summary: ${doc.summary}`,
    `  since: ${doc.since}`,
    `  group: ${doc.group}`,
    ...(doc.complexity ? [`  complexity: ${doc.complexity}`] : []),
    "",
  ].join("\n") + "\n";
}

function parseArgument(node: ReplyNode): ArgumentDoc {
  const fields = new Map(pairs(node).map(([k, v]) => [textOf(k), v]));
  const flags = fields.get("flags");
  const nested = fields.get("arguments");
  const display = fields.get("display_text");
  const token = fields.get("token");
  return {
    name: textOf(fields.get("name")),
    type: textOf(fields.get("type")),
    displayText: display ? textOf(display) : undefined,
    token: token ? textOf(token) : undefined,
    flags: flags ? itemsOf(flags).map(textOf) : [],
    arguments: nested ? itemsOf(nested).map(parseArgument) : [],
  };
}

/** One argument in redis-cli's notation: `[EX seconds|PX milliseconds]`, `key [key ...]`. */
function argumentSyntax(arg: ArgumentDoc): string {
  let value: string;
  if (arg.type === "oneof") value = arg.arguments.map(argumentSyntax).join("|");
  else if (arg.type === "block") value = arg.arguments.map(argumentSyntax).join(" ");
  else if (arg.type === "pure-token") value = "";
  else value = arg.displayText ?? arg.name;
  const token = arg.token ?? "";
  const single = [token, value].filter((part) => part !== "").join(" ");
  let text = single;
  if (arg.flags.includes("multiple_token")) text = `${single} [${single} ...]`;
  else if (arg.flags.includes("multiple")) {
    text = token ? `${token} ${value} [${value} ...]` : `${value} [${value} ...]`;
  }
  return arg.flags.includes("optional") ? `[${text}]` : text;
}

/** Key-value pairs of a map, or of a flat RESP2 array. */
function pairs(node: ReplyNode | undefined): [ReplyNode, ReplyNode][] {
  if (!node) return [];
  if (node.type === "map") return node.entries;
  const items = itemsOf(node);
  const out: [ReplyNode, ReplyNode][] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([items[i], items[i + 1]]);
  return out;
}

function itemsOf(node: ReplyNode): ReplyNode[] {
  return node.type === "array" || node.type === "set" || node.type === "push" ? node.items : [];
}

function textOf(node: ReplyNode | undefined): string {
  if (!node) return "";
  return "text" in node ? node.text : "";
}

/** Shown when the server has no COMMAND DOCS: the commands most sessions need. */
const BUILT_IN: [syntax: string, summary: string][] = [
  ["PING [message]", "Returns PONG, or the message"],
  ["ECHO message", "Returns the message"],
  ["HELLO [protover [AUTH username password] [SETNAME clientname]]", "Switches protocol"],
  ["AUTH [username] password", "Authenticates the connection"],
  ["SELECT index", "Changes the selected database"],
  ["GET key", "Returns the value of a key"],
  [
    "SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|" +
    "PXAT unix-time-milliseconds|KEEPTTL]",
    "Sets the string value of a key",
  ],
  ["MGET key [key ...]", "Returns the values of all the keys"],
  ["MSET key value [key value ...]", "Sets several keys at once"],
  ["INCR key", "Adds one to the integer value of a key"],
  ["DEL key [key ...]", "Deletes keys"],
  ["EXISTS key [key ...]", "Counts the keys that exist"],
  ["EXPIRE key seconds [NX|XX|GT|LT]", "Sets a key's time to live in seconds"],
  ["TTL key", "Returns a key's time to live in seconds"],
  ["KEYS pattern", "Returns the keys matching a pattern"],
  ["SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]", "Iterates over the keys"],
  ["INFO [section ...]", "Returns information about the server"],
  ["QUIT", "Closes the connection"],
];
