/**
 * The interactive prompt (`127.0.0.1:8080> `), built on node:readline: line editing, the up
 * arrow through this session's and earlier sessions' history, Ctrl-C or Ctrl-D to leave.
 */
import * as readline from "node:readline";
import process from "node:process";
import { utf8ToLatin1 } from "../protocol/latin1.ts";
import { HISTORY_SIZE, type HistoryFile } from "./history.ts";
import { type LineContext, runLine } from "./run_line.ts";
import { ConnectError } from "./cli_session.ts";

/** Runs the prompt until `quit`, `exit`, Ctrl-C or Ctrl-D; returns the exit status. */
export async function runRepl(ctx: LineContext, history: HistoryFile): Promise<number> {
  try {
    await ctx.session.connect();
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    ctx.err(`${error.message}\n`);
  }
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    // readline wants the newest line first.
    history: history.load().reverse(),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
  });
  rl.on("SIGINT", () => {
    // As redis-cli: Ctrl-C leaves, also while a command or a subscription is running.
    rl.close();
    ctx.session.close();
    process.stdout.write("\n");
    Deno.exit(0);
  });
  rl.setPrompt(ctx.session.prompt);
  rl.prompt();
  for await (const line of rl) {
    history.append(line);
    // Typed text is UTF-16; the server gets its UTF-8 bytes.
    if (await runLine(utf8ToLatin1(line), ctx) === "quit") break;
    rl.setPrompt(ctx.session.prompt);
    rl.prompt();
  }
  rl.close();
  await ctx.session.quit();
  return 0;
}
