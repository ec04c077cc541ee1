/**
 * Reply printing, checked against what redis-cli 7.0.15 prints for the same RESP bytes
 * (captured with `redis-cli --no-raw` for the terminal style and a pipe for the raw style).
 */
import { assertEquals } from "../../helpers/assert.ts";
import { formatReply, quoteBytes } from "../../../src/cli/format_reply.ts";
import { parseReplyTree } from "../../../src/cli/reply_tree.ts";

function tty(resp: string): string {
  return formatReply(parseReplyTree(Uint8Array.from(resp, (c) => c.charCodeAt(0))), "tty");
}

function raw(resp: string): string {
  return formatReply(parseReplyTree(Uint8Array.from(resp, (c) => c.charCodeAt(0))), "raw");
}

Deno.test("scalar replies print as redis-cli prints them on a terminal", () => {
  assertEquals(tty("+OK\r\n"), "OK\n");
  assertEquals(
    tty("-ERR wrong number of arguments for 'get' command\r\n"),
    "(error) ERR wrong number of arguments for 'get' command\n",
  );
  assertEquals(tty(":5\r\n"), "(integer) 5\n");
  assertEquals(tty("$-1\r\n"), "(nil)\n");
  assertEquals(tty("_\r\n"), "(nil)\n");
  assertEquals(tty(",3.141\r\n"), "(double) 3.141\n");
  assertEquals(tty("#t\r\n"), "(true)\n");
  assertEquals(tty("#f\r\n"), "(false)\n");
  assertEquals(tty("(12345678901234567890\r\n"), "(big number) 12345678901234567890\n");
  assertEquals(tty("=23\r\ntxt:This is verbatim\nok\r\n"), "This is verbatim\nok\n");
});

Deno.test("bulk strings are quoted with escapes for special and non-ASCII bytes", () => {
  assertEquals(tty('$7\r\nh"i\\n\xc3\xa9\r\n'), '"h\\"i\\\\n\\xc3\\xa9"\n');
  assertEquals(quoteBytes("\n\r\t\x07\x08\x00\x7f ~"), '"\\n\\r\\t\\a\\b\\x00\\x7f ~"');
});

Deno.test("arrays are numbered and nested arrays indented", () => {
  assertEquals(tty("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"), '1) "a"\n2) "b"\n3) "c"\n');
  assertEquals(tty("*0\r\n"), "(empty array)\n");
  assertEquals(tty("~0\r\n"), "(empty set)\n");
  assertEquals(tty("%0\r\n"), "(empty hash)\n");
  assertEquals(
    tty("*2\r\n*2\r\n$1\r\nm\r\n,1.5\r\n*2\r\n$1\r\nn\r\n,2\r\n"),
    '1) 1) "m"\n   2) (double) 1.5\n2) 1) "n"\n   2) (double) 2\n',
  );
  const ten = "*10\r\n" + "$1\r\nx\r\n".repeat(9) + "*2\r\n:1\r\n:2\r\n";
  assertEquals(
    tty(ten),
    ' 1) "x"\n'.repeat(1) +
      [2, 3, 4, 5, 6, 7, 8, 9].map((i) => ` ${i}) "x"\n`).join("") +
      "10) 1) (integer) 1\n    2) (integer) 2\n",
  );
});

Deno.test("maps and sets print with # and ~ and nested maps start on their own line", () => {
  assertEquals(
    tty("%2\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n"),
    '1# "f1" => "v1"\n2# "f2" => "v2"\n',
  );
  assertEquals(tty("~3\r\n:0\r\n:1\r\n:2\r\n"), "1~ (integer) 0\n2~ (integer) 1\n3~ (integer) 2\n");
  assertEquals(
    tty(
      "%1\r\n$3\r\nget\r\n%2\r\n$7\r\nsummary\r\n$3\r\nGet\r\n$4\r\nargs\r\n*1\r\n%1\r\n$4\r\nname\r\n$3\r\nkey\r\n",
    ),
    '1# "get" => \n   1# "summary" => "Get"\n   2# "args" => 1) 1# "name" => "key"\n',
  );
  assertEquals(
    tty("%1\r\n$7\r\nmodules\r\n*0\r\n"),
    '1# "modules" => (empty array)\n',
  );
});

Deno.test("raw style prints bare values, one item per line", () => {
  assertEquals(raw("$3\r\nh\xc3\xa9\r\n"), "h\xc3\xa9\n");
  assertEquals(raw("$-1\r\n"), "\n");
  assertEquals(raw(":2\r\n"), "2\n");
  assertEquals(raw("*0\r\n"), "\n");
  assertEquals(raw("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"), "a\nb\nc\n");
  assertEquals(raw("%2\r\n$2\r\nf1\r\n$2\r\nv1\r\n$7\r\nmodules\r\n*0\r\n"), "f1 v1\nmodules \n");
  assertEquals(raw("-ERR no\r\n"), "ERR no\n\n");
  assertEquals(raw(",1.5\r\n"), "1.5\n");
  assertEquals(raw("#t\r\n"), "(true)\n");
});

Deno.test("attributes before a reply are skipped", () => {
  assertEquals(tty("|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n"), '"v"\n');
});
