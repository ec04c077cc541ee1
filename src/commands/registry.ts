/** The command table: built once from the families' spec arrays, looked up per command. */
import type { CommandSpec } from "./spec.ts";

export class Registry {
  readonly #byName = new Map<string, CommandSpec>();
  readonly #specs: CommandSpec[];

  /** Throws `TypeError` on a duplicate name: two families must not claim one command. */
  constructor(specs: CommandSpec[]) {
    this.#specs = specs;
    for (const spec of specs) {
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
