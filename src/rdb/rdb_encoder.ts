/**
 * Writes RDB bytes: lengths, strings (integer-encoded or LZF-compressed when Redis would),
 * opcodes and whole key entries, into one growing buffer that the caller drains with
 * {@linkcode RdbEncoder.take} (a socket, a file, a DUMP reply). The running CRC-64 covers every
 * byte taken, so {@linkcode RdbEncoder.finish} can close an RDB file with its checksum.
 */
// Registers the hash, list and set codecs (not from value_codecs.ts: that would be a cycle).
import "./codecs/collections.ts";
import "./codecs/zset.ts";
import type { Value } from "../store/value.ts";
import { Crc64 } from "./crc64.ts";
import { LZF_MIN_LENGTH, Opcode, RDB_VERSION, RdbType, StringEncoding } from "./format.ts";
import { lzfCompress } from "./lzf.ts";
import { latin1ToBytes, writeLatin1 } from "../protocol/latin1.ts";
import { encoderFor } from "./value_codecs.ts";

const INITIAL_BYTES = 64 * 1024;

/** A digit or '-': only then can a string be an integer (a cheap test before the full one). */
function isIntegerStart(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 45;
}

export class RdbEncoder {
  bytes = new Uint8Array(INITIAL_BYTES);
  length = 0;
  readonly crc = new Crc64();
  /** Try LZF on long strings (Redis's rdbcompression). */
  compress = true;

  /** Removes and returns the bytes written so far (adding them to the CRC). */
  take(): Uint8Array {
    const out = this.bytes.slice(0, this.length);
    this.crc.update(out);
    this.length = 0;
    return out;
  }

  /** `REDIS0010`. */
  header(): void {
    this.raw("REDIS" + String(RDB_VERSION).padStart(4, "0"));
  }

  /** An AUX field (`redis-ver`, `repl-id`, ...). */
  aux(name: string, value: string): void {
    this.byte(Opcode.aux);
    this.string(name);
    this.string(value);
  }

  selectDb(index: number): void {
    this.byte(Opcode.selectDb);
    this.length_(index);
  }

  resizeDb(keys: number, volatile: number): void {
    this.byte(Opcode.resizeDb);
    this.length_(keys);
    this.length_(volatile);
  }

  /** One key: its deadline (when it has one), type byte, name and value. */
  entry(key: string, value: Value, expireAtMs: number): void {
    if (expireAtMs > 0) {
      this.byte(Opcode.expireTimeMs);
      this.#uint64(expireAtMs);
    }
    this.value(key, value, true);
  }

  /**
   * A value: its type byte (when `withType`), the key when given, then the encoding. DUMP
   * writes a value with no key.
   */
  value(key: string | null, value: Value, withType: boolean): void {
    if (typeof value === "string") {
      if (withType) this.byte(RdbType.string);
      if (key !== null) this.string(key);
      this.string(value);
      return;
    }
    const codec = encoderFor(value);
    if (withType) this.byte(codec.rdbType(value));
    if (key !== null) this.string(key);
    codec.write(this, value);
  }

  /** EOF and the CRC-64 of everything before it; returns the last bytes to send. */
  finish(): Uint8Array {
    this.byte(Opcode.eof);
    const tail = this.take();
    const out = new Uint8Array(tail.length + 8);
    out.set(tail);
    out.set(this.crc.bytes(), tail.length);
    return out;
  }

  byte(value: number): void {
    this.#reserve(1);
    this.bytes[this.length++] = value;
  }

  /** An RDB length: 6, 14, 32 or 64 bits, by size. */
  length_(n: number): void {
    this.#reserve(9);
    const b = this.bytes;
    if (n < 0x40) {
      b[this.length++] = n;
    } else if (n < 0x4000) {
      b[this.length++] = 0x40 | (n >> 8);
      b[this.length++] = n & 0xff;
    } else if (n <= 0xffff_ffff) {
      b[this.length++] = 0x80;
      new DataView(b.buffer).setUint32(this.length, n, false);
      this.length += 4;
    } else {
      b[this.length++] = 0x81;
      new DataView(b.buffer).setBigUint64(this.length, BigInt(n), false);
      this.length += 8;
    }
  }

  /** A string as Redis saves it: as an integer when it is one, LZF-compressed when that pays. */
  string(text: string): void {
    const n = text.length;
    if (n <= 11 && n > 0 && isIntegerStart(text.charCodeAt(0)) && this.#integer(text)) return;
    if (this.compress && n >= LZF_MIN_LENGTH && this.#lzf(text)) return;
    this.length_(n);
    this.raw(text);
  }

  /** One-byte-string characters as bytes, with no length. */
  raw(text: string): void {
    const n = text.length;
    this.#reserve(n);
    writeLatin1(text, this.bytes, this.length);
    this.length += n;
  }

  /** 8 bytes, little-endian (expiry times, as Redis writes them). */
  #uint64(n: number): void {
    this.#reserve(8);
    new DataView(this.bytes.buffer).setBigUint64(this.length, BigInt(n), true);
    this.length += 8;
  }

  /** Writes `text` as an int8/16/32 encoding when it is an integer in canonical form. */
  #integer(text: string): boolean {
    if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return false;
    const value = Number(text);
    if (value < -2147483648 || value > 2147483647) return false;
    this.#reserve(5);
    const b = this.bytes;
    if (value >= -128 && value <= 127) {
      b[this.length++] = 0xc0 | StringEncoding.int8;
      b[this.length++] = value & 0xff;
    } else if (value >= -32768 && value <= 32767) {
      b[this.length++] = 0xc0 | StringEncoding.int16;
      b[this.length++] = value & 0xff;
      b[this.length++] = (value >> 8) & 0xff;
    } else {
      b[this.length++] = 0xc0 | StringEncoding.int32;
      new DataView(b.buffer).setInt32(this.length, value, true);
      this.length += 4;
    }
    return true;
  }

  #lzf(text: string): boolean {
    const n = text.length;
    const input = latin1ToBytes(text);
    // Redis keeps the compressed form only when it saves more than 4 bytes.
    const packed = lzfCompress(input, n - 5);
    if (packed === null) return false;
    this.byte(0xc0 | StringEncoding.lzf);
    this.length_(packed.length);
    this.length_(n);
    this.#reserve(packed.length);
    this.bytes.set(packed, this.length);
    this.length += packed.length;
    return true;
  }

  #reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}
