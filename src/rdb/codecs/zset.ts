/**
 * RDB codec of sorted sets (see DEVELOPERS.md, "How a new type adds its RDB encoding"). Hermes
 * writes ZSET_2 (5): the length, then each member and its score as a little-endian binary
 * double, from the highest element down as Redis writes it (so Redis inserts each at the head).
 * It reads ZSET_2, the older ZSET (3, scores as text), and the listpack (17) Redis 7.0 writes
 * for small sorted sets. A member given twice is refused, as Redis refuses it.
 */
import { RdbType } from "../format.ts";
import type { RdbDecoder } from "../rdb_decoder.ts";
import { registerRdbCodec } from "../value_codecs.ts";
import { ZSetValue } from "../../store/types/zset.ts";
import { strtod } from "../../protocol/double_text.ts";
import { readListpack } from "./blobs.ts";

const f64 = new Float64Array(1);
const bytes = new Uint8Array(f64.buffer);

/** Score text as Redis reads it from a listpack or an old ZSET (strtod of the whole text). */
function scoreFromText(decoder: RdbDecoder, text: string): number {
  const read = strtod(text);
  if (read.end !== text.length || text.length === 0 || Number.isNaN(read.value)) {
    decoder.fail(`a sorted set score "${text.slice(0, 32)}" that is not a number`);
  }
  return read.value;
}

/** The loaded set; Redis never writes an empty one, and Hermes never holds one. */
function nonEmpty(decoder: RdbDecoder, zset: ZSetValue): ZSetValue {
  if (zset.size === 0) decoder.fail("an empty sorted set");
  return zset;
}

function add(decoder: RdbDecoder, zset: ZSetValue, member: string, score: number): void {
  if (zset.has(member)) decoder.fail("a sorted set with a duplicate member");
  zset.set(member, score);
}

registerRdbCodec("zset", {
  rdbType: () => RdbType.zset2,
  write(encoder, value) {
    const zset = value as ZSetValue;
    encoder.length_(zset.size);
    if (zset.size === 0) return;
    zset.forRange(0, zset.size - 1, true, (member, score) => {
      encoder.string(member);
      f64[0] = score;
      for (let i = 0; i < 8; i++) encoder.byte(bytes[i]);
    });
  },
}, {
  [RdbType.zset2]: (decoder) => {
    const zset = new ZSetValue();
    for (let n = decoder.length(); n > 0; n--) {
      const member = decoder.string();
      for (let i = 0; i < 8; i++) bytes[i] = decoder.byte();
      if (Number.isNaN(f64[0])) decoder.fail("a sorted set score that is NaN");
      add(decoder, zset, member, f64[0]);
    }
    return nonEmpty(decoder, zset);
  },
  [RdbType.zset]: (decoder) => {
    const zset = new ZSetValue();
    for (let n = decoder.length(); n > 0; n--) {
      const member = decoder.string();
      // A one-byte length, or 253/254/255 for nan, +inf and -inf (rdbLoadDoubleValue).
      const length = decoder.byte();
      if (length === 253) decoder.fail("a sorted set score that is NaN");
      const score = length === 254
        ? Infinity
        : length === 255
        ? -Infinity
        : scoreFromText(decoder, decoder.rawString(length));
      add(decoder, zset, member, score);
    }
    return nonEmpty(decoder, zset);
  },
  [RdbType.zsetListpack]: (decoder) => {
    const entries = readListpack(decoder.string());
    if (entries.length % 2 !== 0) decoder.fail("a sorted set listpack with an odd entry count");
    const zset = new ZSetValue();
    for (let i = 0; i < entries.length; i += 2) {
      add(decoder, zset, entries[i], scoreFromText(decoder, entries[i + 1]));
    }
    return nonEmpty(decoder, zset);
  },
});
