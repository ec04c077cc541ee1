/**
 * Automatic failover with Redis Sentinel: three sentinels watch a Hermes primary and two Hermes
 * replicas (each node with its own config file, as Sentinel's CONFIG REWRITE needs). The primary
 * is killed with -9 under write load; Sentinel promotes a replica and reconfigures the other;
 * clients that ask Sentinel (SENTINEL get-master-addr-by-name, ioredis with `sentinels`) carry on;
 * every write acknowledged by WAIT 1 before the kill is on the new primary; the old primary,
 * restarted, becomes a replica.
 *
 * Made for a loaded machine: Sentinel declares a node down only after 3 s without an answer (a
 * busy node answering late must not trigger a failover of its own), every wait polls with a
 * generous deadline, and each step checks that the one before it really happened.
 *
 * `HERMES_SENTINEL_NODES=redis` runs the same scenario with redis-server nodes, to check that the
 * test itself asks only what Redis does.
 */
// deno-lint-ignore no-import-prefix
import { Redis } from "npm:ioredis@6.0.0";
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { freePort, hasCommand } from "../helpers/redis_process.ts";
import { waitFor } from "../helpers/replication.ts";
import { withTimeout } from "../helpers/run_tool.ts";
import { type Client, connect } from "../../src/client/mod.ts";

const useRedisNodes = Deno.env.get("HERMES_SENTINEL_NODES") === "redis";
const MASTER = "mymaster";
/** Silence after which Sentinel calls a node down; long enough for a node on a busy machine. */
const DOWN_AFTER_MS = 3000;

/** A node (Hermes or redis-server) on a fixed port with its own dir and config file. */
interface Node {
  port: number;
  dir: string;
  stop(): Promise<void>;
  kill(): Promise<void>;
  output(): string;
}

async function startNode(port: number, dir: string, replicaOf: number | null): Promise<Node> {
  const config = `${dir}/node.conf`;
  try {
    await Deno.stat(config);
  } catch {
    await Deno.writeTextFile(config, "# written by the sentinel test\n");
  }
  const follow = replicaOf === null ? [] : ["--replicaof", `127.0.0.1 ${replicaOf}`];
  if (!useRedisNodes) {
    const hermes = await startHermes(follow, { dir, port, configFile: config });
    return {
      port,
      dir,
      stop: async () => void await hermes.stop(),
      kill: () => hermes.kill(),
      output: () => hermes.output(),
    };
  }
  const args = [config, "--port", String(port), "--dir", dir, "--save", "", "--bind", "127.0.0.1"];
  if (replicaOf !== null) args.push("--replicaof", "127.0.0.1", String(replicaOf));
  const child = new Deno.Command("redis-server", { args, stdout: "null", stderr: "null" }).spawn();
  await waitFor(async () => {
    try {
      const probe = await connect({ port });
      await probe.send("PING");
      probe.close();
      return true;
    } catch {
      return false;
    }
  }, `redis-server on ${port}`);
  let exited = false;
  const status = child.status.then(() => exited = true);
  const signal = async (name: Deno.Signal) => {
    if (!exited) {
      try {
        child.kill(name);
      } catch { /* gone */ }
    }
    await status;
  };
  return {
    port,
    dir,
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
    output: () => "",
  };
}

async function startSentinel(dir: string, port: number, primary: number) {
  const config = `${dir}/sentinel-${port}.conf`;
  await Deno.writeTextFile(
    config,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      `dir ${dir}`,
      `sentinel monitor ${MASTER} 127.0.0.1 ${primary} 2`,
      `sentinel down-after-milliseconds ${MASTER} ${DOWN_AFTER_MS}`,
      `sentinel failover-timeout ${MASTER} 5000`,
      `sentinel parallel-syncs ${MASTER} 1`,
      "",
    ].join("\n"),
  );
  const child = new Deno.Command("redis-sentinel", {
    args: [config],
    stdout: "null",
    stderr: "null",
  }).spawn();
  return {
    port,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

/** One sentinel's answer to SENTINEL get-master-addr-by-name, or null. */
async function primaryPort(sentinel: number): Promise<number | null> {
  try {
    const client = await connect({ port: sentinel });
    try {
      const reply = await client.send("SENTINEL", "get-master-addr-by-name", MASTER);
      return Array.isArray(reply) ? Number(reply[1]) : null;
    } finally {
      client.close();
    }
  } catch {
    return null;
  }
}

async function sentinelView(sentinel: number): Promise<Map<string, string>> {
  const client = await connect({ port: sentinel });
  try {
    const flat = await client.send("SENTINEL", "MASTER", MASTER) as string[];
    const view = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) view.set(flat[i], flat[i + 1]);
    return view;
  } finally {
    client.close();
  }
}

async function role(port: number): Promise<unknown[] | null> {
  try {
    const client = await connect({ port });
    try {
      return await client.send("ROLE") as unknown[];
    } finally {
      client.close();
    }
  } catch {
    return null;
  }
}

/** Why this scenario cannot run here, or null. */
function skipReason(): string | null {
  if (!hasCommand("redis-sentinel")) return "redis-sentinel is not installed";
  if (useRedisNodes && !hasCommand("redis-server")) return "redis-server is not installed";
  return null;
}

const skip = skipReason();
if (skip) console.log(`Skipping the Sentinel failover test: ${skip}`);

Deno.test({
  name:
    "Sentinel fails a killed primary over to a replica; acknowledged writes survive and clients follow",
  ignore: skip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "hermes-sentinel-" });
    const ports = [freePort(), freePort(), freePort()];
    const dirs = await Promise.all(ports.map(async (port) => {
      const dir = `${root}/node-${port}`;
      await Deno.mkdir(dir);
      return dir;
    }));
    const nodes: Node[] = [];
    const sentinels: Awaited<ReturnType<typeof startSentinel>>[] = [];
    const clients: Client[] = [];
    let io: InstanceType<typeof Redis> | null = null;
    try {
      nodes.push(await startNode(ports[0], dirs[0], null));
      for (let i = 1; i < 3; i++) nodes.push(await startNode(ports[i], dirs[i], ports[0]));
      for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(root, freePort(), ports[0]));
      await waitFor(
        async () => {
          for (const sentinel of sentinels) {
            const view = await sentinelView(sentinel.port).catch(() => null);
            if (view?.get("num-slaves") !== "2" || view.get("num-other-sentinels") !== "2") {
              return false;
            }
          }
          return true;
        },
        "every sentinel to see both replicas and the other sentinels",
        60_000,
      );

      io = new Redis({
        sentinels: sentinels.map((s) => ({ host: "127.0.0.1", port: s.port })),
        name: MASTER,
        maxRetriesPerRequest: null,
      });
      // Refused connections to the dead primary are expected; ioredis reports each one.
      io.on("error", () => {});
      assertEquals(await io.set("io:before", "1"), "OK");

      // Writes under load; WAIT 1 tells which of them a replica has.
      const writer = await connect({ port: ports[0] });
      clients.push(writer);
      let acknowledged = -1;
      let next = 0;
      let stopped = false;
      const load = (async () => {
        try {
          while (!stopped) {
            const last = next + 9;
            await writer.pipeline(
              Array.from({ length: 10 }, (_, i) => ["SET", `w:${next + i}`, String(next + i)]),
            );
            next += 10;
            if (await writer.send("WAIT", "1", "1000") as number >= 1) acknowledged = last;
          }
        } catch { /* the primary died */ }
      })();
      await waitFor(() => acknowledged >= 200, "some acknowledged writes");
      // Still the first primary for every sentinel: no failover happened before the kill.
      for (const sentinel of sentinels) assertEquals(await primaryPort(sentinel.port), ports[0]);
      await nodes[0].kill();
      stopped = true;
      await load;
      assertOk(acknowledged >= 200);
      // A command sent while the primary is down waits in ioredis and runs on the new primary.
      const during = withTimeout(io.set("io:during", "3"), 90_000, "ioredis during failover")
        .catch((error: Error) => error);

      let promoted = 0;
      await waitFor(
        async () => {
          const answers = await Promise.all(sentinels.map((s) => primaryPort(s.port)));
          promoted = answers[0] ?? 0;
          return promoted !== ports[0] && promoted !== 0 && answers.every((a) => a === promoted);
        },
        "Sentinel to promote a replica",
        60_000,
      );
      assertOk(ports.slice(1).includes(promoted));
      assertEquals((await role(promoted))?.[0], "master");
      const other = ports.slice(1).find((port) => port !== promoted)!;
      await waitFor(
        async () => {
          const r = await role(other);
          return r?.[0] === "slave" && r[2] === promoted && r[3] === "connected";
        },
        "the other replica to follow the new primary",
        60_000,
      );

      const fresh = await connect({ port: promoted });
      clients.push(fresh);
      const values = await fresh.pipeline(
        Array.from({ length: acknowledged + 1 }, (_, i) => ["GET", `w:${i}`]),
      );
      const lost = values.map((v, i) => v === String(i) ? -1 : i).filter((i) => i >= 0);
      assertEquals(lost, [], "acknowledged writes missing on the new primary");

      // ioredis asks the sentinels again and carries on with the new primary.
      assertEquals(await during, "OK");
      assertEquals(
        await withTimeout(io.set("io:after", "2"), 30_000, "ioredis after failover"),
        "OK",
      );
      assertEquals(await fresh.send("GET", "io:after"), "2");
      assertEquals(await fresh.send("GET", "io:before"), "1");
      assertEquals(await fresh.send("GET", "io:during"), "3");

      // The old primary comes back and Sentinel turns it into a replica of the new one.
      nodes[0] = await startNode(ports[0], dirs[0], null);
      await waitFor(
        async () => {
          const r = await role(ports[0]);
          return r?.[0] === "slave" && r[2] === promoted && r[3] === "connected";
        },
        "the old primary to become a replica",
        60_000,
      );
      await waitFor(
        async () => {
          const probe = await connect({ port: ports[0] });
          try {
            return await probe.send("GET", "io:after") === "2";
          } finally {
            probe.close();
          }
        },
        "the old primary to catch up",
        30_000,
      );
    } finally {
      io?.disconnect();
      for (const client of clients) {
        try {
          client.close();
        } catch { /* closed */ }
      }
      for (const sentinel of sentinels) await sentinel.stop();
      for (const node of nodes) await node.stop().catch(() => {});
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
