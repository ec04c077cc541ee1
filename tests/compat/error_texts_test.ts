/**
 * The dispatcher's refusals, byte for byte: clients match on these texts (ioredis falls back from
 * HELLO to RESP2 only when the error says "unknown command" and names HELLO). Each expected
 * reply is written out here, so the test runs without Redis; when redis-server is installed the
 * same requests are also sent to it, to prove the expectations are Redis's own.
 */
import { type Client, encodeCommand } from "../../src/client/mod.ts";
import { latin1ToBytes } from "../../src/protocol/latin1.ts";
import { compatSkipReason, withCompatServer } from "../helpers/compat_server.ts";
import { redisAvailable, startRedis } from "../helpers/redis_process.ts";
import { escapeBytes } from "./reply_compare.ts";

const skipReason = compatSkipReason();
if (skipReason) console.log(`Skipping the error text tests: ${skipReason}`);
if (!redisAvailable()) {
  console.log("Error texts are checked against the written expectations only: no redis-server");
}

const a128 = "a".repeat(128);

/** [request (one-byte strings), the error line Redis sends without "-" and CRLF]. */
const UNKNOWN_COMMANDS: [string[], string][] = [
  [["FOO"], "ERR unknown command 'FOO', with args beginning with: "],
  [["foo", "bar", "baz"], "ERR unknown command 'foo', with args beginning with: 'bar' 'baz' "],
  [["HELO", "3"], "ERR unknown command 'HELO', with args beginning with: '3' "],
  [["", ""], "ERR unknown command '', with args beginning with: '' "],
  [["x\r\ny", "a\nb"], "ERR unknown command 'x  y', with args beginning with: 'a b' "],
  [["caf\xc3\xa9", "\xff"], "ERR unknown command 'caf\xc3\xa9', with args beginning with: '\xff' "],
  // The name is cut at 128 bytes, and arguments stop once 128 bytes of them were quoted.
  [["n".repeat(200)], `ERR unknown command '${"n".repeat(128)}', with args beginning with: `],
  [["FOO", a128 + "bbb", "c"], `ERR unknown command 'FOO', with args beginning with: '${a128}' `],
  [
    ["FOO", "x".repeat(100), "y".repeat(100), "z"],
    `ERR unknown command 'FOO', with args beginning with: '${"x".repeat(100)}' '${
      "y".repeat(25)
    }' `,
  ],
];

const WRONG_ARITY: [string[], string][] = [
  [["GET"], "ERR wrong number of arguments for 'get' command"],
  [["get", "a", "b"], "ERR wrong number of arguments for 'get' command"],
  [["SET", "a"], "ERR wrong number of arguments for 'set' command"],
  [["PING", "a", "b"], "ERR wrong number of arguments for 'ping' command"],
  [["ECHO"], "ERR wrong number of arguments for 'echo' command"],
  [["DEL"], "ERR wrong number of arguments for 'del' command"],
  [["EXISTS"], "ERR wrong number of arguments for 'exists' command"],
  [["INCRBY", "a"], "ERR wrong number of arguments for 'incrby' command"],
  [["MSET", "a"], "ERR wrong number of arguments for 'mset' command"],
  [["MSET", "a", "b", "c"], "ERR wrong number of arguments for 'mset' command"],
  [["EXPIRE", "a"], "ERR wrong number of arguments for 'expire' command"],
  [["TTL"], "ERR wrong number of arguments for 'ttl' command"],
  [["SELECT"], "ERR wrong number of arguments for 'select' command"],
  [["DBSIZE", "x"], "ERR wrong number of arguments for 'dbsize' command"],
  [["CLIENT"], "ERR wrong number of arguments for 'client' command"],
  [["CLIENT", "SETNAME"], "ERR wrong number of arguments for 'client|setname' command"],
  [["CONFIG", "GET"], "ERR wrong number of arguments for 'config|get' command"],
  [["CONFIG", "SET", "maxclients"], "ERR wrong number of arguments for 'config|set' command"],
];

const UNKNOWN_SUBCOMMANDS: [string[], string][] = [
  [["CLIENT", "NOSUCH"], "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP."],
  [["client", "nosuch", "x"], "ERR unknown subcommand 'nosuch'. Try CLIENT HELP."],
  [["CONFIG", "NOSUCH"], "ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP."],
  [["COMMAND", "NOSUCH"], "ERR unknown subcommand 'NOSUCH'. Try COMMAND HELP."],
];

/** The exact bytes of the reply to `args`, as a one-byte string. */
async function replyTo(client: Client, args: string[]): Promise<string> {
  await client.writeRaw(encodeCommand(args.map(latin1ToBytes)));
  const { raw } = await client.readDecoded();
  return String.fromCharCode(...raw);
}

/** Sends every case to the server (and to Redis when present) and reports every wrong reply. */
async function checkRefusals(cases: [string[], string][]): Promise<void> {
  const reference = redisAvailable() ? await startRedis() : null;
  const wrong: string[] = [];
  try {
    await withCompatServer(async (server) => {
      const client = await server.connect();
      const redis = await reference?.connect();
      try {
        for (const [args, line] of cases) {
          const shown = (text: string) => escapeBytes(latin1ToBytes(text));
          const expected = shown(`-${line}\r\n`);
          const request = shown(args.join(" "));
          if (redis) {
            const fromRedis = shown(await replyTo(redis, args));
            if (fromRedis !== expected) {
              wrong.push(`${request}\n  expected: ${expected}\n  redis:    ${fromRedis}`);
            }
          }
          const actual = shown(await replyTo(client, args));
          if (actual !== expected) {
            wrong.push(`${request}\n  expected: ${expected}\n  ${server.kind}:   ${actual}`);
          }
        }
      } finally {
        client.close();
        redis?.close();
      }
    });
  } finally {
    await reference?.stop();
  }
  if (wrong.length > 0) {
    throw new Error(`${wrong.length} replies differ from Redis's text:\n${wrong.join("\n")}`);
  }
}

Deno.test({
  name: "an unknown command is refused with Redis's text, quoting the name and first arguments",
  ignore: skipReason !== null,
  fn: () => checkRefusals(UNKNOWN_COMMANDS),
});

Deno.test({
  name: "a command with the wrong number of arguments is refused with Redis's text",
  ignore: skipReason !== null,
  fn: () => checkRefusals(WRONG_ARITY),
});

Deno.test({
  name: "an unknown subcommand is refused with Redis's text naming the container's HELP",
  ignore: skipReason !== null,
  fn: () => checkRefusals(UNKNOWN_SUBCOMMANDS),
});
