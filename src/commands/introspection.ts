/**
 * COMMAND and its subcommands (COUNT, LIST, INFO, DOCS, GETKEYS, GETKEYSANDFLAGS, HELP), all
 * generated from the registry, in Redis 7's reply shapes: redis-cli asserts on the shape of
 * COMMAND DOCS, and cluster-aware clients read key positions from COMMAND INFO.
 *
 * ACL categories come from categories.ts, key specs from key_specs.ts.
 */
import type { CommandContext } from "./context.ts";
import type { ArgDoc, CommandSpec, KeySpec } from "./spec.ts";
import { type KeyArgument, keyArguments, keySpecsOf } from "./key_specs.ts";
import { aclCategories } from "./categories.ts";
import { helpSubcommand, NO_KEYS } from "./spec.ts";
import { Errors } from "./errors.ts";
import { option } from "./args.ts";
import { arityAllows, findSubcommand, type Registry } from "./registry.ts";
import type { ReplyWriter } from "../protocol/reply_writer.ts";
import { globMatch } from "../store/glob.ts";

/** One key spec map: its flags, where the first key is and how far the keys run from it. */
function writeKeySpec(out: ReplyWriter, keySpec: KeySpec): void {
  const { first, last, step } = keySpec;
  out.mapHeader(3);
  out.bulk("flags");
  writeStatusSet(out, keySpec.flags);
  out.bulk("begin_search");
  out.mapHeader(2);
  out.bulk("type");
  out.bulk("index");
  out.bulk("spec");
  out.mapHeader(1);
  out.bulk("index");
  out.integer(first);
  out.bulk("find_keys");
  out.mapHeader(2);
  out.bulk("type");
  out.bulk(keySpec.keynum ? "keynum" : "range");
  out.bulk("spec");
  out.mapHeader(3);
  if (keySpec.keynum) {
    out.bulk("keynumidx");
    out.integer(0);
    out.bulk("firstkey");
    out.integer(1);
    out.bulk("keystep");
    out.integer(step);
    return;
  }
  out.bulk("lastkey");
  out.integer(last < 0 ? last : last - first);
  out.bulk("keystep");
  out.integer(step);
  out.bulk("limit");
  out.integer(0);
}

function writeStatusSet(out: ReplyWriter, items: string[]): void {
  out.setHeader(items.length);
  for (const item of items) out.simple(item);
}

/** One COMMAND INFO entry: the ten fields of Redis 7, subcommands nested. */
export function writeCommandInfo(out: ReplyWriter, spec: CommandSpec): void {
  out.arrayHeader(10);
  out.bulk(spec.name);
  out.integer(spec.arity);
  writeStatusSet(out, spec.flags);
  out.integer(spec.keys[0]);
  out.integer(spec.keys[1]);
  out.integer(spec.keys[2]);
  writeStatusSet(out, aclCategories(spec).map((c) => `@${c}`));
  const tips = spec.tips ?? [];
  out.setHeader(tips.length);
  for (const tip of tips) out.bulk(tip);
  const keySpecs = keySpecsOf(spec);
  out.setHeader(keySpecs.length);
  for (const keySpec of keySpecs) writeKeySpec(out, keySpec);
  if (spec.subcommands) {
    out.arrayHeader(spec.subcommands.length);
    for (const sub of spec.subcommands) writeCommandInfo(out, sub);
  } else {
    out.setHeader(0);
  }
}

function writeArgs(out: ReplyWriter, args: ArgDoc[]): void {
  out.arrayHeader(args.length);
  for (const arg of args) {
    const nested = arg.type === "oneof" || arg.type === "block";
    const keyIndex = arg.type === "key";
    const flags = arg.flags ?? [];
    out.mapHeader(
      2 + (keyIndex ? 1 : 0) + (arg.token ? 1 : 0) + (flags.length > 0 ? 1 : 0) + (nested ? 1 : 0),
    );
    out.bulk("name");
    out.bulk(arg.name);
    out.bulk("type");
    out.bulk(arg.type);
    if (keyIndex) {
      out.bulk("key_spec_index");
      out.integer(0); // every key argument belongs to the spec's one key spec
    }
    if (arg.token) {
      out.bulk("token");
      out.bulk(arg.token);
    }
    if (flags.length > 0) {
      out.bulk("flags");
      writeStatusSet(out, flags);
    }
    if (nested) {
      out.bulk("arguments");
      writeArgs(out, arg.arguments ?? []);
    }
  }
}

/** One COMMAND DOCS entry: summary, since, group, complexity, then arguments and subcommands. */
export function writeCommandDocs(out: ReplyWriter, spec: CommandSpec): void {
  const args = spec.args ?? [];
  const subs = spec.subcommands ?? [];
  out.mapHeader(4 + (args.length > 0 ? 1 : 0) + (subs.length > 0 ? 1 : 0));
  out.bulk("summary");
  out.bulk(spec.summary);
  out.bulk("since");
  out.bulk(spec.since);
  out.bulk("group");
  out.bulk(spec.group);
  out.bulk("complexity");
  out.bulk(spec.complexity);
  if (args.length > 0) {
    out.bulk("arguments");
    writeArgs(out, args);
  }
  if (subs.length > 0) {
    out.bulk("subcommands");
    out.mapHeader(subs.length);
    for (const sub of subs) {
      out.bulk(sub.name);
      writeCommandDocs(out, sub);
    }
  }
}

/** A command by name, `container|sub` names included, in any case. */
function lookupFullName(registry: Registry, name: string): CommandSpec | undefined {
  const bar = name.indexOf("|");
  if (bar < 0) return registry.lookup(name);
  const container = registry.lookup(name.slice(0, bar));
  return container?.subcommands ? findSubcommand(container, name.slice(bar + 1)) : undefined;
}

/** Every command name, each container followed by its subcommands. */
function allNames(registry: Registry): CommandSpec[] {
  return registry.all().flatMap((spec) => [spec, ...(spec.subcommands ?? [])]);
}

function info(ctx: CommandContext, argv: string[]): void {
  if (argv.length <= 2) {
    const specs = ctx.registry.all();
    ctx.out.arrayHeader(specs.length);
    for (const spec of specs) writeCommandInfo(ctx.out, spec);
    return;
  }
  ctx.out.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const spec = lookupFullName(ctx.registry, argv[i]);
    if (spec) writeCommandInfo(ctx.out, spec);
    else ctx.out.nil();
  }
}

function docs(ctx: CommandContext, argv: string[]): void {
  let specs: CommandSpec[];
  if (argv.length === 2) {
    specs = [...ctx.registry.all()];
  } else {
    specs = [];
    for (let i = 2; i < argv.length; i++) {
      const spec = lookupFullName(ctx.registry, argv[i]);
      if (spec && !specs.includes(spec)) specs.push(spec);
    }
  }
  ctx.out.mapHeader(specs.length);
  for (const spec of specs) {
    ctx.out.bulk(spec.name);
    writeCommandDocs(ctx.out, spec);
  }
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]. */
function list(ctx: CommandContext, argv: string[]): void {
  let specs = allNames(ctx.registry);
  if (argv.length === 5 && option(argv[2]) === "FILTERBY") {
    const value = argv[4];
    switch (option(argv[3])) {
      case "MODULE":
        specs = []; // Hermes has no modules
        break;
      case "ACLCAT": {
        const category = value.toLowerCase();
        specs = specs.filter((s) => aclCategories(s).includes(category));
        break;
      }
      case "PATTERN": {
        const pattern = value.toLowerCase();
        specs = specs.filter((s) => globMatch(pattern, s.name));
        break;
      }
      default:
        throw Errors.syntax;
    }
  } else if (argv.length !== 2) {
    throw Errors.syntax;
  }
  ctx.out.arrayHeader(specs.length);
  for (const spec of specs) ctx.out.bulk(spec.name);
}

/** The key arguments of the command in `argv[2..]`, checked as Redis's COMMAND GETKEYS does. */
function keysOf(ctx: CommandContext, argv: string[]): { command: string[]; keys: KeyArgument[] } {
  const command = argv.slice(2);
  let spec = ctx.registry.lookup(command[0]);
  if (spec?.subcommands && command.length > 1) spec = findSubcommand(spec, command[1]);
  if (!spec) throw Errors.invalidCommand;
  if (keySpecsOf(spec).length === 0) throw Errors.noKeyArguments;
  if (!arityAllows(spec.arity, command.length)) throw Errors.invalidCommandArgs;
  return { command, keys: keyArguments(spec, command) };
}

const HELP = [
  "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "(no subcommand)",
  "    Return details about every command.",
  "COUNT",
  "    Return the number of commands this server has.",
  "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
  "    Return the names of the commands, optionally only those matching the filter.",
  "INFO [<command-name> ...]",
  "    Return details about the commands named, or about every command.",
  "DOCS [<command-name> ...]",
  "    Return the documentation of the commands named, or of every command.",
  "GETKEYS <full-command>",
  "    Return the keys in a full command.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys in a full command and how the command uses each.",
  "HELP",
  "    Print this help.",
];

const SUB = { keys: NO_KEYS, group: "server", aclCategories: ["connection"] };
const UNORDERED = ["nondeterministic_output_order"];
const INSPECT = ["loading", "stale"] as const;
const COMMAND_NAMES: ArgDoc[] = [{
  name: "command-name",
  type: "string",
  flags: ["optional", "multiple"],
}];
const FULL_COMMAND: ArgDoc[] = [
  { name: "command", type: "string" },
  { name: "arg", type: "string", flags: ["optional", "multiple"] },
];

export const introspectionCommands: CommandSpec[] = [
  {
    name: "command",
    arity: -1,
    flags: ["loading", "stale"],
    keys: NO_KEYS,
    group: "server",
    summary: "Returns detailed information about all commands.",
    aclCategories: ["connection"],
    tips: ["nondeterministic_output_order"],
    since: "2.8.13",
    complexity: "O(N) where N is the total number of Redis commands",
    handler(ctx) {
      const specs = ctx.registry.all();
      ctx.out.arrayHeader(specs.length);
      for (const spec of specs) writeCommandInfo(ctx.out, spec);
    },
    subcommands: [
      {
        ...SUB,
        name: "command|count",
        arity: 2,
        flags: [...INSPECT],
        summary: "Returns a count of commands.",
        since: "2.8.13",
        complexity: "O(1)",
        handler(ctx) {
          ctx.out.integer(ctx.registry.all().length);
        },
      },
      {
        ...SUB,
        name: "command|list",
        arity: -2,
        flags: [...INSPECT],
        summary: "Returns a list of command names.",
        tips: UNORDERED,
        since: "7.0.0",
        complexity: "O(N) where N is the total number of Redis commands",
        args: [{
          name: "filterby",
          type: "oneof",
          token: "FILTERBY",
          flags: ["optional"],
          arguments: [
            { name: "module-name", type: "string", token: "MODULE" },
            { name: "category", type: "string", token: "ACLCAT" },
            { name: "pattern", type: "pattern", token: "PATTERN" },
          ],
        }],
        handler: list,
      },
      {
        ...SUB,
        name: "command|info",
        arity: -2,
        flags: [...INSPECT],
        summary: "Returns information about one, multiple or all commands.",
        tips: UNORDERED,
        since: "2.8.13",
        complexity: "O(N) where N is the number of commands to look up",
        args: COMMAND_NAMES,
        handler: info,
      },
      {
        ...SUB,
        name: "command|docs",
        arity: -2,
        flags: [...INSPECT],
        summary: "Returns documentary information about one, multiple or all commands.",
        tips: UNORDERED,
        since: "7.0.0",
        complexity: "O(N) where N is the number of commands to look up",
        args: COMMAND_NAMES,
        handler: docs,
      },
      {
        ...SUB,
        name: "command|getkeys",
        arity: -4,
        flags: [...INSPECT],
        summary: "Extracts the key names from an arbitrary command.",
        since: "2.8.13",
        complexity: "O(N) where N is the number of arguments to the command",
        args: FULL_COMMAND,
        handler(ctx, argv) {
          const { command, keys } = keysOf(ctx, argv);
          ctx.out.arrayHeader(keys.length);
          for (const key of keys) ctx.out.bulk(command[key.index]);
        },
      },
      {
        ...SUB,
        name: "command|getkeysandflags",
        arity: -4,
        flags: [...INSPECT],
        summary: "Extracts the key names and access flags for an arbitrary command.",
        since: "7.0.0",
        complexity: "O(N) where N is the number of arguments to the command",
        args: FULL_COMMAND,
        handler(ctx, argv) {
          const { command, keys } = keysOf(ctx, argv);
          ctx.out.arrayHeader(keys.length);
          for (const key of keys) {
            ctx.out.arrayHeader(2);
            ctx.out.bulk(command[key.index]);
            // The variable_flags marker describes the spec, not one call's key.
            writeStatusSet(ctx.out, key.flags.filter((flag) => flag !== "variable_flags"));
          }
        },
      },
      { ...helpSubcommand("command", "server", "5.0.0", HELP, [...INSPECT]), ...SUB },
    ],
  },
];
