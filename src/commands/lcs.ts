/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN], as Redis 7.0's lcsCommand: the
 * longest common subsequence by dynamic programming over a (len1+1) x (len2+1) table, walked
 * back from the end to rebuild the string and its matching ranges (reported last first). The
 * table is bounded as in Redis: past proto-max-bulk-len bytes the command is refused.
 */
import { CommandError, Errors } from "./errors.ts";
import { intArg, option } from "./args.ts";
import type { CommandSpec, Handler } from "./spec.ts";
import { countRead } from "./string_lookup.ts";

const NOT_STRINGS = new CommandError("ERR The specified keys must contain string values");
const LEN_AND_IDX = new CommandError(
  "ERR If you want both the length and indexes, please just use IDX.",
);
const TABLE_TOO_BIG = new CommandError(
  "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
);
const NO_MEMORY = new CommandError(
  "ERR Insufficient memory, failed allocating transient memory for LCS",
);

const lcs: Handler = (ctx, argv) => {
  const first = countRead(ctx, argv[1], ctx.db.get(argv[1], ctx.now));
  const second = countRead(ctx, argv[2], ctx.db.get(argv[2], ctx.now));
  if (
    (first !== undefined && typeof first !== "string") ||
    (second !== undefined && typeof second !== "string")
  ) {
    throw NOT_STRINGS;
  }
  const a = first ?? "";
  const b = second ?? "";
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const word = option(argv[j]);
    if (word === "IDX") getIdx = true;
    else if (word === "LEN") getLen = true;
    else if (word === "WITHMATCHLEN") withMatchLen = true;
    else if (word === "MINMATCHLEN" && j + 1 < argv.length) {
      minMatchLen = Math.max(0, Number(intArg(argv[++j])));
    } else {
      throw Errors.syntax;
    }
  }
  if (getIdx && getLen) throw LEN_AND_IDX;
  const aLen = a.length;
  const bLen = b.length;
  const width = bLen + 1;
  const cells = (aLen + 1) * width;
  if (cells * 4 > ctx.server.config.maxBulkBytes) throw TABLE_TOO_BIG;
  let table: Uint32Array;
  try {
    table = new Uint32Array(cells);
  } catch {
    throw NO_MEMORY;
  }
  for (let i = 1; i <= aLen; i++) {
    const ai = a.charCodeAt(i - 1);
    const row = i * width;
    const above = row - width;
    for (let j = 1; j <= bLen; j++) {
      if (ai === b.charCodeAt(j - 1)) table[row + j] = table[above + j - 1] + 1;
      else {
        const up = table[above + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const length = table[aLen * width + bLen];
  if (getLen) return ctx.out.integer(length);

  // Walk back from the end: the common characters, and the ranges of contiguous matches.
  const result: number[] = new Array(length);
  const matches: [number, number, number, number][] = [];
  let idx = length;
  let aStart = aLen; // aLen means "no range open"
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = aLen;
  let j = bLen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      result[idx - 1] = a.charCodeAt(i - 1);
      if (aStart === aLen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--;
      else j--;
      if (aStart !== aLen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) {
        matches.push([aStart, aEnd, bStart, bEnd]);
      }
      aStart = aLen;
    }
  }
  if (!getIdx) {
    let text = "";
    for (let k = 0; k < result.length; k += 8192) {
      text += String.fromCharCode.apply(null, result.slice(k, k + 8192));
    }
    return ctx.out.bulk(text);
  }
  const out = ctx.out;
  out.mapHeader(2);
  out.bulk("matches");
  out.arrayHeader(matches.length);
  for (const [as, ae, bs, be] of matches) {
    out.arrayHeader(withMatchLen ? 3 : 2);
    out.arrayHeader(2);
    out.integer(as);
    out.integer(ae);
    out.arrayHeader(2);
    out.integer(bs);
    out.integer(be);
    if (withMatchLen) out.integer(ae - as + 1);
  }
  out.bulk("len");
  out.integer(length);
};

export const lcsCommands: CommandSpec[] = [
  {
    name: "lcs",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 2, 1],
    group: "string",
    summary: "Find longest common substring",
    since: "7.0.0",
    complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
    args: [
      { name: "key1", type: "key" },
      { name: "key2", type: "key" },
      { name: "len", type: "pure-token", token: "LEN", flags: ["optional"] },
      { name: "idx", type: "pure-token", token: "IDX", flags: ["optional"] },
      { name: "len", type: "integer", token: "MINMATCHLEN", flags: ["optional"] },
      { name: "withmatchlen", type: "pure-token", token: "WITHMATCHLEN", flags: ["optional"] },
    ],
    keyFlags: ["RO", "access"],
    handler: lcs,
  },
];
