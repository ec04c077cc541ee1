/**
 * The side-by-side cases: groups of redis-benchmark tests that share a client count, a
 * pipeline depth and a server setup, so each group is one redis-benchmark run per server.
 *
 * A case id is `<test>-<group>` (`set-p1`, `get-p16`, `set-durable`, `get-latency`); `--cases`
 * takes ids, group ids (`p16`), test names (`set`), or the sections `memory` and `micro`.
 */

/**
 * A redis-benchmark test: its `-t` name and the name it reports, or a custom command (given
 * after the options, as redis-benchmark takes one; it reports the command line as its name).
 */
export interface TestName {
  id: string;
  reported: string;
  command?: string[];
}

/** A custom-command test, reported under its command line. */
function custom(id: string, command: string[]): TestName {
  return { id, reported: command.join(" "), command };
}

export const TESTS: Record<string, TestName> = {
  ping_inline: { id: "ping_inline", reported: "PING_INLINE" },
  set: { id: "set", reported: "SET" },
  get: { id: "get", reported: "GET" },
  incr: { id: "incr", reported: "INCR" },
  mset: { id: "mset", reported: "MSET (10 keys)" },
  lpush: { id: "lpush", reported: "LPUSH" },
  rpush: { id: "rpush", reported: "RPUSH" },
  lpop: { id: "lpop", reported: "LPOP" },
  rpop: { id: "rpop", reported: "RPOP" },
  sadd: { id: "sadd", reported: "SADD" },
  hset: { id: "hset", reported: "HSET" },
  spop: { id: "spop", reported: "SPOP" },
  lrange_100: { id: "lrange_100", reported: "LRANGE_100 (first 100 elements)" },
  lrange_600: { id: "lrange_600", reported: "LRANGE_600 (first 600 elements)" },
  zadd: { id: "zadd", reported: "ZADD" },
  zpopmin: { id: "zpopmin", reported: "ZPOPMIN" },
  // A leaderboard: scores raised one at a time, the top ten read back (issue 17).
  zincrby: custom("zincrby", ["ZINCRBY", "leaderboard", "1", "player:__rand_int__"]),
  zrevrange_top10: custom("zrevrange_top10", ["ZREVRANGE", "leaderboard", "0", "9", "WITHSCORES"]),
  zrangebyscore: custom("zrangebyscore", [
    "ZRANGEBYSCORE",
    "leaderboard",
    "1",
    "3",
    "LIMIT",
    "0",
    "10",
  ]),
  // __rand_int__ is zero-padded, which no bit offset accepts: the keys vary instead.
  setbit: custom("setbit", ["SETBIT", "bitmap:__rand_int__", "4095", "1"]),
  bitcount: custom("bitcount", ["BITCOUNT", "bitmap:__rand_int__"]),
  pfadd: custom("pfadd", ["PFADD", "visitors", "visitor:__rand_int__"]),
};

export interface Group {
  id: string;
  title: string;
  tests: TestName[];
  clients: number;
  pipeline: number;
  /** Requests per test in a full run (`--quick` divides them). */
  requests: number;
  /** Runs against servers that make every write durable before replying. */
  durable: boolean;
}

const ALL = [TESTS.ping_inline, TESTS.set, TESTS.get, TESTS.incr, TESTS.mset];
/** redis-benchmark's data structure tests (issue 12); LRANGE_* first fill `mylist` with LPUSH. */
const COLLECTIONS = [
  TESTS.lpush,
  TESTS.rpush,
  TESTS.lpop,
  TESTS.rpop,
  TESTS.sadd,
  TESTS.hset,
  TESTS.spop,
  TESTS.lrange_100,
  TESTS.lrange_600,
];
/** Sorted sets, bitmaps and HyperLogLogs (issue 17), in an order where each reads what the one
 * before wrote (the leaderboard, the bitmaps). */
const DATA_STRUCTURES_II = [
  TESTS.zadd,
  TESTS.zpopmin,
  TESTS.zincrby,
  TESTS.zrevrange_top10,
  TESTS.zrangebyscore,
  TESTS.setbit,
  TESTS.bitcount,
  TESTS.pfadd,
];

export const GROUPS: Group[] = [
  {
    id: "p1",
    title: "50 clients, no pipelining",
    tests: [...ALL, ...COLLECTIONS, ...DATA_STRUCTURES_II],
    clients: 50,
    pipeline: 1,
    requests: 100_000,
    durable: false,
  },
  {
    id: "p16",
    title: "50 clients, pipeline 16",
    tests: [...ALL, ...COLLECTIONS, ...DATA_STRUCTURES_II],
    clients: 50,
    pipeline: 16,
    requests: 500_000,
    durable: false,
  },
  {
    id: "durable",
    title: "durable SET: Hermes --fsync always, Redis --appendonly yes --appendfsync always",
    tests: [TESTS.set],
    clients: 50,
    pipeline: 1,
    requests: 20_000,
    durable: true,
  },
  {
    id: "latency",
    title: "1 client, no pipelining (latency)",
    tests: [TESTS.set, TESTS.get],
    clients: 1,
    pipeline: 1,
    requests: 20_000,
    durable: false,
  },
];

/** Sections besides the throughput groups. */
export const SECTIONS = ["memory", "micro"] as const;
export type Section = typeof SECTIONS[number];

export interface Selection {
  /** Each group with only the tests selected. */
  groups: Group[];
  sections: Set<Section>;
}

/** Every valid `--cases` token, for the usage text. */
export function caseTokens(): string[] {
  const ids = GROUPS.flatMap((g) => g.tests.map((t) => `${t.id}-${g.id}`));
  return [...GROUPS.map((g) => g.id), ...Object.keys(TESTS), ...SECTIONS, ...ids];
}

/** Resolves a comma-separated `--cases` list (undefined: everything). */
export function selectCases(list: string | undefined): Selection {
  if (list === undefined || list.trim() === "") {
    return { groups: GROUPS, sections: new Set(SECTIONS) };
  }
  const tokens = list.split(",").map((t) => t.trim().toLowerCase()).filter((t) => t !== "");
  const valid = new Set(caseTokens());
  const unknown = tokens.filter((t) => !valid.has(t));
  if (unknown.length > 0) {
    throw new RangeError(
      `Cannot select cases "${unknown.join(",")}": use any of ${caseTokens().join(", ")}`,
    );
  }
  const wanted = new Set(tokens);
  const groups = GROUPS.map((g) => ({
    ...g,
    tests: g.tests.filter((t) =>
      wanted.has(g.id) || wanted.has(t.id) || wanted.has(`${t.id}-${g.id}`)
    ),
  })).filter((g) => g.tests.length > 0);
  const sections = new Set(SECTIONS.filter((s) => wanted.has(s)));
  return { groups, sections };
}
