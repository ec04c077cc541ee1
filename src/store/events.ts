/**
 * Keyspace event classes, one bit each, as Redis's notify-keyspace-events letters. Handlers
 * raise events with `ctx.notify(class, name, key)`; the keyspace raises `expired`, `evicted`
 * and `new` itself. Nothing is built unless someone listens (Journal.notifyMask).
 */
export const EventClass = {
  /** K: publish on `__keyspace@<db>__:<key>`. */
  keyspace: 1 << 0,
  /** E: publish on `__keyevent@<db>__:<event>`. */
  keyevent: 1 << 1,
  /** g: generic commands (DEL, EXPIRE, RENAME, ...). */
  generic: 1 << 2,
  /** $: string commands. */
  string: 1 << 3,
  /** l: list commands. */
  list: 1 << 4,
  /** s: set commands. */
  set: 1 << 5,
  /** h: hash commands. */
  hash: 1 << 6,
  /** z: sorted set commands. */
  zset: 1 << 7,
  /** x: a key expired. */
  expired: 1 << 8,
  /** e: a key was evicted. */
  evicted: 1 << 9,
  /** t: stream commands. */
  stream: 1 << 10,
  /** m: a read missed (not part of A). */
  keyMiss: 1 << 11,
  /** d: module events. */
  module: 1 << 12,
  /** n: a key was created (not part of A). */
  new: 1 << 13,
} as const;

/** `A`: every class of event except key misses and new keys (Redis's NOTIFY_ALL). */
const ALL = EventClass.generic | EventClass.string | EventClass.list | EventClass.set |
  EventClass.hash | EventClass.zset | EventClass.expired | EventClass.evicted |
  EventClass.stream | EventClass.module;

/** Each letter's class, in the order Redis prints them (`A` stands for the whole group). */
const LETTERS: [letter: string, bits: number][] = [
  ["g", EventClass.generic],
  ["$", EventClass.string],
  ["l", EventClass.list],
  ["s", EventClass.set],
  ["h", EventClass.hash],
  ["z", EventClass.zset],
  ["x", EventClass.expired],
  ["e", EventClass.evicted],
  ["t", EventClass.stream],
  ["d", EventClass.module],
];

/** Redis's refusal of a bad notify-keyspace-events value, word for word. */
export const BAD_EVENT_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/**
 * The classes named by a notify-keyspace-events value (`KEA`, `Ex`, `g$`, ""), or null when
 * it holds a character that names no class. Letters may repeat and come in any order.
 */
export function parseEventClasses(text: string): number | null {
  let flags = 0;
  for (const c of text) {
    if (c === "A") flags |= ALL;
    else if (c === "K") flags |= EventClass.keyspace;
    else if (c === "E") flags |= EventClass.keyevent;
    else if (c === "m") flags |= EventClass.keyMiss;
    else if (c === "n") flags |= EventClass.new;
    else {
      const letter = LETTERS.find(([l]) => l === c);
      if (letter === undefined) return null;
      flags |= letter[1];
    }
  }
  return flags;
}

/**
 * The canonical text of `flags`, as CONFIG GET shows it in Redis 7.0: `A` for the whole
 * group, else its letters in a fixed order followed by `n`; then K, E and m. (Redis 7.0 does
 * not show `n` beside `A`, though the class stays on; this reproduces that.)
 */
export function formatEventClasses(flags: number): string {
  let text = "";
  if ((flags & ALL) === ALL) {
    text = "A";
  } else {
    for (const [letter, bits] of LETTERS) if (flags & bits) text += letter;
    if (flags & EventClass.new) text += "n";
  }
  if (flags & EventClass.keyspace) text += "K";
  if (flags & EventClass.keyevent) text += "E";
  if (flags & EventClass.keyMiss) text += "m";
  return text;
}

/**
 * The classes events are actually raised for: none unless K or E says where to publish them
 * (Redis checks the same before building anything).
 */
export function activeEventClasses(flags: number): number {
  return flags & (EventClass.keyspace | EventClass.keyevent) ? flags : 0;
}
