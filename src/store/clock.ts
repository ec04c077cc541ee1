/** Time as an input: the dispatcher reads it once per command, tests may pass their own. */
export type Clock = () => number;

/** Wall-clock Unix milliseconds. */
export const systemClock: Clock = () => Date.now();
