/**
 * Turning raw replies into the typed helpers' results, with a clear error when a reply has an
 * unexpected shape. Raw strings are one-byte strings (a char per byte).
 */
import { ReplyError, type RespValue } from "./resp_decoder.ts";
import { latin1ToBytes, latin1ToUtf8 } from "../protocol/latin1.ts";

/**
 * The bytes of a raw reply string (as returned by `send`), for binary values.
 *
 * @example
 * ```ts
 * import { connect, toBytes } from "./mod.ts";
 * const client = await connect({ port: 8080 });
 * const reply = await client.send("GET", "blob");
 * if (typeof reply === "string") toBytes(reply); // Uint8Array
 * client.close();
 * ```
 */
export function toBytes(reply: string): Uint8Array {
  return latin1ToBytes(reply);
}

/**
 * The UTF-8 text of a raw reply string (as returned by `send`).
 *
 * @example
 * ```ts
 * import { connect, toText } from "./mod.ts";
 * const client = await connect({ port: 8080 });
 * await client.send("SET", "name", "Zoë");
 * toText(String(await client.send("GET", "name"))); // "Zoë"
 * client.close();
 * ```
 */
export function toText(reply: string): string {
  return latin1ToUtf8(reply);
}

/** The TypeError a typed helper throws for a reply of an unexpected shape. */
export function unexpected(reply: RespValue, wanted: string): TypeError {
  const shown = reply instanceof ReplyError ? reply.message : String(reply);
  return new TypeError(`Cannot read reply "${shown}": expected ${wanted}`);
}

/** The reply as a string, or a TypeError. */
export function expectString(reply: RespValue): string {
  if (typeof reply === "string") return reply;
  throw unexpected(reply, "a string");
}

/** The reply as an array (sets become arrays), or a TypeError. */
export function expectArray(reply: RespValue): RespValue[] {
  if (Array.isArray(reply)) return reply;
  if (reply instanceof Set) return [...reply];
  throw unexpected(reply, "an array");
}

/** A string reply decoded as UTF-8 text (a RESP3 double as its decimal text). */
export function text(reply: RespValue): string {
  if (typeof reply === "number") return String(reply); // RESP3 doubles
  return latin1ToUtf8(expectString(reply));
}

/** {@linkcode text}, keeping null. */
export function textOrNull(reply: RespValue): string | null {
  return reply === null ? null : text(reply);
}

/** The reply when it is "OK", else a TypeError. */
export function ok(reply: RespValue): "OK" {
  if (reply === "OK") return reply;
  throw unexpected(reply, "OK");
}

/** An integer reply as a number; a RangeError when it does not fit one exactly. */
export function integer(reply: RespValue, command: string): number {
  if (typeof reply === "number" && Number.isInteger(reply)) return reply;
  if (typeof reply === "bigint") {
    throw new RangeError(
      `Cannot return the ${command} result ${reply} as a number: it is beyond 2^53; ` +
        `use send("${command}", ...) for a bigint`,
    );
  }
  throw unexpected(reply, "an integer");
}

/**
 * A score reply as a number: a RESP3 double, or a RESP2 string in Redis's format (`inf` and
 * `-inf` included, which `Number` does not read).
 */
export function score(reply: RespValue): number {
  if (typeof reply === "number") return reply;
  const raw = expectString(reply);
  if (raw === "inf" || raw === "+inf") return Infinity;
  if (raw === "-inf") return -Infinity;
  const value = raw === "" ? NaN : Number(raw);
  if (Number.isNaN(value)) throw unexpected(reply, "a score");
  return value;
}

/** {@linkcode score}, keeping null. */
export function scoreOrNull(reply: RespValue): number | null {
  return reply === null ? null : score(reply);
}

/** HELLO's reply as key-value pairs: a RESP3 map or a RESP2 flat array. */
export function pairs(reply: RespValue): [RespValue, RespValue][] {
  if (reply instanceof Map) return [...reply.entries()];
  const items = expectArray(reply);
  const out: [RespValue, RespValue][] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([items[i], items[i + 1]]);
  return out;
}
