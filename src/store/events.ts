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
