/**
 * MONITOR compared with redis-server: the same commands go to a fresh Hermes and a fresh Redis
 * while two clients monitor each, and the two monitors' transcripts must match once the
 * timestamps and client ports are normalised (clients are named by order of appearance). The
 * transcript covers Redis's line format and escaping, redacted passwords, the database after
 * SELECT, which commands are left out (admin commands, refused and unknown ones), and what a
 * monitoring client may still do itself.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { startCompatServer } from "../helpers/compat_server.ts";
import { RawSocket } from "../helpers/raw_socket.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { connect, encodeCommand } from "../../src/client/mod.ts";
import { latin1ToBytes } from "../../src/protocol/latin1.ts";

const BINARY = latin1ToBytes('x"y\\z\n\x01\xff\t\r\x07\x08');

/** Commands of the observed client, in order; replies are awaited one by one. */
const CLIENT_COMMANDS: (string | Uint8Array)[][] = [
  ["SET", "k", "v"],
  ["GET", "k"],
  ["SELECT", "3"],
  ["SET", "a b", BINARY],
  ["AUTH", "secret"],
  ["AUTH", "default", "secret"],
  ["HELLO", "2", "AUTH", "default", "secret", "SETNAME", "named"],
  // Redacted where Redis redacts: not past AUTH's argument count, HELLO's pairs up to the first
  // refused option.
  ["AUTH", "a", "b", "c"],
  ["HELLO", "9", "AUTH", "u", "p"],
  ["HELLO", "2", "AUTH", "default", "secret", "AUTH", "u", "p", "SETNAME", "x"],
  ["HELLO", "2", "SETNAME", "x", "AUTH", "default", "secret", "bogus", "AUTH", "u", "p"],
  ["HELLO", "2"],
  ["PING"],
  ["CLIENT", "SETNAME", "nm"],
  ["ECHO", "hi"],
  ["DBSIZE"],
  ["INFO", "server"],
  // Left out by MONITOR: admin commands, unknown commands, wrong arity.
  ["CONFIG", "GET", "save"],
  ["CONFIG", "SET", "masterauth", "secret"],
  ["ACL", "SETUSER", "bob", ">secret"],
  ["SLOWLOG", "LEN"],
  ["LATENCY", "LATEST"],
  ["NOSUCH", "x"],
  ["GET"],
  ["SELECT", "0"],
  ["MSET", "a", "1", "b", "2"],
  // A transaction: MULTI at once, the queued commands and EXEC when EXEC runs them.
  ["WATCH", "a"],
  ["MULTI"],
  ["INCR", "a"],
  ["GET", "b"],
  ["EXEC"],
  ["EXPIRE", "a", "100"],
  ["DEL", "a", "b"],
];

/** What the first monitor sends itself: [command, text its reply ends with]. */
const MONITOR_COMMANDS: [string[], string][] = [
  [["PING", "m1"], '"PING" "m1"\r\n'],
  [["SET", "k", "v"], "keyspace\r\n"],
  [["DBSIZE"], "keyspace\r\n"],
  [["CLIENT", "GETNAME"], '"CLIENT" "GETNAME"\r\n'],
];

/** A transcript with times replaced and clients named A, B, C by first appearance. */
function normalise(text: string, names: Map<string, string>): string {
  return text
    .replace(/^\+[0-9]+\.[0-9]{6} /gm, "+<time> ")
    .replace(/127\.0\.0\.1:[0-9]+/g, (address) => {
      if (!names.has(address)) names.set(address, String.fromCharCode(65 + names.size));
      return names.get(address)!;
    });
}

async function transcripts(port: number): Promise<[string, string]> {
  const first = await RawSocket.connect(port);
  const second = await RawSocket.connect(port);
  const client = await connect({ port });
  try {
    for (const monitor of [first, second]) {
      await monitor.write(encodeCommand(["MONITOR"]));
      assertEquals(await monitor.readBytes(5), "+OK\r\n");
    }
    for (const command of CLIENT_COMMANDS) await client.call(...command);
    await client.writeRaw("PING inline\r\n");
    await client.readDecoded();

    let firstText = "";
    for (const [command, ending] of MONITOR_COMMANDS) {
      await first.write(encodeCommand(command));
      firstText += await first.readUntil((received) => received.endsWith(ending));
    }
    // A second MONITOR is not answered at all: the next reply is the PING's.
    await first.write(encodeCommand(["MONITOR"]));
    await first.write(encodeCommand(["PING", "again"]));
    firstText += await first.readUntil((r) => r.endsWith('"PING" "again"\r\n'));

    await client.call("ECHO", "done");
    const done = (received: string) => received.endsWith('"ECHO" "done"\r\n');
    firstText += await first.readUntil(done);
    const secondText = await second.readUntil(done);
    const names = new Map<string, string>();
    // The second monitor names the clients first: it saw every line.
    const secondNormal = normalise(secondText, names);
    return [normalise(firstText, names), secondNormal];
  } finally {
    client.close();
    first.close();
    second.close();
  }
}

Deno.test({
  name: "MONITOR shows the same lines as Redis to every monitor, passwords redacted",
  ignore: !redisAvailable(),
  async fn() {
    const hermes = await startCompatServer();
    const redis = await startRedis();
    try {
      const [hermesFirst, hermesSecond] = await transcripts(hermes.port);
      const [redisFirst, redisSecond] = await transcripts(redis.port);
      assertEquals(hermesSecond, redisSecond);
      assertEquals(hermesFirst, redisFirst);
      // The transcript is what it claims to be (so the comparison above cannot pass vacuously).
      assertMatch(redisSecond, /^\+<time> \[0 A\] "SET" "k" "v"\r\n/);
      assertMatch(redisSecond, /\[3 A\] "SET" "a b" "x\\"y\\\\z\\n\\x01\\xff\\t\\r\\a\\b"/);
      assertMatch(redisSecond, /"AUTH" "\(redacted\)" "\(redacted\)"/);
      assertMatch(redisSecond, /"HELLO" "2" "AUTH" "\(redacted\)" "\(redacted\)" "SETNAME"/);
      assertMatch(redisSecond, /"AUTH" "a" "b" "c"/);
      assertMatch(redisSecond, /"\(redacted\)" "bogus" "AUTH" "u" "p"\r\n/);
      assertOk(!redisSecond.includes("secret"), "a password shown by Redis's MONITOR");
      assertMatch(redisFirst, /-ERR Replica can't interact with the keyspace\r\n/);
    } finally {
      await Promise.all([hermes.stop(), redis.stop()]);
    }
  },
});
