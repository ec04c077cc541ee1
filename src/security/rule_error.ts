/**
 * Why an ACL rule was refused (Redis's ACLSetUserStringError). The texts are Redis 7.0's, since
 * clients and tests match on them; ACL SETUSER, ACL LOAD and the ACL file loader word their
 * errors around them.
 */
export type RuleProblem =
  | "syntax"
  | "unknown"
  | "keyAfterAll"
  | "channelAfterAll"
  | "noSuchPassword"
  | "badHash"
  | "subcommandFirstArg";

const TEXTS: Record<RuleProblem, string> = {
  syntax: "Syntax error",
  unknown: "Unknown command or category name in ACL",
  keyAfterAll: "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and " +
    "does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  channelAfterAll: "Adding a pattern after the * pattern (or the 'allchannels' flag) is not " +
    "valid and does not have any effect. Try 'resetchannels' to start with an empty list of " +
    "channels",
  noSuchPassword: "The password you are trying to remove from the user does not exist",
  badHash: "The password hash must be exactly 64 characters and contain only lowercase " +
    "hexadecimal characters",
  subcommandFirstArg: "Allowing first-arg of a subcommand is not supported",
};

/** A rule (`+get`, `~app:*`, `>secret`) that cannot be applied; `message` is Redis's text. */
export class RuleError extends Error {
  override name = "RuleError";
  readonly problem: RuleProblem;

  constructor(problem: RuleProblem) {
    super(TEXTS[problem]);
    this.problem = problem;
  }
}

/** Whether `text` has a space-like character or a NUL (C's isspace, as Redis checks names). */
export function hasSpaces(text: string): boolean {
  return /[ \t\n\v\f\r\0]/.test(text);
}
