/**
 * The wire protocol over real TCP: inline commands as telnet sends them, binary-safe RESP2
 * multibulk, pipelining, RESP3 after HELLO 3, and the protocol errors after which the
 * connection closes, compared byte for byte with redis-server where it is installed.
 */
import { assertEquals, assertOk } from "../helpers/assert.ts";
import { type HermesProcess, startHermes } from "../helpers/hermes_process.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { exchange, RawSocket } from "../helpers/raw_socket.ts";
import { toBytes } from "../../src/client/mod.ts";

/** Runs `fn` against one Hermes server shared by the steps of a test. */
async function withServer(
  fn: (server: HermesProcess) => Promise<void>,
  args: string[] = [],
): Promise<void> {
  const server = await startHermes(args);
  try {
    await fn(server);
  } finally {
    await server.stop();
    await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  }
}

function multibulk(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
}

const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));

Deno.test("inline commands understand quotes, escapes, empty lines and bare newlines", async () => {
  await withServer(async (server) => {
    const socket = await RawSocket.connect(server.port);
    await socket.write(
      'SET "a b" "c\\x41d"\r\n\r\n\n  \r\nGET "a b"\nSET \'it\\\'s\' "tab\\there"\r\nGET "it\'s"\r\n',
    );
    assertEquals(
      await socket.readBytes(5 + 9 + 5 + 14),
      "+OK\r\n$3\r\ncAd\r\n+OK\r\n$8\r\ntab\there\r\n",
    );
    // The inline values are the same keys a RESP client sees.
    const client = await server.connect();
    assertEquals(await client.send("GET", "a b"), "cAd");
    assertEquals(await client.send("GET", "it's"), "tab\there");
    client.close();
    socket.close();
  });
});

Deno.test("unbalanced quotes answer the protocol error after earlier replies, then close", async () => {
  await withServer(async (server) => {
    const { reply, closed } = await exchange(server.port, 'PING\r\nSET a "b\r\nPING\r\n');
    assertEquals(reply, "+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n");
    assertOk(closed, "the connection stayed open");
    const client = await server.connect();
    assertEquals(await client.send("PING"), "PONG");
    client.close();
  });
});

Deno.test("every byte value round-trips in keys and values", async () => {
  await withServer(async (server) => {
    const client = await server.connect();
    const sets: string[][] = [];
    for (let b = 0; b < 256; b++) {
      const c = String.fromCharCode(b);
      sets.push(["SET", `k${c}`, `${c}v${c}`]);
    }
    sets.push(["SET", ALL_BYTES, ALL_BYTES + ALL_BYTES]);
    // Send raw bytes, so nothing is UTF-8 encoded on the way.
    const replies = await client.pipeline(sets.map((argv) => argv.map(toBytes)));
    assertEquals(replies, sets.map(() => "OK"));
    const gets = sets.map((argv) => ["GET", argv[1]].map(toBytes));
    assertEquals(await client.pipeline(gets), sets.map((argv) => argv[2]));
    assertEquals(await client.send("STRLEN", toBytes(ALL_BYTES)), 512);
    client.close();
  });
});

Deno.test("many pipelined commands in one write are all answered in order", async () => {
  await withServer(async (server) => {
    const socket = await RawSocket.connect(server.port);
    let request = "";
    let expected = "";
    for (let i = 0; i < 3000; i++) {
      if (i % 3 === 0) {
        request += multibulk("SET", `key:${i}`, `value:${i}`);
        expected += "+OK\r\n";
      } else if (i % 3 === 1) {
        request += multibulk("GET", `key:${i - 1}`);
        const value = `value:${i - 1}`;
        expected += `$${value.length}\r\n${value}\r\n`;
      } else {
        request += `ECHO inline:${i}\r\n`; // inline and multibulk mixed in one stream
        expected += `$${`inline:${i}`.length}\r\ninline:${i}\r\n`;
      }
    }
    await socket.write(request);
    assertEquals(await socket.readBytes(expected.length), expected);
    socket.close();
  });
});

Deno.test("a request split into single bytes is answered once complete", async () => {
  await withServer(async (server) => {
    const socket = await RawSocket.connect(server.port);
    const request = multibulk("SET", "dribbled", "v\r\nx") + 'ECHO "one two"\r\n';
    for (const byte of request) await socket.write(byte);
    assertEquals(await socket.readBytes(5 + 13), "+OK\r\n$7\r\none two\r\n");
    socket.close();
  });
});

Deno.test("replies are RESP3 after HELLO 3 and RESP2 again after HELLO 2", async () => {
  await withServer(async (server) => {
    const socket = await RawSocket.connect(server.port);
    await socket.write(multibulk("GET", "missing"));
    assertEquals(await socket.readBytes(5), "$-1\r\n");
    await socket.write(multibulk("HELLO", "3"));
    const hello = await socket.readUntil((r) => r.includes("modules\r\n*0\r\n"));
    assertOk(hello.startsWith("%7\r\n"), hello);
    await socket.write(multibulk("GET", "missing"));
    assertEquals(await socket.readBytes(3), "_\r\n");
    await socket.write(multibulk("HELLO", "2"));
    const back = await socket.readUntil((r) => r.includes("modules\r\n*0\r\n"));
    assertOk(back.startsWith("*14\r\n"), back);
    await socket.write(multibulk("GET", "missing"));
    assertEquals(await socket.readBytes(5), "$-1\r\n");
    socket.close();
  });
});

/** Requests after which both servers answer a protocol error and close. */
const PROTOCOL_ERRORS: [name: string, request: string][] = [
  ["unbalanced quotes", 'SET a "b\r\n'],
  ["a quote closed mid-word", "ECHO 'a'b\r\n"],
  ["an inline line past 64 KB", "A".repeat(80_000)],
  ["a non-number count", "*x\r\n"],
  ["a count with a plus sign", "*+1\r\n"],
  ["a count of minus zero", "*-0\r\n"],
  ["a count past 2^31", "*2147483648\r\n"],
  ["a non-number bulk length", "*1\r\n$x\r\n"],
  ["a negative bulk length", "*1\r\n$-1\r\n"],
  ["a bulk length past 512 MB", "*1\r\n$536870913\r\n"],
  ["another type where a bulk belongs", "*1\r\nX4\r\nPING\r\n"],
  ["a nested array", "*2\r\n$4\r\nECHO\r\n*1\r\n$1\r\na\r\n"],
  ["a count line past 64 KB", "*" + "1".repeat(70_000)],
  ["a bulk length line past 64 KB", "*1\r\n$" + "1".repeat(70_000)],
];

Deno.test("protocol errors are answered with Redis's exact bytes and the connection closes", async () => {
  const expected: Record<string, string> = {
    "unbalanced quotes": "unbalanced quotes in request",
    "a quote closed mid-word": "unbalanced quotes in request",
    "an inline line past 64 KB": "too big inline request",
    "a non-number count": "invalid multibulk length",
    "a count with a plus sign": "invalid multibulk length",
    "a count of minus zero": "invalid multibulk length",
    "a count past 2^31": "invalid multibulk length",
    "a non-number bulk length": "invalid bulk length",
    "a negative bulk length": "invalid bulk length",
    "a bulk length past 512 MB": "invalid bulk length",
    "another type where a bulk belongs": "expected '$', got 'X'",
    "a nested array": "expected '$', got '*'",
    "a count line past 64 KB": "too big mbulk count string",
    "a bulk length line past 64 KB": "too big bulk count string",
  };
  await withServer(async (server) => {
    for (const [name, request] of PROTOCOL_ERRORS) {
      const { reply, closed } = await exchange(server.port, "PING\r\n" + request, 2000);
      assertEquals(reply, `+PONG\r\n-ERR Protocol error: ${expected[name]}\r\n`, name);
      assertOk(closed, `${name}: the connection stayed open`);
    }
    const client = await server.connect();
    assertEquals(await client.send("PING"), "PONG");
    client.close();
  });
});

Deno.test("protocol errors match redis-server byte for byte", async (t) => {
  if (!redisAvailable()) {
    console.log("skipped: redis-server is not installed");
    return;
  }
  const redis = await startRedis();
  try {
    await withServer(async (server) => {
      for (const [name, request] of PROTOCOL_ERRORS) {
        await t.step(name, async () => {
          const ours = await exchange(server.port, "PING\r\n" + request, 2000);
          const theirs = await exchange(redis.port, "PING\r\n" + request, 2000);
          assertEquals(ours, theirs);
        });
      }
    });
  } finally {
    await redis.stop();
  }
});

Deno.test("requests that are merely incomplete are waited for, as by redis-server", async () => {
  const incomplete = [
    "*1048576\r\n",
    "*1\r\n$536870912\r\n",
    "*2\r\n$4\r\nECHO\r\n$3\r\nab",
    "PING",
    "*1\r\n$4",
  ];
  const servers: { name: string; port: number; stop(): Promise<unknown> }[] = [];
  const hermes = await startHermes();
  servers.push({ name: "hermes", port: hermes.port, stop: () => hermes.stop() });
  if (redisAvailable()) {
    const redis = await startRedis();
    servers.push({ name: "redis", port: redis.port, stop: () => redis.stop() });
  } else {
    console.log("redis-server is not installed: checking Hermes alone");
  }
  try {
    for (const { name, port } of servers) {
      for (const request of incomplete) {
        const { reply, closed } = await exchange(port, request, 300);
        assertEquals({ reply, closed }, { reply: "", closed: false }, `${name} ${request}`);
      }
    }
  } finally {
    for (const server of servers) await server.stop();
    await Deno.remove(hermes.dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("empty and negative multibulk counts are skipped without a reply", async () => {
  await withServer(async (server) => {
    const socket = await RawSocket.connect(server.port);
    await socket.write("*0\r\n*-1\r\n*-5\r\n\r\n\nPING\r\n");
    assertEquals(await socket.readBytes(7), "+PONG\r\n");
    // The trailing CRLF of a bulk is skipped without being checked, as Redis does.
    await socket.write("*1\r\n$4\r\nPINGxx*2\r\n$4\r\nECHO\r\n$0\r\n\r\n");
    assertEquals(await socket.readBytes(7 + 6), "+PONG\r\n$0\r\n\r\n");
    socket.close();
  });
});

Deno.test("lowered limits give the same errors at the configured sizes", async () => {
  await withServer(async (server) => {
    const cases: [string, string][] = [
      ["ECHO " + "x".repeat(200) + "\r\n", "too big inline request"],
      ["*17\r\n", "invalid multibulk length"],
      ["*2\r\n$4\r\nECHO\r\n$2049\r\n", "invalid bulk length"],
    ];
    for (const [request, message] of cases) {
      const { reply, closed } = await exchange(server.port, request, 2000);
      assertEquals(reply, `-ERR Protocol error: ${message}\r\n`, request.slice(0, 20));
      assertOk(closed);
    }
    // Right at the limits everything works.
    const client = await server.connect();
    assertEquals(await client.send("ECHO", "v".repeat(2048)), "v".repeat(2048));
    const fifteenKeys = Array.from({ length: 15 }, (_, i) => `key${i}`);
    assertEquals(await client.send("DEL", ...fifteenKeys), 0);
    client.close();
    const { reply } = await exchange(server.port, "ECHO " + "x".repeat(123) + "\r\n");
    assertEquals(reply, `$123\r\n${"x".repeat(123)}\r\n`);
  }, ["--max-inline", "128", "--max-args", "16", "--max-bulk", "2048"]);
});

Deno.test("CONFIG SET changes the protocol limits for connections already open", async () => {
  await withServer(async (server) => {
    const admin = await server.connect();
    const socket = await RawSocket.connect(server.port);
    await socket.write(multibulk("ECHO", "x".repeat(3000)));
    assertEquals((await socket.readBytes(3000 + 9)).length, 3009);
    assertEquals(await admin.send("CONFIG", "SET", "max-bulk", "2048"), "OK");
    await socket.write(multibulk("ECHO", "x".repeat(3000)));
    assertEquals(
      await socket.readUntilClosed(),
      "-ERR Protocol error: invalid bulk length\r\n",
    );
    admin.close();
  });
});
