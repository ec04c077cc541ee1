/**
 * Hermes for Deno programs: a Redis-compatible key-value store, embedded in your process or
 * reached over TCP, with one typed API for both.
 *
 * - {@linkcode open} opens a store in this process: a durable data directory (write-ahead log,
 *   group commit, crash replay) or memory only. It runs on the same store actor, command
 *   dispatcher and log as the `hermes` server; `db.listen()` serves it over TCP too.
 * - {@linkcode connect} opens a connection to a Hermes (or any Redis-compatible) server.
 *
 * Both give the typed API of {@linkcode Commands} (strings, keys and TTL, hashes, lists and
 * sorted sets with blocking pops, sets, bitmaps and bit fields, HyperLogLogs, LCS, SORT,
 * pub/sub, BEGIN/COMMIT transactions, MULTI/EXEC, pipelines) and
 * `command(...)` for every other command, so code moves between them unchanged. Values go in as
 * `string` (sent as UTF-8), `Uint8Array` (bytes) or numbers, and come out as `string` (UTF-8
 * text), or as `Uint8Array` through the `bytes` view.
 *
 * The server itself is `./server` (`startServer`), the command line client `./cli`.
 *
 * @example
 * ```ts
 * import { open } from "./mod.ts";
 *
 * await using db = await open({ dir: "./data", fsync: "always" });
 * await db.set("greeting", "hello", { ex: 60 }); // resolves once on disk
 * console.log(await db.get("greeting")); // "hello"
 * await db.hset("user:1", { name: "Ada", born: 1815 });
 * await db.transaction(async (tx) => {
 *   await tx.incrBy("stock", -1);
 *   await tx.rpush("orders", "order:17");
 * });
 * const listener = await db.listen({ port: 6380 }); // redis-cli -p 6380 sees the same data
 * ```
 *
 * @module
 */
export { open, type OpenOptions } from "./src/embedded/open.ts";
export { Database } from "./src/embedded/database.ts";
export type { Listener, ListenOptions } from "./src/embedded/listener.ts";
export type { ByteSize, ServerOptions } from "./src/embedded/options.ts";
export { StartupError } from "./src/embedded/store.ts";
export * from "./src/client/mod.ts";
