/** String commands. */
import type { CommandSpec } from "./spec.ts";
import { FIRST_KEY } from "./spec.ts";

export const stringCommands: CommandSpec[] = [
  {
    name: "get",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: FIRST_KEY,
    group: "string",
    summary: "Returns the string value of a key.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "key", type: "key" }],
    handler(ctx, argv) {
      const value = ctx.db.get(argv[1], ctx.now);
      if (value === undefined) ctx.out.nil();
      else ctx.out.bulk(value);
    },
  },
  {
    name: "set",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: FIRST_KEY,
    group: "string",
    summary: "Sets the string value of a key.",
    since: "1.0.0",
    complexity: "O(1)",
    handler(ctx, argv) {
      ctx.db.set(argv[1], argv[2]);
      ctx.out.ok();
    },
  },
];
