/**
 * The ACL file (--aclfile): ACL SAVE writes it atomically with password digests only, a restart
 * keeps its users, ACL LOAD replaces all users or none (naming the bad line), and a corrupt file
 * stops the server from starting with a message naming the line.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { connect, ReplyError } from "../../src/client/mod.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ReplyError) return error.message;
    throw error;
  }
  throw new Error("expected an error reply");
}

Deno.test("ACL SAVE writes the users atomically and a restart keeps them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-acl-" });
  const aclFile = `${dir}/users.acl`;
  let server = await startHermes(["--aclfile", aclFile]);
  try {
    const admin = await server.connect();
    assertEquals(await admin.send("ACL", "USERS"), ["default"]);
    await admin.send("ACL", "SETUSER", "writer", "on", ">w-pass", "~app:*", "+@write", "+@read");
    await admin.send("ACL", "SETUSER", "reader", "on", ">r-pass", "%R~*", "+@read", "&news");
    await admin.send("ACL", "SETUSER", "default", "resetpass", ">admin-pass");
    assertEquals(await admin.send("ACL", "SAVE"), "OK");
    const text = await Deno.readTextFile(aclFile);
    const lines = text.trimEnd().split("\n");
    assertEquals(lines.map((l) => l.split(" ")[1]), ["default", "reader", "writer"]);
    assertEquals(lines, (await admin.send("ACL", "LIST")) as string[]);
    for (const secret of ["w-pass", "r-pass", "admin-pass"]) {
      assertOk(!text.includes(secret), `${secret} is stored in the clear`);
    }
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["users.acl"]);
    admin.close();
    await server.stop();

    server = await startHermes(["--aclfile", aclFile], { dir: server.dir });
    const reader = await connect({ port: server.port, username: "reader", password: "r-pass" });
    assertEquals(await reader.send("GET", "anything"), null);
    assertMatch(await errorOf(reader.send("SET", "anything", "x")), /^NOPERM /);
    reader.close();
    await errorOf(server.connect().then((c) => c.send("PING")));
    const admin2 = await connect({ port: server.port, password: "admin-pass" });
    assertEquals(await admin2.send("ACL", "LIST"), lines);
    admin2.close();
  } finally {
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ACL LOAD replaces every user or, on a bad line, none, naming the line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-acl-" });
  const aclFile = `${dir}/users.acl`;
  await Deno.writeTextFile(aclFile, "user alice on >a ~* +@all\n");
  const server = await startHermes(["--aclfile", aclFile]);
  try {
    const admin = await server.connect();
    const alice = await connect({ port: server.port, username: "alice", password: "a" });
    await Deno.writeTextFile(
      aclFile,
      "user alice on >a2 ~* +@all\n\nuser bob on nopass +nosuchcommand\n# a comment\n",
    );
    assertEquals(
      await errorOf(admin.send("ACL", "LOAD")),
      `ERR ${aclFile}:3: Error in applying operation '+nosuchcommand': Unknown command or ` +
        `category name in ACL. ${aclFile}:4 should start with user keyword followed by the ` +
        "username. WARNING: ACL errors detected, no change to the previously active ACL rules " +
        "was performed",
    );
    assertEquals(await admin.send("ACL", "USERS"), ["alice", "default"]);
    assertEquals(await alice.send("PING"), "PONG");
    await Deno.writeTextFile(aclFile, "user alice on >a2 ~* +@all\nuser bob on nopass +ping\n");
    assertEquals(await admin.send("ACL", "LOAD"), "OK");
    assertEquals(await admin.send("ACL", "USERS"), ["alice", "bob", "default"]);
    // As Redis 7.0: the clients of the users that were replaced are disconnected.
    assertOk(await alice.send("PING").then(() => false, () => true), "alice is still connected");
    const alice2 = await connect({ port: server.port, username: "alice", password: "a2" });
    assertEquals(await alice2.send("PING"), "PONG");
    alice2.close();
    await Deno.remove(aclFile);
    assertEquals(
      await errorOf(admin.send("ACL", "LOAD")),
      `ERR Error loading ACLs, opening file '${aclFile}': No such file or directory`,
    );
    admin.close();
  } finally {
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a corrupt ACL file stops the server from starting, naming the line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-acl-" });
  const aclFile = `${dir}/users.acl`;
  await Deno.writeTextFile(aclFile, "user ok on nopass +@all ~*\nuser broken on #nothex\n");
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--port", "0", "--dir", dir, "--aclfile", aclFile],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  assertEquals(run.code, 1);
  assertMatch(
    new TextDecoder().decode(run.stderr),
    new RegExp(
      `hermes: ACL file errors: ${aclFile}:2: The password hash must be exactly 64 characters`,
    ),
  );
});
