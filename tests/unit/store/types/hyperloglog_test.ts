/**
 * The HyperLogLog representation in-process: MurmurHash64A against a BigInt reference, the
 * error at 1M distinct elements, and sparse and dense forms agreeing on every count.
 */
import { assertEquals, assertOk } from "../../../helpers/assert.ts";
import { random } from "../../../helpers/random.ts";
import { hash, murmur64 } from "../../../../src/store/types/murmur64.ts";
import {
  cachedCount,
  createHll,
  DENSE_BYTES,
  hllAdd,
  hllCount,
  isHll,
  mergeInto,
  mergeRegisters,
  REGISTERS,
} from "../../../../src/store/types/hyperloglog.ts";
import { encodingLimits } from "../../../../src/store/types/limits.ts";

const M = 0xc6a4a7935bd1e995n;
const MASK = (1n << 64n) - 1n;

/** MurmurHash64A written the obvious way, with BigInt. */
function reference(key: string, seed: bigint): bigint {
  let h = (seed ^ (BigInt(key.length) * M)) & MASK;
  const blocks = key.length - (key.length & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(key.charCodeAt(i + j));
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h ^= k;
    h = (h * M) & MASK;
  }
  const rest = key.length & 7;
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) h ^= BigInt(key.charCodeAt(blocks + i)) << BigInt(8 * i);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  h ^= h >> 47n;
  return h;
}

Deno.test("MurmurHash64A in 32-bit halves equals the 64-bit algorithm on random bytes", () => {
  const rand = random(3);
  let checked = 0;
  for (let n = 0; n < 5000; n++) {
    let key = "";
    const length = Math.floor(rand() * 40);
    for (let i = 0; i < length; i++) key += String.fromCharCode(Math.floor(rand() * 256));
    murmur64(key, 0xadc83b19);
    assertEquals((BigInt(hash.high) << 32n) | BigInt(hash.low), reference(key, 0xadc83b19n));
    checked++;
  }
  assertEquals(checked, 5000);
});

Deno.test("the count of 1M distinct elements is within 1% and the value ends dense", () => {
  let hll: string | undefined;
  const batch: string[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    batch.push(`user:${i}`);
    if (batch.length === 1000) {
      hll = hllAdd(hll, batch) ?? hll;
      batch.length = 0;
    }
  }
  const count = hllCount(hll!);
  assertOk(Math.abs(count - 1_000_000) / 1_000_000 < 0.01, `estimate ${count}`);
  assertEquals(hll!.length, DENSE_BYTES);
  assertEquals(cachedCount(hll!), null);
});

Deno.test("sparse and dense forms of the same registers count the same, and merge alike", () => {
  const saved = encodingLimits.hllSparseMaxBytes;
  try {
    const rand = random(5);
    for (let round = 0; round < 20; round++) {
      const elements = Array.from(
        { length: 1 + Math.floor(rand() * 400) },
        (_, i) => `e${i}:${round}`,
      );
      encodingLimits.hllSparseMaxBytes = 1_000_000;
      const sparse = hllAdd(undefined, elements)!;
      encodingLimits.hllSparseMaxBytes = 0;
      const dense = mergeInto(undefined, registersOf(sparse), true);
      assertEquals(sparse.charCodeAt(4), 1);
      assertEquals(dense.length, DENSE_BYTES);
      assertOk(isHll(sparse) && isHll(dense));
      assertEquals(hllCount(sparse), hllCount(dense));
      assertEquals(registersOf(dense), registersOf(sparse));
    }
  } finally {
    encodingLimits.hllSparseMaxBytes = saved;
  }
});

function registersOf(hll: string): Uint8Array {
  const max = new Uint8Array(REGISTERS);
  mergeRegisters(max, hll);
  return max;
}

Deno.test("an empty HyperLogLog is 18 bytes of header and XZERO runs, counting 0", () => {
  const empty = createHll();
  assertEquals(empty.length, 18);
  assertEquals(hllCount(empty), 0);
  assertEquals(cachedCount(empty), 0);
  assertEquals(hllAdd(empty, []), null);
});
