/** Connection commands: PING, ECHO, QUIT, HELLO, SELECT. */
import type { CommandSpec } from "./spec.ts";
import { wrongArity } from "./errors.ts";
import { NO_KEYS } from "./spec.ts";

export const connectionCommands: CommandSpec[] = [
  {
    name: "ping",
    arity: -1,
    flags: ["fast"],
    keys: NO_KEYS,
    group: "connection",
    summary: "Returns the server's liveliness response.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "message", type: "string", flags: ["optional"] }],
    handler(ctx, argv) {
      if (argv.length > 2) throw wrongArity("ping");
      if (argv.length === 2) ctx.out.bulk(argv[1]);
      else ctx.out.pong();
    },
  },
  {
    name: "echo",
    arity: 2,
    flags: ["fast"],
    keys: NO_KEYS,
    group: "connection",
    summary: "Returns the given string.",
    since: "1.0.0",
    complexity: "O(1)",
    args: [{ name: "message", type: "string" }],
    handler(ctx, argv) {
      ctx.out.bulk(argv[1]);
    },
  },
  {
    name: "quit",
    arity: -1,
    flags: ["fast", "no_auth", "allow_busy"],
    keys: NO_KEYS,
    group: "connection",
    summary: "Closes the connection.",
    since: "1.0.0",
    complexity: "O(1)",
    handler(ctx) {
      ctx.out.ok();
      ctx.session.closeRequested = true;
    },
  },
];
