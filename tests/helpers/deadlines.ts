/**
 * Key deadlines in tests without racing them: a deadline no loaded machine reaches during a test,
 * and waiting until a deadline the server reported (PEXPIRETIME) has passed. The server and the
 * tests read the same wall clock.
 */

/** An absolute deadline (Unix ms, for PXAT and PEXPIREAT) an hour from now. */
export function farDeadline(): number {
  return Date.now() + 3_600_000;
}

/** Resolves once the wall clock is past `unixMs` (a PEXPIRETIME answer). */
export async function sleepPast(unixMs: number): Promise<void> {
  while (Date.now() <= unixMs) {
    await new Promise((resolve) => setTimeout(resolve, unixMs - Date.now() + 1));
  }
}
