/**
 * Ops on string values (codes 60-69, see ops.ts `StringOpSpec`): a command that changes a few
 * bytes of a big string (a bitmap, a HyperLogLog) is logged and replicated as that change.
 *
 * - SETRANGE key offset bytes (60): SETBIT, BITFIELD and PFCOUNT's cache update are written as
 *   the bytes they changed. Writing the same bytes again changes nothing, so replaying it over a
 *   later version of the string is harmless.
 * - PFADD key element... (61): registers only grow, so replaying it over a later version of the
 *   HyperLogLog changes nothing either.
 */
import type { StringOpSpec } from "../ops.ts";
import { flat } from "./packed.ts";
import { hllAdd } from "./hyperloglog.ts";

export const StringOp = { setrange: 60, pfadd: 61 } as const;

/** `current` (or "" when missing) with `bytes` written at `offset`, zero-padded as needed. */
export function writeBytes(current: string | undefined, offset: number, bytes: string): string {
  let base = current ?? "";
  if (base.length < offset) base += "\0".repeat(offset - base.length);
  return flat(base.slice(0, offset) + bytes + base.slice(offset + bytes.length));
}

/**
 * The last PFADD computed: the command computes the result to answer 0 or 1, and the op then
 * applies the same inputs, so it takes the result instead of hashing every element again.
 */
let lastPfadd: { current: string | undefined; args: readonly string[]; result: string | null } = {
  current: undefined,
  args: [],
  result: null,
};

/** PFADD's result for `current` (undefined: a new key): the new value, or null if unchanged. */
export function pfaddResult(current: string | undefined, args: readonly string[]): string | null {
  const last = lastPfadd;
  if (last.args === args && last.current === current) return last.result;
  const result = hllAdd(current, args);
  lastPfadd = { current, args, result };
  return result;
}

export const STRING_OPS: StringOpSpec[] = [
  {
    code: StringOp.setrange,
    command: "setrange",
    type: "string",
    apply(current, args) {
      if (args[1].length === 0) return current;
      return writeBytes(current, Number(args[0]), args[1]);
    },
  },
  {
    code: StringOp.pfadd,
    command: "pfadd",
    type: "string",
    apply(current, args) {
      return pfaddResult(current, args) ?? current;
    },
  },
];
