/**
 * `db.listen`: serving an open store over TCP (and TLS, and the HTTP metrics endpoint) with
 * the options a server takes. Network settings apply to the listener; other settings are
 * changed as CONFIG SET changes them, and those that cannot change while the store is open
 * (`dir`, `persistence`, ...) must match what it was opened with.
 */
import type { Store } from "./store.ts";
import { serverView, startHttp } from "./store_view.ts";
import type { HttpEndpoint } from "../http/http_endpoint.ts";
import { CommandError } from "../commands/errors.ts";
import type { Config } from "../config/settings.ts";
import { optionValues, type ServerOptions } from "./options.ts";
import { utf8ToLatin1 } from "../protocol/latin1.ts";

/** Options of `db.listen`: every server option (see `ServerOptions`). */
export type ListenOptions = ServerOptions;

/** Settings that belong to the listener, applied as given each time the store listens. */
const NETWORK_SETTINGS = new Set<keyof Config>([
  "host",
  "port",
  "tlsPort",
  "tlsCertFile",
  "tlsKeyFile",
  "tlsCaCertFile",
  "tlsAuthClients",
  "metricsPort",
  "metricsHost",
]);

/**
 * The store served over TCP. {@linkcode Listener.close} stops serving (the store stays open).
 *
 * @example
 * ```ts
 * import { open } from "../../mod.ts";
 * await using db = await open({ persistence: "none" });
 * const listener = await db.listen({ port: 0 });
 * listener.port; // the port bound
 * await listener.close();
 * ```
 */
export interface Listener {
  /** The host listened on. */
  readonly host: string;
  /** The plain TCP port bound (0 when only TLS is served). */
  readonly port: number;
  /** The TLS port bound, or 0. */
  readonly tlsPort: number;
  /** The HTTP endpoint's port (with `metricsPort`), or null. */
  readonly metricsPort: number | null;
  /** Stops serving: in-flight requests are answered, then network clients are closed. */
  close(): Promise<void>;
}

/** Applies `options` and starts serving `store`; `onClosed` runs once the listener stops. */
export async function listenOn(
  store: Store,
  options: ListenOptions,
  onClosed: () => void,
): Promise<Listener> {
  const config = store.config;
  const network: Config = { ...config };
  for (const { setting, text } of optionValues(options)) {
    const raw = setting.bytes ? utf8ToLatin1(text) : text;
    if (NETWORK_SETTINGS.has(setting.key)) {
      (network as unknown as Record<string, unknown>)[setting.key] = setting.parse(
        raw,
        network[setting.key] as never,
      );
    } else if (setting.mutable) {
      setting.parse(raw, config[setting.key] as never); // the flag's own error for a bad value
      try {
        store.control.setConfig(setting.name, raw);
      } catch (error) {
        if (error instanceof CommandError) throw new TypeError(error.line);
        throw error;
      }
    } else if (
      setting.format(setting.parse(raw) as never) !== setting.format(config[setting.key] as never)
    ) {
      throw new TypeError(
        `Cannot change ${setting.name} of an open store: give it to open() instead`,
      );
    }
  }
  for (const key of NETWORK_SETTINGS) {
    (config as unknown as Record<string, unknown>)[key] = network[key];
  }
  const http: HttpEndpoint | null = config.metricsPort === null
    ? null
    : startHttp(config, store.log);
  let server;
  try {
    server = await store.listen();
  } catch (error) {
    await http?.shutdown();
    throw error;
  }
  http?.attach(serverView(store));
  let closing: Promise<void> | null = null;
  return {
    host: config.host,
    port: server.port,
    tlsPort: server.tlsPort,
    metricsPort: http?.addr.port ?? null,
    close() {
      closing ??= (async () => {
        await store.stopListening();
        await http?.shutdown();
        onClosed();
      })();
      return closing;
    },
  };
}
