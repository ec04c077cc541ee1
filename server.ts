/**
 * Starting a Hermes server from code: the `hermes` executable's server, with its settings given
 * as options instead of flags (the same names in camelCase, see `ServerOptions`).
 *
 * @example
 * ```ts
 * import { startServer } from "./server.ts";
 * const server = await startServer({ port: 0, dir: "./data" });
 * console.log(`listening on ${server.port}`);
 * await server.stop();
 * ```
 *
 * @module
 */
import { type Config, DEFAULT_CONFIG } from "./src/config/settings.ts";
import { applyOptions, type ServerOptions } from "./src/embedded/options.ts";
import { startApp, StartupError } from "./src/app.ts";

export type { ByteSize, ServerOptions } from "./src/embedded/options.ts";
export { StartupError };

/** A running server (see {@linkcode startServer}). */
export interface RunningServer {
  /** The plain TCP port bound (0 when only TLS is served). */
  readonly port: number;
  /** The TLS port bound, or 0. */
  readonly tlsPort: number;
  /** The HTTP endpoint's port (with `metricsPort`), or null. */
  readonly metricsPort: number | null;
  /** Resolves once the server has stopped (SHUTDOWN or {@linkcode RunningServer.stop}). */
  readonly stopped: Promise<void>;
  /** Stops: in-flight requests are answered, clients closed, the log flushed and closed. */
  stop(): Promise<void>;
}

/**
 * Starts a server as `hermes` does (the log in `dir` replayed first), listening on `host:port`.
 * Rejects with {@linkcode StartupError} when it cannot (directory in use, damaged log, port
 * taken), or with a TypeError/RangeError for a bad option.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config: Config = { ...DEFAULT_CONFIG };
  applyOptions(config, options);
  const app = await startApp(config);
  return {
    port: app.server.port,
    tlsPort: app.server.tlsPort,
    metricsPort: app.http?.addr.port ?? null,
    stopped: app.stopped,
    async stop() {
      await app.stop();
      await app.stopped;
    },
  };
}
