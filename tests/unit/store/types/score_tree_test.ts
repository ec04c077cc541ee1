/**
 * The order-statistic B+ tree of big sorted sets against a sorted array: random inserts and
 * deletes that grow it to three levels and shrink it back (splits, merges and shares of leaves
 * and inner nodes), with ranks, walks in both directions and bound searches checked as it goes;
 * keyed trees (order keys past the members' shared prefix) against the strings' own order.
 */
import { assertEquals } from "../../../helpers/assert.ts";
import { memberKey, ScoreTree } from "../../../../src/store/types/score_tree.ts";
import { random } from "../../../helpers/random.ts";

type Element = [score: number, member: string];

const compare = (a: Element, b: Element) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

function insertSorted(model: Element[], element: Element): void {
  let low = 0;
  let high = model.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(model[mid], element) < 0) low = mid + 1;
    else high = mid;
  }
  model.splice(low, 0, element);
}

function walkAll(tree: ScoreTree, reverse: boolean): Element[] {
  const out: Element[] = [];
  tree.forRange(0, tree.size - 1, reverse, (member, score) => void out.push([score, member]));
  return out;
}

function checkAgainst(tree: ScoreTree, model: Element[], rand: () => number): number {
  assertEquals(tree.size, model.length);
  assertEquals(walkAll(tree, false), model);
  assertEquals(walkAll(tree, true), model.slice().reverse());
  let checks = 0;
  for (let n = 0; n < 50 && model.length > 0; n++) {
    const at = Math.floor(rand() * model.length);
    const [score, member] = model[at];
    assertEquals(tree.rank(score, member), at);
    assertEquals(tree.memberAt(at), member);
    assertEquals(tree.scoreAt(at), score);
    const min = Math.floor(rand() * 1000) - 10;
    const expected = model.findIndex(([s]) => s >= min);
    assertEquals(tree.firstRank((s) => s >= min), expected < 0 ? model.length : expected);
    const stop = Math.min(model.length - 1, at + Math.floor(rand() * 300));
    const part: Element[] = [];
    tree.forRange(at, stop, false, (m, s) => void part.push([s, m]));
    assertEquals(part, model.slice(at, stop + 1));
    checks++;
  }
  assertEquals(tree.rank(-1, "absent"), -1);
  return checks;
}

type Draw = (rand: () => number) => string;

/**
 * Random inserts and deletes (growing to 20,000 elements, shrinking, regrowing, emptying);
 * returns whether the tree was keyed once it first held 20,000.
 */
function checkRandomChanges(
  seed: number,
  drawMember: Draw,
  drawScore: (rand: () => number) => number,
): boolean {
  const rand = random(seed);
  const tree = new ScoreTree();
  const model: Element[] = [];
  const present = new Map<string, number>();
  let checks = 0;
  let operations = 0;
  const phases: [target: number, steps: number][] = [[20000, 40000], [500, 40000], [9000, 20000]];
  let keyed: boolean | null = null;
  for (const [target, steps] of phases) {
    if (target === 500) keyed = tree.keyed;
    for (let i = 0; i < steps; i++) {
      const grow = present.size < target ? rand() < 0.8 : rand() < 0.2;
      if (grow) {
        const member = drawMember(rand);
        if (present.has(member)) continue;
        const score = drawScore(rand);
        tree.insert(score, member);
        present.set(member, score);
        insertSorted(model, [score, member]);
      } else if (present.size > 0) {
        const at = Math.floor(rand() * model.length);
        const [score, member] = model[at];
        assertEquals(tree.delete(score, member), true);
        assertEquals(tree.delete(score, member), false);
        present.delete(member);
        model.splice(at, 1);
      }
      operations++;
      if (operations % 5000 === 0) checks += checkAgainst(tree, model, rand);
    }
    checks += checkAgainst(tree, model, rand);
  }
  while (model.length > 0) {
    const [score, member] = model.splice(Math.floor(rand() * model.length), 1)[0];
    assertEquals(tree.delete(score, member), true);
    if (model.length % 1000 === 0) checks += checkAgainst(tree, model, rand);
  }
  assertEquals(tree.size, 0);
  assertEquals(operations > 60000, true);
  assertEquals(checks > 1000, true);
  return keyed!;
}

Deno.test("random inserts and deletes keep the tree's order, ranks and bounds equal to a sorted array", () => {
  checkRandomChanges(
    7,
    (rand) => `m${Math.floor(rand() * 60000)}`,
    (rand) => rand() < 0.3 ? Math.floor(rand() * 20) : Math.floor(rand() * 1000),
  );
});

Deno.test("a leaderboard: members alike but for their last chars, scores mostly tied", () => {
  const keyed = checkRandomChanges(
    8,
    (rand) => `player:${String(Math.floor(rand() * 60000)).padStart(12, "0")}`,
    (rand) => Math.floor(rand() * 30),
  );
  assertEquals(keyed, true, "searches that keep meeting equal scores key the tree");
});

Deno.test("scores that almost never tie leave the tree unkeyed", () => {
  const keyed = checkRandomChanges(
    9,
    (rand) => `element:${Math.floor(rand() * 60000)}`,
    (rand) => Math.floor(rand() * 1e12) / 7,
  );
  assertEquals(keyed, false);
});

Deno.test("members of any bytes: prefixes of one another, empty, long, and chars 254 to 256", () => {
  const alphabet = ["a", "b", "\0", "\xfe", "\xff", "\u0100", "z"];
  checkRandomChanges(
    9,
    (rand) => {
      const roll = rand();
      let member = roll < 0.3
        ? "shared-prefix-of-many-members:"
        : roll < 0.4
        ? "x".repeat(300)
        : "";
      const length = Math.floor(rand() * 10);
      for (let i = 0; i < length; i++) member += alphabet[Math.floor(rand() * alphabet.length)];
      return member;
    },
    (rand) => Math.floor(rand() * 3),
  );
});

Deno.test("members whose shared prefix shrinks as the tree grows: keys are computed again", () => {
  // Each stage shares a shorter prefix with the ones before, at sizes past the free rekeys, so
  // the tree rekeys, then gives up its prefix (the last stages share nothing).
  const stages = ["a".repeat(40), "a".repeat(20) + "b", "a".repeat(8) + "c", "a", "z", ""];
  let drawn = 0;
  checkRandomChanges(
    12,
    (rand) => {
      const stage = stages[Math.min(stages.length - 1, Math.floor(drawn++ / 4000))];
      return stage + String(Math.floor(rand() * 50000));
    },
    (rand) => Math.floor(rand() * 4),
  );
});

Deno.test("order keys order members that share the prefix as their strings do", () => {
  const rand = random(13);
  const alphabet = ["", "\0", "a", "b", "\x7f", "\x80", "\xfe", "\xff", "\u0100", "\u0101"];
  const draw = (length: number) => {
    let text = "";
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
    return text;
  };
  let decided = 0;
  for (let n = 0; n < 20000; n++) {
    const prefix = draw(Math.floor(rand() * 4));
    const a = prefix + draw(Math.floor(rand() * 9));
    const b = prefix + draw(Math.floor(rand() * 9));
    const ka = memberKey(a, prefix.length);
    const kb = memberKey(b, prefix.length);
    if (ka === kb) continue; // the strings decide
    decided++;
    assertEquals(ka < kb, a < b, `${JSON.stringify(a)} ${JSON.stringify(b)}`);
  }
  assertEquals(decided > 15000, true);
});

Deno.test("a tree built from sorted elements answers like one built by inserts", () => {
  const rand = random(11);
  for (const count of [0, 1, 127, 128, 129, 200, 5000, 30000]) {
    const model: Element[] = [];
    for (let i = 0; i < count; i++) {
      model.push([Math.floor(i / 3), `k${String(i).padStart(6, "0")}`]);
    }
    const tree = ScoreTree.fromSorted(model.map((e) => e[1]), model.map((e) => e[0]));
    checkAgainst(tree, model, rand);
    // And it keeps working under changes.
    for (let i = 0; i < count; i += 2) {
      tree.delete(model[i][0], model[i][1]);
    }
    const left = model.filter((_, i) => i % 2 === 1);
    checkAgainst(tree, left, rand);
    // Members without the prefix the built ones share.
    for (let i = 0; i < Math.min(count, 2000); i++) {
      const element: Element = [Math.floor(i / 5), `other:${i}`];
      tree.insert(element[0], element[1]);
      insertSorted(left, element);
    }
    checkAgainst(tree, left, rand);
  }
});

Deno.test("appending in order fills leaves instead of leaving them half empty", () => {
  const tree = new ScoreTree();
  for (let i = 0; i < 10000; i++) tree.insert(i, "m");
  assertEquals(tree.size, 10000);
  let leaves = 0;
  let leaf: ReturnType<ScoreTree["leafAt"]> | null = tree.leafAt(0);
  while (leaf !== null) {
    leaves++;
    leaf = leaf.next;
  }
  assertEquals(leaves, Math.ceil(10000 / 128));
});
