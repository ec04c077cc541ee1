/** The command table: built once from the families' spec arrays, looked up per command. */
import type { CommandSpec } from "./spec.ts";
import { KeyMap } from "../store/key_map.ts";

export class Registry {
  /** A KeyMap: each command's name comes fresh off the wire (see store/key_hash.ts). */
  readonly #byName = new KeyMap<CommandSpec>();
  readonly #specs: CommandSpec[];
  /** Every command, the disabled ones included (ACL rules may still name them, as in Redis). */
  readonly original: readonly CommandSpec[];

  /**
   * Throws `TypeError` on a duplicate name: two families must not claim one command. Commands in
   * `disabled` (`flushall`, or `config|set` for one subcommand) are left out, as Redis's
   * `rename-command X ""` does; a name that is no command is refused with `TypeError`.
   */
  constructor(specs: CommandSpec[], disabled: readonly string[] = []) {
    this.original = specs;
    for (const name of disabled) {
      const [container, sub] = name.split("|");
      const spec = specs.find((s) => s.name === container);
      if (!spec || (sub !== undefined && !spec.subcommands?.some((c) => c.name === name))) {
        throw new TypeError(`Cannot disable command "${name}": no such command`);
      }
    }
    this.#specs = specs.filter((spec) => !disabled.includes(spec.name)).map((spec) =>
      spec.subcommands && spec.subcommands.some((sub) => disabled.includes(sub.name))
        ? { ...spec, subcommands: spec.subcommands.filter((sub) => !disabled.includes(sub.name)) }
        : spec
    );
    for (const spec of this.#specs) {
      if (this.#byName.has(spec.name)) {
        throw new TypeError(`Cannot register command "${spec.name}": already registered`);
      }
      this.#byName.set(spec.name, spec);
      // The two usual spellings resolve without lower-casing on the hot path.
      this.#byName.set(spec.name.toUpperCase(), spec);
    }
  }

  /** The spec for a command name in any letter case. */
  lookup(name: string): CommandSpec | undefined {
    return this.#byName.get(name) ?? this.#byName.get(name.toLowerCase());
  }

  /** Every command, in declaration order. */
  all(): readonly CommandSpec[] {
    return this.#specs;
  }
}

/** Finds a subcommand of a container spec by name in any case. */
export function findSubcommand(spec: CommandSpec, name: string): CommandSpec | undefined {
  const wanted = `${spec.name}|${name.toLowerCase()}`;
  return spec.subcommands?.find((sub) => sub.name === wanted);
}

/** Whether `argc` words satisfy Redis arity `arity`. */
export function arityAllows(arity: number, argc: number): boolean {
  return arity >= 0 ? argc === arity : argc >= -arity;
}
