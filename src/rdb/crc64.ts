/**
 * CRC-64 as Redis computes it for RDB files and DUMP payloads: the Jones polynomial
 * (0xad93d23594c935a9), reflected input and output, initial value 0, no final xor. The check
 * value of "123456789" is 0xe9c6d914c4b8d9ca.
 *
 * JavaScript has no fast 64-bit integers, so the register is kept as two 32-bit halves and the
 * table as two Uint32Arrays; eight tables let the loop take eight bytes per step.
 */

/** The polynomial bit-reversed, as the reflected algorithm uses it, in two halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;
const SLICES = 8;

const TABLE_HI = new Uint32Array(256 * SLICES);
const TABLE_LO = new Uint32Array(256 * SLICES);

for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  TABLE_HI[n] = hi;
  TABLE_LO[n] = lo;
}
for (let slice = 1; slice < SLICES; slice++) {
  for (let n = 0; n < 256; n++) {
    const prevHi = TABLE_HI[(slice - 1) * 256 + n];
    const prevLo = TABLE_LO[(slice - 1) * 256 + n];
    const index = prevLo & 0xff;
    TABLE_HI[slice * 256 + n] = (TABLE_HI[index] ^ (prevHi >>> 8)) >>> 0;
    TABLE_LO[slice * 256 + n] = (TABLE_LO[index] ^ ((prevLo >>> 8) | (prevHi << 24))) >>> 0;
  }
}

/** A running CRC-64: feed bytes with {@linkcode update}, read the result with `value`. */
export class Crc64 {
  #hi = 0;
  #lo = 0;

  update(bytes: Uint8Array, start = 0, end = bytes.length): void {
    let hi = this.#hi;
    let lo = this.#lo;
    let i = start;
    const th = TABLE_HI;
    const tl = TABLE_LO;
    while (end - i >= 8) {
      const a = lo ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
      const b = hi ^ (bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) |
        (bytes[i + 7] << 24));
      const i7 = (a & 0xff) + 7 * 256;
      const i6 = ((a >>> 8) & 0xff) + 6 * 256;
      const i5 = ((a >>> 16) & 0xff) + 5 * 256;
      const i4 = (a >>> 24) + 4 * 256;
      const i3 = (b & 0xff) + 3 * 256;
      const i2 = ((b >>> 8) & 0xff) + 2 * 256;
      const i1 = ((b >>> 16) & 0xff) + 256;
      const i0 = b >>> 24;
      hi = th[i7] ^ th[i6] ^ th[i5] ^ th[i4] ^ th[i3] ^ th[i2] ^ th[i1] ^ th[i0];
      lo = tl[i7] ^ tl[i6] ^ tl[i5] ^ tl[i4] ^ tl[i3] ^ tl[i2] ^ tl[i1] ^ tl[i0];
      i += 8;
    }
    for (; i < end; i++) {
      const index = (lo ^ bytes[i]) & 0xff;
      lo = (tl[index] ^ ((lo >>> 8) | (hi << 24))) >>> 0;
      hi = (th[index] ^ (hi >>> 8)) >>> 0;
    }
    this.#hi = hi >>> 0;
    this.#lo = lo >>> 0;
  }

  /** The CRC so far as a 64-bit unsigned integer. */
  get value(): bigint {
    return (BigInt(this.#hi) << 32n) | BigInt(this.#lo);
  }

  /** The CRC so far as the 8 little-endian bytes Redis writes after an RDB or DUMP payload. */
  bytes(): Uint8Array {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.#lo, true);
    view.setUint32(4, this.#hi, true);
    return out;
  }
}

/** The CRC-64 of `bytes[start, end)`. */
export function crc64(bytes: Uint8Array, start = 0, end = bytes.length): bigint {
  const crc = new Crc64();
  crc.update(bytes, start, end);
  return crc.value;
}
