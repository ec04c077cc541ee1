/**
 * One ACL selector: which commands, keys and channels it allows. A user has a root selector (the
 * rules written directly on it) and may have more in parentheses; a command is allowed when any
 * selector allows all of it (Redis 7's selectors).
 *
 * Commands are a bitmap over the ACL command table. `future` is Redis's reserved bit set only by
 * `+@all`/`allcommands`: it says the rules started from everything (ACL LIST then writes
 * `+@all ...`), while `allCommands` is the fast path that any later `-` clears.
 */
import type { AclCommand, AclCommandTable } from "./command_table.ts";
import { categoryBit } from "./command_table.ts";
import { hasSpaces, RuleError } from "./rule_error.ts";

/** A key pattern with the access it grants: `~p` both, `%R~p` read, `%W~p` write. */
export interface KeyPattern {
  pattern: string;
  read: boolean;
  write: boolean;
}

export class Selector {
  readonly root: boolean;
  allCommands = false;
  future = false;
  allKeys = false;
  allChannels = false;
  allowed: Uint8Array;
  /** Per command id, the first arguments allowed for an otherwise denied command (`+select|0`). */
  firstArgs: Map<number, string[]> | null = null;
  keyPatterns: KeyPattern[] = [];
  channels: string[] = [];

  constructor(commandCount: number, root: boolean) {
    this.allowed = new Uint8Array(commandCount);
    this.root = root;
  }

  copy(): Selector {
    const copy = new Selector(this.allowed.length, this.root);
    copy.allCommands = this.allCommands;
    copy.future = this.future;
    copy.allKeys = this.allKeys;
    copy.allChannels = this.allChannels;
    copy.allowed.set(this.allowed);
    if (this.firstArgs) {
      copy.firstArgs = new Map([...this.firstArgs].map(([id, args]) => [id, [...args]]));
    }
    copy.keyPatterns = this.keyPatterns.map((p) => ({ ...p }));
    copy.channels = [...this.channels];
    return copy;
  }

  /** Whether this selector allows everything (the unrestricted default user's state). */
  get unrestricted(): boolean {
    return this.allCommands && this.allKeys && this.allChannels;
  }

  /** Applies one rule (Redis's ACLSetSelector); throws RuleError and then changes nothing. */
  apply(op: string, table: AclCommandTable): void {
    const lower = op.toLowerCase();
    if (lower === "allkeys" || op === "~*") {
      this.allKeys = true;
      this.keyPatterns = [];
    } else if (lower === "resetkeys") {
      this.allKeys = false;
      this.keyPatterns = [];
    } else if (lower === "allchannels" || op === "&*") {
      this.allChannels = true;
      this.channels = [];
    } else if (lower === "resetchannels") {
      this.allChannels = false;
      this.channels = [];
    } else if (lower === "allcommands" || lower === "+@all") {
      this.allowed.fill(1);
      this.allCommands = true;
      this.future = true;
      this.firstArgs = null;
    } else if (lower === "nocommands" || lower === "-@all") {
      this.allowed.fill(0);
      this.allCommands = false;
      this.future = false;
      this.firstArgs = null;
    } else if (op[0] === "~" || op[0] === "%") {
      this.#addKeyPattern(op);
    } else if (op[0] === "&") {
      if (this.allChannels) throw new RuleError("channelAfterAll");
      const pattern = op.slice(1);
      if (hasSpaces(pattern)) throw new RuleError("syntax");
      if (!this.channels.includes(pattern)) this.channels.push(pattern);
      this.allChannels = false;
    } else if (op[0] === "+" && op[1] !== "@") {
      this.#allowCommand(op.slice(1), table);
    } else if (op[0] === "-" && op[1] !== "@") {
      const command = table.lookup(op.slice(1));
      if (command === undefined) throw new RuleError("unknown");
      this.setCommand(command, false);
    } else if ((op[0] === "+" || op[0] === "-") && op[1] === "@") {
      const bit = categoryBit(op.slice(2));
      if (bit === 0) throw new RuleError("unknown");
      this.setCategory(table, bit, op[0] === "+");
    } else {
      throw new RuleError("syntax");
    }
  }

  /** Allows or denies one command; a container's subcommands follow it (ACLChangeSelectorPerm). */
  setCommand(command: AclCommand, allow: boolean): void {
    this.#setBit(command.id, allow);
    this.firstArgs?.delete(command.id);
    for (const child of command.children) this.#setBit(child.id, allow);
  }

  /** Allows or denies every command in a category (the bit of categoryBit). */
  setCategory(table: AclCommandTable, bit: number, allow: boolean): void {
    for (const command of table.commands) {
      if ((command.categories & bit) !== 0) this.setCommand(command, allow);
    }
  }

  #setBit(id: number, allow: boolean): void {
    this.allowed[id] = allow ? 1 : 0;
    if (!allow) this.allCommands = false;
  }

  #addKeyPattern(op: string): void {
    if (this.allKeys) throw new RuleError("keyAfterAll");
    let read = true;
    let write = true;
    let offset = 1;
    if (op[0] === "%") {
      read = false;
      write = false;
      for (; offset < op.length; offset++) {
        const c = op[offset].toUpperCase();
        if (c === "R" && !read) read = true;
        else if (c === "W" && !write) write = true;
        else if (c === "~") {
          offset++;
          break;
        } else throw new RuleError("syntax");
      }
      // `%~p` grants nothing: refused. `%R` alone is the empty pattern, as in Redis 7.0.
      if (!read && !write) throw new RuleError("syntax");
    }
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) throw new RuleError("syntax");
    const existing = this.keyPatterns.find((p) => p.pattern === pattern);
    if (existing) {
      existing.read ||= read;
      existing.write ||= write;
    } else {
      this.keyPatterns.push({ pattern, read, write });
    }
    this.allKeys = false;
  }

  /** `+cmd`, `+container|sub`, or `+cmd|first-arg` (the deprecated first-argument form). */
  #allowCommand(name: string, table: AclCommandTable): void {
    const bar = name.lastIndexOf("|");
    if (bar < 0) {
      const command = table.lookup(name);
      if (command === undefined) throw new RuleError("unknown");
      this.setCommand(command, true);
      return;
    }
    const command = table.lookup(name.slice(0, bar));
    if (command === undefined) throw new RuleError("unknown");
    if (command.parent !== null) throw new RuleError("subcommandFirstArg");
    const firstArg = name.slice(bar + 1);
    if (firstArg === "") throw new RuleError("syntax");
    if (command.children.length > 0) {
      const sub = table.lookup(name);
      if (sub === undefined) throw new RuleError("unknown");
      this.setCommand(sub, true);
      return;
    }
    this.firstArgs ??= new Map();
    const args = this.firstArgs.get(command.id) ?? [];
    if (!args.some((a) => a.toLowerCase() === firstArg.toLowerCase())) args.push(firstArg);
    this.firstArgs.set(command.id, args);
  }
}
