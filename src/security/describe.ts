/**
 * Writes users back as rules, in ACL LIST / ACL GETUSER / ACL file form, as Redis 7.0's
 * ACLDescribeUser does: flags, password digests, then each selector's keys, channels and command
 * rules.
 *
 * Command rules are rebuilt from the permission bitmap: start from `+@all` or `-@all`, take the
 * category that best fits what is left (most commands in common, fewest differences) until none
 * helps, then name single commands. Redis lists those single commands in its hash table's order,
 * which changes from one process to the next; Hermes lists them in command-table order.
 */
import type { AclCommand, AclCommandTable } from "./command_table.ts";
import { categoryBit } from "./command_table.ts";
import { CATEGORY_ORDER } from "../commands/categories.ts";
import { type KeyPattern, Selector } from "./selector.ts";
import type { User } from "./user.ts";

/** `~p`, `%R~p` or `%W~p`. */
export function keyPatternText(pattern: KeyPattern): string {
  const prefix = pattern.read && pattern.write ? "~" : pattern.read ? "%R~" : "%W~";
  return prefix + pattern.pattern;
}

/** How many commands of the category `bit` the bitmap allows (on) and denies (off). */
function countCategory(table: AclCommandTable, allowed: Uint8Array, bit: number) {
  let on = 0;
  let off = 0;
  for (const command of table.commands) {
    if ((command.categories & bit) === 0) continue;
    if (allowed[command.id]) on++;
    else off++;
  }
  return { on, off };
}

/** The command rules of one selector (`-@all +@read -keys`), Redis's ACLDescribeSelectorCommandRules. */
export function describeCommandRules(selector: Selector, table: AclCommandTable): string {
  const rules: string[] = [];
  // The rules are replayed on a scratch selector as they are written, so the single commands at
  // the end are exactly the differences that remain.
  const fake = new Selector(table.size, false);
  const additive = !selector.future;
  rules.push(additive ? "-@all" : "+@all");
  fake.apply(additive ? "-@all" : "+@all", table);

  const left = new Selector(table.size, false);
  left.allowed.set(selector.allowed);
  const applied = new Set<number>();
  while (true) {
    let best = -1;
    let minDiff = Number.MAX_SAFE_INTEGER;
    let maxSame = 0;
    for (let j = 0; j < CATEGORY_ORDER.length; j++) {
      if (applied.has(j)) continue;
      const { on, off } = countCategory(table, left.allowed, 1 << j);
      const diff = additive ? off : on;
      const same = additive ? on : off;
      if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
        best = j;
        minDiff = diff;
        maxSame = same;
      }
    }
    if (best < 0) break;
    const bit = categoryBit(CATEGORY_ORDER[best]);
    fake.setCategory(table, bit, additive);
    left.setCategory(table, bit, !additive);
    rules.push(`${additive ? "+" : "-"}@${CATEGORY_ORDER[best]}`);
    applied.add(best);
  }
  for (const command of table.topLevel) describeSingle(selector, fake, command, rules);
  return rules.join(" ");
}

/** Names a command (then its subcommands) where the scratch selector still differs. */
function describeSingle(
  selector: Selector,
  fake: Selector,
  command: AclCommand,
  rules: string[],
): void {
  const allowed = selector.allowed[command.id] === 1;
  if (allowed !== (fake.allowed[command.id] === 1)) {
    rules.push(`${allowed ? "+" : "-"}${command.fullName}`);
    fake.setCommand(command, allowed);
  }
  for (const child of command.children) describeSingle(selector, fake, child, rules);
  const firstArgs = selector.firstArgs?.get(command.id);
  if (!allowed && firstArgs) {
    for (const arg of firstArgs) rules.push(`+${command.fullName}|${arg}`);
  }
}

/** The key rules as GETUSER shows them: `~*`, or the patterns separated by spaces. */
export function describeKeys(selector: Selector): string {
  return selector.allKeys ? "~*" : selector.keyPatterns.map(keyPatternText).join(" ");
}

/** The channel rules as GETUSER shows them: `&*`, or the patterns separated by spaces. */
export function describeChannels(selector: Selector): string {
  return selector.allChannels ? "&*" : selector.channels.map((c) => `&${c}`).join(" ");
}

/** One selector in rule form: keys, channels (with `resetchannels` first), command rules. */
function describeSelector(selector: Selector, table: AclCommandTable): string {
  let text = "";
  if (selector.allKeys) text += "~* ";
  else for (const pattern of selector.keyPatterns) text += `${keyPatternText(pattern)} `;
  if (selector.allChannels) text += "&* ";
  else {
    text += "resetchannels ";
    for (const channel of selector.channels) text += `&${channel} `;
  }
  return text + describeCommandRules(selector, table);
}

/** The user's flags in Redis's order: on/off, nopass, the sanitize flag. */
export function userFlags(user: User): string[] {
  const flags = [user.enabled ? "on" : "off"];
  if (user.nopass) flags.push("nopass");
  if (user.sanitize === "skip-sanitize-payload") flags.push(user.sanitize);
  if (user.sanitize === "sanitize-payload") flags.push(user.sanitize);
  return flags;
}

/** Everything after `user <name> ` in ACL LIST and the ACL file. */
export function describeUser(user: User, table: AclCommandTable): string {
  let text = "";
  for (const flag of userFlags(user)) text += `${flag} `;
  for (const hash of user.passwords) text += `#${hash} `;
  user.selectors.forEach((selector, i) => {
    const described = describeSelector(selector, table);
    text += i === 0 ? described : ` (${described})`;
  });
  return text;
}
