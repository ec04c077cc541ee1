/**
 * A replica never expires keys by itself, as in Redis 7.0: past their deadline they read as
 * missing for its clients but stay (DBSIZE counts them) until the primary's DEL arrives; the
 * primary's own commands still see them; a writable replica's writes remove the ones they meet.
 * A Hermes replica and a redis-server replica are driven side by side and must answer alike;
 * with a Hermes primary paused (SIGSTOP) past the deadlines, both replicas hide the keys, and
 * once it runs again all three end identical, the replica's log holding only the primary's DELs.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { redisAvailable, type RedisProcess, startRedis } from "../helpers/redis_process.ts";
import {
  cleanup,
  dumpAll,
  info,
  startReplica,
  waitFor,
  waitInSync,
} from "../helpers/replication.ts";
import { fakePrimary, rdbOf, withLength } from "../helpers/fake_primary.ts";
import { type Client, encodeCommand } from "../../src/client/mod.ts";

const skip = redisAvailable() ? null : "redis-server is not installed";
if (skip) console.log(`Skipping the replica expiry tests: ${skip}`);

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** The same request to both replicas; their replies must be equal. Returns the reply. */
async function alike(hermes: Client, redis: Client, ...args: string[]): Promise<unknown> {
  const [fromHermes, fromRedis] = await Promise.all([hermes.send(...args), redis.send(...args)]);
  assertEquals(fromHermes, fromRedis, `${args.join(" ")}: Hermes and Redis differ`);
  return fromHermes;
}

async function sorted(client: Client, ...args: string[]): Promise<string[]> {
  return (await client.send(...args) as string[]).sort();
}

/** Every key a full SCAN returns, sorted. */
async function scanAll(client: Client, pattern = "*"): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, page] = await client.send("SCAN", cursor, "MATCH", pattern, "COUNT", "50") as [
      string,
      string[],
    ];
    keys.push(...page);
    cursor = next;
  } while (cursor !== "0");
  return keys.sort();
}

async function field(client: Client, section: string, name: string): Promise<string | undefined> {
  return (await info(client, section)).get(name);
}

Deno.test({
  name: "a replica hides keys past their deadline until its primary's DEL, and the primary's " +
    "commands still see them, as a Redis replica does",
  ignore: skip !== null,
  fn: async () => {
    const past = Date.now() - 60_000;
    const later = Date.now() + 600_000;
    const rdb = rdbOf({
      0: [
        ["live", "v", 0],
        ["later", "v", later],
        ["gone", "v", past],
        ["gone2", "v", past],
        ["counter", "5", past],
        ["gone3", "old", past],
        ["gone4", "9", past],
      ],
      1: [["gone", "v", past]],
    });
    const fake = fakePrimary(() => withLength(rdb));
    const hermes = await startHermes(["--replicaof", `127.0.0.1 ${fake.port}`]);
    let redis: RedisProcess | null = null;
    let sub: RedisProcess | null = null;
    const clients: Client[] = [];
    try {
      redis = await startRedis(["--replicaof", "127.0.0.1", String(fake.port)]);
      const h = await hermes.connect();
      const r = await redis.connect();
      clients.push(h, r);
      for (const client of [h, r]) {
        await waitFor(
          async () => await field(client, "replication", "master_link_status") === "up",
          "both replicas to load the fake primary's RDB",
        );
      }
      // Past its deadline a key is missing to every read, yet still counted and kept.
      assertEquals(await alike(h, r, "DBSIZE"), 7);
      assertEquals(await alike(h, r, "GET", "gone"), null);
      assertEquals(await alike(h, r, "EXISTS", "gone", "live", "later"), 2);
      await alike(h, r, "TTL", "gone");
      await alike(h, r, "PTTL", "gone");
      await alike(h, r, "TYPE", "gone");
      await alike(h, r, "STRLEN", "gone");
      await alike(h, r, "MGET", "live", "gone", "counter");
      await alike(h, r, "GETRANGE", "gone", "0", "-1");
      assertEquals(await sorted(h, "KEYS", "*"), ["later", "live"]);
      assertEquals(await sorted(r, "KEYS", "*"), ["later", "live"]);
      assertEquals(await scanAll(h), ["later", "live"]);
      assertEquals(await scanAll(r), ["later", "live"]);
      for (let i = 0; i < 20; i++) {
        assertOk(["live", "later"].includes(await h.send("RANDOMKEY") as string));
      }
      await alike(h, r, "SELECT", "1");
      assertEquals(await alike(h, r, "DBSIZE"), 1);
      assertEquals(await alike(h, r, "RANDOMKEY"), "gone"); // every key volatile: given up on
      await alike(h, r, "SELECT", "0");
      assertEquals(await alike(h, r, "DBSIZE"), 7); // reading removed nothing
      assertEquals(await field(h, "stats", "expired_keys"), "0");

      // The primary's commands see the keys as live: APPEND and INCR change them, PERSIST
      // brings one back; a deadline already past is set, not acted on; only DEL removes.
      await fake.broadcast(
        new Uint8Array([
          ...encodeCommand(["SELECT", "0"]),
          ...encodeCommand(["APPEND", "gone", "x"]),
          ...encodeCommand(["PERSIST", "gone"]),
          ...encodeCommand(["INCR", "counter"]),
          ...encodeCommand(["PEXPIREAT", "later", String(past)]),
          ...encodeCommand(["DEL", "gone2"]),
          ...encodeCommand(["SET", "marker", "1"]),
        ]),
      );
      for (const client of [h, r]) {
        await waitFor(async () => await client.send("GET", "marker") === "1", "the stream");
      }
      assertEquals(await alike(h, r, "GET", "gone"), "vx");
      assertEquals(await alike(h, r, "TTL", "gone"), -1);
      assertEquals(await alike(h, r, "GET", "counter"), null);
      assertEquals(await alike(h, r, "EXISTS", "later"), 0);
      assertEquals(await alike(h, r, "DBSIZE"), 7);
      await fake.broadcast(encodeCommand(["PERSIST", "counter"]));
      for (const client of [h, r]) {
        await waitFor(async () => await client.send("GET", "counter") === "6", "PERSIST");
      }
      assertEquals(await field(h, "stats", "expired_keys"), "0");

      // A sub-replica's full sync from the Hermes replica carries the hidden keys too (a replica's
      // RDB keeps them, as Redis's does), so the chain agrees until the primary's DEL.
      sub = await startRedis(["--replicaof", "127.0.0.1", String(hermes.port)]);
      const s = await sub.connect();
      clients.push(s);
      await waitFor(
        async () => await field(s, "replication", "master_link_status") === "up",
        "the sub-replica to sync",
      );
      assertEquals(await alike(h, s, "DBSIZE"), 7);
      assertEquals(await alike(h, s, "EXISTS", "later", "counter", "gone"), 2);

      // A writable replica: a write that meets an expired key removes it (locally) first.
      await alike(h, r, "CONFIG", "SET", "replica-read-only", "no");
      assertEquals(await alike(h, r, "SET", "gone3", "new", "KEEPTTL"), "OK");
      assertEquals(await alike(h, r, "TTL", "gone3"), -1);
      assertEquals(await alike(h, r, "INCR", "gone4"), 1);
      assertEquals(await alike(h, r, "DBSIZE"), 7);
      assertEquals(await field(h, "stats", "expired_keys"), "2");
      assertEquals(await field(r, "stats", "expired_keys"), "2");
    } finally {
      fake.stop();
      await redis?.stop();
      await sub?.stop();
      await cleanup(clients, [hermes]);
    }
  },
});

Deno.test({
  name: "with its primary paused past the deadlines both replicas hide the keys, and all three " +
    "end identical; the replica's log holds only the primary's deletions",
  ignore: skip !== null,
  sanitizeResources: false,
  fn: async () => {
    const primary = await startHermes();
    const p = await primary.connect();
    let replica = await startReplica(primary.port);
    let h = await replica.connect();
    let redis: RedisProcess | null = null;
    let paused = false;
    const clients: Client[] = [p, h];
    try {
      redis = await startRedis(["--replicaof", "127.0.0.1", String(primary.port)]);
      const r = await redis.connect();
      clients.push(r);
      // Both replicas linked first, so the keys reach them by the stream, not in a snapshot
      // taken after their deadline.
      await waitInSync(p, h);
      await waitFor(
        async () => (await info(r, "replication")).get("master_link_status") === "up",
        "the Redis replica to link",
      );
      // The primary deletes no key until told to (nobody reads them there meanwhile), so its
      // DELs cannot reach the replicas before they are paused, however slowly they sync.
      assertEquals(await p.send("DEBUG", "SET-ACTIVE-EXPIRE", "0"), "OK");
      const writes: string[][] = [];
      for (let i = 0; i < 100; i++) writes.push(["SET", `short:${i}`, `v${i}`, "PX", "3000"]);
      for (let i = 0; i < 20; i++) writes.push(["SET", `keep:${i}`, `k${i}`]);
      writes.push(["SET", "long", "l", "EX", "600"]);
      await p.pipeline(writes);
      const deadline = Date.now() + 3000;
      await waitInSync(p, h);
      await waitFor(async () => await r.send("DBSIZE") === 121, "the Redis replica to sync");

      Deno.kill(primary.process.pid, "SIGSTOP");
      paused = true;
      // Both replicas' clocks pass the deadlines while the primary can send no DEL.
      await waitFor(() => Date.now() > deadline + 50, "the deadlines to pass");
      assertEquals(await alike(h, r, "DBSIZE"), 121);
      assertEquals(await alike(h, r, "EXISTS", ...writes.slice(0, 100).map((w) => w[1])), 0);
      assertEquals(await alike(h, r, "GET", "short:7"), null);
      assertEquals(await alike(h, r, "TTL", "short:7"), -2);
      assertEquals(await sorted(h, "KEYS", "short:*"), []);
      assertEquals(await sorted(r, "KEYS", "short:*"), []);
      assertEquals(await scanAll(h, "short:*"), []);
      assertEquals(await scanAll(r, "short:*"), []);
      for (let i = 0; i < 20; i++) {
        assertOk(!(await h.send("RANDOMKEY") as string).startsWith("short:"));
      }
      // Kept, not removed: a second look finds the same count.
      assertEquals(await alike(h, r, "DBSIZE"), 121);
      assertEquals(await field(h, "stats", "expired_keys"), "0");
      assertEquals(await field(r, "stats", "expired_keys"), "0");
      // Compacting the replica's log and restarting it from there (kill -9) keeps them too.
      assertEquals(await h.send("BGREWRITEAOF"), "Background append only file rewriting started");
      await waitFor(
        async () => await field(h, "persistence", "aof_rewrites") === "1",
        "the replica's log compaction",
      );
      h.close();
      await replica.kill();
      replica = await startReplica(primary.port, [], { dir: replica.dir });
      h = await replica.connect();
      clients.push(h);
      assertEquals(await h.send("DBSIZE"), 121);
      assertEquals(await h.send("EXISTS", "short:7"), 0);

      Deno.kill(primary.process.pid, "SIGCONT");
      paused = false;
      assertEquals(await p.send("DEBUG", "SET-ACTIVE-EXPIRE", "1"), "OK");
      // The primary expires them (lazily or actively) and its DELs reach both replicas; the
      // restarted replica resumes from its log's position.
      await waitFor(async () => await p.send("DBSIZE") === 21, "the primary to expire them");
      await waitInSync(p, h);
      await waitFor(async () => await r.send("DBSIZE") === 21, "the Redis replica's DELs");
      const expected = await dumpAll(p);
      assertEquals(expected.length, 21);
      assertEquals(await dumpAll(h), expected);
      assertEquals(await dumpAll(r), expected);

      // Every deletion in the replica's log came with its position in the primary's stream.
      await replica.stop();
      const dump = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", MAIN, "dump-log", replica.dir],
        stdout: "piped",
      }).output();
      const records = new TextDecoder().decode(dump.stdout).split(/\n(?=@)/);
      const deletions = records.filter((record) => record.includes("DEL db="));
      const deleted = deletions.reduce((n, record) => n + record.split("DEL db=").length - 1, 0);
      assertEquals(deleted, 100);
      for (const record of deletions) {
        assertOk(record.includes("REPLPOS "), `a deletion of the replica's own:\n${record}`);
      }
    } finally {
      if (paused) Deno.kill(primary.process.pid, "SIGCONT");
      await redis?.stop();
      await cleanup(clients, [primary, replica]);
    }
  },
});
