import { assertEquals, assertOk } from "../../helpers/assert.ts";
import {
  accessClock,
  accessedClock,
  AccessKind,
  idleMs,
  lfuDecayed,
  lfuIncrement,
  LRU_CLOCK_MAX,
  lruClock,
} from "../../../src/memory/access_clocks.ts";
import { seededRandom } from "../../durability/workload.ts";

function withClockSettings(settings: Partial<typeof accessClock>, fn: () => void): void {
  const saved = { ...accessClock };
  Object.assign(accessClock, settings);
  try {
    fn();
  } finally {
    Object.assign(accessClock, saved);
  }
}

Deno.test("the LRU clock counts 10 ms units modulo 2^30 and idle time crosses one wrap", () => {
  assertEquals(lruClock(5_000), 500);
  assertEquals(lruClock(5_009), 500);
  assertEquals(lruClock((LRU_CLOCK_MAX + 1) * 10 + 30), 3);
  assertEquals(idleMs(500, 12_000), 7_000);
  // Accessed 5 units before the wrap, read 3 units after it (Redis's formula).
  assertEquals(idleMs(LRU_CLOCK_MAX - 5, (LRU_CLOCK_MAX + 1) * 10 + 30), 80);
  // A clock set a unit ahead of the time it is read at (the two were read a millisecond apart,
  // across a unit's edge) is no idle time, not a whole turn of the clock; across the wrap too.
  assertEquals(idleMs(lruClock(12_010), 12_009), 0);
  assertEquals(idleMs(1, (LRU_CLOCK_MAX + 1) * 10 - 1), 0);
  // Past a minute ahead it is taken as a clock from the previous turn (Redis's formula).
  assertEquals(idleMs(lruClock(12_000) + 7_000, 12_000), (LRU_CLOCK_MAX - 7_000) * 10);
  // About 124 days before it wraps.
  assertEquals(Math.floor((LRU_CLOCK_MAX + 1) * 10 / 86_400_000), 124);
});

Deno.test("the LFU counter grows with probability 1/((c-5)*factor+1) and saturates at 255", () => {
  withClockSettings({ lfuLogFactor: 10, random: () => 0.5 }, () => {
    assertEquals(lfuIncrement(0), 1); // below LFU_INIT_VAL: always
    assertEquals(lfuIncrement(5), 6); // p = 1
    assertEquals(lfuIncrement(6), 6); // p = 1/11 < 0.5
    assertEquals(lfuIncrement(255), 255);
  });
  withClockSettings({ lfuLogFactor: 10, random: () => 0.05 }, () => {
    assertEquals(lfuIncrement(6), 7); // 0.05 < 1/11
    assertEquals(lfuIncrement(7), 7); // 0.05 > 1/21
  });
  withClockSettings({ lfuLogFactor: 0, random: () => 0.999 }, () => {
    assertEquals(lfuIncrement(200), 201); // factor 0: every access counts
  });
});

Deno.test("LFU counters reach Redis's documented levels for lfu-log-factor 10", () => {
  // Redis's table (redis.conf): factor 10 gives about 10 after 100 hits, 18 after 1000,
  // 142 after 100k and 255 after 1M. The median of 15 counters is compared, with slack.
  withClockSettings({ kind: AccessKind.lfu, lfuLogFactor: 10, random: seededRandom(7) }, () => {
    const now = 60_000 * 100;
    const marks = [100, 1000, 100_000, 1_000_000];
    const seen: number[][] = marks.map(() => []);
    for (let run = 0; run < 15; run++) {
      let clock = (Math.floor(now / 60_000) << 8) | 5;
      for (let hits = 1; hits <= 1_000_000; hits++) {
        clock = accessedClock(clock, now);
        const mark = marks.indexOf(hits);
        if (mark >= 0) seen[mark].push(clock & 0xff);
      }
    }
    const median = seen.map((counts) => counts.sort((a, b) => a - b)[7]);
    assertOk(median[0] >= 9 && median[0] <= 12, `after 100 hits: ${median[0]}`);
    assertOk(median[1] >= 16 && median[1] <= 21, `after 1000 hits: ${median[1]}`);
    assertOk(median[2] >= 130 && median[2] <= 155, `after 100k hits: ${median[2]}`);
    assertEquals(median[3], 255);
  });
});

Deno.test("LFU counters lose one per lfu-decay-time minutes, across the 16-bit minute wrap", () => {
  withClockSettings({ lfuDecayTime: 1 }, () => {
    const clock = (100 << 8) | 20;
    assertEquals(lfuDecayed(clock, 100 * 60_000), 20);
    assertEquals(lfuDecayed(clock, 103 * 60_000 + 59_000), 17);
    assertEquals(lfuDecayed(clock, 200 * 60_000), 0);
    const late = (0xfffe << 8) | 20; // two minutes before the wrap, read two minutes after
    assertEquals(lfuDecayed(late, (0x10000 + 2) * 60_000), 17);
    // Set a minute ahead of the time it is read at (read apart, across a minute's edge): no
    // decay, rather than a whole turn of the 16-bit minute clock; across the wrap too.
    assertEquals(lfuDecayed((101 << 8) | 20, 100 * 60_000 + 59_999), 20);
    assertEquals(lfuDecayed((0 << 8) | 20, 0xffff * 60_000), 20);
  });
  withClockSettings({ lfuDecayTime: 2 }, () => {
    assertEquals(lfuDecayed((100 << 8) | 20, 105 * 60_000), 18);
  });
  withClockSettings({ lfuDecayTime: 0 }, () => {
    assertEquals(lfuDecayed((100 << 8) | 20, 1_000 * 60_000), 20);
  });
});
