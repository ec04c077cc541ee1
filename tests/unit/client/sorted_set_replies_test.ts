/**
 * The pure parts of the sorted set helpers: scores read from RESP2 text and RESP3 doubles,
 * members with scores read from flat arrays and pairs, and the arguments built from options.
 */
import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { score, scoreOrNull } from "../../../src/client/reply_values.ts";
import {
  combineArgs,
  rangeArgs,
  scoredMembers,
  scoreMemberArgs,
  zaddArgs,
} from "../../../src/client/commands/sorted_set_options.ts";
import type { RespValue } from "../../../src/client/resp_decoder.ts";

const asText = (item: RespValue) => String(item);

Deno.test("scores are read from RESP2 text, infinities included, and from RESP3 doubles", () => {
  assertEquals(score("inf"), Infinity);
  assertEquals(score("+inf"), Infinity);
  assertEquals(score("-inf"), -Infinity);
  assertEquals(score("1.0000000000000001e-300"), 1.0000000000000001e-300);
  assertEquals(score("0.30000000000000004"), 0.30000000000000004);
  assertEquals(score("-12"), -12);
  assertEquals(score(2.5), 2.5);
  assertEquals(score(-Infinity), -Infinity);
  assertEquals(scoreOrNull(null), null);
  assertThrows(() => score("not a number"), TypeError);
  assertThrows(() => score(""), TypeError);
  assertThrows(() => score(null), TypeError);
});

Deno.test("members with scores are read from flat RESP2 arrays and RESP3 pairs alike", () => {
  const expected = [{ member: "a", score: 1 }, { member: "b", score: Infinity }];
  assertEquals(scoredMembers(["a", "1", "b", "inf"], asText), expected);
  assertEquals(scoredMembers([["a", 1], ["b", Infinity]], asText), expected);
  assertEquals(scoredMembers(new Set<RespValue>(["a", "1", "b", "inf"]), asText), expected);
  assertEquals(scoredMembers([], asText), []);
  assertThrows(() => scoredMembers("a", asText), TypeError);
});

Deno.test("ZADD members become score-member arguments from objects, pairs and scored members", () => {
  const bytes = new Uint8Array([0, 255]);
  assertEquals(scoreMemberArgs({ ada: 10, eve: -Infinity }), [10, "ada", "-inf", "eve"]);
  assertEquals(scoreMemberArgs([["ada", 1.5], { member: bytes, score: Infinity }]), [
    1.5,
    "ada",
    "+inf",
    bytes,
  ]);
  assertEquals(scoreMemberArgs(new Map([["m", 2]])), [2, "m"]);
  assertThrows(() => scoreMemberArgs({}), TypeError);
  assertThrows(() => scoreMemberArgs([]), TypeError);
  assertEquals(zaddArgs({ xx: true, gt: true, ch: true, incr: true }), ["XX", "GT", "CH", "INCR"]);
  assertEquals(zaddArgs({}), []);
});

Deno.test("range and combine options become Redis's words in Redis's order", () => {
  assertEquals(rangeArgs(0, -1, {}), [0, -1]);
  assertEquals(
    rangeArgs(Infinity, "(1", {
      by: "SCORE",
      rev: true,
      limit: { offset: 2, count: 5 },
      withScores: true,
    }),
    ["+inf", "(1", "BYSCORE", "REV", "LIMIT", 2, 5, "WITHSCORES"],
  );
  assertEquals(rangeArgs("[a", "+", { by: "LEX" }), ["[a", "+", "BYLEX"]);
  assertEquals(
    combineArgs(["a", "b"], { weights: [1, Infinity], aggregate: "MAX", withScores: true }),
    [2, "a", "b", "WEIGHTS", 1, "+inf", "AGGREGATE", "MAX", "WITHSCORES"],
  );
});
