/**
 * ACL: users and their rules (SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI), categories (CAT),
 * passwords (GENPASS), the log of refusals (LOG), what a user may run (DRYRUN) and the ACL file
 * (SAVE, LOAD), with Redis 7.0's replies. The rules themselves live in src/security/.
 */
import type { CommandContext } from "./context.ts";
import type { CommandSpec } from "./spec.ts";
import { NO_KEYS } from "./spec.ts";
import {
  aclCommandNotFound,
  AclErrors,
  aclModifierError,
  aclUnmatchedParenthesis,
  aclUserNotFound,
  unknownCategory,
  wrongArity,
} from "./errors.ts";
import { option, parseInteger } from "./args.ts";
import { arityAllows, findSubcommand } from "./registry.ts";
import { CATEGORY_ORDER } from "./categories.ts";
import { categoryBit } from "../security/command_table.ts";
import {
  describeChannels,
  describeCommandRules,
  describeKeys,
  describeUser,
  userFlags,
} from "../security/describe.ts";
import { sortedUsers } from "../security/acl_file.ts";
import { generatePassword, GENPASS_MAX_BITS } from "../security/password.ts";
import { Denial } from "../security/permissions.ts";
import { hasSpaces, RuleError } from "../security/rule_error.ts";
import type { Selector } from "../security/selector.ts";
import { mergeSelectorArguments, User } from "../security/user.ts";

/** ACL SETUSER name rule...: all rules apply, or none (they are staged on a copy first). */
function setUser(ctx: CommandContext, argv: string[]): void {
  // The name and every rule (passwords among them) are hidden from MONITOR and SLOWLOG.
  for (let i = 2; i < argv.length; i++) ctx.observability.redact(argv, i);
  const name = argv[2];
  if (hasSpaces(name)) throw AclErrors.usernameSpaces;
  const merged = mergeSelectorArguments(argv.slice(3));
  if ("unclosedAt" in merged) throw aclUnmatchedParenthesis(argv[3 + merged.unclosedAt]);
  const acl = ctx.acl;
  const existing = acl.users.get(name);
  const staged = existing ? existing.copy() : new User(name, acl.table);
  for (const rule of merged.rules) {
    try {
      staged.apply(rule);
    } catch (error) {
      if (error instanceof RuleError) throw aclModifierError(rule, error.message);
      throw error;
    }
  }
  acl.commitUser(staged);
  ctx.out.ok();
}

function delUser(ctx: CommandContext, argv: string[]): void {
  const names = argv.slice(2);
  if (names.includes("default")) throw AclErrors.deleteDefault;
  ctx.out.integer(ctx.acl.deleteUsers(names));
}

/** commands, keys and channels of one selector (ACL GETUSER). */
function writeSelector(ctx: CommandContext, selector: Selector): void {
  ctx.out.bulk("commands");
  ctx.out.bulk(describeCommandRules(selector, ctx.acl.table));
  ctx.out.bulk("keys");
  ctx.out.bulk(describeKeys(selector));
  ctx.out.bulk("channels");
  ctx.out.bulk(describeChannels(selector));
}

function getUser(ctx: CommandContext, argv: string[]): void {
  const user = ctx.acl.users.get(argv[2]);
  const out = ctx.out;
  if (user === undefined) return out.nil();
  out.mapHeader(6);
  out.bulk("flags");
  const flags = userFlags(user);
  out.setHeader(flags.length);
  for (const flag of flags) out.bulk(flag);
  out.bulk("passwords");
  out.arrayHeader(user.passwords.length);
  for (const hash of user.passwords) out.bulk(hash);
  writeSelector(ctx, user.root);
  out.bulk("selectors");
  out.arrayHeader(user.selectors.length - 1);
  for (const selector of user.selectors.slice(1)) {
    out.mapHeader(3);
    writeSelector(ctx, selector);
  }
}

function listUsers(ctx: CommandContext, namesOnly: boolean): void {
  const users = sortedUsers(ctx.acl.users.values());
  ctx.out.arrayHeader(users.length);
  for (const user of users) {
    ctx.out.bulk(namesOnly ? user.name : `user ${user.name} ${describeUser(user, ctx.acl.table)}`);
  }
}

/** ACL CAT: the categories, or the commands (and subcommands) in one. */
function cat(ctx: CommandContext, argv: string[]): void {
  if (argv.length === 2) {
    ctx.out.arrayHeader(CATEGORY_ORDER.length);
    for (const name of CATEGORY_ORDER) ctx.out.bulk(name);
    return;
  }
  const bit = categoryBit(argv[2]);
  if (bit === 0) throw unknownCategory(argv[2]);
  const names = ctx.acl.table.commands.filter((c) => (c.categories & bit) !== 0);
  ctx.out.arrayHeader(names.length);
  for (const command of names) ctx.out.bulk(command.fullName);
}

function genPass(ctx: CommandContext, argv: string[]): void {
  const bits = argv.length === 3 ? parseInteger(argv[2]) : 256;
  if (bits <= 0 || bits > GENPASS_MAX_BITS) throw AclErrors.genpassBits;
  ctx.out.bulk(generatePassword(bits));
}

/** ACL LOG [count | RESET]: the newest entries (10 by default), or clears the log. */
function log(ctx: CommandContext, argv: string[]): void {
  let count = 10;
  if (argv.length === 3) {
    if (option(argv[2]) === "RESET") {
      ctx.acl.log.reset();
      return ctx.out.ok();
    }
    count = Math.max(0, parseInteger(argv[2]));
  }
  const entries = ctx.acl.log.newest(count);
  const out = ctx.out;
  const now = Date.now();
  out.arrayHeader(entries.length);
  for (const entry of entries) {
    out.mapHeader(7);
    out.bulk("count");
    out.integer(entry.count);
    out.bulk("reason");
    out.bulk(entry.reason);
    out.bulk("context");
    out.bulk(entry.context);
    out.bulk("object");
    out.bulk(entry.object);
    out.bulk("username");
    out.bulk(entry.username);
    out.bulk("age-seconds");
    out.double((now - entry.updatedMs) / 1000);
    out.bulk("client-info");
    out.bulk(entry.clientInfo);
  }
}

/** ACL DRYRUN user command [arg ...]: OK, or why the user could not run it (a bulk string). */
function dryRun(ctx: CommandContext, argv: string[]): void {
  const user = ctx.acl.users.get(argv[2]);
  if (user === undefined) throw aclUserNotFound(argv[2]);
  const command = argv.slice(3);
  let spec = ctx.registry.lookup(command[0]);
  if (spec?.subcommands && command.length > 1) spec = findSubcommand(spec, command[1]);
  if (spec === undefined) throw aclCommandNotFound(command[0]);
  if (!arityAllows(spec.arity, command.length)) throw wrongArity(spec.name);
  const verdict = ctx.acl.check(user, spec, command);
  if (verdict.denial === Denial.none) return ctx.out.ok();
  const object = command[verdict.argIndex];
  ctx.out.bulk(
    verdict.denial === Denial.command
      ? `This user has no permissions to run the '${spec.name}' command`
      : verdict.denial === Denial.key
      ? `This user has no permissions to access the '${object}' key`
      : `This user has no permissions to access the '${object}' channel`,
  );
}

function load(ctx: CommandContext): void {
  if (ctx.server.config.aclFile === "") throw AclErrors.noAclFile;
  ctx.acl.load();
  ctx.out.ok();
}

function save(ctx: CommandContext): void {
  if (ctx.server.config.aclFile === "") throw AclErrors.noAclFile;
  try {
    ctx.acl.save();
  } catch (error) {
    ctx.server.logWarning(`Saving the ACL file failed: ${error}`);
    throw AclErrors.saveFailed;
  }
  ctx.out.ok();
}

const HELP = [
  "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CAT [<category>]",
  "    List the command categories, or the commands in <category>.",
  "DELUSER <username> [<username> ...]",
  "    Delete users; their connections are closed.",
  "DRYRUN <username> <command> [<arg> ...]",
  "    Tell whether the user could run the command, without running it.",
  "GETUSER <username>",
  "    Show a user's flags, password digests, and command, key and channel rules.",
  "GENPASS [<bits>]",
  "    Make a random password of 256 bits, or of <bits> bits.",
  "LIST",
  "    Show every user as a line of rules, as the ACL file holds them.",
  "LOAD",
  "    Replace all users with those of the ACL file (all or nothing).",
  "LOG [<count> | RESET]",
  "    Show the newest refused commands and logins, or clear the log.",
  "SAVE",
  "    Write every user to the ACL file.",
  "SETUSER <username> <attribute> [<attribute> ...]",
  "    Create a user or change its rules (all rules apply, or none).",
  "USERS",
  "    List the user names.",
  "WHOAMI",
  "    Show the user of this connection.",
  "HELP",
  "    Print this help.",
];

const ADMIN = ["admin", "noscript", "loading", "stale"] as const;
const PLAIN = ["noscript", "loading", "stale"] as const;
const SUB = { keys: NO_KEYS, group: "server", since: "6.0.0" } as const;

export const aclCommands: CommandSpec[] = [
  {
    name: "acl",
    arity: -2,
    flags: [],
    keys: NO_KEYS,
    group: "server",
    summary: "A container for access control commands.",
    since: "6.0.0",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        ...SUB,
        name: "acl|cat",
        arity: -2,
        flags: [...PLAIN],
        summary: "Lists the ACL categories, or the commands in one category.",
        complexity: "O(1) since the categories and commands are a fixed set.",
        args: [{ name: "categoryname", type: "string", flags: ["optional"] }],
        handler: cat,
      },
      {
        ...SUB,
        name: "acl|deluser",
        arity: -3,
        flags: [...ADMIN],
        summary: "Deletes ACL users and closes their connections.",
        complexity: "O(1) amortized time considering the typical user.",
        args: [{ name: "username", type: "string", flags: ["multiple"] }],
        handler: delUser,
      },
      {
        ...SUB,
        name: "acl|dryrun",
        arity: -4,
        flags: [...ADMIN],
        summary: "Tells whether a user could run a command, without running it.",
        since: "7.0.0",
        complexity: "O(1).",
        args: [
          { name: "username", type: "string" },
          { name: "command", type: "string" },
          { name: "arg", type: "string", flags: ["optional", "multiple"] },
        ],
        handler: dryRun,
      },
      {
        ...SUB,
        name: "acl|genpass",
        arity: -2,
        flags: [...PLAIN],
        summary: "Makes a random password for ACL users.",
        complexity: "O(1)",
        args: [{ name: "bits", type: "integer", flags: ["optional"] }],
        handler: genPass,
      },
      {
        ...SUB,
        name: "acl|getuser",
        arity: 3,
        flags: [...ADMIN],
        summary: "Shows a user's flags, password digests and rules.",
        complexity: "O(N). Where N is the number of password, command and pattern rules " +
          "that the user has.",
        args: [{ name: "username", type: "string" }],
        handler: getUser,
      },
      {
        ...SUB,
        name: "acl|help",
        arity: 2,
        flags: ["loading", "stale"],
        summary: "Returns helpful text about the different subcommands.",
        complexity: "O(1)",
        handler(ctx) {
          ctx.out.arrayHeader(HELP.length);
          for (const line of HELP) ctx.out.simple(line);
        },
      },
      {
        ...SUB,
        name: "acl|list",
        arity: 2,
        flags: [...ADMIN],
        summary: "Shows every user's rules in ACL file form.",
        complexity: "O(N). Where N is the number of configured users.",
        handler: (ctx) => listUsers(ctx, false),
      },
      {
        ...SUB,
        name: "acl|load",
        arity: 2,
        flags: [...ADMIN],
        summary: "Replaces the users with those of the ACL file.",
        complexity: "O(N). Where N is the number of configured users.",
        handler: load,
      },
      {
        ...SUB,
        name: "acl|log",
        arity: -2,
        flags: [...ADMIN],
        summary: "Shows the newest refused commands and logins.",
        complexity: "O(N) with N being the number of entries shown.",
        args: [{
          name: "operation",
          type: "oneof",
          flags: ["optional"],
          arguments: [
            { name: "count", type: "integer" },
            { name: "reset", type: "pure-token", token: "RESET" },
          ],
        }],
        handler: log,
      },
      {
        ...SUB,
        name: "acl|save",
        arity: 2,
        flags: [...ADMIN],
        summary: "Writes the users to the ACL file.",
        complexity: "O(N). Where N is the number of configured users.",
        handler: save,
      },
      {
        ...SUB,
        name: "acl|setuser",
        arity: -3,
        flags: [...ADMIN],
        summary: "Creates an ACL user or changes its rules.",
        complexity: "O(N). Where N is the number of rules provided.",
        args: [
          { name: "username", type: "string" },
          { name: "rule", type: "string", flags: ["optional", "multiple"] },
        ],
        handler: setUser,
      },
      {
        ...SUB,
        name: "acl|users",
        arity: 2,
        flags: [...ADMIN],
        summary: "Lists the user names.",
        complexity: "O(N). Where N is the number of configured users.",
        handler: (ctx) => listUsers(ctx, true),
      },
      {
        ...SUB,
        name: "acl|whoami",
        arity: 2,
        flags: [...PLAIN],
        summary: "Returns the user of this connection.",
        complexity: "O(1)",
        handler(ctx) {
          ctx.out.bulk(ctx.session.user.name);
        },
      },
    ],
  },
];
