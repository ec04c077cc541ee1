/**
 * The HTTP endpoint of a real server (`--metrics-port`): /metrics checked by the real
 * `promtool check metrics` and against the server's own counters, /healthz in each state
 * (serving, loading, refusing writes), /stats.json, the status page and the refusals.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { startHermes, withHermes } from "../helpers/hermes_process.ts";
import { msetCommands, sendAll } from "../helpers/bulk.ts";
import { runTool } from "../helpers/run_tool.ts";
import { hasProgram, startUnderShell } from "../durability/process.ts";
import type { Client } from "../../src/client/mod.ts";

const PROMTOOL = hasProgram("promtool");
if (!PROMTOOL) {
  console.log("Skipping the promtool check: promtool is not on PATH (install prometheus)");
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of an exposition text (comments skipped). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`Not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key] = value;
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of `name` whose labels include `labels`, or undefined. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}) {
  return samples.find((s) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  )?.value;
}

function infoNumber(info: string, field: string): number {
  return Number(new RegExp(`^${field}:(.*)\r$`, "m").exec(info)?.[1]);
}

async function get(port: number, path: string, init?: RequestInit): Promise<Response> {
  return await fetch(`http://127.0.0.1:${port}${path}`, init);
}

Deno.test("/metrics is valid for promtool and reports the server's own counters", async () => {
  await withHermes(async (server) => {
    const port = server.metricsPort!;
    const client = await server.connect();
    const bulk = await server.connect();
    const watcher = await server.connect();
    await watcher.send("MONITOR");
    await client.send("CONFIG", "SET", "latency-monitor-threshold", "1");
    await sendAll(bulk, msetCommands("key", 100_000)); // db0
    await client.send("KEYS", "nomatch*"); // scans 100,000 keys: a "command" latency spike
    await client.send("GET", "key:1");
    await client.send("GET", "missing");
    await client.call("INCR", "key:2"); // an error reply
    await client.send("SELECT", "1");
    await client.send("SET", "other", "x", "EX", "100");
    // A partition: its keys and its own counters, labelled by its name.
    await client.send("CREATE", "PARTITION", "users", "STRING", "NONE");
    await client.send("SELECT", "users");
    await client.send("SET", "u1", "alice");
    await client.send("GET", "u1");
    await client.send("GET", "u2");

    const response = await get(port, "/metrics");
    assertEquals(response.status, 200);
    assertEquals(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    if (PROMTOOL) {
      const checked = await runTool("promtool", ["check", "metrics"], { stdin: text });
      assertEquals({ code: checked.code, out: checked.stdout + checked.stderr }, {
        code: 0,
        out: "",
      });
    }

    const samples = parseMetrics(text);
    const info = await client.send("INFO", "everything") as string;
    assertEquals(value(samples, "redis_up"), 1);
    assertEquals(value(samples, "redis_instance_info", { role: "master" }), 1);
    assertEquals(value(samples, "redis_connected_clients"), 3);
    assertEquals(value(samples, "redis_db_keys", { db: "db0" }), 100_000);
    assertEquals(value(samples, "redis_db_keys", { db: "db1" }), 1);
    assertEquals(value(samples, "redis_db_keys_expiring", { db: "db1" }), 1);
    assertEquals(value(samples, "redis_keyspace_hits_total"), 2);
    assertEquals(value(samples, "redis_keyspace_misses_total"), 2);
    assertEquals(value(samples, "redis_db_keys", { db: "users" }), 1);
    assertEquals(value(samples, "hermes_partition_hits_total", { db: "users" }), 1);
    assertEquals(value(samples, "hermes_partition_misses_total", { db: "users" }), 1);
    assertEquals(value(samples, "hermes_partition_writes_total", { db: "users" }), 1);
    assertEquals(value(samples, "hermes_partition_reads_total", { db: "users" }), 2);
    assertEquals(value(samples, "hermes_partition_value_bytes", { db: "users" }), 5);
    assertEquals(value(samples, "redis_commands_total", { cmd: "mset" }), 100);
    assertEquals(value(samples, "redis_commands_failed_calls_total", { cmd: "incr" }), 1);
    assertEquals(value(samples, "redis_errors_total", { err: "ERR" }), 1);
    assertEquals(
      value(samples, "redis_net_input_bytes_total")! <= infoNumber(info, "total_net_input_bytes"),
      true,
    );
    assertOk(
      value(samples, "redis_latency_spike_duration_seconds", { event_name: "command" })! >= 0.001,
    );
    for (const quantile of ["0.5", "0.99", "0.999"]) {
      assertOk(value(samples, "redis_latency_percentiles_usec", { cmd: "get", quantile })! > 0);
    }
    assertEquals(value(samples, "redis_latency_percentiles_usec_count", { cmd: "get" }), 4);
    assertEquals(value(samples, "hermes_monitor_clients"), 1);
    assertEquals(value(samples, "redis_aof_last_write_status"), 1);
    // The log: each write command was one record (100 MSETs, a SET and CREATE PARTITION; the
    // INCR failed, the NONE partition is never logged), and each group commit fsynced under
    // --fsync always.
    assertEquals(value(samples, "hermes_wal_records_total"), 102);
    assertEquals(value(samples, "hermes_group_commit_batch_size_sum"), 102);
    const fsyncs = value(samples, "hermes_wal_fsync_duration_seconds_count")!;
    assertEquals(fsyncs, infoNumber(info, "aof_fsyncs"));
    assertEquals(
      value(samples, "hermes_wal_fsync_duration_seconds_bucket", { le: "+Inf" }),
      fsyncs,
    );
    assertOk(value(samples, "hermes_wal_bytes_written_total")! > 100_000 * 10);

    // ACL refusals, counted as INFO counts them and named as redis_exporter names them.
    await client.send("ACL", "SETUSER", "reader", "on", ">pw", "~app:*", "+get");
    const reader = await server.connect();
    await reader.call("AUTH", "reader", "wrong");
    await reader.send("AUTH", "reader", "pw");
    await reader.call("SET", "app:1", "x");
    await reader.call("GET", "other");
    await reader.call("GET", "app:2");
    const denied = parseMetrics(await (await get(port, "/metrics")).text());
    const stats = await client.send("INFO", "stats") as string;
    for (const [kind, count] of [["auth", 1], ["cmd", 1], ["key", 1], ["channel", 0]] as const) {
      assertEquals(infoNumber(stats, `acl_access_denied_${kind}`), count, kind);
      assertEquals(value(denied, `redis_acl_access_denied_${kind}_total`), count, kind);
    }
    // Pub/sub: the INFO stats counts of channels, patterns and shard channels.
    const subscriber = await server.connect();
    await subscriber.subscribe("news", "alerts");
    await subscriber.psubscribe("n*");
    await subscriber.ssubscribe("orders");
    const pubsub = parseMetrics(await (await get(port, "/metrics")).text());
    assertEquals(value(pubsub, "redis_pubsub_channels"), 2);
    assertEquals(value(pubsub, "redis_pubsub_patterns"), 1);
    assertEquals(value(pubsub, "redis_pubsubshard_channels"), 1);
    for (const c of [client, bulk, watcher, reader, subscriber]) c.close();
  }, ["--metrics-port", "0"]);
});

Deno.test("/healthz, /stats.json and the status page answer, other paths and methods are refused", async () => {
  await withHermes(async (server) => {
    const port = server.metricsPort!;
    const client = await server.connect();
    await client.send("CONFIG", "SET", "slowlog-log-slower-than", "0");
    await client.send("SET", "a", "1");
    await client.send("GET", "a");

    const health = await get(port, "/healthz");
    assertEquals([health.status, await health.text()], [200, "OK\n"]);
    const head = await get(port, "/healthz", { method: "HEAD" });
    assertEquals([head.status, await head.text()], [200, ""]);

    type Stats = {
      loading: boolean;
      health: { ok: boolean };
      server: Record<string, unknown>;
      totals: Record<string, unknown>;
      replication: Record<string, unknown>;
      databases: { name: string; keys: number }[];
      history: { t: number; opsPerSec: number; keys: Record<string, number> }[];
      slowlog: { args: string[] }[];
    };
    let stats!: Stats;
    const deadline = Date.now() + 20_000;
    do {
      stats = await (await get(port, "/stats.json")).json();
      if (stats.history.length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    } while (Date.now() < deadline);
    assertOk(stats.history.length >= 2, "no history after 20 s");
    assertEquals(stats.loading, false);
    assertEquals(stats.health.ok, true);
    assertEquals(stats.server.tcp_port, server.port);
    assertEquals(stats.replication.role, "master");
    assertEquals(stats.databases, [{ name: "db0", keys: 1, expires: 0 }]);
    assertOk(Number(stats.totals.total_commands_processed) >= 3);
    assertEquals(stats.slowlog[0].args, ["GET", "a"]);
    assertEquals(stats.history.at(-1)!.keys, { db0: 1 });
    const last = stats.history.at(-1)!.t;
    const since = await (await get(port, `/stats.json?since=${last}`)).json() as Stats;
    assertOk(since.history.every((sample) => sample.t > last));

    const page = await get(port, "/");
    assertEquals(page.headers.get("content-type"), "text/html; charset=utf-8");
    const html = await page.text();
    assertMatch(html, /^<!doctype html>/);
    assertOk(!/<script src=|<link /.test(html), "the page loads something from elsewhere");
    assertMatch(html, /fetch\("\/stats\.json"/);

    const missing = await get(port, "/nosuch");
    assertEquals([missing.status, await missing.text()], [404, "not found\n"]);
    const post = await get(port, "/metrics", { method: "POST", body: "x" });
    assertEquals([post.status, post.headers.get("allow")], [405, "GET, HEAD"]);
    await post.body?.cancel();
    client.close();
  }, ["--metrics-port", "0"]);
});

Deno.test("without --metrics-port nothing serves HTTP", async () => {
  await withHermes((server) => {
    assertEquals(server.metricsPort, null);
    assertMatch(server.output(), /metrics-port=off/);
    return Promise.resolve();
  });
});

Deno.test("/healthz answers 503 with the MISCONF reason while the log cannot be written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-http-full-" });
  const server = await startUnderShell("trap '' XFSZ; ulimit -S -f 16", dir, [
    "--metrics-port",
    "0",
  ]);
  try {
    const port = Number(/metrics-port=(\d+)/.exec(server.output())![1]);
    assertEquals((await get(port, "/healthz")).status, 200);
    await (await get(port, "/healthz")).body?.cancel();
    const client = await server.connect();
    let refused = false;
    for (let i = 0; i < 200 && !refused; i++) {
      refused = typeof await client.call("SET", `k${i}`, "v".repeat(500)) !== "string";
    }
    assertOk(refused, "the file-size limit never refused a write");
    const health = await get(port, "/healthz");
    assertEquals(health.status, 503);
    assertMatch(await health.text(), /^MISCONF Errors writing to the AOF file: File too large/);
    const metrics = parseMetrics(await (await get(port, "/metrics")).text());
    assertEquals(value(metrics, "redis_aof_last_write_status"), 0);
    client.close();
  } finally {
    await server.kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("/healthz answers 503 while the data set loads and 200 once clients are served", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-http-load-" });
  try {
    const first = await startHermes(["--fsync", "no"], { dir });
    const bulk: Client = await first.connect();
    await sendAll(bulk, msetCommands("key", 300_000));
    bulk.close();
    await first.stop();
    // The load takes a fraction of a second: on a loaded machine this process may not get a
    // request in meanwhile. Start again (the data set is the same) until one lands.
    let landed = false;
    for (let start = 1; !landed; start++) {
      assertOk(start <= 10, "no /healthz request landed while the data set loaded, in 10 starts");
      landed = await watchStart(dir);
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

/**
 * Starts Hermes on `dir` with the HTTP endpoint and asks /healthz from the moment it listens
 * (its port is in the line the server prints before it loads the data set) until the server is
 * ready. The answers must be 503 (loading) then 200, or 200 alone when none landed while the
 * data set loaded; resolves to whether one did.
 */
async function watchStart(dir: string): Promise<boolean> {
  const seen: number[] = [];
  let loadingMetrics = "";
  let port = 0;
  const starting = startHermes(["--metrics-port", "0"], {
    dir,
    onOutput: (text) => {
      port ||= Number(/Metrics and status page on http:\/\/[^/]+:(\d+)\//.exec(text)?.[1] ?? 0);
    },
  });
  let ready = false;
  starting.then(() => ready = true, () => ready = true);
  while (!ready) {
    const response = port === 0 ? null : await get(port, "/healthz").catch(() => null);
    if (response !== null) {
      const body = await response.text();
      if (seen.at(-1) !== response.status) seen.push(response.status);
      if (response.status === 503) assertMatch(body, /^LOADING /);
      if (response.status === 503 && loadingMetrics === "") {
        const metrics = await (await get(port, "/metrics")).text();
        const again = await get(port, "/healthz");
        await again.body?.cancel();
        // Loading only ever ends: metrics read between two 503s were read while loading.
        if (again.status === 503) loadingMetrics = metrics;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const server = await starting;
  try {
    assertOk(port !== 0, "the server never printed its HTTP port");
    const after = await get(port, "/healthz");
    await after.body?.cancel();
    if (seen.at(-1) !== after.status) seen.push(after.status);
    if (seen[0] !== 503) {
      assertEquals(seen, [200]);
      return false;
    }
    assertEquals(seen, [503, 200]);
    // Replay blocks the event loop for most of the load, so a /metrics read may not land inside
    // the window (tests/unit/http/http_endpoint_test.ts checks the loading answer in-process).
    if (loadingMetrics === "") console.log("  no /metrics read landed while loading");
    else assertEquals(value(parseMetrics(loadingMetrics), "redis_loading_dump_file"), 1);
    return true;
  } finally {
    await server.stop();
  }
}
