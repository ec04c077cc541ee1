/**
 * `hermes cli`: a redis-cli style client. With a command it runs it once; with stdin not a
 * terminal it runs the lines read from stdin; otherwise it opens the interactive prompt.
 */
import { latin1ToBytes, utf8ToLatin1 } from "../protocol/latin1.ts";
import { VERSION } from "../version.ts";
import { CliUsageError, type OutputFormat, parseCliArgs } from "./cli_args.ts";
import { CliSession, ConnectError } from "./cli_session.ts";
import { formatReply } from "./format_reply.ts";
import { HistoryFile, historyPath } from "./history.ts";
import { runRepl } from "./repl.ts";
import { type LineContext, type LineOutcome, runCommand, runLine } from "./run_line.ts";

/** Runs `hermes cli <args>`; resolves to the exit status. */
export async function runCli(args: string[]): Promise<number> {
  let request;
  try {
    request = parseCliArgs(args);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    writeAll(Deno.stderr, `hermes cli: ${error.message}\nRun 'hermes cli --help' for usage.\n`);
    return 2;
  }
  if (request.kind === "help") {
    writeAll(Deno.stdout, request.text + "\n");
    return 0;
  }
  if (request.kind === "version") {
    writeAll(Deno.stdout, `hermes cli ${VERSION}\n`);
    return 0;
  }
  const options = request.options;
  const format: OutputFormat = options.format ?? (Deno.stdout.isTerminal() ? "tty" : "raw");
  const out = (text: string) => writeAll(Deno.stdout, text);
  const err = (text: string) => writeAll(Deno.stderr, text);
  const session = new CliSession(options, {
    notice: (message) => err(`${message}\n`),
    push: (node) => out(formatReply(node, format)),
  });
  const ctx: LineContext = { session, format, out, err };

  if (options.command.length > 0) {
    // Arguments are taken literally (no quote processing), as their UTF-8 bytes.
    const outcome = await runCommand(options.command.map(utf8ToLatin1), ctx);
    await session.quit();
    return outcome === "ok" ? 0 : 1;
  }
  if (!Deno.stdin.isTerminal()) return await runPiped(ctx);
  return await runRepl(ctx, new HistoryFile(historyPath((name) => Deno.env.get(name))));
}

/**
 * Runs each line of stdin as it arrives, printing replies without a prompt. Exits 1 when any
 * reply was an error or the server could not be reached, else 0.
 */
async function runPiped(ctx: LineContext): Promise<number> {
  try {
    await ctx.session.connect();
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    ctx.err(`${error.message}\n`);
    return 1;
  }
  let failed = false;
  for await (const line of stdinLines()) {
    const outcome: LineOutcome = await runLine(line, ctx);
    if (outcome === "quit") break;
    if (outcome === "disconnected") return 1;
    if (outcome === "error") failed = true;
  }
  await ctx.session.quit();
  return failed ? 1 : 0;
}

/** Lines of stdin as one-byte strings, without their `\n` or `\r\n`. */
async function* stdinLines(): AsyncGenerator<string> {
  let pending = "";
  for await (const chunk of Deno.stdin.readable) {
    for (let i = 0; i < chunk.length; i += 8192) {
      pending += String.fromCharCode(...chunk.subarray(i, Math.min(i + 8192, chunk.length)));
    }
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, newline).replace(/\r$/, "");
      pending = pending.slice(newline + 1);
    }
  }
  if (pending !== "") yield pending.replace(/\r$/, "");
}

function writeAll(target: typeof Deno.stdout | typeof Deno.stderr, text: string): void {
  let bytes = latin1ToBytes(text);
  while (bytes.length > 0) bytes = bytes.subarray(target.writeSync(bytes));
}
