import { assertEquals, assertMatch, assertOk } from "../../helpers/assert.ts";
import { LATENCY_SAMPLES, LatencyMonitor } from "../../../src/observe/latency_monitor.ts";
import {
  DOCTOR_DISABLED,
  DOCTOR_NO_SPIKES,
  latencyDoctor,
  latencyGraph,
} from "../../../src/observe/latency_report.ts";

function monitorAt(start: number): { monitor: LatencyMonitor; tick(seconds?: number): void } {
  let now = start;
  const monitor = new LatencyMonitor(() => now);
  return { monitor, tick: (seconds = 1) => void (now += seconds) };
}

Deno.test("the latency monitor ignores everything while its threshold is 0 or not reached", () => {
  const { monitor } = monitorAt(100);
  monitor.record("command", 500);
  assertEquals(monitor.events(), []);
  monitor.thresholdMs = 10;
  monitor.record("command", 9.9);
  assertEquals(monitor.events(), []);
  monitor.record("command", 10.7);
  assertEquals(monitor.event("command")!.samples, [{ timeSec: 100, ms: 10 }]);
});

Deno.test("spikes within one second keep the worst, and each event keeps its last 160", () => {
  const { monitor, tick } = monitorAt(1000);
  monitor.thresholdMs = 1;
  monitor.record("command", 50);
  monitor.record("command", 20);
  tick();
  monitor.record("command", 30);
  const event = monitor.event("command")!;
  assertEquals(event.samples, [{ timeSec: 1000, ms: 50 }, { timeSec: 1001, ms: 30 }]);
  assertEquals(event.maxMs, 50);
  for (let i = 0; i < 400; i++) {
    tick();
    monitor.record("command", 5 + i);
  }
  assertEquals(event.samples.length, LATENCY_SAMPLES);
  assertEquals(event.samples.at(-1)!.ms, 404);
  assertEquals(event.maxMs, 404);
});

Deno.test("RESET forgets the named events, or all, and says how many", () => {
  const { monitor } = monitorAt(1);
  monitor.thresholdMs = 1;
  for (const name of ["command", "fast-command", "expire-cycle"]) monitor.record(name, 5);
  assertEquals(monitor.reset(["command", "nosuch", "command"]), 1);
  assertEquals(monitor.events().map((e) => e.name), ["fast-command", "expire-cycle"]);
  assertEquals(monitor.reset(), 2);
  assertEquals(monitor.reset(), 0);
});

Deno.test("LATENCY GRAPH draws a titled chart with one column per spike and its age below", () => {
  const { monitor, tick } = monitorAt(5000);
  monitor.thresholdMs = 1;
  monitor.record("command", 50);
  tick();
  monitor.record("command", 30);
  const lines = latencyGraph(monitor.event("command")!, 5001).split("\n");
  assertEquals(lines[0], "command - high 50 ms, low 30 ms (all time high 50 ms)");
  assertEquals(lines[1], "-".repeat(80));
  // Four rows: the highest spike reaches the top, the lowest stays on the bottom row.
  assertEquals(lines.slice(2, 6), ["# ", "| ", "| ", "|_"]);
  assertEquals(lines.slice(6), ["10", "ss", ""]);
});

Deno.test("LATENCY GRAPH wraps more than 80 spikes into blocks", () => {
  const { monitor, tick } = monitorAt(0);
  monitor.thresholdMs = 1;
  for (let i = 0; i < 100; i++) {
    monitor.record("expire-cycle", 1 + (i % 7));
    tick(90);
  }
  const text = latencyGraph(monitor.event("expire-cycle")!, 9000);
  const rows = text.split("\n").slice(2).filter((line) => line !== "");
  assertOk(rows.every((row) => row.length <= 80), "a row is wider than 80 columns");
  assertOk(rows.some((row) => row.length === 20), "no block of the remaining 20 spikes");
  assertMatch(text, /^expire-cycle - high 7 ms, low 1 ms/);
});

Deno.test("LATENCY DOCTOR says when it is off, when nothing happened, and analyses spikes", () => {
  const { monitor, tick } = monitorAt(100);
  assertEquals(latencyDoctor(monitor), DOCTOR_DISABLED);
  monitor.thresholdMs = 10;
  assertEquals(latencyDoctor(monitor), DOCTOR_NO_SPIKES);
  monitor.record("command", 50);
  tick();
  monitor.record("command", 30);
  monitor.record("aof-fsync-always", 12);
  const report = latencyDoctor(monitor);
  assertMatch(report, /spikes of at least 10 ms were recorded for 2 kinds of event/);
  assertMatch(
    report,
    /1\. command: 2 latency spikes \(average 40ms, mean deviation 10ms, period 0\.50 sec\)\. Worst all time event 50ms\./,
  );
  assertMatch(report, /2\. aof-fsync-always: 1 latency spike /);
  assertMatch(report, /- aof-fsync-always: The disk took long/);
});
