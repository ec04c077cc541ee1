/** A keyed score tree's key column is in the sorted set's memory account. */
import { assertEquals } from "../../../helpers/assert.ts";
import { ZSetValue } from "../../../../src/store/types/zset.ts";

Deno.test("a leaderboard's keyed tree counts its key column: about 13 bytes a member more", () => {
  const members = Array.from({ length: 20_000 }, (_, i) => `player:${String(i).padStart(12, "0")}`);
  const leaderboard = new ZSetValue();
  const distinct = new ZSetValue();
  // The same members; integer scores on both (no boxed numbers), tied on one side only.
  for (let i = 0; i < members.length; i++) {
    const at = (i * 7919) % members.length;
    leaderboard.set(members[at], at % 30);
    distinct.set(members[at], at);
  }
  const extra = (leaderboard.memoryBytes() - distinct.memoryBytes()) / members.length;
  assertEquals(extra > 10 && extra < 16, true, `${extra} bytes a member`);
});
