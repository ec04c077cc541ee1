/**
 * Hermes: a Redis-compatible key-value server. Wiring only: flags -> config -> server ->
 * signals. Run `deno task start --help` for the flags.
 */
import { parseFlags, UsageError } from "./src/config/flags.ts";
import { SETTINGS } from "./src/config/settings.ts";
import { startApp } from "./src/app.ts";
import { VERSION } from "./src/version.ts";

function main(args: string[]): void {
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
  const config = outcome.config;
  let app;
  try {
    app = startApp(config);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`hermes: cannot listen on ${config.host}:${config.port}: ${reason}`);
    Deno.exit(1);
  }
  const settings = SETTINGS.filter((s) => s.key !== "host" && s.key !== "port")
    .map((s) => `${s.name}=${s.format(config[s.key] as never)}`).join(" ");
  console.log(
    `Hermes ${VERSION} ready on ${config.host}:${app.server.port} pid=${Deno.pid} ${settings}`,
  );

  let signalled = false;
  const onSignal = (signal: Deno.Signal) => {
    if (signalled) {
      app.log.warn(`Received ${signal} again: exiting now`);
      Deno.exit(1);
    }
    signalled = true;
    app.log.info(`Received ${signal}: shutting down`);
    app.stop();
  };
  Deno.addSignalListener("SIGINT", () => onSignal("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => onSignal("SIGTERM"));
  app.stopped.then(() => {
    app.log.info("Hermes is now ready to exit, bye bye...");
    Deno.exit(0);
  });
}

main(Deno.args);
