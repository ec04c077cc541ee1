/**
 * The keyspace events of the collection, bitmap and HyperLogLog commands, with Redis 7.0's
 * names and order (t_hash.c, t_list.c, t_set.c, t_zset.c, bitops.c, hyperloglog.c), seen
 * through the journal's event sink in-process.
 */
import { assertEquals } from "../../helpers/assert.ts";
import { Databases } from "../../../src/store/databases.ts";
import { Journal } from "../../../src/store/journal.ts";
import { Session } from "../../../src/commands/session.ts";
import { bareDispatcher } from "../../helpers/bare_dispatcher.ts";
import { DEFAULT_CONFIG } from "../../../src/config/settings.ts";

function harness() {
  const journal = new Journal();
  const events: string[] = [];
  journal.notifyMask = ~0;
  journal.events = { event: (_class, name, _db, key) => void events.push(`${name}:${key}`) };
  const store = new Databases(journal);
  const dispatcher = bareDispatcher({ ...DEFAULT_CONFIG }, () => 1000, store);
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
  // A read of a missing key raises keymiss, as Redis's lookupKeyRead does.
  assertEquals(run("HGET", "h", "a"), ["keymiss:h"]);
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

Deno.test("sorted set commands raise zadd, zincr, zrem, the range and pop events, del when emptied", () => {
  const { run } = harness();
  assertEquals(run("ZADD", "z", "1", "a", "2", "b", "3", "c"), ["new:z", "zadd:z"]);
  assertEquals(run("ZADD", "z", "1", "a"), []);
  assertEquals(run("ZADD", "z", "NX", "5", "a"), []);
  assertEquals(run("ZADD", "z", "INCR", "5", "a"), ["zincr:z"]);
  assertEquals(run("ZINCRBY", "z", "0", "a"), []);
  assertEquals(run("ZINCRBY", "z", "1", "a"), ["zincr:z"]);
  assertEquals(run("ZREM", "z", "nothing"), []);
  assertEquals(run("ZREM", "z", "a"), ["zrem:z"]);
  assertEquals(run("ZADD", "z", "4", "d", "5", "e", "6", "f"), ["zadd:z"]);
  assertEquals(run("ZREMRANGEBYRANK", "z", "0", "0"), ["zremrangebyrank:z"]);
  assertEquals(run("ZREMRANGEBYSCORE", "z", "100", "200"), []);
  assertEquals(run("ZREMRANGEBYSCORE", "z", "3", "4"), ["zremrangebyscore:z"]);
  assertEquals(run("ZPOPMIN", "z"), ["zpopmin:z"]);
  assertEquals(run("ZPOPMAX", "z", "5"), ["zpopmax:z", "del:z"]);
  assertEquals(run("ZADD", "l", "0", "a", "0", "b"), ["new:l", "zadd:l"]);
  assertEquals(run("ZREMRANGEBYLEX", "l", "-", "+"), ["zremrangebylex:l", "del:l"]);
  assertEquals(run("ZADD", "m", "1", "a", "2", "b"), ["new:m", "zadd:m"]);
  assertEquals(run("ZMPOP", "1", "m", "MAX"), ["zpopmax:m"]);
  assertEquals(run("BZPOPMIN", "m", "0"), ["zpopmin:m", "del:m"]);
  assertEquals(run("ZADD", "s", "1", "a"), ["new:s", "zadd:s"]);
  assertEquals(run("ZUNIONSTORE", "d", "1", "s"), ["new:d", "zunionstore:d"]);
  assertEquals(run("ZINTERSTORE", "d", "1", "s"), ["zinterstore:d"]);
  assertEquals(run("ZDIFFSTORE", "d", "2", "s", "s"), ["del:d"]);
  assertEquals(run("ZDIFFSTORE", "d", "2", "s", "s"), []);
  assertEquals(run("ZRANGESTORE", "d", "s", "0", "-1"), ["new:d", "zrangestore:d"]);
  assertEquals(run("ZRANGESTORE", "d", "s", "5", "6"), ["del:d"]);
});

Deno.test("bitmap and HyperLogLog commands raise setbit, set, pfadd and del as Redis 7.0 does", () => {
  const { run } = harness();
  assertEquals(run("SETBIT", "b", "7", "1"), ["new:b", "setbit:b"]);
  assertEquals(run("SETBIT", "b", "7", "1"), []);
  assertEquals(run("SETBIT", "b", "100", "0"), ["setbit:b"]);
  assertEquals(run("BITFIELD", "b", "SET", "u8", "0", "1"), []);
  assertEquals(run("BITFIELD", "b", "SET", "u8", "0", "2"), ["setbit:b"]);
  assertEquals(run("BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9"), []);
  assertEquals(run("BITFIELD", "b", "GET", "u8", "0"), []);
  assertEquals(run("BITOP", "NOT", "d", "b"), ["new:d", "set:d"]);
  assertEquals(run("BITOP", "AND", "d", "nothing"), ["keymiss:nothing", "del:d"]);
  assertEquals(run("PFADD", "h", "a"), ["new:h", "pfadd:h"]);
  assertEquals(run("PFADD", "h", "a"), []);
  assertEquals(run("PFCOUNT", "h"), []);
  assertEquals(run("PFMERGE", "m", "h"), ["keymiss:m", "new:m", "pfadd:m"]);
});
