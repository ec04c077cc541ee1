/**
 * MurmurHash64A, the hash Redis's HyperLogLog uses (seed 0xadc83b19, little-endian 8-byte
 * blocks), computed with 32-bit halves: V8 has no fast unsigned 64-bit arithmetic, and a BigInt
 * hash per PFADD element would cost more than the rest of the command.
 *
 * {@linkcode murmur64} leaves its result in {@linkcode hash}.high / .low (unsigned 32-bit).
 */

/** The last hash computed: high and low 32 bits. */
export const hash = { high: 0, low: 0 };

const M_HIGH = 0xc6a4a793;
const M_LOW = 0x5bd1e995;
const TWO_32 = 4294967296;

let productHigh = 0;
let productLow = 0;

/** (ah:al) * (bh:bl) mod 2^64 into productHigh:productLow. */
function multiply(ah: number, al: number, bh: number, bl: number): void {
  // The full 64-bit product of the low halves, from 16-bit pieces (each sum stays exact).
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const middle = a1 * b0 + a0 * b1;
  const low = a0 * b0 + (middle % 65536) * 65536;
  productLow = low % TWO_32;
  const high = a1 * b1 + Math.floor(middle / 65536) + Math.floor(low / TWO_32);
  productHigh = (high + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** MurmurHash64A of the bytes of one-byte string `key`, seed `seed` (unsigned 32-bit). */
export function murmur64(key: string, seed: number): void {
  const length = key.length;
  // h = seed ^ (length * m)
  multiply(0, length, M_HIGH, M_LOW);
  let hh = productHigh;
  let hl = (productLow ^ seed) >>> 0;
  const blocks = length - (length & 7);
  for (let i = 0; i < blocks; i += 8) {
    const kl = (key.charCodeAt(i) | key.charCodeAt(i + 1) << 8 | key.charCodeAt(i + 2) << 16 |
      key.charCodeAt(i + 3) << 24) >>> 0;
    const kh = (key.charCodeAt(i + 4) | key.charCodeAt(i + 5) << 8 |
      key.charCodeAt(i + 6) << 16 | key.charCodeAt(i + 7) << 24) >>> 0;
    multiply(kh, kl, M_HIGH, M_LOW);
    // k ^= k >> 47
    let ph = productHigh;
    let pl = (productLow ^ (ph >>> 15)) >>> 0;
    multiply(ph, pl, M_HIGH, M_LOW);
    ph = productHigh;
    pl = productLow;
    hh = (hh ^ ph) >>> 0;
    hl = (hl ^ pl) >>> 0;
    multiply(hh, hl, M_HIGH, M_LOW);
    hh = productHigh;
    hl = productLow;
  }
  const rest = length & 7;
  if (rest > 0) {
    let th = 0;
    let tl = 0;
    for (let i = rest - 1; i >= 0; i--) {
      const byte = key.charCodeAt(blocks + i);
      if (i >= 4) th |= byte << ((i - 4) * 8);
      else tl |= byte << (i * 8);
    }
    hh = (hh ^ th) >>> 0;
    hl = (hl ^ tl) >>> 0;
    multiply(hh, hl, M_HIGH, M_LOW);
    hh = productHigh;
    hl = productLow;
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47
  hl = (hl ^ (hh >>> 15)) >>> 0;
  multiply(hh, hl, M_HIGH, M_LOW);
  hh = productHigh;
  hl = (productLow ^ (hh >>> 15)) >>> 0;
  hash.high = hh;
  hash.low = hl;
}
