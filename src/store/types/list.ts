/**
 * Lists, stored as a {@linkcode QuickList}. Redis 7.0 reports every list as `quicklist`
 * (its listpack encoding for small lists came in 7.2), and so does Hermes: a small list is a
 * quicklist of one small node.
 *
 * Ops (codes 20-39), each a Redis write applied exactly as Redis applies it: LPUSH (20), RPUSH
 * (21), LPOP key count (22), RPOP key count (23), LSET (24), LINSERT (25), LREM (26), LTRIM
 * (27). LMOVE, BLMOVE and RPOPLPUSH are written as a pop and a push in one record.
 */
import type { CollectionType, OpSpec } from "../ops.ts";
import { type Collection, snapshotEpoch } from "../value.ts";
import { entryEquals, QuickList, readForward, type Span } from "./quicklist.ts";
import { objectBytes } from "../../memory/costs.ts";

export class ListValue implements Collection {
  /** On the prototype, not in every object: a million small hashes save a field each. */
  get type(): "list" {
    return "list";
  }
  epoch = snapshotEpoch.current;
  items = new QuickList();

  get size(): number {
    return this.items.size;
  }

  encoding(): string {
    return "quicklist";
  }

  memoryBytes(): number {
    return objectBytes(3) + this.items.memoryBytes();
  }

  clone(): ListValue {
    const copy = new ListValue();
    copy.items = this.items.clone();
    return copy;
  }
}

/** Index of the first element equal to `value` (scanning from the head), or -1. */
export function indexOfElement(items: QuickList, value: string): number {
  let found = -1;
  const span: Span = { start: 0, end: 0 };
  items.walk(false, (index, node, start, end) => {
    span.start = start;
    span.end = end;
    if (!entryEquals(node.buf, span, value)) return true;
    found = index;
    return false;
  });
  return found;
}

/**
 * The inclusive range [start, stop] that Redis's LRANGE/LTRIM take from possibly negative
 * indexes, or null when it is empty.
 */
export function clampRange(start: number, stop: number, size: number): [number, number] | null {
  if (start < 0) start += size;
  if (stop < 0) stop += size;
  if (start < 0) start = 0;
  if (start > stop || start >= size) return null;
  if (stop >= size) stop = size - 1;
  return [start, stop];
}

/**
 * LREM's removals: up to |count| elements equal to `value` (all when 0), from the head for a
 * positive count and from the tail for a negative one. Returns how many were removed.
 */
export function removeElements(items: QuickList, count: number, value: string): number {
  const fromTail = count < 0;
  const limit = count === 0 ? Infinity : Math.abs(count);
  const span: Span = { start: 0, end: 0 };
  const doomed: number[] = [];
  items.walk(fromTail, (index, node, start, end) => {
    span.start = start;
    span.end = end;
    if (entryEquals(node.buf, span, value)) doomed.push(index);
    return doomed.length < limit;
  });
  // Remove from the highest index down so earlier indexes stay valid.
  if (!fromTail) doomed.reverse();
  for (const index of doomed) items.removeAt(index);
  return doomed.length;
}

function asList(value: Collection | undefined): ListValue {
  return value === undefined ? new ListValue() : value as ListValue;
}

export const ListOp = {
  lpush: 20,
  rpush: 21,
  lpop: 22,
  rpop: 23,
  lset: 24,
  linsert: 25,
  lrem: 26,
  ltrim: 27,
} as const;

function popUndo(fromTail: boolean): OpSpec["undo"] {
  return (current, args) => {
    const items = (current as ListValue).items;
    const count = Math.min(Number(args[0]), items.size);
    // Taken in pop order, so they are pushed back newest-popped first.
    const taken: string[] = [];
    if (count > 0) {
      items.walk(fromTail, (_index, node, start, end) => {
        taken.push(node.text(start, end));
        return taken.length < count;
      });
    }
    return (after) => {
      const list = after as ListValue;
      for (let i = taken.length - 1; i >= 0; i--) {
        if (fromTail) list.items.pushTail(taken[i]);
        else list.items.pushHead(taken[i]);
      }
      return list;
    };
  };
}

export const LIST_OPS: OpSpec[] = [
  {
    code: ListOp.lpush,
    command: "lpush",
    type: "list",
    apply(current, args) {
      const list = asList(current);
      for (let i = 0; i < args.length; i++) list.items.pushHead(args[i]);
      return list;
    },
    undo: (_current, args) => (after) => {
      for (let i = 0; i < args.length; i++) (after as ListValue).items.popHead();
      return after;
    },
  },
  {
    code: ListOp.rpush,
    command: "rpush",
    type: "list",
    apply(current, args) {
      const list = asList(current);
      for (let i = 0; i < args.length; i++) list.items.pushTail(args[i]);
      return list;
    },
    undo: (_current, args) => (after) => {
      for (let i = 0; i < args.length; i++) (after as ListValue).items.popTail();
      return after;
    },
  },
  {
    code: ListOp.lpop,
    command: "lpop",
    type: "list",
    apply(current, args) {
      if (current === undefined) return undefined;
      const items = (current as ListValue).items;
      for (let n = Number(args[0]); n > 0 && items.size > 0; n--) items.popHead();
      return current;
    },
    undo: popUndo(false),
  },
  {
    code: ListOp.rpop,
    command: "rpop",
    type: "list",
    apply(current, args) {
      if (current === undefined) return undefined;
      const items = (current as ListValue).items;
      for (let n = Number(args[0]); n > 0 && items.size > 0; n--) items.popTail();
      return current;
    },
    undo: popUndo(true),
  },
  {
    code: ListOp.lset,
    command: "lset",
    type: "list",
    apply(current, args) {
      if (current === undefined) return undefined;
      const items = (current as ListValue).items;
      let index = Number(args[0]);
      if (index < 0) index += items.size;
      if (index >= 0 && index < items.size) items.set(index, args[1]);
      return current;
    },
    undo(current, args) {
      const items = (current as ListValue).items;
      let index = Number(args[0]);
      if (index < 0) index += items.size;
      if (index < 0 || index >= items.size) return (after) => after;
      const old = items.get(index);
      return (after) => {
        (after as ListValue).items.set(index, old);
        return after;
      };
    },
  },
  {
    code: ListOp.linsert,
    command: "linsert",
    type: "list",
    apply(current, args) {
      if (current === undefined) return undefined;
      const items = (current as ListValue).items;
      const pivot = indexOfElement(items, args[1]);
      if (pivot >= 0) items.insert(args[0].toUpperCase() === "AFTER" ? pivot + 1 : pivot, args[2]);
      return current;
    },
    undo(current, args) {
      const pivot = indexOfElement((current as ListValue).items, args[1]);
      if (pivot < 0) return (after) => after;
      const at = args[0].toUpperCase() === "AFTER" ? pivot + 1 : pivot;
      return (after) => {
        (after as ListValue).items.removeAt(at);
        return after;
      };
    },
  },
  {
    code: ListOp.lrem,
    command: "lrem",
    type: "list",
    apply(current, args) {
      if (current === undefined) return undefined;
      removeElements((current as ListValue).items, Number(args[0]), args[1]);
      return current;
    },
  },
  {
    code: ListOp.ltrim,
    command: "ltrim",
    type: "list",
    apply(current, args) {
      if (current === undefined) return undefined;
      const items = (current as ListValue).items;
      const range = clampRange(Number(args[0]), Number(args[1]), items.size);
      if (range === null) items.clear();
      else items.trim(range[0], range[1]);
      return current;
    },
    undo(current, args) {
      const items = (current as ListValue).items;
      const range = clampRange(Number(args[0]), Number(args[1]), items.size);
      if (range === null) {
        // clear() leaves the old nodes untouched: hand them back.
        const { nodes, size } = items;
        return (after) => {
          const list = after as ListValue;
          list.items.nodes = nodes;
          list.items.size = size;
          return list;
        };
      }
      // Only what is cut off is kept: LTRIM usually drops a few elements of a long list.
      const head: string[] = [];
      const tail: string[] = [];
      if (range[0] > 0) items.forRange(0, range[0] - 1, (n, a, b) => head.push(n.text(a, b)));
      if (range[1] < items.size - 1) {
        items.forRange(range[1] + 1, items.size - 1, (n, a, b) => tail.push(n.text(a, b)));
      }
      return (after) => {
        const list = (after as ListValue).items;
        for (let i = head.length - 1; i >= 0; i--) list.pushHead(head[i]);
        for (let i = 0; i < tail.length; i++) list.pushTail(tail[i]);
        return after;
      };
    },
  },
];

export const LIST_TYPE: CollectionType = {
  name: "list",
  *buildOps(value, chunkBytes) {
    const items = (value as ListValue).items;
    let args: string[] = [];
    let bytes = 0;
    for (const node of items.nodes) {
      // Decode a node at a time: the generator may be resumed after the list changed only if
      // the caller checked it did not (see snapshot_writer.ts).
      let at = node.head;
      const span: Span = { start: 0, end: 0 };
      while (at < node.tail) {
        at = readForward(node.buf, at, span);
        args.push(node.text(span.start, span.end));
        bytes += span.end - span.start + 2;
        if (bytes >= chunkBytes) {
          yield [ListOp.rpush, args];
          args = [];
          bytes = 0;
        }
      }
    }
    if (args.length > 0) yield [ListOp.rpush, args];
  },
};
