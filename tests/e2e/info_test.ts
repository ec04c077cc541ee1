import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { type Client, encodeCommand } from "../../src/client/mod.ts";
import { REDIS_COMPAT_VERSION, VERSION } from "../../src/version.ts";

const DEFAULT_SECTIONS = [
  "Server",
  "Clients",
  "Memory",
  "Persistence",
  "Stats",
  "Replication",
  "CPU",
  "Modules",
  "Errorstats",
  "Cluster",
  "Keyspace",
];
const ALL_SECTIONS = [
  ...DEFAULT_SECTIONS.slice(0, 8),
  "Commandstats",
  "Errorstats",
  "Latencystats",
  ...DEFAULT_SECTIONS.slice(9),
];

async function info(client: Client, ...sections: string[]): Promise<string> {
  return await client.send("INFO", ...sections) as string;
}

function headers(text: string): string[] {
  return [...text.matchAll(/^# (\w+)\r$/gm)].map((m) => m[1]);
}

/** The `field:value` lines of an INFO text. */
function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

Deno.test("INFO with no section lists Redis's default sections in order, in CRLF lines", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const text = await info(client);
    assertEquals(headers(text), DEFAULT_SECTIONS);
    assertEquals(headers(await info(client, "default")), DEFAULT_SECTIONS);
    // Every line ends in CRLF and sections are separated by one empty line.
    assertOk(!/[^\r]\n/.test(text), "a line ends without CR");
    assertOk(text.endsWith("\r\n") && !text.endsWith("\r\n\r\n"));
    assertOk(text.includes("\r\n\r\n# Clients\r\n"));
    for (const line of text.split("\r\n")) {
      if (line !== "" && !line.startsWith("# ")) assertMatch(line, /^[a-z0-9_]+:[ -~]*$/);
    }
    client.close();
  });
});

Deno.test("INFO all and everything add the command and latency statistics", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(headers(await info(client, "all")), ALL_SECTIONS);
    assertEquals(headers(await info(client, "EVERYTHING")), ALL_SECTIONS);
    assertEquals(
      headers(await info(client, "default", "commandstats")),
      ALL_SECTIONS.filter((s) => s !== "Latencystats"),
    );
    client.close();
  });
});

Deno.test("INFO picks named sections case-insensitively in Redis's order and ignores unknown ones", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(headers(await info(client, "KEYSPACE", "server", "nosuch")), [
      "Server",
      "Keyspace",
    ]);
    assertEquals(await info(client, "nosuch"), "");
    assertEquals(await info(client, "cluster"), "# Cluster\r\ncluster_enabled:0\r\n");
    assertEquals(await info(client, "modules"), "# Modules\r\n");
    client.close();
  });
});

Deno.test("INFO server names the Redis version clients branch on, Hermes's own version and the process", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const fields = infoFields(await info(client, "server"));
    assertEquals(fields.get("redis_version"), REDIS_COMPAT_VERSION);
    assertEquals(fields.get("hermes_version"), VERSION);
    assertEquals(fields.get("redis_mode"), "standalone");
    assertEquals(fields.get("tcp_port"), String(server.port));
    assertEquals(fields.get("process_id"), String(server.process.pid));
    assertMatch(fields.get("run_id")!, /^[0-9a-f]{40}$/);
    assertMatch(fields.get("uptime_in_seconds")!, /^\d+$/);
    assertEquals(fields.get("uptime_in_days"), "0");
    client.close();
  });
});

Deno.test("INFO counts clients, connections, commands, hits, misses and rejected connections", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const other = await server.connect();
    await client.send("SET", "k", "v");
    await client.send("GET", "k");
    await client.send("GET", "k");
    await client.send("GET", "missing");
    let fields = infoFields(await info(client));
    assertEquals(fields.get("connected_clients"), "2");
    assertEquals(fields.get("total_connections_received"), "2");
    assertEquals(fields.get("keyspace_hits"), "2");
    assertEquals(fields.get("keyspace_misses"), "1");
    assertEquals(fields.get("total_commands_processed"), "4");
    assertEquals(fields.get("rejected_connections"), "0");
    assertEquals(fields.get("maxclients"), "10000");
    assertEquals(fields.get("blocked_clients"), "0");
    assertOk(Number(fields.get("total_net_input_bytes")) > 0);
    assertOk(Number(fields.get("total_net_output_bytes")) > 0);
    assertOk(Number(fields.get("used_memory")) > 0);
    assertMatch(fields.get("used_memory_human")!, /^\d+\.\d\d[KMG]$/);
    assertEquals(fields.get("role"), "master");
    assertEquals(fields.get("connected_slaves"), "0");
    assertMatch(fields.get("used_cpu_user")!, /^\d+\.\d{6}$/);

    await client.send("CONFIG", "SET", "maxclients", "2");
    const refused = await server.connect();
    await refused.readUntilClosed();
    refused.close();
    other.close();
    await client.send("CONFIG", "SET", "maxclients", "10000");
    fields = infoFields(await info(client, "stats"));
    assertEquals(fields.get("rejected_connections"), "1");
    // As in Redis, a connection refused at maxclients is not counted as received.
    assertEquals(fields.get("total_connections_received"), "2");
    client.close();
  });
});

Deno.test("INFO keyspace shows keys, keys with a deadline and their average TTL per database", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(await info(client, "keyspace"), "# Keyspace\r\n");
    await client.send("SET", "a", "1");
    await client.send("SET", "b", "2", "EX", "1000");
    await client.send("SELECT", "7");
    await client.send("SET", "c", "3");
    const text = await info(client, "keyspace");
    const match =
      /^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=(\d+)\r\ndb7:keys=1,expires=0,avg_ttl=0\r\n$/
        .exec(text);
    if (!match) throw new Error(`unexpected keyspace section ${JSON.stringify(text)}`);
    const avg = Number(match[1]);
    assertOk(avg > 900_000 && avg <= 1_000_000, `avg_ttl ${avg}`);
    client.close();
  });
});

Deno.test("INFO commandstats and errorstats count calls, failures and rejections per command", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("SET", "n", "notanumber");
    await client.call("INCR", "n");
    await client.call("GET");
    await client.call("NOSUCHCOMMAND");
    await client.call("CONFIG", "NOSUCH");
    await client.send("CONFIG", "GET", "timeout");
    const fields = infoFields(await info(client, "commandstats", "errorstats"));
    assertMatch(
      fields.get("cmdstat_set")!,
      /^calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/,
    );
    assertMatch(fields.get("cmdstat_incr")!, /^calls=1,.*,rejected_calls=0,failed_calls=1$/);
    assertMatch(
      fields.get("cmdstat_get")!,
      /^calls=0,usec=0,usec_per_call=0\.00,rejected_calls=1,failed_calls=0$/,
    );
    assertMatch(fields.get("cmdstat_config|get")!, /^calls=1,/);
    assertEquals(fields.get("errorstat_ERR"), "count=4");
    assertOk(![...fields.keys()].some((name) => name.includes("nosuchcommand")));
    client.close();
  });
});

Deno.test("INFO persistence starts with loading:0 and has the fields redis-cli --stat reads", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const text = await info(client, "persistence");
    assertOk(text.startsWith("# Persistence\r\nloading:0\r\n"), text);
    const fields = infoFields(text);
    for (const name of ["rdb_bgsave_in_progress", "aof_rewrite_in_progress", "aof_enabled"]) {
      assertOk(fields.has(name), `missing ${name}`);
    }
    assertEquals(fields.get("aof_last_write_status"), "ok");
    client.close();
  });
});

Deno.test("INFO is a verbatim string in RESP3", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    await client.send("HELLO", "3");
    await client.writeRaw(encodeCommand(["INFO", "cluster"]));
    const { raw } = await client.readDecoded();
    assertEquals(String.fromCharCode(...raw), "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
    client.close();
  });
});
