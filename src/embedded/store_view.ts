/**
 * The HTTP endpoint's view of an open store (src/http/): the very numbers INFO reports, for
 * the `hermes` server and for a store served with `db.listen({ metricsPort })` alike.
 */
import type { Config } from "../config/settings.ts";
import type { Logger } from "../log/logger.ts";
import type { InfoSource } from "../commands/info.ts";
import { HttpEndpoint } from "../http/http_endpoint.ts";
import type { ServerView } from "../http/server_view.ts";
import { StartupError, type Store } from "./store.ts";

/** What the HTTP endpoint reads from an open store. */
export function serverView(opened: Store): ServerView {
  const { dispatcher, control } = opened;
  return {
    info: infoSource(opened),
    wal: opened.wal?.metrics ?? null,
    writeRefusal: () => dispatcher.writeRefusal?.line ?? null,
    stopping: () => control.stopping,
  };
}

/** What INFO reads, for the HTTP endpoint (the same numbers a command's context has). */
function infoSource(opened: Store): InfoSource {
  const { dispatcher, control, store, clock } = opened;
  return {
    server: control,
    store,
    stats: dispatcher.stats,
    transactions: dispatcher.transactions,
    blocking: dispatcher.blocking,
    acl: dispatcher.acl,
    pubsub: opened.pubsub,
    observability: dispatcher.observability,
    get now() {
      return clock();
    },
  };
}

/** Starts the HTTP endpoint on config.metricsHost:config.metricsPort; StartupError if it cannot. */
export function startHttp(config: Config, log: Logger): HttpEndpoint {
  try {
    const http = HttpEndpoint.start(config.metricsHost, config.metricsPort!, log);
    log.info(`Metrics and status page on http://${config.metricsHost}:${http.addr.port}/`);
    return http;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(
      `cannot listen on ${config.metricsHost}:${config.metricsPort} for metrics: ${reason}`,
    );
  }
}
