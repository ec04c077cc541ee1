/**
 * The command families of command_families.ts, run twice with the same assertions: through the
 * embedded store in this process, and through a Hermes server process over TCP (RESP3, as the
 * embedded sessions speak).
 */
import { open } from "../../src/embedded/open.ts";
import { connect } from "../../src/client/mod.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { FAMILIES } from "./command_families.ts";

Deno.test("every command family through the embedded store", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "hermes-embedded-families-" });
  const db = await open({ dir, fsync: "always" });
  try {
    for (const family of FAMILIES) {
      await t.step(family.name, async () => {
        await db.flushAll();
        await family.run({ db, another: () => Promise.resolve(db.session()) });
      });
    }
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every command family over TCP", async (t) => {
  const server = await startHermes(["--fsync", "always"]);
  const db = await connect({ port: server.port, protocol: 3 });
  try {
    for (const family of FAMILIES) {
      await t.step(family.name, async () => {
        await db.flushAll();
        await family.run({ db, another: () => connect({ port: server.port, protocol: 3 }) });
      });
    }
  } finally {
    db.close();
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
});
