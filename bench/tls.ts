/**
 * Throughput over TLS against plain TCP, Hermes and Redis side by side in one run, all driven by
 * redis-benchmark (SET and GET, 50 clients, pipeline 1 and 16, `-r 100000`), with certificates
 * made by openssl at run time:
 *
 * - Hermes plain and Hermes TLS through Deno's native TLS (`--tls-auth-clients no`), one server;
 * - Hermes TLS through node:tls with a client certificate (`--tls-auth-clients yes`: the path
 *   Hermes takes whenever client certificates are asked for);
 * - Redis plain and Redis TLS with a client certificate (Debian's redis-server is built with
 *   TLS), one server.
 *
 * Hermes keeps no log here (`--persistence none`), like the reference Redis, so the figures
 * compare the transport. Rounds rotate the order of the cases; medians are printed.
 *
 *   deno run --allow-all bench/tls.ts [--rounds 3] [--requests 100000] [--clients 50] [--quick]
 */
import { hasCommand } from "../tests/helpers/redis_process.ts";
import { freePort } from "../tests/helpers/redis_process.ts";
import { makeCertificates, opensslAvailable } from "../tests/helpers/certificates.ts";
import { startHermes } from "../tests/helpers/hermes_process.ts";
import { runRedisBenchmark } from "./lib/redis_benchmark.ts";
import { sideBySideArgs } from "./lib/side_by_side_args.ts";
import { startRedisServer } from "./lib/servers.ts";
import { median, ratio, roundOrder } from "./lib/stats.ts";
import { formatCount, formatFixed, textTable } from "./lib/format.ts";

const options = sideBySideArgs(Deno.args, ["quick"]);
const quick = options.switches.quick;
const rounds = quick ? 1 : options.rounds;
const requests = quick ? 10_000 : options.requests;
const clients = options.clients;

if (!hasCommand("redis-benchmark") || !opensslAvailable()) {
  console.log("bench/tls.ts needs redis-benchmark and openssl on PATH; nothing measured.");
  Deno.exit(0);
}

const certs = await makeCertificates();
const tlsFiles = [
  "--tls-cert-file",
  certs.serverCert,
  "--tls-key-file",
  certs.serverKey,
  "--tls-ca-cert-file",
  certs.caCert,
];
const clientTls = [
  "--tls",
  "--cacert",
  certs.caCert,
  "--cert",
  certs.clientCert,
  "--key",
  certs.clientKey,
];

const hermesNative = await startHermes([
  "--persistence",
  "none",
  "--port",
  String(freePort()),
  "--tls-port",
  String(freePort()),
  ...tlsFiles,
  "--tls-auth-clients",
  "no",
]);
const hermesNode = await startHermes([
  "--persistence",
  "none",
  "--tls-port",
  String(freePort()),
  ...tlsFiles,
  "--tls-auth-clients",
  "yes",
]);
const redisTlsPort = freePort();
const redis = await startRedisServer([
  "--tls-port",
  String(redisTlsPort),
  ...tlsFiles,
  "--tls-auth-clients",
  "yes",
]);

interface Case {
  label: string;
  port: number;
  extra: string[];
  results: Map<string, number[]>;
}
const cases: Case[] = [
  { label: "Hermes plain", port: hermesNative.port, extra: [] },
  { label: "Hermes TLS (Deno native)", port: hermesNative.tlsPort, extra: clientTls },
  { label: "Hermes TLS (node:tls, client cert)", port: hermesNode.tlsPort, extra: clientTls },
  { label: "Redis plain", port: redis.port, extra: [] },
  { label: "Redis TLS (client cert)", port: redisTlsPort, extra: clientTls },
].map((c) => ({ ...c, results: new Map<string, number[]>() }));

const runs = [
  { name: "SET p1", tests: ["set"], pipeline: 1 },
  { name: "GET p1", tests: ["get"], pipeline: 1 },
  { name: "SET p16", tests: ["set"], pipeline: 16 },
  { name: "GET p16", tests: ["get"], pipeline: 16 },
];

try {
  for (let round = 0; round < rounds; round++) {
    const order = roundOrder(cases, round + 1);
    for (const run of runs) {
      for (const c of order) {
        const rows = await runRedisBenchmark({
          port: c.port,
          tests: run.tests,
          clients,
          pipeline: run.pipeline,
          requests: run.pipeline === 1 ? requests : requests * 4,
          keyspace: 100_000,
          timeoutMs: 300_000,
          extraArgs: c.extra,
        });
        const samples = c.results.get(run.name) ?? [];
        samples.push(rows[0].opsPerSec);
        c.results.set(run.name, samples);
      }
    }
  }
  const header = ["case", ...runs.map((r) => `${r.name} ops/s`), "vs its plain port (p1/p16)"];
  const table = cases.map((c) => {
    const plain = c.label.startsWith("Redis") ? cases[3] : cases[0];
    const rel = (name: string) =>
      formatFixed(ratio(median(c.results.get(name)!), median(plain.results.get(name)!)), 2);
    return [
      c.label,
      ...runs.map((r) => formatCount(median(c.results.get(r.name)!))),
      `${rel("SET p1")} / ${rel("SET p16")}`,
    ];
  });
  console.log(`\nTLS vs plain, ${clients} clients, ${rounds} round(s), medians:\n`);
  console.log(textTable(header, table, header.map((_, i) => i === 0 ? "left" : "right")));
} finally {
  await hermesNative.stop();
  await hermesNode.stop();
  await redis.stop();
  for (const dir of [hermesNative.dir, hermesNode.dir]) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  await certs.remove();
}
