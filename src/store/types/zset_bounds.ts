/**
 * Range bounds of sorted sets, by score (`1.5`, `(1.5`, `-inf`, `+inf`) and by member (`[a`,
 * `(a`, `-`, `+`), parsed as Redis 7.0 parses them, and the one test every range walk uses.
 *
 * A bound is used as "the first element past it": for a range's minimum that is the first
 * element inside the range, for its maximum the first element after the range (so the range
 * is [first past min, first past max)). `strict` says whether an element equal to the bound is
 * past it.
 */
import { parseRangeDouble } from "../../protocol/double_text.ts";

export interface Bound {
  /** Compare members (BYLEX) rather than scores. */
  lex: boolean;
  score: number;
  member: string;
  /** Lex bounds only: -1 for `-` (before everything), 1 for `+` (after everything), else 0. */
  infinite: number;
  /** An element equal to the bound is past it (an exclusive minimum, an inclusive maximum). */
  strict: boolean;
}

/** A parsed range: the two bounds, ready for `firstRank`. */
export interface Range {
  min: Bound;
  max: Bound;
  /** The range is empty whatever the set holds (min above max, or equal and exclusive). */
  empty: boolean;
}

/** Whether (score, member) is past `bound`. */
export function pastBound(bound: Bound, score: number, member: string): boolean {
  if (!bound.lex) return bound.strict ? score > bound.score : score >= bound.score;
  if (bound.infinite !== 0) return bound.infinite < 0;
  return bound.strict ? member > bound.member : member >= bound.member;
}

function scoreBound(text: string, isMax: boolean): Bound | null {
  const exclusive = text.charCodeAt(0) === 0x28;
  const score = parseRangeDouble(text, exclusive ? 1 : 0);
  if (score === null) return null;
  return { lex: false, score, member: "", infinite: 0, strict: isMax ? !exclusive : exclusive };
}

/** Score bounds `min max` as ZRANGEBYSCORE reads them; null when either is not a float. */
export function parseScoreRange(minText: string, maxText: string): Range | null {
  const min = scoreBound(minText, false);
  const max = scoreBound(maxText, true);
  if (min === null || max === null) return null;
  const empty = min.score > max.score ||
    (min.score === max.score && (min.strict || !max.strict));
  return { min, max, empty };
}

function lexBound(text: string, isMax: boolean): Bound | null {
  const first = text.charCodeAt(0);
  if (text === "+" || text === "-") {
    return { lex: true, score: 0, member: "", infinite: first === 0x2b ? 1 : -1, strict: false };
  }
  if (first !== 0x28 && first !== 0x5b) return null;
  const exclusive = first === 0x28;
  return {
    lex: true,
    score: 0,
    member: text.slice(1),
    infinite: 0,
    strict: isMax ? !exclusive : exclusive,
  };
}

/** Member bounds `min max` as ZRANGEBYLEX reads them; null when either is malformed. */
export function parseLexRange(minText: string, maxText: string): Range | null {
  const min = lexBound(minText, false);
  const max = lexBound(maxText, true);
  if (min === null || max === null) return null;
  let empty: boolean;
  if (min.infinite > 0 || max.infinite < 0) empty = true;
  else if (min.infinite < 0 || max.infinite > 0) empty = false;
  else {
    empty = min.member > max.member ||
      (min.member === max.member && (min.strict || !max.strict));
  }
  return { min, max, empty };
}
