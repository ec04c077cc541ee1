/**
 * BITFIELD against a model written from the definitions: random GET, SET and INCRBY of signed
 * and unsigned fields of every width at random offsets, under WRAP, SAT and FAIL, run through
 * the dispatcher in-process. Replies, the final bytes, and the bytes rebuilt by replaying the
 * log (SETRANGE ops) must all match the model.
 */
import { assertEquals } from "../../helpers/assert.ts";
import { random } from "../../helpers/random.ts";
import { Databases } from "../../../src/store/databases.ts";
import { WalJournal } from "../../../src/wal/wal_journal.ts";
import { inProcess } from "../tx/in_process.ts";
import { decodeChanges } from "../../../src/wal/codec.ts";
import { storeApplier } from "../../../src/wal/replay.ts";

/** The string as bits: bit i is bit (7 - i % 8) of byte i / 8; reads past the end are 0. */
class BitModel {
  bytes: number[] = [];

  get(offset: number, bits: number): bigint {
    let value = 0n;
    for (let i = 0; i < bits; i++) {
      const at = offset + i;
      const byte = this.bytes[at >> 3] ?? 0;
      value = (value << 1n) | BigInt((byte >> (7 - (at & 7))) & 1);
    }
    return value;
  }

  set(offset: number, bits: number, value: bigint): void {
    this.grow((offset + bits - 1) >> 3);
    for (let i = 0; i < bits; i++) {
      const at = offset + i;
      const bit = Number((value >> BigInt(bits - 1 - i)) & 1n);
      const shift = 7 - (at & 7);
      this.bytes[at >> 3] = (this.bytes[at >> 3] & ~(1 << shift)) | (bit << shift);
    }
  }

  grow(lastByte: number): void {
    while (this.bytes.length <= lastByte) this.bytes.push(0);
  }

  text(): string {
    return String.fromCharCode(...this.bytes);
  }
}

type Overflow = "WRAP" | "SAT" | "FAIL";

/** The value stored and replied for a write, or null when FAIL refuses it. */
function fieldResult(
  signed: boolean,
  bits: number,
  wanted: bigint,
  overflow: Overflow,
): bigint | null {
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (wanted >= min && wanted <= max) return wanted;
  if (overflow === "FAIL") return null;
  if (overflow === "SAT") return wanted > max ? max : min;
  const wrapped = BigInt.asUintN(bits, wanted);
  return signed ? BigInt.asIntN(bits, wrapped) : wrapped;
}

/** An in-process server whose changes are also encoded as the log would write them. */
function harness() {
  const log = new WalJournal();
  log.muted = false;
  const h = inProcess();
  h.store.journal.durable = log;
  const session = h.session();
  return { run: (argv: string[]) => h.run(session, ...argv), store: h.store, log };
}

Deno.test("random BITFIELD commands match a bit-level model, and the log replays to the same bytes", () => {
  const rand = random(99);
  const { run, store, log } = harness();
  const model = new BitModel();
  const pick = <T>(items: T[]) => items[Math.floor(rand() * items.length)];
  let subcommands = 0;
  for (let command = 0; command < 1500; command++) {
    const argv = ["BITFIELD", "bf"];
    let expected = "";
    let replies = 0;
    let overflow: Overflow = "WRAP";
    for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) {
      if (rand() < 0.15) {
        overflow = pick(["WRAP", "SAT", "FAIL"] as Overflow[]);
        argv.push("OVERFLOW", overflow);
      }
      const signed = rand() < 0.5;
      const bits = 1 + Math.floor(rand() * (signed ? 64 : 63));
      const offset = Math.floor(rand() * 200);
      const type = `${signed ? "i" : "u"}${bits}`;
      const raw = model.get(offset, bits);
      const old = signed ? BigInt.asIntN(bits, raw) : raw;
      const r = rand();
      const random64 = () =>
        BigInt.asIntN(
          64,
          (BigInt(Math.floor(rand() * 2 ** 32)) << 32n) | BigInt(Math.floor(rand() * 2 ** 32)),
        );
      const small = () => BigInt(Math.floor(rand() * 600) - 300);
      if (r < 0.3) {
        argv.push("GET", type, String(offset));
        expected += `:${old}\r\n`;
      } else if (r < 0.65) {
        const value = rand() < 0.3 ? random64() : small();
        argv.push("SET", type, String(offset), String(value));
        // Redis reads an unsigned SET value as uint64: a negative one is above any maximum.
        const wanted = !signed && value < 0n ? BigInt.asUintN(64, value) : value;
        const stored = fieldResult(signed, bits, wanted, overflow);
        if (stored === null) expected += "$-1\r\n";
        else {
          expected += `:${old}\r\n`;
          model.set(offset, bits, BigInt.asUintN(bits, stored));
        }
        // A SET or INCRBY grows the string to its field even when FAIL refuses the write.
        model.grow((offset + bits - 1) >> 3);
      } else {
        const increment = rand() < 0.2 ? random64() : small();
        argv.push("INCRBY", type, String(offset), String(increment));
        const stored = fieldResult(signed, bits, old + increment, overflow);
        if (stored === null) expected += "$-1\r\n";
        else {
          expected += `:${stored}\r\n`;
          model.set(offset, bits, BigInt.asUintN(bits, stored));
        }
        model.grow((offset + bits - 1) >> 3);
      }
      replies++;
    }
    subcommands += replies;
    assertEquals(run(argv), `*${replies}\r\n${expected}`, argv.join(" "));
    assertEquals(store.dbs[0].get("bf", 0) ?? "", model.text());
  }
  const replayed = new Databases();
  const applier = storeApplier(replayed);
  const bytes = log.encoder.bytes;
  for (let at = 0; at < log.encoder.length;) {
    const length = bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 | bytes[at + 3] << 24;
    decodeChanges(bytes, at + 9, at + 9 + length, applier);
    at += 9 + length;
  }
  assertEquals(replayed.dbs[0].get("bf", 0), model.text());
  assertEquals(subcommands > 3000, true);
});
