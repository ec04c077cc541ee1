/**
 * Transaction commands: MULTI, EXEC, DISCARD, WATCH, UNWATCH as Redis 7.0 has them, and
 * Hermes's interactive BEGIN, COMMIT, ROLLBACK (serializable). The state and the checks live in
 * src/tx/; these handlers only parse and answer.
 */
import type { CommandSpec } from "./spec.ts";
import { NO_KEYS } from "./spec.ts";
import { wrongArity } from "./errors.ts";

/** Every argument is a key. */
const ALL_KEYS: [number, number, number] = [1, -1, 1];

const TRANSACTION_ID = [{ name: "id", type: "integer" as const, flags: ["optional" as const] }];

export const transactionCommands: CommandSpec[] = [
  {
    name: "multi",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    keys: NO_KEYS,
    group: "transactions",
    summary: "Mark the start of a transaction block",
    since: "1.2.0",
    complexity: "O(1)",
    handler(ctx) {
      ctx.transactions.multi(ctx.session);
      ctx.out.ok();
    },
  },
  {
    name: "exec",
    arity: 1,
    flags: ["noscript", "loading", "stale", "skip_slowlog"],
    keys: NO_KEYS,
    group: "transactions",
    summary: "Execute all commands issued after MULTI",
    since: "1.2.0",
    complexity: "Depends on commands in the transaction",
    handler(ctx) {
      ctx.transactions.exec(ctx);
    },
  },
  {
    name: "discard",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    keys: NO_KEYS,
    group: "transactions",
    summary: "Discard all commands issued after MULTI",
    since: "2.0.0",
    complexity: "O(N), when N is the number of queued commands",
    handler(ctx) {
      ctx.transactions.discard(ctx.session);
      ctx.out.ok();
    },
  },
  {
    name: "watch",
    keyFlags: ["RO"],
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    keys: ALL_KEYS,
    group: "transactions",
    summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
    since: "2.2.0",
    complexity: "O(1) for every key.",
    args: [{ name: "key", type: "key", flags: ["multiple"] }],
    handler(ctx, argv) {
      ctx.transactions.watch(ctx, argv.slice(1));
      ctx.out.ok();
    },
  },
  {
    name: "unwatch",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    keys: NO_KEYS,
    group: "transactions",
    summary: "Forget about all watched keys",
    since: "2.2.0",
    complexity: "O(1)",
    handler(ctx) {
      ctx.transactions.unwatch(ctx.session);
      ctx.out.ok();
    },
  },
  {
    name: "begin",
    arity: 1,
    flags: ["noscript", "fast", "no_multi"],
    keys: NO_KEYS,
    group: "transactions",
    summary: "Start an interactive serializable transaction; replies its id (Hermes)",
    since: "0.1.0",
    complexity: "O(1)",
    handler(ctx) {
      ctx.out.integer(ctx.transactions.begin(ctx.session));
    },
  },
  {
    name: "commit",
    arity: -1,
    flags: ["write", "denyoom", "noscript", "no_multi"],
    keys: NO_KEYS,
    group: "transactions",
    summary: "Apply the open transaction's writes atomically, or refuse with CONFLICT (Hermes)",
    since: "0.1.0",
    complexity: "O(N) where N is the number of keys the transaction read and wrote",
    args: TRANSACTION_ID,
    handler(ctx, argv) {
      if (argv.length > 2) throw wrongArity("commit");
      const refusal = ctx.transactions.interactive.commit(ctx.session, argv[1], ctx.now);
      if (refusal !== null) throw refusal;
      ctx.out.ok();
    },
  },
  {
    name: "rollback",
    arity: -1,
    flags: ["noscript", "fast", "no_multi"],
    keys: NO_KEYS,
    group: "transactions",
    summary: "Discard the open transaction's writes (Hermes)",
    since: "0.1.0",
    complexity: "O(1)",
    args: TRANSACTION_ID,
    handler(ctx, argv) {
      if (argv.length > 2) throw wrongArity("rollback");
      ctx.transactions.interactive.rollback(ctx.session, argv[1]);
      ctx.out.ok();
    },
  },
];
