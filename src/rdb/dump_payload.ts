/**
 * DUMP and RESTORE payloads, byte for byte as Redis makes them: the value's RDB type byte and
 * encoding, the RDB version as 2 little-endian bytes, then the CRC-64 of all of that as 8
 * little-endian bytes. `redis-cli --rdb`-style tools and MIGRATE between Hermes and Redis
 * exchange exactly these.
 */
import type { Value } from "../store/value.ts";
import { crc64 } from "./crc64.ts";
import { RDB_VERSION, RdbError } from "./format.ts";
import { RdbDecoder } from "./rdb_decoder.ts";
import { RdbEncoder } from "./rdb_encoder.ts";

/** The DUMP payload of `value`, as a one-byte string. */
export function dumpPayload(value: Value): string {
  const encoder = new RdbEncoder();
  encoder.value(null, value, true);
  encoder.byte(RDB_VERSION & 0xff);
  encoder.byte(RDB_VERSION >> 8);
  const body = encoder.take();
  const out = new Uint8Array(body.length + 8);
  out.set(body);
  out.set(encoder.crc.bytes(), body.length);
  let text = "";
  for (let i = 0; i < out.length; i++) text += String.fromCharCode(out[i]);
  return text;
}

/**
 * The value in a DUMP payload. Throws RdbError("version or checksum") when the footer is
 * wrong, as Redis checks it first, and RdbError for a body that does not decode.
 */
export function restorePayload(payload: string): Value {
  const n = payload.length;
  if (n < 10) throw new RdbError("version or checksum");
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = payload.charCodeAt(i);
  const version = bytes[n - 10] | (bytes[n - 9] << 8);
  if (version > RDB_VERSION) throw new RdbError("version or checksum");
  const stored = new DataView(bytes.buffer).getBigUint64(n - 8, true);
  if (stored !== 0n && crc64(bytes, 0, n - 8) !== stored) {
    throw new RdbError("version or checksum");
  }
  const decoder = new RdbDecoder(bytes, 0, n - 10);
  const value = decoder.value(decoder.byte());
  if (decoder.pos !== decoder.end) throw new RdbError("bad data format");
  return value;
}
