/**
 * TLS on a real server with certificates made at run time by openssl: the TLS port alone
 * (`--port 0`) and beside the plain port; client certificates required, optional or not asked
 * for; our client library, `hermes cli`, redis-cli, ioredis and `openssl s_client` as clients;
 * pub/sub over both TLS transports.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes } from "../helpers/hermes_process.ts";
import { freePort, hasCommand } from "../helpers/redis_process.ts";
import {
  makeCertificates,
  opensslAvailable,
  type TestCertificates,
} from "../helpers/certificates.ts";
import { runTool } from "../helpers/run_tool.ts";
import { waitFor } from "../helpers/replication.ts";
import { connect, type TlsOptions } from "../../src/client/mod.ts";
// Test-only client library, as in tests/compat/.
// deno-lint-ignore no-import-prefix
import { Redis } from "npm:ioredis@6.0.0";

const OPENSSL = opensslAvailable();
if (!OPENSSL) {
  console.log("Skipping the TLS tests: openssl is not on PATH (it makes the certificates)");
}
const REDIS_CLI = hasCommand("redis-cli");
const MAIN = new URL("../../main.ts", import.meta.url).pathname;

function tlsArgs(certs: TestCertificates, authClients: string): string[] {
  return [
    "--tls-port",
    String(freePort()),
    "--tls-cert-file",
    certs.serverCert,
    "--tls-key-file",
    certs.serverKey,
    "--tls-ca-cert-file",
    certs.caCert,
    "--tls-auth-clients",
    authClients,
  ];
}

async function withTls(
  authClients: string,
  fn: (server: HermesProcess, certs: TestCertificates) => Promise<void>,
  extra: string[] = [],
): Promise<void> {
  const certs = await makeCertificates();
  const server = await startHermes([...tlsArgs(certs, authClients), ...extra]);
  try {
    await fn(server, certs);
  } finally {
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
    await certs.remove();
  }
}

function trusting(certs: TestCertificates, withClientCert = false): TlsOptions {
  const options: TlsOptions = { caCerts: [certs.read(certs.caCert)] };
  if (withClientCert) {
    options.cert = certs.read(certs.clientCert);
    options.key = certs.read(certs.clientKey);
  }
  return options;
}

/** An ioredis client connected to the TLS port, trusting the CA (and presenting a certificate). */
async function ioredisOverTls(
  server: HermesProcess,
  certs: TestCertificates,
  withClientCert: boolean,
): Promise<InstanceType<typeof Redis>> {
  const client = new Redis({
    host: "127.0.0.1",
    port: server.tlsPort,
    lazyConnect: true,
    retryStrategy: () => null,
    tls: {
      ca: [certs.read(certs.caCert)],
      ...(withClientCert
        ? { cert: certs.read(certs.clientCert), key: certs.read(certs.clientKey) }
        : {}),
    },
  });
  await client.connect();
  return client;
}

/** Connects and runs PING; "PONG", or the failure's message. */
async function tryPing(port: number, tls: TlsOptions): Promise<string> {
  try {
    const client = await connect({ port, tls });
    try {
      return String(await client.send("PING"));
    } finally {
      client.close();
    }
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : error}`;
  }
}

Deno.test({
  name: "a TLS-only server (--port 0) serves clients over TLS, pipelined, with AUTH",
  ignore: !OPENSSL,
  async fn() {
    await withTls("no", async (server, certs) => {
      assertEquals(server.port, server.tlsPort);
      assertMatch(server.output(), /\(TLS only\)/);
      const client = await connect({ port: server.tlsPort, tls: trusting(certs), password: "pw" });
      const replies = await Promise.all(
        Array.from({ length: 200 }, (_, i) => client.send("INCR", `n${i % 7}`)),
      );
      assertEquals(replies.length, 200);
      assertEquals(await client.send("GET", "n0"), "29");
      assertEquals(await client.send("CONFIG", "GET", "port"), ["port", "0"]);
      assertEquals(await client.send("CONFIG", "GET", "tls-port"), [
        "tls-port",
        String(server.tlsPort),
      ]);
      const big = "x".repeat(300_000);
      assertEquals(await client.send("SET", "big", big), "OK");
      assertEquals(await client.send("GET", "big"), big);
      client.close();
      // A client that does not trust the CA refuses the server.
      assertMatch(await tryPing(server.tlsPort, {}), /^failed: /);
      // openssl s_client speaks to it too.
      const sclient = await runTool("openssl", [
        "s_client",
        "-connect",
        `127.0.0.1:${server.tlsPort}`,
        "-CAfile",
        certs.caCert,
        "-quiet",
        "-verify_return_error",
      ], { stdin: "AUTH pw\r\nPING\r\nQUIT\r\n" });
      assertMatch(sclient.stdout, /\+OK\r\n\+PONG\r\n\+OK\r\n/);
    }, ["--requirepass", "pw"]);
  },
});

Deno.test({
  name: "with --tls-auth-clients yes only clients with a certificate from the CA get in",
  ignore: !OPENSSL,
  async fn() {
    await withTls("yes", async (server, certs) => {
      assertEquals(await tryPing(server.tlsPort, trusting(certs, true)), "PONG");
      assertMatch(await tryPing(server.tlsPort, trusting(certs)), /^failed: /);
      assertMatch(
        await tryPing(server.tlsPort, {
          caCerts: [certs.read(certs.caCert)],
          cert: certs.read(certs.strangerCert),
          key: certs.read(certs.strangerKey),
        }),
        /^failed: /,
      );
      // The plain port still works beside it.
      const plain = await connect({ port: server.port });
      assertEquals(await plain.send("PING"), "PONG");
      plain.close();
      if (REDIS_CLI) {
        const ok = await runTool("redis-cli", [
          "-p",
          String(server.tlsPort),
          "--tls",
          "--cacert",
          certs.caCert,
          "--cert",
          certs.clientCert,
          "--key",
          certs.clientKey,
          "SET",
          "via",
          "redis-cli",
        ]);
        assertEquals(ok.stdout, "OK\n");
        const refused = await runTool("redis-cli", [
          "-p",
          String(server.tlsPort),
          "--tls",
          "--cacert",
          certs.caCert,
          "PING",
        ]);
        assertOk(!refused.stdout.includes("PONG"), "redis-cli got in without a certificate");
      }
      const cli = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          MAIN,
          "cli",
          "-p",
          String(server.tlsPort),
          "--cacert",
          certs.caCert,
          "--cert",
          certs.clientCert,
          "--key",
          certs.clientKey,
          "GET",
          "via",
        ],
        stdout: "piped",
      }).output();
      assertEquals(new TextDecoder().decode(cli.stdout), REDIS_CLI ? "redis-cli\n" : "\n");
      const ioredis = await ioredisOverTls(server, certs, true);
      assertEquals(await ioredis.set("io", "redis"), "OK");
      assertEquals(await ioredis.get("io"), "redis");
      const pipeline = ioredis.pipeline();
      for (let i = 0; i < 50; i++) pipeline.incr("io:n");
      assertEquals((await pipeline.exec())!.at(-1), [null, 50]);
      ioredis.disconnect();
    }, ["--port", String(freePort())]);
  },
});

Deno.test({
  name: "with --tls-auth-clients optional a certificate is not needed, but a bad one is refused",
  ignore: !OPENSSL,
  async fn() {
    await withTls("optional", async (server, certs) => {
      assertEquals(await tryPing(server.tlsPort, trusting(certs)), "PONG");
      assertEquals(await tryPing(server.tlsPort, trusting(certs, true)), "PONG");
      assertMatch(
        await tryPing(server.tlsPort, {
          caCerts: [certs.read(certs.caCert)],
          cert: certs.read(certs.strangerCert),
          key: certs.read(certs.strangerKey),
        }),
        /^failed: /,
      );
    });
  },
});

Deno.test({
  name: "a replica follows its primary over TLS, authenticated with --masteruser/--masterauth",
  ignore: !OPENSSL,
  async fn() {
    await withTls("yes", async (primary, certs) => {
      const admin = await connect({
        port: primary.tlsPort,
        tls: trusting(certs, true),
        password: "admin-pw",
      });
      await admin.send("ACL", "SETUSER", "repl", "on", ">repl-pw", "+psync", "+replconf", "+ping");
      await admin.send("SET", "before", "sync");
      const replica = await startHermes([
        "--replicaof",
        `127.0.0.1 ${primary.tlsPort}`,
        "--tls-replication",
        "yes",
        "--masteruser",
        "repl",
        "--masterauth",
        "repl-pw",
        "--tls-cert-file",
        certs.serverCert,
        "--tls-key-file",
        certs.serverKey,
        "--tls-ca-cert-file",
        certs.caCert,
      ]);
      try {
        const reader = await replica.connect();
        await admin.send("SET", "after", "stream");
        const deadline = Date.now() + 20_000;
        while (await reader.send("GET", "after") !== "stream") {
          assertOk(Date.now() < deadline, `the replica never caught up:\n${replica.output()}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assertEquals(await reader.send("GET", "before"), "sync");
        assertMatch(await admin.info("replication"), /connected_slaves:1\r\n/);
        reader.close();
      } finally {
        await replica.stop();
        await Deno.remove(replica.dir, { recursive: true }).catch(() => {});
      }
      admin.close();
    }, ["--requirepass", "admin-pw"]);
  },
});

// Deno's own TLS listener (no client certificates) and node:tls (client certificates) each carry
// subscribers: confirmations, messages in order, a message bigger than one TLS record, RESP3
// pushes, and an ioredis subscriber.
for (const authClients of ["no", "yes"]) {
  Deno.test({
    name: `subscribers get their messages over TLS (--tls-auth-clients ${authClients})`,
    ignore: !OPENSSL,
    async fn() {
      await withTls(authClients, async (server, certs) => {
        const tls = trusting(certs, authClients === "yes");
        const subscriber = await connect({ port: server.tlsPort, tls });
        const pushes = await connect({ port: server.tlsPort, tls, protocol: 3 });
        const publisher = await connect({ port: server.tlsPort, tls });
        const news = await subscriber.subscribe("news");
        const patterns = await pushes.psubscribe("n*");
        const ioredis = await ioredisOverTls(server, certs, authClients === "yes");
        const ioMessages: string[] = [];
        ioredis.on("message", (_channel: string, message: string) => ioMessages.push(message));
        await ioredis.subscribe("news");

        const big = "b".repeat(200_000);
        const sent = [...Array.from({ length: 300 }, (_, i) => `m${i}`), big, "last"];
        for (const message of sent) assertEquals(await publisher.publish("news", message), 3);
        const fromChannel: string[] = [];
        for await (const { message } of news) {
          fromChannel.push(message);
          if (message === "last") break;
        }
        const fromPattern: string[] = [];
        for await (const { kind, pattern, message } of patterns) {
          assertEquals([kind, pattern], ["pmessage", "n*"]);
          fromPattern.push(message);
          if (message === "last") break;
        }
        assertEquals(fromChannel, sent);
        assertEquals(fromPattern, sent);
        await waitFor(() => ioMessages.length === sent.length, "ioredis to get every message");
        assertEquals(ioMessages, sent);
        ioredis.disconnect();
        for (const client of [subscriber, pushes, publisher]) client.close();
      });
    },
  });
}
