/**
 * Constants of the RDB format as Redis 7.0 writes and reads it (version 10). An RDB file is
 * `REDIS` + four version digits, then opcodes and key entries, then EOF (0xff) and the CRC-64
 * of everything before it as 8 little-endian bytes. A DUMP payload is one value (its type byte
 * and encoding), the RDB version as 2 little-endian bytes, and the CRC-64 of both.
 */

/** The version Hermes writes; Redis 7.0 reads up to this one. */
export const RDB_VERSION = 10;

export const Opcode = {
  function2: 0xf5,
  function: 0xf6,
  moduleAux: 0xf7,
  idle: 0xf8,
  freq: 0xf9,
  aux: 0xfa,
  resizeDb: 0xfb,
  expireTimeMs: 0xfc,
  expireTime: 0xfd,
  selectDb: 0xfe,
  eof: 0xff,
} as const;

/** Value type bytes. Hermes writes the plain encodings; Redis's compact ones are read where a codec exists. */
export const RdbType = {
  string: 0,
  list: 1,
  set: 2,
  zset: 3,
  hash: 4,
  zset2: 5,
  module: 6,
  module2: 7,
  hashZipmap: 9,
  listZiplist: 10,
  setIntset: 11,
  zsetZiplist: 12,
  hashZiplist: 13,
  listQuicklist: 14,
  streamListpacks: 15,
  hashListpack: 16,
  zsetListpack: 17,
  listQuicklist2: 18,
  streamListpacks2: 19,
} as const;

/** Names for log lines ("unsupported value type 16 (hash listpack)"). */
export const RDB_TYPE_NAMES: Record<number, string> = {
  0: "string",
  1: "list",
  2: "set",
  3: "zset",
  4: "hash",
  5: "zset",
  6: "module",
  7: "module",
  9: "hash zipmap",
  10: "list ziplist",
  11: "set intset",
  12: "zset ziplist",
  13: "hash ziplist",
  14: "list quicklist",
  15: "stream",
  16: "hash listpack",
  17: "zset listpack",
  18: "list quicklist",
  19: "stream",
};

/** Special string encodings (a length byte with the top two bits set). */
export const StringEncoding = { int8: 0, int16: 1, int32: 2, lzf: 3 } as const;

/** Strings at least this long are tried with LZF (Redis's rdbcompression threshold). */
export const LZF_MIN_LENGTH = 21;

/** Thrown for an RDB payload that cannot be loaded, with the reason in plain words. */
export class RdbError extends Error {
  override name = "RdbError";
}
