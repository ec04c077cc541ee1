/**
 * An ACL user: enabled or not, its passwords (SHA-256 digests only), and its selectors (the root
 * one first). `apply` takes the rules of ACL SETUSER and the ACL file one at a time, exactly as
 * Redis 7.0's ACLSetUser does.
 */
import type { AclCommandTable } from "./command_table.ts";
import { hashPassword, isPasswordHash, type PasswordHash } from "./password.ts";
import { RuleError } from "./rule_error.ts";
import { Selector } from "./selector.ts";
import { splitInlineArgs } from "../protocol/inline.ts";
import { globMatch } from "../store/glob.ts";

/** Redis's payload sanitization flags: not used by Hermes, kept so rules and ACL LIST round-trip. */
export type SanitizeFlag = "skip-sanitize-payload" | "sanitize-payload" | null;

export class User {
  readonly name: string;
  /** `on`: new connections may authenticate as this user (`off` keeps existing ones working). */
  enabled = false;
  /** `nopass`: any password works. */
  nopass = false;
  sanitize: SanitizeFlag = null;
  passwords: PasswordHash[] = [];
  /** The root selector, then those given in parentheses. */
  selectors: Selector[];
  readonly #table: AclCommandTable;

  constructor(name: string, table: AclCommandTable) {
    this.name = name;
    this.#table = table;
    this.selectors = [new Selector(table.size, true)];
  }

  get root(): Selector {
    return this.selectors[0];
  }

  /** Whether this user may run anything on any key and channel: its clients skip the ACL gate. */
  get unrestricted(): boolean {
    return this.root.unrestricted;
  }

  /**
   * Whether this user may read every key (Redis's check of the pattern `*` for read access):
   * SORT's BY and GET patterns name keys from the data, so they need it.
   */
  get readsAllKeys(): boolean {
    return this.selectors.some((selector) =>
      selector.allKeys ||
      selector.keyPatterns.some((pattern) => pattern.read && globMatch(pattern.pattern, "*"))
    );
  }

  /** A detached copy with the same rules (ACL SETUSER stages its changes on one). */
  copy(name = this.name): User {
    const copy = new User(name, this.#table);
    copy.copyFrom(this);
    return copy;
  }

  /** Takes `other`'s rules, keeping this user's name (Redis's ACLCopyUser). */
  copyFrom(other: User): void {
    this.enabled = other.enabled;
    this.nopass = other.nopass;
    this.sanitize = other.sanitize;
    this.passwords = [...other.passwords];
    this.selectors = other.selectors.map((s) => s.copy());
  }

  /** Applies one rule; throws RuleError. Callers stage on a copy so a failure changes nothing. */
  apply(op: string): void {
    if (op === "") return;
    const lower = op.toLowerCase();
    switch (lower) {
      case "on":
        this.enabled = true;
        return;
      case "off":
        this.enabled = false;
        return;
      case "skip-sanitize-payload":
      case "sanitize-payload":
        this.sanitize = lower;
        return;
      case "nopass":
        this.nopass = true;
        this.passwords = [];
        return;
      case "resetpass":
        this.nopass = false;
        this.passwords = [];
        return;
      case "clearselectors":
        this.selectors = [this.root];
        return;
      case "reset":
        this.apply("resetpass");
        this.apply("resetkeys");
        this.apply("resetchannels");
        this.enabled = false;
        this.sanitize = "sanitize-payload";
        this.apply("clearselectors");
        this.apply("-@all");
        return;
    }
    if (op[0] === ">" || op[0] === "#") {
      const hash = this.#hashOf(op);
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.nopass = false;
    } else if (op[0] === "<" || op[0] === "!") {
      const at = this.passwords.indexOf(this.#hashOf(op));
      if (at < 0) throw new RuleError("noSuchPassword");
      this.passwords.splice(at, 1);
    } else if (op[0] === "(" && op[op.length - 1] === ")") {
      this.selectors.push(this.#selectorFrom(op));
    } else {
      this.root.apply(op, this.#table);
    }
  }

  /** The digest a `>pw`/`<pw` (hashed here) or `#hash`/`!hash` (checked) rule names. */
  #hashOf(op: string): PasswordHash {
    if (op[0] === ">" || op[0] === "<") return hashPassword(op.slice(1));
    const hash = op.slice(1);
    if (!isPasswordHash(hash)) throw new RuleError("badHash");
    return hash;
  }

  /** `(rule rule ...)`: a new selector; the rules inside are split as Redis's sdssplitargs. */
  #selectorFrom(op: string): Selector {
    const selector = new Selector(this.#table.size, false);
    let rules: string[];
    try {
      rules = splitInlineArgs(op.slice(1, -1));
    } catch {
      throw new RuleError("syntax"); // unbalanced quotes
    }
    for (const rule of rules) selector.apply(rule, this.#table);
    return selector;
  }
}

/**
 * Joins a selector written over several arguments (`(~app:*`, `+get)`) into one, as Redis's
 * ACLMergeSelectorArguments does; returns the index of an unclosed `(` when there is one.
 */
export function mergeSelectorArguments(
  rules: readonly string[],
): { rules: string[] } | { unclosedAt: number } {
  const merged: string[] = [];
  let open = -1;
  let selector = "";
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule[0] === "(" && rule[rule.length - 1] !== ")") {
      open = i;
      selector = rule;
      continue;
    }
    if (open >= 0) {
      selector += ` ${rule}`;
      if (rule[rule.length - 1] === ")") {
        merged.push(selector);
        open = -1;
      }
      continue;
    }
    merged.push(rule);
  }
  return open >= 0 ? { unclosedAt: open } : { rules: merged };
}
