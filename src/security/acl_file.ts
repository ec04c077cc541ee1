/**
 * The ACL file (`--aclfile`): one `user <name> <rules...>` line per user, as ACL LIST prints them.
 * Loading is all or nothing (Redis 7.0's ACLLoadFromFile): every line is checked against a fresh
 * set of users, every problem is reported with its file and line, and the current users change
 * only when there was none. Saving writes a temp file, fsyncs it, renames it over the file and
 * fsyncs the directory, so a crash leaves the old file or the new one, never a mix.
 */
import type { AclCommandTable } from "./command_table.ts";
import { describeUser } from "./describe.ts";
import { hasSpaces, RuleError } from "./rule_error.ts";
import { mergeSelectorArguments, User } from "./user.ts";
import { bytesToLatin1, latin1ToBytes } from "../protocol/latin1.ts";

/** Builds the user named `default` as Redis creates it: on, nopass, everything allowed. */
export function defaultUser(table: AclCommandTable): User {
  const user = new User("default", table);
  for (const rule of ["+@all", "~*", "&*", "on", "nopass"]) user.apply(rule);
  return user;
}

/**
 * Parses an ACL file's bytes into users (by name, `default` always present), or returns the
 * problems found, one sentence each, in Redis's wording. `fileName` names the file in them.
 */
export function parseAclFile(
  bytes: Uint8Array,
  fileName: string,
  table: AclCommandTable,
): { users: Map<string, User> } | { errors: string } {
  const users = new Map<string, User>();
  let errors = "";
  const lines = bytesToLatin1(bytes).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1;
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
    if (line === "") continue;
    const words = line.split(" ");
    if (words[0] !== "user" || words.length < 2) {
      errors += `${fileName}:${number} should start with user keyword followed by the username. `;
      continue;
    }
    const name = words[1];
    if (hasSpaces(name)) {
      errors += `'${fileName}:${number}: username '${name}' contains invalid characters. `;
      continue;
    }
    if (users.has(name)) {
      errors += `WARNING: Duplicate user '${name}' found on line ${number}. `;
      continue;
    }
    const user = new User(name, table);
    users.set(name, user);
    const merged = mergeSelectorArguments(words.slice(2));
    if ("unclosedAt" in merged) {
      errors += `${fileName}:${number}: Unmatched parenthesis in selector definition.`;
      continue;
    }
    let syntaxReported = false;
    for (const rule of merged.rules) {
      try {
        user.apply(rule.replace(/^[\t\r\n]+|[\t\r\n]+$/g, ""));
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        if (error.problem === "unknown") {
          errors += `${fileName}:${number}: Error in applying operation '${rule}': ` +
            `${error.message}. `;
        } else if (!syntaxReported) {
          errors += `${fileName}:${number}: ${error.message}. `;
          syntaxReported = true;
        }
      }
    }
  }
  if (errors !== "") {
    return {
      errors: errors +
        "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
    };
  }
  if (!users.has("default")) users.set("default", defaultUser(table));
  return { users };
}

/** The file's text for `users`: one line per user, sorted by name as ACL LIST is. */
export function aclFileText(users: Iterable<User>, table: AclCommandTable): string {
  let text = "";
  for (const user of sortedUsers(users)) text += `user ${user.name} ${describeUser(user, table)}\n`;
  return text;
}

/** Users in byte order of their names (Redis keeps them in a radix tree). */
export function sortedUsers(users: Iterable<User>): User[] {
  return [...users].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Writes `text` to `path` atomically and durably: temp file, fsync, rename, directory fsync.
 * Synchronous, as Redis's ACL SAVE is: it runs inside the command, and a few small writes and
 * two fsyncs are cheaper than handing the store actor's turn around.
 */
export function writeAclFile(path: string, text: string): void {
  const temp = `${path}.tmp-${Deno.pid}-${Date.now()}`;
  try {
    const file = Deno.openSync(temp, { write: true, create: true, truncate: true, mode: 0o600 });
    try {
      const bytes = latin1ToBytes(text);
      let written = 0;
      while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
      file.syncSync();
    } finally {
      file.close();
    }
    Deno.renameSync(temp, path);
  } catch (error) {
    try {
      Deno.removeSync(temp);
    } catch { /* never created */ }
    throw error;
  }
  const slash = path.lastIndexOf("/");
  const dir = Deno.openSync(slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash));
  try {
    dir.syncSync();
  } finally {
    dir.close();
  }
}
