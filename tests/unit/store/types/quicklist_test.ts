import { assertEquals } from "../../../helpers/assert.ts";
import { QuickList } from "../../../../src/store/types/quicklist.ts";
import { clampRange, indexOfElement, removeElements } from "../../../../src/store/types/list.ts";
import { encodingLimits } from "../../../../src/store/types/limits.ts";
import { random } from "../../../helpers/random.ts";

function contents(list: QuickList): string[] {
  const out: string[] = [];
  if (list.size > 0) list.forRange(0, list.size - 1, (node, s, e) => out.push(node.text(s, e)));
  return out;
}

for (const nodeSetting of [3, -1, -2]) {
  Deno.test(`a quicklist with node size ${nodeSetting} matches an array model over random operations`, () => {
    const saved = encodingLimits.listMaxListpackSize;
    encodingLimits.listMaxListpackSize = nodeSetting;
    try {
      const rand = random(nodeSetting + 100);
      const list = new QuickList();
      const model: string[] = [];
      const value = () => {
        const r = rand();
        // Mostly short values, some over 127 bytes (long length form), some repeats for LREM.
        if (r < 0.05) return "L".repeat(128 + Math.floor(rand() * 300));
        if (r < 0.4) return `v${Math.floor(rand() * 8)}`;
        return `element:${Math.floor(rand() * 1e9)}\xff\x00`;
      };
      let ops = 0;
      for (let i = 0; i < 20000; i++) {
        const r = rand();
        if (r < 0.2) {
          const v = value();
          list.pushTail(v);
          model.push(v);
        } else if (r < 0.4) {
          const v = value();
          list.pushHead(v);
          model.unshift(v);
        } else if (r < 0.5) {
          assertEquals(list.popHead(), model.shift());
        } else if (r < 0.6) {
          assertEquals(list.popTail(), model.pop());
        } else if (r < 0.7 && model.length > 0) {
          const at = Math.floor(rand() * model.length);
          assertEquals(list.get(at), model[at]);
          const v = value();
          list.set(at, v);
          model[at] = v;
        } else if (r < 0.8) {
          const at = Math.floor(rand() * (model.length + 1));
          const v = value();
          list.insert(at, v);
          model.splice(at, 0, v);
        } else if (r < 0.87 && model.length > 0) {
          const at = Math.floor(rand() * model.length);
          list.removeAt(at);
          model.splice(at, 1);
        } else if (r < 0.93) {
          const target = `v${Math.floor(rand() * 8)}`;
          const count = Math.floor(rand() * 5) - 2;
          const removed = removeElements(list, count, target);
          let expected = 0;
          const limit = count === 0 ? Infinity : Math.abs(count);
          if (count >= 0) {
            for (let j = 0; j < model.length && expected < limit;) {
              if (model[j] === target) {
                model.splice(j, 1);
                expected++;
              } else j++;
            }
          } else {
            for (let j = model.length - 1; j >= 0 && expected < limit; j--) {
              if (model[j] === target) {
                model.splice(j, 1);
                expected++;
              }
            }
          }
          assertEquals(removed, expected);
        } else if (r < 0.96) {
          const target = `v${Math.floor(rand() * 8)}`;
          assertEquals(indexOfElement(list, target), model.indexOf(target));
        } else if (model.length > 0 && rand() < 0.3) {
          const start = Math.floor(rand() * model.length * 2) - model.length;
          const stop = Math.floor(rand() * model.length * 2) - model.length;
          const range = clampRange(start, stop, model.length);
          if (range === null) {
            list.clear();
            model.length = 0;
          } else {
            list.trim(range[0], range[1]);
            model.splice(range[1] + 1);
            model.splice(0, range[0]);
          }
        }
        assertEquals(list.size, model.length);
        ops++;
        if (i % 500 === 0) {
          assertEquals(contents(list), model);
          assertEquals(contents(list.clone()), model);
          for (const node of list.nodes) {
            if (node.count === 0) throw new Error("empty node kept");
          }
        }
      }
      assertEquals(contents(list), model);
      assertEquals(ops, 20000);
    } finally {
      encodingLimits.listMaxListpackSize = saved;
    }
  });
}
