/**
 * Whether a user may run one command with its arguments, as Redis 7.0's ACLCheckAllUserCommandPerm
 * decides: every selector is tried; the command passes when one selector allows the command, all
 * its keys and all its channels. When none does, the reported problem is the command, else the
 * key or channel that failed furthest along the arguments.
 */
import type { CommandSpec } from "../commands/spec.ts";
import { keyArguments, keyPermissions } from "../commands/key_specs.ts";
import { globMatch } from "../store/glob.ts";
import type { AclCommand } from "./command_table.ts";
import type { Selector } from "./selector.ts";
import type { User } from "./user.ts";

/** What an ACL check found, ordered as Redis's ACL_DENIED_* values (higher wins). */
export const Denial = { none: 0, command: 1, key: 2, channel: 4 } as const;
export type Denial = typeof Denial[keyof typeof Denial];

export interface Verdict {
  denial: Denial;
  /** The argv index of the key or channel refused (for the ACL log and DRYRUN). */
  argIndex: number;
}

const ALLOWED: Verdict = { denial: Denial.none, argIndex: 0 };

/** Checks `argv` (argv[0] the command name) against every selector of `user`. */
export function checkCommand(user: User, command: AclCommand, argv: string[]): Verdict {
  let worst: Denial = Denial.command;
  let worstIndex = 0;
  for (const selector of user.selectors) {
    const verdict = checkSelector(selector, command, argv);
    if (verdict.denial === Denial.none) return ALLOWED;
    if (
      verdict.denial > worst || (verdict.denial === worst && verdict.argIndex > worstIndex)
    ) {
      worst = verdict.denial;
      worstIndex = verdict.argIndex;
    }
  }
  return { denial: worst, argIndex: worstIndex };
}

function checkSelector(selector: Selector, command: AclCommand, argv: string[]): Verdict {
  const spec = command.spec;
  if (!selector.allCommands && !spec.flags.includes("no_auth") && !selector.allowed[command.id]) {
    if (!firstArgAllowed(selector, command, argv)) return { denial: Denial.command, argIndex: 0 };
  }
  if (!selector.allKeys) {
    for (const key of keyArguments(spec, argv)) {
      if (key.flags.includes("not_key")) continue; // a shard channel: the & rules judge it
      if (!keyAllowed(selector, argv[key.index], keyPermissions(key.flags))) {
        return { denial: Denial.key, argIndex: key.index };
      }
    }
  }
  if (!selector.allChannels && spec.channels) {
    const refused = refusedChannel(selector, spec, argv);
    if (refused >= 0) return { denial: Denial.channel, argIndex: refused };
  }
  return ALLOWED;
}

/** `+select|0`: a denied command allowed with one of these first arguments. */
function firstArgAllowed(selector: Selector, command: AclCommand, argv: string[]): boolean {
  const allowed = selector.firstArgs?.get(command.id);
  const at = command.parent ? 2 : 1;
  if (allowed === undefined || argv.length <= at) return false;
  const given = argv[at].toLowerCase();
  return allowed.some((arg) => arg.toLowerCase() === given);
}

function keyAllowed(
  selector: Selector,
  key: string,
  needs: { read: boolean; write: boolean },
): boolean {
  for (const pattern of selector.keyPatterns) {
    if ((needs.read && !pattern.read) || (needs.write && !pattern.write)) continue;
    if (globMatch(pattern.pattern, key)) return true;
  }
  return false;
}

/**
 * The argv index of the first channel the selector may not publish to or subscribe to, or -1.
 * A channel name is matched against the `&` patterns; a PSUBSCRIBE pattern must equal one of
 * them literally (so `&news.*` allows PSUBSCRIBE news.* but not PSUBSCRIBE *).
 */
function refusedChannel(selector: Selector, spec: CommandSpec, argv: string[]): number {
  const channels = spec.channels!;
  const checked = channels.flags.includes("publish") || channels.flags.includes("subscribe");
  if (!checked) return -1;
  const isPattern = channels.flags.includes("pattern");
  const last = channels.last < 0 ? argv.length + channels.last : channels.last;
  for (let i = channels.first; i <= last && i < argv.length; i += channels.step) {
    if (!channelAllowed(selector.channels, argv[i], isPattern)) return i;
  }
  return -1;
}

/** Whether `channel` (or, with `isPattern`, a subscription pattern) passes the `&` rules. */
export function channelAllowed(rules: readonly string[], channel: string, isPattern: boolean) {
  for (const rule of rules) {
    if (isPattern ? rule === channel : globMatch(rule, channel)) return true;
  }
  return false;
}

/** Whether the user may use `channel` at all (for pub/sub clients after a rule change). */
export function userMayUseChannel(user: User, channel: string, isPattern: boolean): boolean {
  return user.selectors.some((s) =>
    s.allChannels || channelAllowed(s.channels, channel, isPattern)
  );
}
