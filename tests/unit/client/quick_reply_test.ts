/**
 * quickReply decodes a lone scalar frame exactly as the RESP decoder does, and leaves anything
 * else (aggregates, pushes, two frames, a cut or malformed frame) to it.
 */
import { assertEquals } from "../../helpers/assert.ts";
import { quickReply } from "../../../src/client/quick_reply.ts";
import { RespDecoder } from "../../../src/client/resp_decoder.ts";

const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

function decoded(text: string) {
  const decoder = new RespDecoder();
  decoder.push(bytes(text));
  return decoder.nextValue();
}

Deno.test("a lone scalar frame decodes as the RESP decoder decodes it", () => {
  const long = "x".repeat(300);
  const binary = String.fromCharCode(0, 13, 10, 255, 128);
  for (
    const frame of [
      "+OK\r\n",
      "+\r\n",
      "-ERR wrong number of arguments for 'get' command\r\n",
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
      ":0\r\n",
      ":42\r\n",
      ":-7\r\n",
      ":9007199254740991\r\n",
      "$0\r\n\r\n",
      "$5\r\nhello\r\n",
      `$${binary.length}\r\n${binary}\r\n`,
      `$${long.length}\r\n${long}\r\n`,
      "$-1\r\n",
      "_\r\n",
    ]
  ) {
    assertEquals(quickReply(bytes(frame)), decoded(frame), JSON.stringify(frame));
  }
});

Deno.test("anything but one whole scalar frame is left to the decoder", () => {
  for (
    const frame of [
      "*1\r\n$1\r\na\r\n", // an array
      ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n", // a push
      "%0\r\n", // a map
      ",1.5\r\n", // a double
      "#t\r\n", // a boolean
      "(123\r\n", // a big number
      ":12345678901234567890\r\n", // past 2^53: a bigint
      "+OK\r\n+OK\r\n", // two frames
      "$5\r\nhel\r\n", // a cut bulk
      "$5\r\nhello\r\n:1\r\n", // a bulk and more
      "$x\r\nhello\r\n", // a malformed length
      ":1a\r\n",
      "+OK", // no CRLF
      "",
    ]
  ) {
    assertEquals(quickReply(bytes(frame)), undefined, JSON.stringify(frame));
  }
});
