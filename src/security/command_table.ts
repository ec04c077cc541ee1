/**
 * The commands ACL rules name: every command and subcommand of the full table (commands turned
 * off with --disable-command included, as Redis keeps its original table for ACLs), each with a
 * number for the permission bitmaps and its categories as a bit mask.
 */
import type { CommandSpec } from "../commands/spec.ts";
import { aclCategories, CATEGORY_ORDER } from "../commands/categories.ts";

export interface AclCommand {
  id: number;
  spec: CommandSpec;
  /** `get`, or `config|get` for a subcommand. */
  fullName: string;
  /** The container, for a subcommand. */
  parent: AclCommand | null;
  /** The subcommands, for a container. */
  children: AclCommand[];
  /** Bit i set = in category CATEGORY_ORDER[i]. */
  categories: number;
}

/** The bit of a category name (any case), or 0 when there is no such category. */
export function categoryBit(name: string): number {
  const index = CATEGORY_ORDER.indexOf(name.toLowerCase());
  return index < 0 ? 0 : 1 << index;
}

export class AclCommandTable {
  /** In table order: each container followed by its subcommands. */
  readonly commands: AclCommand[] = [];
  /** Top-level commands in table order. */
  readonly topLevel: AclCommand[] = [];
  readonly #byName = new Map<string, AclCommand>();

  constructor(specs: readonly CommandSpec[]) {
    for (const spec of specs) {
      const command = this.#add(spec, null);
      this.topLevel.push(command);
      for (const sub of spec.subcommands ?? []) command.children.push(this.#add(sub, command));
    }
  }

  get size(): number {
    return this.commands.length;
  }

  /** A command by its full name (`get`, `config|get`), any case. */
  lookup(fullName: string): AclCommand | undefined {
    return this.#byName.get(fullName.toLowerCase());
  }

  /** The entry of a resolved spec (the subcommand's for containers). */
  of(spec: CommandSpec): AclCommand | undefined {
    return this.#byName.get(spec.name);
  }

  #add(spec: CommandSpec, parent: AclCommand | null): AclCommand {
    let categories = 0;
    for (const name of aclCategories(spec)) categories |= categoryBit(name);
    const command: AclCommand = {
      id: this.commands.length,
      spec,
      fullName: spec.name,
      parent,
      children: [],
      categories,
    };
    this.commands.push(command);
    this.#byName.set(spec.name, command);
    return command;
  }
}
