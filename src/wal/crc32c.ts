/**
 * CRC-32C (Castagnoli), the checksum of every log record. Table-driven, eight bytes per step
 * ("slicing by 8"): replay checks every byte of the log, so the checksum must not be the
 * bottleneck. CRC-32C catches every burst error up to 32 bits and all odd bit counts.
 */

/** The reversed Castagnoli polynomial. */
const POLYNOMIAL = 0x82f63b78;

/** TABLES[k][b]: the CRC contribution of byte b seen k bytes before the end of an 8-byte step. */
const TABLES: Int32Array[] = buildTables();
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES;

function buildTables(): Int32Array[] {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    tables[0][n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[0][n];
    for (let k = 1; k < 8; k++) {
      c = tables[0][c & 0xff] ^ (c >>> 8);
      tables[k][n] = c;
    }
  }
  return tables;
}

/**
 * The CRC-32C of `bytes[start..end)`. Pass a previous result as `seed` to continue it over
 * more bytes: `crc32c(b, 0, b.length, crc32c(a))` equals the CRC of `a` followed by `b`.
 *
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 * ```
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  let crc = ~seed;
  let i = start;
  const stop8 = end - 8;
  while (i <= stop8) {
    const lo = crc ^ (bytes[i] | bytes[i + 1] << 8 | bytes[i + 2] << 16 | bytes[i + 3] << 24);
    crc = T7[lo & 0xff] ^ T6[(lo >>> 8) & 0xff] ^ T5[(lo >>> 16) & 0xff] ^ T4[lo >>> 24] ^
      T3[bytes[i + 4]] ^ T2[bytes[i + 5]] ^ T1[bytes[i + 6]] ^ T0[bytes[i + 7]];
    i += 8;
  }
  while (i < end) crc = T0[(crc ^ bytes[i++]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
