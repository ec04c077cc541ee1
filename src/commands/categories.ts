/**
 * ACL categories (`@read`, `@write`, `@string`, `@dangerous`, ...), derived from the command table
 * as Redis 7 derives its implicit ones: from a spec's flags and group, plus any it declares. COMMAND
 * INFO, COMMAND LIST FILTERBY ACLCAT, ACL CAT and ACL rules all read them from here, so a command
 * added to the table is categorised with no code.
 */
import type { CommandSpec } from "./spec.ts";

/** ACL categories in Redis's order (the order of their bits), which COMMAND INFO follows. */
export const CATEGORY_ORDER = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
];

/** The category each command group implies. */
const GROUP_CATEGORY: Record<string, string> = {
  generic: "keyspace",
  string: "string",
  list: "list",
  set: "set",
  "sorted-set": "sortedset",
  hash: "hash",
  bitmap: "bitmap",
  hyperloglog: "hyperloglog",
  geo: "geo",
  stream: "stream",
  pubsub: "pubsub",
  connection: "connection",
  transactions: "transaction",
  scripting: "scripting",
};

/**
 * A spec's ACL categories, without the '@': those its flags imply, its group's (not for
 * containers, as in Redis) and any it declares.
 */
export function aclCategories(spec: CommandSpec): string[] {
  const found = new Set<string>(spec.aclCategories);
  const flags = new Set(spec.flags);
  if (flags.has("write")) found.add("write");
  if (flags.has("readonly")) found.add("read");
  if (flags.has("admin")) {
    found.add("admin");
    found.add("dangerous");
  }
  if (flags.has("pubsub")) found.add("pubsub");
  if (flags.has("blocking")) found.add("blocking");
  found.add(flags.has("fast") ? "fast" : "slow");
  const group = GROUP_CATEGORY[spec.group];
  if (group && !spec.subcommands && spec.groupCategory !== false) found.add(group);
  return CATEGORY_ORDER.filter((c) => found.has(c));
}
