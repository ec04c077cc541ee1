import { assertEquals } from "../helpers/assert.ts";
import { withHermes } from "../helpers/hermes_process.ts";

Deno.test("a real server answers PING, SET and GET over TCP", async () => {
  await withHermes(async (server) => {
    const client = await server.connect();
    assertEquals(await client.send("PING"), "PONG");
    assertEquals(await client.send("SET", "k", "v"), "OK");
    assertEquals(await client.send("GET", "k"), "v");
    client.close();
  });
});
