/**
 * The keyspace events the hash, list and set commands raise, with Redis 7.0's names and order
 * (t_hash.c, t_list.c, t_set.c), seen through the journal's event sink in-process.
 */
import { assertEquals } from "../../helpers/assert.ts";
import { Databases } from "../../../src/store/databases.ts";
import { Journal } from "../../../src/store/journal.ts";
import { Registry } from "../../../src/commands/registry.ts";
import { Dispatcher } from "../../../src/commands/dispatcher.ts";
import { ALL_COMMANDS } from "../../../src/commands/all.ts";
import { Session } from "../../../src/commands/session.ts";
import type { ServerControl } from "../../../src/commands/server_control.ts";
import { DEFAULT_CONFIG } from "../../../src/config/settings.ts";
import { Logger } from "../../../src/log/logger.ts";

function harness() {
  const journal = new Journal();
  const events: string[] = [];
  journal.notifyMask = ~0;
  journal.events = { event: (_class, name, _db, key) => void events.push(`${name}:${key}`) };
  const store = new Databases(journal);
  const server = { config: { ...DEFAULT_CONFIG } } as unknown as ServerControl;
  const dispatcher = new Dispatcher(
    new Registry(ALL_COMMANDS),
    store,
    server,
    () => 1000,
    new Logger("error"),
  );
  const session = new Session(1, "127.0.0.1:1", "127.0.0.1:2", 0);
  const run = (...argv: string[]) => {
    events.length = 0;
    dispatcher.run(session, argv);
    session.out.take();
    return events.slice();
  };
  return { run };
}

Deno.test("hash commands raise hset, hdel, hincrby, hincrbyfloat and del when emptied", () => {
  const { run } = harness();
  assertEquals(run("HSET", "h", "a", "1", "b", "2"), ["new:h", "hset:h"]);
  assertEquals(run("HMSET", "h", "c", "3"), ["hset:h"]);
  assertEquals(run("HSETNX", "h", "a", "9"), []);
  assertEquals(run("HSETNX", "h", "d", "9"), ["hset:h"]);
  assertEquals(run("HINCRBY", "h", "a", "1"), ["hincrby:h"]);
  assertEquals(run("HINCRBYFLOAT", "h", "a", "0.5"), ["hincrbyfloat:h"]);
  assertEquals(run("HDEL", "h", "nothing"), []);
  assertEquals(run("HDEL", "h", "a", "b"), ["hdel:h"]);
  assertEquals(run("HDEL", "h", "c", "d"), ["hdel:h", "del:h"]);
  assertEquals(run("HGET", "h", "a"), []);
});

Deno.test("list commands raise their events; moves raise the push then the pop", () => {
  const { run } = harness();
  assertEquals(run("RPUSH", "l", "a", "b", "c"), ["new:l", "rpush:l"]);
  assertEquals(run("LPUSH", "l", "z"), ["lpush:l"]);
  assertEquals(run("LPUSHX", "missing", "z"), []);
  assertEquals(run("LINSERT", "l", "BEFORE", "a", "y"), ["linsert:l"]);
  assertEquals(run("LINSERT", "l", "BEFORE", "nothing", "y"), []);
  assertEquals(run("LSET", "l", "0", "x"), ["lset:l"]);
  assertEquals(run("LREM", "l", "0", "y"), ["lrem:l"]);
  assertEquals(run("LTRIM", "l", "0", "-1"), ["ltrim:l"]);
  assertEquals(run("LMOVE", "l", "m", "LEFT", "RIGHT"), ["new:m", "rpush:m", "lpop:l"]);
  assertEquals(run("RPOPLPUSH", "l", "m"), ["lpush:m", "rpop:l"]);
  assertEquals(run("LPOP", "l"), ["lpop:l"]);
  assertEquals(run("RPOP", "l", "5"), ["rpop:l", "del:l"]);
  assertEquals(run("LMPOP", "1", "m", "LEFT", "COUNT", "9"), ["lpop:m", "del:m"]);
  assertEquals(run("RPUSH", "b", "1"), ["new:b", "rpush:b"]);
  assertEquals(run("BLPOP", "b", "0"), ["lpop:b", "del:b"]);
  assertEquals(run("RPUSH", "t", "1", "2"), ["new:t", "rpush:t"]);
  assertEquals(run("LTRIM", "t", "5", "6"), ["ltrim:t", "del:t"]);
});

Deno.test("set commands raise sadd, srem, spop and the STORE events, del for empty results", () => {
  const { run } = harness();
  assertEquals(run("SADD", "s", "a", "b", "c"), ["new:s", "sadd:s"]);
  assertEquals(run("SADD", "s", "a"), []);
  assertEquals(run("SREM", "s", "a"), ["srem:s"]);
  assertEquals(run("SMOVE", "s", "t", "b"), ["srem:s", "new:t", "sadd:t"]);
  assertEquals(run("SINTERSTORE", "d", "s", "t"), []);
  assertEquals(run("SUNIONSTORE", "d", "s", "t"), ["new:d", "sunionstore:d"]);
  assertEquals(run("SINTERSTORE", "d", "s", "t"), ["del:d"]);
  assertEquals(run("SDIFFSTORE", "d", "s", "t"), ["new:d", "sdiffstore:d"]);
  assertEquals(run("SINTERSTORE", "s2", "s"), ["new:s2", "sinterstore:s2"]);
  assertEquals(run("SPOP", "s"), ["spop:s", "del:s"]);
  assertEquals(run("SMOVE", "t", "u", "b"), ["srem:t", "del:t", "new:u", "sadd:u"]);
});
