/**
 * How each value type is written to and read from RDB: one encoder per Hermes type and one
 * decoder per RDB type byte. A collection type adds its entries here (see DEVELOPERS.md, "How a
 * new type adds its RDB encoding"): Hermes writes Redis's plain encodings (LIST_QUICKLIST_2 with
 * plain nodes, SET, HASH, ZSET_2), which redis-server 7.0 loads, and reads whatever compact
 * encodings Redis 7.0 writes for small and big values. A type byte with no decoder is refused
 * by the loader with its name, before anything is swapped in.
 */
import type { Value } from "../store/value.ts";
import type { RdbDecoder } from "./rdb_decoder.ts";
import type { RdbEncoder } from "./rdb_encoder.ts";
import { RdbError, RdbType } from "./format.ts";

export interface RdbValueEncoder {
  /** The type byte written before the value. */
  rdbType(value: Value): number;
  write(encoder: RdbEncoder, value: Value): void;
}

/** Reads one value whose type byte was `rdbType`. */
export type RdbValueDecoder = (decoder: RdbDecoder, rdbType: number) => Value;

const stringEncoder: RdbValueEncoder = {
  rdbType: () => RdbType.string,
  write: (encoder, value) => encoder.string(value as string),
};

/** Encoders by Hermes type name. */
const ENCODERS = new Map<string, RdbValueEncoder>([["string", stringEncoder]]);

/** Decoders by RDB type byte. */
const DECODERS = new Map<number, RdbValueDecoder>([
  [RdbType.string, (decoder) => decoder.string()],
]);

export function encoderFor(value: Value): RdbValueEncoder {
  const type = typeof value === "string" ? "string" : value.type;
  const encoder = ENCODERS.get(type);
  if (encoder === undefined) throw new RdbError(`Cannot write a ${type} value as RDB: no codec`);
  return encoder;
}

/** The decoder for `rdbType`, or undefined when Hermes cannot load that type. */
export function decoderFor(rdbType: number): RdbValueDecoder | undefined {
  return DECODERS.get(rdbType);
}

/** Registers a collection type's codecs (called by the type's codec module). */
export function registerRdbCodec(
  typeName: string,
  encoder: RdbValueEncoder,
  decoders: Record<number, RdbValueDecoder>,
): void {
  ENCODERS.set(typeName, encoder);
  for (const [type, decode] of Object.entries(decoders)) DECODERS.set(Number(type), decode);
}
