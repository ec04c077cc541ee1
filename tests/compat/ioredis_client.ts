/** Opening ioredis 6 and 5 clients for the compatibility tests. */
// Test-only client libraries, pinned here rather than in deno.json: nothing else uses them.
// deno-lint-ignore no-import-prefix
import type { Redis } from "npm:ioredis@6.0.0";
// deno-lint-ignore no-import-prefix
import type { Redis as Redis5 } from "npm:ioredis@5.11.1";
import { assertEquals } from "../helpers/assert.ts";
import type { CompatServer } from "../helpers/compat_server.ts";
import { withTimeout } from "../helpers/run_tool.ts";

/** Anything one client does must finish well within this. */
export const IOREDIS_STEP_MS = 10_000;

export type AnyRedis = InstanceType<typeof Redis> | InstanceType<typeof Redis5>;

/** A client that fails fast instead of retrying forever, so a refusal shows as an error. */
export async function openIoredis<T extends AnyRedis>(
  Client: new (options: Record<string, unknown>) => T,
  server: CompatServer,
  options: Record<string, unknown> = {},
): Promise<T> {
  const client = new Client({
    host: "127.0.0.1",
    port: server.port,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: IOREDIS_STEP_MS,
    ...options,
  });
  const errors: Error[] = [];
  client.on("error", (error: Error) => errors.push(error));
  try {
    await withTimeout(client.connect(), IOREDIS_STEP_MS, "ioredis connect");
  } catch (error) {
    client.disconnect();
    const seen = errors.map((e) => e.message).join("; ");
    throw new Error(`ioredis could not connect: ${error} (error events: ${seen || "none"})`);
  }
  assertEquals(client.status, "ready");
  return client;
}
