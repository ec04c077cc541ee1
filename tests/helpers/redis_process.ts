/**
 * Starts a real redis-server (the reference for behaviour) on a free port with a temp dir.
 * When redis-server is not installed, `redisAvailable()` is false and tests skip with a
 * printed reason; CI installs it.
 */
import { type Client, connect } from "../../src/client/mod.ts";

export interface RedisProcess {
  port: number;
  connect(): Promise<Client>;
  stop(): Promise<void>;
}

/** Whether a command exists on PATH. */
export function hasCommand(name: string): boolean {
  try {
    const { code } = new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" })
      .outputSync();
    return code === 0;
  } catch {
    return false;
  }
}

export function redisAvailable(): boolean {
  return hasCommand("redis-server");
}

/** A port that was free a moment ago (redis-server cannot bind port 0 for TCP). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

export async function startRedis(extraArgs: string[] = []): Promise<RedisProcess> {
  const dir = await Deno.makeTempDir({ prefix: "redis-ref-" });
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = freePort();
    const process = new Deno.Command("redis-server", {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        ...extraArgs,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    for (let i = 0; i < 100; i++) {
      try {
        const probe = await connect({ port });
        await probe.send("PING");
        probe.close();
        return {
          port,
          connect: () => connect({ port }),
          async stop() {
            try {
              process.kill("SIGKILL");
            } catch { /* gone */ }
            await process.status;
            await Deno.remove(dir, { recursive: true }).catch(() => {});
          },
        };
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    try {
      process.kill("SIGKILL");
    } catch { /* gone */ }
    await process.status;
  }
  throw new Error("Cannot start redis-server");
}
