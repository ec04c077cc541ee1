/**
 * Authentication against a real server: requirepass (flag and CONFIG SET), what an
 * unauthenticated client may do, Redis's pre-authentication request limits, brute-force AUTH
 * attempts (logged, counted, not in other clients' way), the ACL log's entries, protected mode
 * and --disable-command.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";
import { exchange, RawSocket } from "../helpers/raw_socket.ts";
import { connect, ReplyError } from "../../src/client/mod.ts";
import net from "node:net";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const NOAUTH = "NOAUTH Authentication required.";
const WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

function multibulk(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ReplyError) return error.message;
    throw error;
  }
  throw new Error("expected an error reply");
}

Deno.test("with requirepass an unauthenticated client can only authenticate or leave", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    const commands = [
      ["PING"],
      ["GET", "k"],
      ["SET", "k", "v"],
      ["KEYS", "*"],
      ["SLOWLOG", "GET"],
      ["LATENCY", "LATEST"],
    ];
    for (const command of commands) {
      assertEquals(await errorOf(client.send(...command)), NOAUTH, command.join(" "));
    }
    assertEquals(await errorOf(client.send("CLIENT", "ID")), NOAUTH);
    assertEquals(await errorOf(client.send("MULTI")), NOAUTH);
    // No pub/sub before AUTH: neither subscribing (so no messages reach it) nor publishing.
    for (
      const command of [
        ["SUBSCRIBE", "news"],
        ["PSUBSCRIBE", "n*"],
        ["SSUBSCRIBE", "shard"],
        ["PUBLISH", "news", "x"],
        ["SPUBLISH", "shard", "x"],
        ["PUBSUB", "CHANNELS"],
      ]
    ) {
      assertEquals(await errorOf(client.send(...command)), NOAUTH, command.join(" "));
    }
    // MONITOR is refused like any command: the client is not put in monitor mode (its SET
    // below would then be refused).
    assertEquals(await errorOf(client.send("MONITOR")), NOAUTH);
    assertMatch(await errorOf(client.send("HELLO", "3")), /^NOAUTH HELLO must be called/);
    assertEquals(await errorOf(client.send("AUTH", "wrong")), WRONGPASS);
    assertEquals(await errorOf(client.send("AUTH", "default", "wrong")), WRONGPASS);
    assertEquals(await client.send("AUTH", "s3cret"), "OK");
    assertEquals(await client.send("SET", "k", "v"), "OK");
    // The refused SUBSCRIBE and PSUBSCRIBE left nothing behind.
    assertEquals(await client.send("PUBLISH", "news", "after"), 0);
    assertEquals(await client.send("PUBSUB", "NUMSUB", "news"), ["news", 0]);
    assertEquals(await client.send("PUBSUB", "NUMPAT"), 0);
    client.close();
    // Nothing the refused commands named was written.
    const admin = await connect({ port: server.port, password: "s3cret" });
    assertEquals(await admin.send("DBSIZE"), 1);
    const viaHello = await connect({ port: server.port, protocol: 3, password: "s3cret" });
    assertEquals(await viaHello.send("GET", "k"), "v");
    viaHello.close();
    // CONFIG SET requirepass: new clients need the new password; clients logged in stay in.
    assertEquals(await admin.send("CONFIG", "SET", "requirepass", "n3w"), "OK");
    assertEquals(await admin.send("PING"), "PONG");
    await connect({ port: server.port, password: "s3cret" }).then(
      () => assertOk(false, "the old password still works"),
      (error) => assertEquals(error.message, WRONGPASS),
    );
    const fresh = await connect({ port: server.port, password: "n3w" });
    assertEquals(await fresh.send("GET", "k"), "v");
    assertEquals(await admin.send("CONFIG", "SET", "requirepass", ""), "OK");
    const open = await server.connect();
    assertEquals(await open.send("GET", "k"), "v");
    assertEquals(
      await errorOf(open.send("AUTH", "x")),
      "ERR AUTH <password> called without any password configured for the default user. " +
        "Are you sure your configuration is correct?",
    );
    for (const c of [admin, fresh, open]) c.close();
    assertOk(!server.output().includes("s3cret"), "the password appears in the server's output");
  }, ["--requirepass", "s3cret"]);
});

Deno.test("before authentication big requests are refused and the client closed, as Redis does", async () => {
  await withHermes(async (server) => {
    let answer = await exchange(server.port, "*11\r\n");
    assertEquals(answer, {
      reply: "-ERR Protocol error: unauthenticated multibulk length\r\n",
      closed: true,
    });
    answer = await exchange(server.port, "*1\r\n$16385\r\n");
    assertEquals(answer, {
      reply: "-ERR Protocol error: unauthenticated bulk length\r\n",
      closed: true,
    });
    // Within the limits the request is answered (NOAUTH) and the connection stays open.
    answer = await exchange(server.port, `*10\r\n${"$1\r\nx\r\n".repeat(10)}`);
    assertEquals(answer, {
      reply: "-ERR unknown command 'x', with args beginning with: " +
        "'x' 'x' 'x' 'x' 'x' 'x' 'x' 'x' 'x' \r\n",
      closed: false,
    });
    // AUTH in the same write lifts the limits for the requests after it.
    const big = "v".repeat(20_000);
    answer = await exchange(
      server.port,
      multibulk("AUTH", "pw") + multibulk("SET", "k", big) +
        multibulk("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6"),
    );
    assertEquals(answer, { reply: "+OK\r\n+OK\r\n+OK\r\n", closed: false });
  }, ["--requirepass", "pw"]);
});

Deno.test("RESET logs a client out: the default user again, and with requirepass the pre-auth limits", async () => {
  await withHermes(async (server) => {
    const admin = await connect({ port: server.port, password: "pw" });
    await admin.send("ACL", "SETUSER", "app", "on", ">app-pw", "~*", "+@all");
    const socket = await RawSocket.connect(server.port);
    await socket.write(
      multibulk("AUTH", "app", "app-pw") + multibulk("ACL", "WHOAMI") + multibulk("RESET") +
        multibulk("ACL", "WHOAMI") + multibulk("GET", "k"),
    );
    assertEquals(
      await socket.readUntil((r) => r.split("\r\n").length > 6),
      `+OK\r\n$3\r\napp\r\n+RESET\r\n-${NOAUTH}\r\n-${NOAUTH}\r\n`,
    );
    // Not authenticated any more: a request past Redis's pre-auth limits closes the connection.
    await socket.write(`*11\r\n`);
    assertEquals(
      await socket.readUntilClosed(),
      "-ERR Protocol error: unauthenticated multibulk length\r\n",
    );
    socket.close();
    // A replica connection is not a normal client: its RESET is refused and it stays a replica.
    const replica = await RawSocket.connect(server.port);
    await replica.write(multibulk("AUTH", "pw") + multibulk("PSYNC", "?", "-1"));
    await replica.readUntil((r) => r.includes("FULLRESYNC"));
    await replica.write(multibulk("RESET"));
    await replica.readUntil((r) => r.includes("-ERR can only reset normal client connections\r\n"));
    assertMatch(await admin.info("replication"), /connected_slaves:1\r\n/);
    replica.close();
    admin.close();
  }, ["--requirepass", "pw"]);
});

Deno.test("brute-force AUTH attempts are counted and logged as one entry while others are served", async () => {
  await withHermes(async (server) => {
    const attacker = await RawSocket.connect(server.port);
    const victim = await connect({ port: server.port, password: "right" });
    const attempts = 2000;
    const batch = Array.from({ length: 100 }, (_, i) => multibulk("AUTH", `guess${i}`)).join("");
    let sent = 0;
    let served = 0;
    const attack = (async () => {
      for (; sent < attempts; sent += 100) {
        await attacker.write(batch);
        await attacker.readUntil((r) => r.split("WRONGPASS").length - 1 >= 100);
      }
    })();
    // The other client's commands are answered, correctly, while the attack goes on.
    while (sent < attempts) {
      assertEquals(await victim.send("INCR", "served"), ++served);
    }
    await attack;
    attacker.close();
    const info = await victim.info("stats");
    assertMatch(info, new RegExp(`acl_access_denied_auth:${attempts}\r\n`));
    const log = await victim.send("ACL", "LOG", "1") as Map<string, unknown>[] | unknown[][];
    const entry = toMap(log[0]);
    assertEquals(entry.get("count"), attempts);
    assertEquals(entry.get("reason"), "auth");
    assertEquals(entry.get("object"), "AUTH");
    assertEquals(entry.get("username"), "default");
    assertEquals(entry.get("context"), "toplevel");
    assertMatch(String(entry.get("client-info")), /^id=\d+ addr=127\.0\.0\.1:\d+ .* user=default /);
    assertOk(served > 0, "the other client was not served during the attack");
    victim.close();
  }, ["--requirepass", "right"]);
});

Deno.test("the ACL log records refused commands, keys and logins with Redis's fields and limit", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    await admin.send("ACL", "SETUSER", "app", "on", ">pw", "~app:*", "+get", "+set");
    const user = await connect({ port: server.port, username: "app", password: "pw" });
    assertEquals(
      await errorOf(user.send("DEL", "app:1")),
      "NOPERM this user has no permissions to run the 'del' command",
    );
    assertEquals(
      await errorOf(user.send("GET", "secret")),
      "NOPERM this user has no permissions to access one of the keys used as arguments",
    );
    await errorOf(user.send("GET", "secret"));
    await errorOf(user.send("AUTH", "app", "nope"));
    const entries = (await admin.send("ACL", "LOG") as unknown[]).map(toMap);
    assertEquals(entries.map((e) => [e.get("reason"), e.get("object"), e.get("count")]), [
      ["auth", "AUTH", 1],
      ["key", "secret", 2],
      ["command", "del", 1],
    ]);
    assertEquals(entries[1].get("username"), "app");
    assertEquals(typeof entries[1].get("age-seconds"), "string"); // a double, in RESP2 as text
    const info = await admin.info("stats");
    assertMatch(info, /acl_access_denied_cmd:1\r\nacl_access_denied_key:2\r\n/);
    assertEquals(await admin.send("CONFIG", "SET", "acllog-max-len", "2"), "OK");
    await errorOf(user.send("INCR", "app:n"));
    assertEquals((await admin.send("ACL", "LOG") as unknown[]).length, 2);
    assertEquals(await admin.send("ACL", "LOG", "RESET"), "OK");
    assertEquals(await admin.send("ACL", "LOG"), []);
    user.close();
    admin.close();
  });
});

Deno.test("deleting a user disconnects its clients, the deleting client after its reply", async () => {
  await withHermes(async (server) => {
    const admin = await server.connect();
    await admin.send("ACL", "SETUSER", "temp", "on", ">pw", "+@all", "~*");
    const victim = await connect({ port: server.port, username: "temp", password: "pw" });
    assertEquals(await victim.send("PING"), "PONG");
    assertEquals(
      await victim.send("CLIENT", "INFO").then((t) => /user=temp /.test(String(t))),
      true,
    );
    assertEquals(await admin.send("ACL", "DELUSER", "temp"), 1);
    await victim.send("PING").then(
      () => assertOk(false, "the deleted user's client still runs commands"),
      (error) => assertOk(!(error instanceof ReplyError), `expected a disconnect: ${error}`),
    );
    // A client deleting its own user gets the reply, then the connection closes.
    await admin.send("ACL", "SETUSER", "self", "on", ">pw", "+@all", "~*");
    const self = await connect({ port: server.port, username: "self", password: "pw" });
    assertEquals(await self.send("ACL", "DELUSER", "self"), 1);
    assertOk(await self.send("PING").then(() => false, () => true), "still connected");
    admin.close();
  });
});

Deno.test("protected mode refuses clients from outside the loopback interface with Redis's text", async () => {
  // A client bound to 127.0.0.5 is not "local" for Redis 7.0 (only 127.0.0.1 and ::1 are).
  const fromOutside = (port: number) =>
    new Promise<string>((resolve) => {
      const socket = net.connect({ port, host: "127.0.0.1", localAddress: "127.0.0.5" });
      let got = "";
      socket.on("data", (data: Uint8Array) => got += new TextDecoder().decode(data));
      socket.on("close", () => resolve(got));
      socket.on("error", () => resolve(got));
    });
  await withHermes(async (server) => {
    const reply = await fromOutside(server.port);
    assertMatch(reply, /^-DENIED Redis is running in protected mode because protected mode is /);
    assertOk(reply.endsWith("to start accepting connections from the outside.\r\n"));
    const local = await server.connect();
    assertMatch(await local.info("stats"), /rejected_connections:1\r\n/);
    // With a password (or protected mode off) the same client is let in and must AUTH.
    await local.send("CONFIG", "SET", "requirepass", "pw");
    const socket = net.connect({ port: server.port, host: "127.0.0.1", localAddress: "127.0.0.5" });
    const answer = await new Promise<string>((resolve) => {
      socket.on("connect", () => socket.write("PING\r\n"));
      socket.on("data", (data: Uint8Array) => {
        resolve(new TextDecoder().decode(data));
        socket.destroy();
      });
    });
    assertEquals(answer, `-${NOAUTH}\r\n`);
    local.close();
  });
});

Deno.test("--disable-command removes commands and subcommands from the server", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(
      await errorOf(client.send("FLUSHALL")),
      "ERR unknown command 'FLUSHALL', with args beginning with: ",
    );
    assertEquals(
      await errorOf(client.send("CONFIG", "SET", "maxclients", "5")),
      "ERR unknown subcommand 'SET'. Try CONFIG HELP.",
    );
    assertEquals(await client.send("CONFIG", "GET", "maxclients"), ["maxclients", "10000"]);
    const names = await client.send("COMMAND", "LIST") as string[];
    assertOk(!names.includes("flushall") && !names.includes("config|set"));
    assertOk(names.includes("config|get"));
    client.close();
  }, ["--disable-command", "flushall", "--disable-command", "config|set"]);
  const dir = await Deno.makeTempDir({ prefix: "hermes-test-" });
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--port", "0", "--dir", dir, "--disable-command", "nosuch"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  assertEquals(run.code, 1);
  assertMatch(
    new TextDecoder().decode(run.stderr),
    /Cannot disable command "nosuch": no such command/,
  );
});

function toMap(value: unknown): Map<string, unknown> {
  if (value instanceof Map) return value;
  const flat = value as unknown[];
  const map = new Map<string, unknown>();
  for (let i = 0; i < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1]);
  return map;
}
