/**
 * Hermes: a Redis-compatible key-value server. Wiring only: flags -> config -> server ->
 * signals. Run `deno task start --help` for the flags.
 */
import { parseFlags, UsageError } from "./src/config/flags.ts";
import { SETTINGS } from "./src/config/settings.ts";
import { type App, startApp, StartupError } from "./src/app.ts";
import { VERSION } from "./src/version.ts";
import { runLogTool } from "./src/wal/log_tools.ts";

async function main(args: string[]): Promise<void> {
  let outcome;
  try {
    outcome = parseFlags(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`hermes: ${error.message}`);
    console.error("Run 'hermes --help' for the flags.");
    Deno.exit(2);
  }
  if (outcome.kind !== "run") {
    console.log(outcome.text);
    return;
  }
  const { config, configFile, warnings } = outcome;
  // Signals are caught before the server starts, so one arriving while the log is replayed or
  // right after the ready line still means an orderly stop (exit 0); a second exits at once.
  let app: App | undefined;
  let signalled = false;
  const onSignal = (signal: Deno.Signal) => {
    if (signalled) {
      const message = `Received ${signal} again: exiting now`;
      if (app) app.log.warn(message);
      else console.error(message);
      Deno.exit(1);
    }
    signalled = true;
    app?.log.info(`Received ${signal}: shutting down`);
    app?.stop();
  };
  Deno.addSignalListener("SIGINT", () => onSignal("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => onSignal("SIGTERM"));

  try {
    app = await startApp(config, { configFile, ownsProcess: true });
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    console.error(`hermes: ${error.message}`);
    Deno.exit(1);
  }
  // The metrics port actually bound, like the data port (they differ when 0 was asked for).
  const shown = { ...config, metricsPort: app.http?.addr.port ?? null };
  const settings = SETTINGS.filter((s) => s.key !== "host" && s.key !== "port")
    .map((s) => {
      const value = s.format(shown[s.key] as never);
      if (s.secret && value !== "") return `${s.name}=(set)`;
      return `${s.name}=${value.includes(" ") ? `"${value}"` : value}`;
    }).join(" ");
  const { port, tlsPort } = app.server;
  const where = tlsPort === 0
    ? `${config.host}:${port}`
    : port === 0
    ? `${config.host}:${tlsPort} (TLS only)`
    : `${config.host}:${port} (TLS on ${config.host}:${tlsPort})`;
  console.log(`Hermes ${VERSION} ready on ${where} pid=${Deno.pid} ${settings}`);
  for (const warning of warnings) app.log.warn(warning);
  const running = app;
  if (signalled) {
    running.log.info("Received a signal during startup: shutting down");
    running.stop();
  }
  running.stopped.then(() => {
    running.log.info("Hermes is now ready to exit, bye bye...");
    Deno.exit(0);
  });
}

// Subcommands take over the whole command line before the server's flags are parsed.
if (Deno.args[0] === "cli") {
  const { runCli } = await import("./src/cli/cli.ts");
  Deno.exit(await runCli(Deno.args.slice(1)));
} else if (Deno.args[0] === "check-log" || Deno.args[0] === "dump-log") {
  Deno.exit(await runLogTool(Deno.args[0], Deno.args.slice(1)));
} else {
  await main(Deno.args);
}
