/**
 * The HTTP endpoint before a server is attached to it (the data set is still loading): what
 * /healthz and /metrics answer, checked in-process because a real server's load window is too
 * short to hit reliably.
 */
import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { HttpEndpoint } from "../../../src/http/http_endpoint.ts";
import { Logger } from "../../../src/log/logger.ts";

Deno.test("until a server is attached, /healthz says loading and /metrics reports loading", async () => {
  const http = HttpEndpoint.start("127.0.0.1", 0, new Logger("error"));
  try {
    const base = `http://127.0.0.1:${http.addr.port}`;
    const health = await fetch(`${base}/healthz`);
    assertEquals([health.status, await health.text()], [
      503,
      "LOADING Hermes is loading the dataset\n",
    ]);
    const metrics = await fetch(`${base}/metrics`);
    assertEquals(metrics.status, 200);
    const text = await metrics.text();
    assertMatch(text, /^redis_up 1$/m);
    assertMatch(text, /^redis_loading_dump_file 1$/m);
  } finally {
    await http.shutdown();
  }
});
