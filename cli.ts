/**
 * `hermes cli`: the command line client (redis-cli style: REPL, one-shot commands, piped input)
 * as a function, for programs that embed it.
 *
 * @example
 * ```ts
 * import { runCli } from "./cli.ts";
 * const status = await runCli(["-p", "8080", "PING"]); // prints PONG
 * ```
 *
 * @module
 */
export { runCli } from "./src/cli/cli.ts";
