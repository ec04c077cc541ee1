/**
 * LZF, the compression RDB files use for strings (Redis's lzf_c.c / lzf_d.c format).
 *
 * The compressed form is a sequence of runs: a control byte below 32 starts a literal run of
 * `ctrl + 1` bytes; otherwise the top three bits are a length (7 meaning "add the next byte")
 * and the low five bits with the next byte a back reference: copy `len + 2` bytes starting
 * `offset + 1` bytes back.
 */

/** Thrown for compressed bytes that do not decode to the announced length. */
export class LzfError extends Error {
  override name = "LzfError";
}

const MAX_LITERAL = 32;
const MAX_OFFSET = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);
const HASH_BITS = 14;

/**
 * Compresses `input`; returns null when the result would not be shorter than `maxBytes`
 * (Redis then stores the string uncompressed).
 */
export function lzfCompress(input: Uint8Array, maxBytes = input.length - 1): Uint8Array | null {
  const length = input.length;
  if (length < 4 || maxBytes <= 0) return null;
  const out = new Uint8Array(maxBytes + MAX_LITERAL + 2);
  const table = new Int32Array(1 << HASH_BITS).fill(-1);
  let ip = 0;
  let op = 1; // room for the first literal's control byte
  let literal = 0;
  const flushLimit = maxBytes;
  while (ip < length - 2) {
    const hash = (((input[ip] << 16) | (input[ip + 1] << 8) | input[ip + 2]) * 2654435761) >>>
      (32 - HASH_BITS);
    const ref = table[hash];
    table[hash] = ip;
    const offset = ip - ref - 1;
    if (
      ref >= 0 && offset < MAX_OFFSET && ip + 4 < length &&
      input[ref] === input[ip] && input[ref + 1] === input[ip + 1] &&
      input[ref + 2] === input[ip + 2]
    ) {
      let len = 2;
      const maxLen = Math.min(length - ip - len, MAX_REF);
      // The control byte of the pending literal run is patched, or dropped when empty.
      if (literal > 0) out[op - literal - 1] = literal - 1;
      else op--;
      do len++; while (len < maxLen && input[ref + len] === input[ip + len]);
      len -= 2;
      ip++;
      if (op + 3 + 1 >= flushLimit) return null;
      if (len < 7) {
        out[op++] = (offset >> 8) + (len << 5);
      } else {
        out[op++] = (offset >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = offset & 0xff;
      literal = 0;
      op++; // the next literal run's control byte
      ip += len + 1;
      if (ip >= length - 2) break;
      // Index the positions the match covered (the last two, as lzf does).
      for (const at of [ip - 2, ip - 1]) {
        const h = (((input[at] << 16) | (input[at + 1] << 8) | input[at + 2]) * 2654435761) >>>
          (32 - HASH_BITS);
        table[h] = at;
      }
      continue;
    }
    if (op >= flushLimit) return null;
    literal++;
    out[op++] = input[ip++];
    if (literal === MAX_LITERAL) {
      out[op - literal - 1] = literal - 1;
      literal = 0;
      op++;
    }
  }
  while (ip < length) {
    if (op >= flushLimit) return null;
    literal++;
    out[op++] = input[ip++];
    if (literal === MAX_LITERAL) {
      out[op - literal - 1] = literal - 1;
      literal = 0;
      op++;
    }
  }
  if (literal > 0) out[op - literal - 1] = literal - 1;
  else op--;
  if (op > maxBytes) return null;
  return out.slice(0, op);
}

/** Decompresses `input` into exactly `length` bytes; throws {@linkcode LzfError} otherwise. */
export function lzfDecompress(
  input: Uint8Array,
  length: number,
  start = 0,
  end = input.length,
): Uint8Array {
  const out = new Uint8Array(length);
  let ip = start;
  let op = 0;
  while (ip < end) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (op + run > length) throw new LzfError("literal run past the announced length");
      if (ip + run > end) throw new LzfError("literal run past the end of the input");
      out.set(input.subarray(ip, ip + run), op);
      op += run;
      ip += run;
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      if (ip >= end) throw new LzfError("truncated back reference");
      len += input[ip++];
    }
    if (ip >= end) throw new LzfError("truncated back reference");
    const ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1;
    len += 2;
    if (ref < 0) throw new LzfError("back reference before the start");
    if (op + len > length) throw new LzfError("back reference past the announced length");
    for (let i = 0; i < len; i++) out[op + i] = out[ref + i];
    op += len;
  }
  if (op !== length) throw new LzfError(`decoded ${op} bytes, expected ${length}`);
  return out;
}
