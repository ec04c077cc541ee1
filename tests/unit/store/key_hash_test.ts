/**
 * The key hash is HalfSipHash-1-3. A plain model of HalfSipHash-c-d (rounds as parameters)
 * reproduces the reference implementation's published HalfSipHash-2-4 vectors, so it is the
 * algorithm; the server's written-out 1-3 function must agree with the model at 1-3.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { halfSipHash13, hashKey } from "../../../src/store/key_hash.ts";

function rotl(x: number, b: number): number {
  return (x << b) | (x >>> (32 - b));
}

/** HalfSipHash-c-d with a 32-bit output, over one-byte chars. */
function modelHalfSipHash(text: string, k0: number, k1: number, c: number, d: number): number {
  const v = [k0 | 0, k1 | 0, 0x6c796765 ^ k0, 0x74656462 ^ k1];
  const round = () => {
    v[0] = (v[0] + v[1]) | 0;
    v[1] = rotl(v[1], 5) ^ v[0];
    v[0] = rotl(v[0], 16);
    v[2] = (v[2] + v[3]) | 0;
    v[3] = rotl(v[3], 8) ^ v[2];
    v[0] = (v[0] + v[3]) | 0;
    v[3] = rotl(v[3], 7) ^ v[0];
    v[2] = (v[2] + v[1]) | 0;
    v[1] = rotl(v[1], 13) ^ v[2];
    v[2] = rotl(v[2], 16);
  };
  const words: number[] = [];
  for (let i = 0; i + 4 <= text.length; i += 4) {
    let word = 0;
    for (let j = 3; j >= 0; j--) word = (word << 8) | text.charCodeAt(i + j);
    words.push(word);
  }
  let last = (text.length & 0xff) << 24;
  const rest = text.length - (text.length % 4);
  for (let j = text.length - 1; j >= rest; j--) last |= text.charCodeAt(j) << (8 * (j - rest));
  words.push(last);
  for (const word of words) {
    v[3] ^= word;
    for (let r = 0; r < c; r++) round();
    v[0] ^= word;
  }
  v[2] ^= 0xff;
  for (let r = 0; r < d; r++) round();
  return (v[1] ^ v[3]) >>> 0;
}

/** HalfSipHash-2-4, 32-bit output, key bytes 0..7, message bytes 0..i-1 (the reference's). */
const REFERENCE_2_4 = [
  0x5b9f35a9,
  0xb85a4727,
  0x03a662fa,
  0x04e7fe8a,
  0x89466e2a,
  0x69b6fac5,
  0x23fc6358,
  0xc563cf8b,
  0x8f84b8d0,
  0x79e706f8,
  0x3479b094,
  0x50300808,
  0x2f87f057,
  0xff63e677,
  0x7cf8ffd6,
  0x972bfe74,
  0x84acb5d9,
  0x5b6474c4,
  0x9b8d5b46,
  0x87e3ef7b,
  0x45104de3,
  0xb3623f61,
  0xfe67f370,
];

const bytesUpTo = (n: number) => String.fromCharCode(...Array.from({ length: n }, (_, i) => i));

Deno.test("the HalfSipHash model reproduces the reference's HalfSipHash-2-4 vectors", () => {
  const got = REFERENCE_2_4.map((_, i) =>
    modelHalfSipHash(bytesUpTo(i), 0x03020100, 0x07060504, 2, 4)
  );
  assertEquals(got, REFERENCE_2_4);
});

Deno.test("the key hash is HalfSipHash-1-3: it agrees with the model on every length and key", () => {
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) | 0) >>> 0;
  for (let length = 0; length < 300; length++) {
    const k0 = next() | 0;
    const k1 = next() | 0;
    const text = String.fromCharCode(...Array.from({ length }, () => next() & 0xff));
    assertEquals(
      halfSipHash13(text, k0, k1) >>> 0,
      modelHalfSipHash(text, k0, k1, 1, 3),
      `length ${length}`,
    );
  }
});

Deno.test("every char of a key counts, however long the key", () => {
  const long = "y".repeat(200_000);
  const variants = [0, 1, 65_536, 100_000, 199_999].map((at) =>
    `${long.slice(0, at)}z${long.slice(at + 1)}`
  );
  const hashes = new Set([long, ...variants].map((key) => hashKey(key)));
  assertEquals(hashes.size, variants.length + 1);
});
