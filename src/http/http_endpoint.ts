/**
 * The HTTP endpoint on `--metrics-port` (`Deno.serve`, same process and thread as the data
 * port): `GET /metrics` (Prometheus), `/healthz`, `/stats.json` and the status page at `/`.
 *
 * It starts before the data set is loaded, so /healthz can say "loading" (503) from the first
 * moment; {@linkcode HttpEndpoint.attach} hands it the running server once clients are served.
 * Every answer is computed from counters the server keeps; nothing here walks the keyspace.
 */
import type { Logger } from "../log/logger.ts";
import { loadingMetricsText, metricsText } from "./metrics.ts";
import { EXPOSITION_CONTENT_TYPE } from "./prometheus_text.ts";
import { healthOf, type ServerView } from "./server_view.ts";
import { StatsHistory } from "./stats_history.ts";
import { statsJson } from "./stats_json.ts";
import { STATUS_PAGE_HTML } from "./status_page.ts";

const TEXT = "text/plain; charset=utf-8";

function respond(body: string, status: number, type: string, head: boolean): Response {
  return new Response(head ? null : body, {
    status,
    headers: { "content-type": type, "cache-control": "no-store" },
  });
}

export class HttpEndpoint {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #log: Logger;
  #view: ServerView | null = null;
  #history: StatsHistory | null = null;

  /** Binds `host:port` (0 picks a free port); throws when it cannot. */
  private constructor(host: string, port: number, log: Logger) {
    this.#log = log;
    this.#server = Deno.serve({
      hostname: host,
      port,
      onListen: () => {},
      onError: (error) => {
        log.error("The HTTP endpoint failed to answer a request", error);
        return new Response("internal error\n", { status: 500 });
      },
    }, (request) => this.#handle(request));
  }

  /** Binds `host:port` (0 picks a free port); throws when it cannot. */
  static start(host: string, port: number, log: Logger): HttpEndpoint {
    return new HttpEndpoint(host, port, log);
  }

  get addr(): Deno.NetAddr {
    return this.#server.addr;
  }

  /** The server is up: answer from it from now on, and start the status page's history. */
  attach(view: ServerView): void {
    this.#view = view;
    this.#history = new StatsHistory();
    this.#history.start(view);
  }

  async shutdown(): Promise<void> {
    this.#history?.stop();
    await this.#server.shutdown().catch((error) =>
      this.#log.warn("Stopping the HTTP endpoint failed", error)
    );
  }

  #handle(request: Request): Response {
    const head = request.method === "HEAD";
    if (request.method !== "GET" && !head) {
      return new Response("only GET and HEAD\n", {
        status: 405,
        headers: { "content-type": TEXT, allow: "GET, HEAD" },
      });
    }
    const url = new URL(request.url);
    const view = this.#view;
    switch (url.pathname) {
      case "/metrics":
        return respond(
          view ? metricsText(view) : loadingMetricsText(),
          200,
          EXPOSITION_CONTENT_TYPE,
          head,
        );
      case "/healthz": {
        const health = healthOf(view);
        return health.ok
          ? respond("OK\n", 200, TEXT, head)
          : respond(`${health.detail}\n`, 503, TEXT, head);
      }
      case "/stats.json": {
        const since = Number(url.searchParams.get("since") ?? NaN);
        const body = statsJson(view, this.#history, Number.isFinite(since) ? since : undefined);
        return respond(JSON.stringify(body), 200, "application/json", head);
      }
      case "/":
        return respond(STATUS_PAGE_HTML, 200, "text/html; charset=utf-8", head);
      default:
        return respond("not found\n", 404, TEXT, head);
    }
  }
}
