/**
 * Reads RDB bytes: a whole RDB file (full sync, a dump.rdb) into fresh keyspaces, or one DUMP
 * payload. Every read is bounds-checked: truncated or malformed input throws RdbError with
 * the offset, and nothing is applied to live data by this module (the caller swaps the fresh
 * keyspaces in only after a load that reached EOF with a good checksum).
 */
// Registers the hash, list and set codecs (not from value_codecs.ts: that would be a cycle).
import "./codecs/collections.ts";
import "./codecs/zset.ts";
import type { Value } from "../store/value.ts";
import { Crc64 } from "./crc64.ts";
import { Opcode, RDB_TYPE_NAMES, RDB_VERSION, RdbError, StringEncoding } from "./format.ts";
import { lzfDecompress, LzfError } from "./lzf.ts";
import { decoderFor } from "./value_codecs.ts";
import { type Latin1Buffer, latin1View, sliceLatin1 } from "../protocol/latin1.ts";

export class RdbDecoder {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;
  readonly #view: DataView;
  readonly #latin1: Latin1Buffer;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#latin1 = latin1View(bytes);
  }

  fail(reason: string): never {
    throw new RdbError(`${reason} at offset ${this.pos}`);
  }

  byte(): number {
    if (this.pos >= this.end) this.fail("unexpected end of data");
    return this.bytes[this.pos++];
  }

  /** An RDB length, or for a special encoding `-1 - encoding`. */
  lengthOrEncoding(): number {
    const first = this.byte();
    const kind = first >> 6;
    if (kind === 0) return first & 0x3f;
    if (kind === 1) return ((first & 0x3f) << 8) | this.byte();
    if (kind === 3) return -1 - (first & 0x3f);
    if (first === 0x80) {
      this.#need(4);
      const n = this.#view.getUint32(this.pos, false);
      this.pos += 4;
      return n;
    }
    if (first === 0x81) {
      this.#need(8);
      const n = this.#view.getBigUint64(
        this.pos,
        false,
      );
      this.pos += 8;
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) this.fail("length too large");
      return Number(n);
    }
    return this.fail(`bad length byte 0x${first.toString(16)}`);
  }

  length(): number {
    const n = this.lengthOrEncoding();
    if (n < 0) this.fail("expected a length, found an encoded string");
    return n;
  }

  /** A string in any of its encodings (raw, int8/16/32, LZF), as a one-byte string. */
  string(): string {
    const n = this.lengthOrEncoding();
    if (n >= 0) return this.rawString(n);
    const encoding = -1 - n;
    const view = this.#view;
    switch (encoding) {
      case StringEncoding.int8:
        this.#need(1);
        return String(view.getInt8(this.pos++));
      case StringEncoding.int16: {
        this.#need(2);
        const value = view.getInt16(this.pos, true);
        this.pos += 2;
        return String(value);
      }
      case StringEncoding.int32: {
        this.#need(4);
        const value = view.getInt32(this.pos, true);
        this.pos += 4;
        return String(value);
      }
      case StringEncoding.lzf: {
        const packed = this.length();
        const length = this.length();
        this.#need(packed);
        let bytes: Uint8Array;
        try {
          bytes = lzfDecompress(this.bytes, length, this.pos, this.pos + packed);
        } catch (error) {
          if (error instanceof LzfError) this.fail(`bad LZF string: ${error.message}`);
          throw error;
        }
        this.pos += packed;
        return latin1View(bytes).latin1Slice(0, bytes.length);
      }
      default:
        return this.fail(`unknown string encoding ${encoding}`);
    }
  }

  rawString(n: number): string {
    this.#need(n);
    const text = sliceLatin1(this.bytes, this.#latin1, this.pos, this.pos + n);
    this.pos += n;
    return text;
  }

  /** 8 bytes, little-endian (expiry times). */
  uint64LE(): number {
    this.#need(8);
    const n = this.#view.getBigUint64(this.pos, true);
    this.pos += 8;
    return Number(n);
  }

  uint32LE(): number {
    this.#need(4);
    const n = this.#view.getUint32(this.pos, true);
    this.pos += 4;
    return n;
  }

  /** A value of type byte `rdbType`; refuses a type Hermes has no decoder for. */
  value(rdbType: number): Value {
    const decode = decoderFor(rdbType);
    if (decode === undefined) {
      const name = RDB_TYPE_NAMES[rdbType] ?? "unknown";
      this.fail(`unsupported value type ${rdbType} (${name})`);
    }
    return decode(this, rdbType);
  }

  #need(n: number): void {
    if (this.pos + n > this.end) this.fail("unexpected end of data");
  }
}

/** One key read from an RDB file. */
export interface RdbEntry {
  db: number;
  key: string;
  value: Value;
  /** Unix ms, 0 for none. */
  expireAtMs: number;
}

/** What the loader reports besides the keys. */
export interface RdbHeaderInfo {
  version: number;
  aux: Map<string, string>;
  /** False when the file's checksum was 0 (Redis's rdbchecksum no). */
  checksummed: boolean;
}

/**
 * Checks the header and the trailing CRC-64 of a whole RDB payload; returns the version and
 * whether a checksum was present. Throws RdbError for a bad magic, a version newer than 10, a
 * missing EOF or a checksum mismatch.
 */
export function checkRdbFrame(bytes: Uint8Array): { version: number; checksummed: boolean } {
  if (bytes.length < 9 || new TextDecoder().decode(bytes.subarray(0, 5)) !== "REDIS") {
    throw new RdbError("not an RDB payload (bad magic)");
  }
  const digits = new TextDecoder().decode(bytes.subarray(5, 9));
  const version = /^[0-9]{4}$/.test(digits) ? Number(digits) : NaN;
  if (!(version >= 1 && version <= RDB_VERSION)) {
    throw new RdbError(`unsupported RDB version "${digits}" (Hermes reads 1 to ${RDB_VERSION})`);
  }
  if (version < 5) return { version, checksummed: false };
  if (bytes.length < 9 + 1 + 8) throw new RdbError("truncated RDB payload");
  const end = bytes.length - 8;
  if (bytes[end - 1] !== Opcode.eof) {
    throw new RdbError("truncated RDB payload (no EOF before the checksum)");
  }
  const stored = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(end, true);
  if (stored === 0n) return { version, checksummed: false };
  const crc = new Crc64();
  crc.update(bytes, 0, end);
  if (crc.value !== stored) {
    throw new RdbError(
      `RDB checksum mismatch: computed ${crc.value.toString(16)}, stored ${stored.toString(16)}`,
    );
  }
  return { version, checksummed: true };
}

/**
 * Reads every key of a whole RDB payload (checked first with {@linkcode checkRdbFrame}),
 * calling `onEntry` for each one. Awaits `pause()` once `sliceMs` ms passed since the last one
 * (checked every 1024 keys), so a big load does
 * not hold the event loop for its whole length.
 */
export async function readRdb(
  bytes: Uint8Array,
  onEntry: (entry: RdbEntry) => void,
  options: { pause?: () => Promise<void>; sliceMs?: number } = {},
): Promise<RdbHeaderInfo> {
  const { version, checksummed } = checkRdbFrame(bytes);
  const decoder = new RdbDecoder(bytes, 9, version >= 5 ? bytes.length - 8 : bytes.length);
  const aux = new Map<string, string>();
  const sliceMs = options.sliceMs ?? 20;
  let sliceStart = performance.now();
  let db = 0;
  let expireAtMs = 0;
  let sinceSlice = 0;
  while (true) {
    const type = decoder.byte();
    switch (type) {
      case Opcode.eof:
        if (decoder.pos !== decoder.end) decoder.fail("data after EOF");
        return { version, aux, checksummed };
      case Opcode.selectDb:
        db = decoder.length();
        continue;
      case Opcode.resizeDb:
        decoder.length();
        decoder.length();
        continue;
      case Opcode.aux: {
        const name = decoder.string();
        aux.set(name, decoder.string());
        continue;
      }
      case Opcode.expireTimeMs:
        expireAtMs = decoder.uint64LE();
        continue;
      case Opcode.expireTime:
        expireAtMs = decoder.uint32LE() * 1000;
        continue;
      case Opcode.freq:
        decoder.byte();
        continue;
      case Opcode.idle:
        decoder.length();
        continue;
      case Opcode.moduleAux:
        decoder.fail("unsupported module data (MODULE_AUX)");
        break;
      case Opcode.function:
      case Opcode.function2:
        decoder.fail("unsupported Redis functions (FUNCTION)");
        break;
    }
    const key = decoder.string();
    const value = decoder.value(type);
    onEntry({ db, key, value, expireAtMs });
    expireAtMs = 0;
    if (options.pause && (++sinceSlice & 1023) === 0 && performance.now() - sliceStart >= sliceMs) {
      await options.pause();
      sliceStart = performance.now();
    }
  }
}
