/**
 * Runs one line typed at the prompt or read from stdin: splits it as redis-cli does (quotes,
 * `\xHH` escapes), handles the CLI's own words (`quit`, `exit`, `help`, `clear`, a leading
 * repeat count as in `3 INCR n`), sends everything else and prints the replies.
 */
import { ProtocolError } from "../protocol/protocol_error.ts";
import { splitInlineArgs } from "../protocol/inline.ts";
import type { OutputFormat } from "./cli_args.ts";
import { type CliSession, ConnectError } from "./cli_session.ts";
import { formatReply } from "./format_reply.ts";
import { type CommandDoc, generalHelp, parseCommandDocs, topicHelp } from "./help.ts";

/** Where a line's output goes. Texts are one-byte strings (a char per byte). */
export interface LineContext {
  session: CliSession;
  format: OutputFormat;
  out(text: string): void;
  err(text: string): void;
  /** COMMAND DOCS, fetched at the first `help`; null while the server gives none. */
  docs?: CommandDoc[] | null;
}

/**
 * How the line went: `ok`, `error` (an error reply or a bad line), `disconnected` (the
 * server could not be reached even after a reconnect), or `quit`.
 */
export type LineOutcome = "ok" | "error" | "disconnected" | "quit";

/** Commands after which the connection only streams messages until it is closed. */
const STREAMING = new Set(["subscribe", "psubscribe", "ssubscribe", "monitor"]);

/** Runs `line` (a one-byte string: UTF-8 text typed by the user arrives as its bytes). */
export async function runLine(line: string, ctx: LineContext): Promise<LineOutcome> {
  let args: string[];
  try {
    args = splitInlineArgs(line);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    ctx.err("Invalid argument(s)\n");
    return "error";
  }
  if (args.length === 0) return "ok";
  const word = args[0].toLowerCase();
  if (word === "quit" || word === "exit") return "quit";
  if (word === "help" || word === "?") return await showHelp(args.slice(1), ctx);
  if (word === "clear") {
    if (ctx.format === "tty") ctx.out("\x1b[H\x1b[2J");
    return "ok";
  }
  let times = 1;
  if (args.length > 1 && /^[1-9]\d{0,8}$/.test(args[0])) {
    times = Number(args[0]);
    args = args.slice(1);
  }
  return await runCommand(args, ctx, times);
}

/** Sends `args` `times` times and prints each reply. */
export async function runCommand(
  args: string[],
  ctx: LineContext,
  times = 1,
): Promise<LineOutcome> {
  try {
    if (STREAMING.has(args[0].toLowerCase())) {
      if (ctx.format === "tty") ctx.out("Reading messages... (press Ctrl-C to quit)\n");
      const end = await ctx.session.stream(args, (node) => ctx.out(formatReply(node, ctx.format)));
      return end === "refused" ? "error" : "disconnected";
    }
    let outcome: LineOutcome = "ok";
    for (let i = 0; i < times; i++) {
      const node = await ctx.session.run(args);
      ctx.out(formatReply(node, ctx.format));
      if (node.type === "error") outcome = "error";
    }
    return outcome;
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    ctx.err(`${error.message}\n`);
    return "disconnected";
  }
}

async function showHelp(topic: string[], ctx: LineContext): Promise<LineOutcome> {
  // Fetched once; a server without COMMAND DOCS (or not reachable) is asked again next time.
  ctx.docs ??= await fetchDocs(ctx.session);
  if (topic.length === 0) {
    ctx.out(generalHelp(ctx.docs));
    return "ok";
  }
  const text = topicHelp(ctx.docs, topic);
  if (text === null) {
    ctx.err(`No help for "${topic.join(" ")}"; type "help" for the list of commands\n`);
    return "error";
  }
  ctx.out(text);
  return "ok";
}

async function fetchDocs(session: CliSession): Promise<CommandDoc[] | null> {
  try {
    const node = await session.run(["COMMAND", "DOCS"]);
    if (node.type === "error") return null;
    const docs = parseCommandDocs(node);
    return docs.length > 0 ? docs : null;
  } catch (error) {
    if (error instanceof ConnectError) return null;
    throw error;
  }
}
