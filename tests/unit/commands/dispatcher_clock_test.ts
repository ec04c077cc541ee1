/**
 * Under the system clock a command's time is the round's Date.now plus the monotonic time
 * since. The next round reads Date.now afresh, which can be behind what the previous round
 * derived; the time commands see must still never go back (the 10 ms LRU clock wraps, so a
 * step back of one millisecond made a key accessed just now look 124 days idle).
 */
import { assertOk as assert } from "../../helpers/assert.ts";
import { Session } from "../../../src/commands/session.ts";
import { bareDispatcher } from "../../helpers/bare_dispatcher.ts";
import { DEFAULT_CONFIG } from "../../../src/config/settings.ts";

const decoder = new TextDecoder();

/** TIME's reply as whole milliseconds. */
function timeMs(reply: Uint8Array): number {
  const [seconds, micros] = decoder.decode(reply).split("\r\n").filter((line) => /^\d+$/.test(line))
    .map(Number);
  return seconds * 1000 + Math.floor(micros / 1000);
}

Deno.test("a round whose Date.now is behind the previous round's derived time does not move time back", async () => {
  const dispatcher = bareDispatcher({ ...DEFAULT_CONFIG, enableDebugCommand: "yes" });
  const session = new Session(1, "127.0.0.1:1", "127.0.0.1:2", 0);
  const run = (...argv: string[]) => {
    dispatcher.run(session, argv);
    return session.out.take();
  };
  const realNow = Date.now;
  const wall = 1_700_000_000_000;
  try {
    Date.now = () => wall;
    // One round: the sleep moves the derived time 20 ms past the round's Date.now.
    run("DEBUG", "SLEEP", "0.02");
    const late = timeMs(run("TIME"));
    assert(late >= wall + 20, `derived time ${late - wall} ms into the round`);
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The next round's wall clock reads behind that (the clocks were read apart).
    Date.now = () => wall + 5;
    const next = timeMs(run("TIME"));
    assert(next >= late, `time went back ${late - next} ms between rounds`);
  } finally {
    Date.now = realNow;
  }
});
