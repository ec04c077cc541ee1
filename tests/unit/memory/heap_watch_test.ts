import { assertEquals, assertOk } from "../../helpers/assert.ts";
import {
  HeapWatch,
  MIN_INTERVAL_MS,
  MIN_MARGIN_BYTES,
  PAUSE_SPACING,
} from "../../../src/memory/heap_watch.ts";

const MB = 1024 * 1024;

/** A heap of `heap` bytes whose collections take `pauseMs` of a clock the test moves. */
function fakeRuntime(heap: number, pauseMs: number) {
  const runtime = {
    heap,
    now: 0,
    collections: 0,
    watch: null as unknown as HeapWatch,
  };
  runtime.watch = new HeapWatch({
    collect: () => {
      runtime.collections++;
      runtime.now += pauseMs;
    },
    heapBytes: () => runtime.heap,
    timer: () => runtime.now,
  });
  return runtime;
}

Deno.test("heap watch: nothing without a limit, or without a way to collect", () => {
  const runtime = fakeRuntime(10_000 * MB, 1);
  assertEquals(runtime.watch.check(0, Infinity), false);
  assertEquals(runtime.collections, 0);
  const blind = new HeapWatch({ collect: null, heapBytes: () => 10_000 * MB });
  assertEquals(blind.available, false);
  assertEquals(blind.check(0, 64 * MB), false);
});

Deno.test("heap watch: collects past the margin, the larger of 32 MB and half the limit", () => {
  const runtime = fakeRuntime(0, 1);
  const accounted = 40 * MB;
  // A small limit: the margin is MIN_MARGIN_BYTES.
  runtime.heap = accounted + MIN_MARGIN_BYTES;
  assertEquals(runtime.watch.check(accounted, 16 * MB), false);
  runtime.heap++;
  assertEquals(runtime.watch.check(accounted, 16 * MB), true);
  // A big limit: the margin is the limit.
  runtime.now += 10_000;
  runtime.heap = accounted + 256 * MB;
  assertEquals(runtime.watch.check(accounted, 512 * MB), false);
  runtime.heap++;
  assertEquals(runtime.watch.check(accounted, 512 * MB), true);
  assertEquals(runtime.collections, 2);
  assertEquals(runtime.watch.requests, 2);
});

Deno.test("heap watch: a short collection is followed by none for MIN_INTERVAL_MS", () => {
  const runtime = fakeRuntime(1000 * MB, 2);
  assertEquals(runtime.watch.check(0, 64 * MB), true);
  assertEquals(runtime.watch.lastPauseMs, 2);
  runtime.now += MIN_INTERVAL_MS - 1;
  assertEquals(runtime.watch.check(0, 64 * MB), false);
  runtime.now += 1;
  assertEquals(runtime.watch.check(0, 64 * MB), true);
});

Deno.test("heap watch: a long collection is followed by none for PAUSE_SPACING times as long", () => {
  const pauseMs = 400; // a big heap
  const runtime = fakeRuntime(100_000 * MB, pauseMs);
  assertEquals(runtime.watch.check(0, 4096 * MB), true);
  runtime.now += PAUSE_SPACING * pauseMs - 1;
  assertEquals(runtime.watch.check(0, 4096 * MB), false);
  runtime.now += 1;
  assertEquals(runtime.watch.check(0, 4096 * MB), true);
  // Over a long stretch, collections take at most 1 / (PAUSE_SPACING + 1) of the time.
  const start = runtime.now;
  for (let tick = 0; tick < 10_000; tick++) {
    runtime.now += 100;
    runtime.watch.check(0, 4096 * MB);
  }
  const share = (runtime.collections - 2) * pauseMs / (runtime.now - start);
  assertOk(share <= 1 / (PAUSE_SPACING + 1) + 0.001, `share ${share}`);
});
