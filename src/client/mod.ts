/**
 * A typed client for Hermes and any Redis-compatible server, for Deno. No dependencies.
 *
 * - {@linkcode connect} opens a connection (RESP2, or RESP3 with `protocol: 3`).
 * - Typed helpers ({@linkcode Commands}, the API the embedded store shares) for strings, keys
 *   and TTL, hashes, lists and sorted sets (blocking pops included), sets, bitmaps, bit fields,
 *   HyperLogLogs, LCS, SORT, pub/sub and transactions;
 *   `command(...args)` and `send(...args)` for any other command; `client.bytes` hands values
 *   back as `Uint8Array`.
 * - Pipelining: concurrent calls share one write automatically, and `client.batch()` builds
 *   an explicit pipeline.
 * - Transactions: `client.multi()` (MULTI/EXEC, with `watch()`), and `client.transaction()`
 *   (BEGIN/COMMIT, retried on CONFLICT).
 * - Pub/sub: `subscribe`, `psubscribe` and `ssubscribe` return async iterators of messages
 *   (RESP2 and RESP3); leaving the loop unsubscribes. RESP3 push frames also reach `onPush`.
 * - `quit()` (or `await using`) closes cleanly with QUIT.
 *
 * Error replies are thrown as {@linkcode ReplyError} by `send` and the helpers, and returned
 * as values by `call`, `pipeline` and `batch().exec()`.
 *
 * @example
 * ```ts
 * import { connect, ReplyError } from "./mod.ts";
 *
 * await using client = await connect({ host: "127.0.0.1", port: 8080 });
 * await client.set("greeting", "hello", { ex: 60 });
 * console.log(await client.get("greeting")); // "hello"
 * console.log(await client.incr("visits")); // 1
 * const [a, b] = await Promise.all([client.get("a"), client.get("b")]); // one write
 * try {
 *   await client.incr("greeting");
 * } catch (error) {
 *   if (error instanceof ReplyError) console.log(error.message); // ERR value is not an integer...
 * }
 * ```
 *
 * @module
 */
export { Client, connect } from "./client.ts";
export { Commands } from "./commands/commands.ts";
export { CommandsBase, type Reply, type Value } from "./commands/base.ts";
export {
  type GetExOptions,
  type LcsIndex,
  type LcsMatch,
  StringCommands,
} from "./commands/strings.ts";
export { KeyCommands, type SortOptions } from "./commands/keys.ts";
export { type FieldValues, HashCommands } from "./commands/hashes.ts";
export {
  ListCommands,
  type ListSide,
  type Popped,
  type PoppedMany,
  type PositionOptions,
} from "./commands/lists.ts";
export { SetCommands } from "./commands/sets.ts";
export { SortedSetCommands } from "./commands/sorted_sets.ts";
export { type RangeLimit, SortedSetRangeCommands } from "./commands/sorted_set_ranges.ts";
export type {
  PoppedMember,
  PoppedMembers,
  RangeBound,
  ScoredMember,
  ScoreMembers,
  ScoreSide,
  WithScores,
  ZAddOptions,
  ZCombineOptions,
  ZRangeOptions,
} from "./commands/sorted_set_options.ts";
export {
  type Bit,
  BitCommands,
  type BitFieldGet,
  type BitFieldIncrBy,
  type BitFieldOffset,
  type BitFieldOperation,
  type BitFieldOverflow,
  type BitFieldSet,
  type BitFieldType,
  type BitOperation,
  type BitRange,
} from "./commands/bits.ts";
export {
  type ConnectOptions,
  type ExpireCondition,
  type HelloOptions,
  type ScanOptions,
  type SetOptions,
  type TlsOptions,
} from "./options.ts";
export { toBytes, toText } from "./reply_values.ts";
export { Connection, type PushHandler, type Transport } from "./connection.ts";
export { Pipeline, type PipelineTarget } from "./pipeline.ts";
export {
  MultiBlock,
  type MultiTarget,
  runTransaction,
  type TransactionOptions,
  type TransactionTarget,
} from "./transactions.ts";
export {
  DEFAULT_BUFFER_LIMIT,
  type PubSubMessage,
  Subscription,
  type SubscriptionKind,
} from "./subscription.ts";
export {
  type DecodedReply,
  Push,
  ReplyError,
  RespDecoder,
  type RespValue,
} from "./resp_decoder.ts";
export { type Arg, encodeCommand } from "./encode_command.ts";
