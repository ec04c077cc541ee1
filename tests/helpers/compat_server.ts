/**
 * The server the compatibility tests with real clients talk to: a real Hermes process, or, with
 * `HERMES_COMPAT_TARGET=redis`, a reference redis-server, so the tests' expectations can be
 * checked against Redis itself (`HERMES_COMPAT_TARGET=redis deno test -A tests/compat/`).
 */
import type { Client } from "../../src/client/mod.ts";
import { startHermes } from "./hermes_process.ts";
import { redisAvailable, startRedis } from "./redis_process.ts";

export interface CompatServer {
  /** Which server this is: "hermes", or "redis" when checking the tests against Redis. */
  kind: "hermes" | "redis";
  port: number;
  connect(): Promise<Client>;
  stop(): Promise<void>;
}

/** The server named by `HERMES_COMPAT_TARGET` (default Hermes). */
export function compatTarget(): "hermes" | "redis" {
  return Deno.env.get("HERMES_COMPAT_TARGET") === "redis" ? "redis" : "hermes";
}

/** Why the compat tests cannot run here, or null when they can. */
export function compatSkipReason(): string | null {
  if (compatTarget() === "redis" && !redisAvailable()) {
    return "HERMES_COMPAT_TARGET=redis but redis-server is not on PATH";
  }
  return null;
}

export async function startCompatServer(hermesArgs: string[] = []): Promise<CompatServer> {
  if (compatTarget() === "redis") {
    const redis = await startRedis();
    return { kind: "redis", port: redis.port, connect: redis.connect, stop: redis.stop };
  }
  const hermes = await startHermes(hermesArgs);
  return {
    kind: "hermes",
    port: hermes.port,
    connect: hermes.connect,
    async stop() {
      await hermes.stop();
      await Deno.remove(hermes.dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Runs `fn` against a fresh compat server and always stops it. */
export async function withCompatServer(
  fn: (server: CompatServer) => Promise<void>,
  hermesArgs: string[] = [],
): Promise<void> {
  const server = await startCompatServer(hermesArgs);
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}
