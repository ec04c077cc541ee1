/**
 * Where a command's keys are and how it uses each: COMMAND INFO, COMMAND GETKEYS(ANDFLAGS) and the
 * ACL key checks all read it from here, so the three always agree.
 *
 * A spec states its keys with `keys` (first, last, step) and, when Redis's key-spec flags are
 * known, `keyFlags`; commands that use their keys differently (RENAME reads and deletes the
 * source, overwrites the destination) declare `keySpecs`. A spec that declares neither is read
 * strictly: a write command reads and writes every key, any other command reads them.
 */
import type { CommandSpec, KeyFlag, KeySpec } from "./spec.ts";

const WRITE_DEFAULT: KeyFlag[] = ["RW", "access", "update"];
const READ_DEFAULT: KeyFlag[] = ["RO", "access"];

/** The key specs of a command, as COMMAND INFO lists them (empty when it takes no keys). */
export function keySpecsOf(spec: CommandSpec): KeySpec[] {
  if (spec.keySpecs) return spec.keySpecs;
  const [first, last, step] = spec.keys;
  if (first <= 0) return [];
  const flags = spec.keyFlags ?? (spec.flags.includes("write") ? WRITE_DEFAULT : READ_DEFAULT);
  return [{ flags, first, last, step }];
}

/** One key argument of a call: its position in argv and how the command uses it. */
export interface KeyArgument {
  index: number;
  flags: KeyFlag[];
}

/**
 * The key arguments of `argv` (argv[0] is the command name), in argument order as Redis's
 * getKeysFromCommandWithSpecs returns them, with this call's flags (`keyFlagsFor`).
 */
export function keyArguments(spec: CommandSpec, argv: string[]): KeyArgument[] {
  if (spec.keysOf) return spec.keysOf(argv);
  const found: KeyArgument[] = [];
  const variable = spec.keyFlagsFor?.(argv);
  for (const keySpec of keySpecsOf(spec)) {
    let first = keySpec.first;
    let last = keySpec.last < 0 ? argv.length + keySpec.last : keySpec.last;
    if (keySpec.keynum) {
      // A count that is not a positive integer names no keys (the command refuses it anyway).
      const count = /^[1-9][0-9]{0,8}$/.test(argv[first] ?? "") ? Number(argv[first]) : 0;
      last = first + count * keySpec.step;
      first++;
    }
    for (let i = first; i <= last && i < argv.length; i += keySpec.step) {
      found.push({ index: i, flags: variable ?? keySpec.flags });
    }
  }
  return found;
}

/** Whether a key used with `flags` needs ACL read and/or write permission (acl.c's mapping). */
export function keyPermissions(flags: readonly KeyFlag[]): { read: boolean; write: boolean } {
  let read = false;
  let write = false;
  for (const flag of flags) {
    if (flag === "access") read = true;
    else if (flag === "insert" || flag === "delete" || flag === "update") write = true;
  }
  return { read, write };
}
