/**
 * The op table: every way a collection can change in place, as data. An op is a deterministic
 * Redis write command applied to a known state (`HSET key f v`, `LPOP key 2`, `SREM key m`):
 * the write-ahead log stores it by `code`, replay applies it with `apply`, replication sends
 * it as `[command, key, ...args]`, and undo takes it back. Nondeterministic commands are
 * written as the ops of their result (SPOP as SREM, HINCRBYFLOAT as HSET, ZINCRBY as ZADD).
 *
 * Each type module (src/store/types/) declares its ops; types/registry.ts lists them all.
 */
import type { Collection, TypeName } from "./value.ts";

export interface OpSpec {
  /** Stable code stored in the log: never reuse or renumber one. */
  readonly code: number;
  /** The Redis command that performs this op on a replica: argv = [command, key, ...args]. */
  readonly command: string;
  /** The type this op acts on. */
  readonly type: Exclude<TypeName, "string">;
  /**
   * Applies the op to `current` (undefined when the key is missing: the op then creates the
   * collection, or returns undefined when it cannot, as LPOP on nothing). Returns the collection
   * now at the key: `current` changed in place, or a new object (a compact form outgrown).
   * A result of size 0 makes the keyspace delete the key.
   */
  apply(current: Collection | undefined, args: readonly string[]): Collection | undefined;
  /**
   * Optional cheaper undo than a clone of the whole collection: called before `apply` with the
   * same inputs, returns a function that, given the collection after `apply` (the same object
   * or its replacement), puts back the contents `current` had. Without it the keyspace keeps a
   * clone of `current` as the pre-image.
   */
  undo?(current: Collection, args: readonly string[]): (after: Collection) => Collection;
}

/**
 * An op on a string value (a bitmap or a HyperLogLog), so a command that changes a few bytes
 * of a big string is logged and replicated as that change, not as the whole new value. The
 * keyspace applies it like a collection op; the string it returns replaces the old one (strings
 * are immutable). Its effect must not depend on state the op does not overwrite: replaying it
 * over a later version of the string (a snapshot written while the log went on) must give the
 * same result, as SETRANGE and PFADD do.
 */
export interface StringOpSpec {
  readonly code: number;
  readonly command: string;
  readonly type: "string";
  /** The new string, or undefined to leave the key as it is. */
  apply(current: string | undefined, args: readonly string[]): string | undefined;
}

/** A collection type: how to rebuild a value of it from nothing, as ops. */
export interface CollectionType {
  readonly name: Exclude<TypeName, "string">;
  /**
   * Ops that rebuild `value` from a missing key, each carrying about `chunkBytes` of arguments
   * at most (so a big collection becomes many bounded records). A generator, so a snapshot can
   * stop between chunks and resume in its next slice.
   */
  buildOps(value: Collection, chunkBytes: number): Generator<[code: number, args: string[]]>;
}

/** Looks ops up by code; built once from the types' declarations. Throws on a duplicate code. */
export class OpTable {
  readonly #byCode: (OpSpec | StringOpSpec | undefined)[] = [];
  readonly #types = new Map<string, CollectionType>();

  constructor(ops: readonly (OpSpec | StringOpSpec)[], types: readonly CollectionType[]) {
    for (const op of ops) {
      if (this.#byCode[op.code] !== undefined) {
        throw new TypeError(`Cannot register op ${op.command} (code ${op.code}): code in use`);
      }
      this.#byCode[op.code] = op;
    }
    for (const type of types) this.#types.set(type.name, type);
  }

  /** The op with `code`, or undefined for a code this build does not know. */
  byCode(code: number): OpSpec | StringOpSpec | undefined {
    return this.#byCode[code];
  }

  /** The collection type named `name`; throws for a name with no module. */
  type(name: string): CollectionType {
    const type = this.#types.get(name);
    if (type === undefined) throw new TypeError(`Cannot find collection type "${name}"`);
    return type;
  }
}
