/**
 * Every collection type and every op, listed once. A new type adds its module here; the op
 * codes of all types share one space (see ops.ts).
 */
import { OpTable } from "../ops.ts";

/** The op table of this build. */
export const OPS: OpTable = new OpTable([], []);
