/**
 * RDB interop with a real redis-server 7.0.15: DUMP/RESTORE payloads in both directions, and
 * SAVE/BGSAVE files that redis-server loads with every key, value and deadline.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { waitFor } from "../helpers/replication.ts";
import { type Client, toBytes } from "../../src/client/mod.ts";

const skip = redisAvailable() ? null : "redis-server is not installed";
if (skip) console.log(`Skipping the RDB interop tests: ${skip}`);

/** Values covering each string encoding: integers, short raw, LZF-compressible, binary. */
const VALUES: Record<string, string> = {
  small: "7",
  negative: "-40000",
  int32: "2147483647",
  beyond: "2147483648",
  zeros: "007",
  short: "hello",
  long: "abcdefghij".repeat(200),
  binary: "\x00\x01\xfe\xff".repeat(10),
  empty: "",
};

async function fill(client: Client): Promise<void> {
  for (const [key, value] of Object.entries(VALUES)) {
    await client.send("SET", key, toBytes(value));
  }
  await client.send("SET", "volatile", "soon", "PXAT", String(Date.now() + 3_600_000));
  await client.send("SELECT", "5");
  await client.send("SET", "in5", "five");
  await client.send("SELECT", "0");
}

/** Every key of db 0 and 5 with its value and absolute deadline. */
async function contents(client: Client): Promise<string[]> {
  const rows: string[] = [];
  for (const db of ["0", "5"]) {
    await client.send("SELECT", db);
    const keys = (await client.send("KEYS", "*") as string[]).sort();
    for (const key of keys) {
      const value = await client.send("GET", key);
      const deadline = await client.send("PEXPIRETIME", key);
      rows.push(`${db}/${key}=${JSON.stringify(value)}@${deadline}`);
    }
  }
  await client.send("SELECT", "0");
  return rows;
}

Deno.test({
  name: "DUMP payloads match redis-server's, and RESTORE accepts each other's payloads",
  ignore: skip !== null,
  fn: async () => {
    const hermes = await startHermes();
    const redis = await startRedis();
    const h = await hermes.connect();
    const r = await redis.connect();
    try {
      for (const [key, value] of Object.entries(VALUES)) {
        await h.send("SET", key, toBytes(value));
        await r.send("SET", key, toBytes(value));
        const fromHermes = await h.send("DUMP", key) as string;
        const fromRedis = await r.send("DUMP", key) as string;
        // LZF output is not unique: compressed values are compared by what they restore to.
        if (value.length <= 20) assertEquals(fromHermes, fromRedis, `DUMP ${key}`);
        assertEquals(await h.send("RESTORE", `${key}:r`, "0", toBytes(fromRedis)), "OK");
        assertEquals(await h.send("GET", `${key}:r`), value);
        assertEquals(await r.send("RESTORE", `${key}:h`, "0", toBytes(fromHermes)), "OK");
        assertEquals(await r.send("GET", `${key}:h`), value);
      }
      const text = await h.send("DUMP", "short") as string;
      const payload = toBytes(text);
      const damaged = toBytes(text.slice(0, -1) + "\x00");
      for (const client of [h, r]) {
        const errors = await client.pipeline([
          ["RESTORE", "short", "0", payload],
          ["RESTORE", "new", "-1", payload],
          ["RESTORE", "new", "0", damaged],
          ["RESTORE", "new", "0", "x"],
          ["RESTORE", "new", "0", payload, "FREQ", "300"],
          ["RESTORE", "new", "0", payload, "IDLETIME", "1", "FREQ", "1"],
          ["RESTORE", "short", "100000", payload, "REPLACE"],
          ["PTTL", "short"],
          ["RESTORE", "short", "1", payload, "REPLACE", "ABSTTL"],
          ["EXISTS", "short"],
          ["DUMP", "nosuch"],
        ]);
        const shown = errors.map((e) =>
          e instanceof Error ? e.message : typeof e === "number" && e > 1000 ? "ttl" : e
        );
        assertEquals(shown, [
          "BUSYKEY Target key name already exists.",
          "ERR Invalid TTL value, must be >= 0",
          "ERR DUMP payload version or checksum are wrong",
          "ERR DUMP payload version or checksum are wrong",
          "ERR Invalid FREQ value, must be >= 0 and <= 255",
          "ERR syntax error",
          "OK",
          "ttl",
          "OK",
          0,
          null,
        ]);
      }
    } finally {
      h.close();
      r.close();
      await hermes.stop();
      await redis.stop();
    }
  },
});

Deno.test({
  name: "SAVE and BGSAVE write a dump.rdb that redis-server loads with every key and deadline",
  ignore: skip !== null,
  fn: async () => {
    const hermes = await startHermes();
    const h = await hermes.connect();
    try {
      await fill(h);
      const expected = await contents(h);
      assertEquals(await h.send("SAVE"), "OK");
      for (const [file, command] of [["save.rdb", "SAVE"], ["bg.rdb", "BGSAVE"]]) {
        await h.send("CONFIG", "SET", "dbfilename", file);
        const before = await h.send("LASTSAVE") as number;
        assertEquals(
          await h.send(command),
          command === "SAVE" ? "OK" : "Background saving started",
        );
        await waitFor(
          async () =>
            (await h.send("INFO", "persistence") as string).includes(
              "rdb_bgsave_in_progress:0",
            ),
          `${command} to finish`,
        );
        assertOk((await h.send("LASTSAVE") as number) >= before);
        const redis = await startRedis(["--dir", hermes.dir, "--dbfilename", file]);
        const r = await redis.connect();
        try {
          assertEquals(await contents(r), expected, `redis-server loading ${file}`);
        } finally {
          r.close();
          await redis.stop();
        }
      }
    } finally {
      h.close();
      await hermes.stop();
      await Deno.remove(hermes.dir, { recursive: true }).catch(() => {});
    }
  },
});
