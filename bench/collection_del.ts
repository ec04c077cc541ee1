/**
 * How long deleting a big collection holds other clients up (issue 12: DEL of a 1M-element
 * collection must not block others for more than a few ms). For each of a 1M-element list,
 * hash and set: load it into Hermes, then DEL it while another connection sends PINGs one at a
 * time, and report the DEL's own latency and the slowest PING around it, against Redis's DEL
 * (which frees in the foreground) and UNLINK (in a background thread).
 *
 *   deno run -A bench/collection_del.ts [--elements 1000000]
 */
import { parseArgs } from "node:util";
import { connect } from "../src/client/mod.ts";
import {
  type BenchServer,
  memoryOnlyHermesArgs,
  startHermesServer,
  startRedisServer,
} from "./lib/servers.ts";
import { formatFixed, textTable } from "./lib/format.ts";

async function load(port: number, kind: string, elements: number): Promise<void> {
  const client = await connect({ port });
  for (let from = 0; from < elements; from += 10_000) {
    const batch: string[][] = [];
    for (let start = from; start < Math.min(elements, from + 10_000); start += 1000) {
      const args = [kind === "list" ? "RPUSH" : kind === "set" ? "SADD" : "HSET", "big"];
      for (let i = start; i < Math.min(elements, start + 1000); i++) {
        args.push(`element:${String(i).padStart(9, "0")}`);
        if (kind === "hash") args.push(`value:${i}`);
      }
      batch.push(args);
    }
    await client.pipeline(batch);
  }
  client.close();
}

/** Deletes `big` with `command` while PINGs run; the DEL's time and the slowest PING, in ms. */
async function deleteUnderLoad(port: number, command: string): Promise<[number, number]> {
  const pinger = await connect({ port });
  const deleter = await connect({ port });
  let running = true;
  let slowest = 0;
  const pings = (async () => {
    while (running) {
      const started = performance.now();
      await pinger.send("PING");
      slowest = Math.max(slowest, performance.now() - started);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 200));
  slowest = 0;
  const started = performance.now();
  await deleter.send(command, "big");
  const took = performance.now() - started;
  // Keep pinging a while: a collector pause caused by the freed memory would show here.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  running = false;
  await pings;
  pinger.close();
  deleter.close();
  return [took, slowest];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { elements: { type: "string", default: "1000000" } },
  });
  const elements = Number(values.elements);
  const rows: string[][] = [];
  const servers: [string, () => Promise<BenchServer>, string][] = [
    ["Redis DEL", () => startRedisServer(), "DEL"],
    ["Redis UNLINK", () => startRedisServer(), "UNLINK"],
    ["Hermes DEL", () => startHermesServer(memoryOnlyHermesArgs()), "DEL"],
  ];
  for (const kind of ["list", "hash", "set"]) {
    for (const [label, start, command] of servers) {
      const server = await start();
      try {
        await load(server.port, kind, elements);
        const [took, slowest] = await deleteUnderLoad(server.port, command);
        rows.push([`${kind} of ${elements}`, label, formatFixed(took, 2), formatFixed(slowest, 2)]);
      } finally {
        await server.stop();
      }
    }
  }
  console.log(textTable(
    ["collection", "server", "delete ms", "slowest PING ms (during and 1.5 s after)"],
    rows,
    ["left", "left", "right", "right"],
  ));
}
