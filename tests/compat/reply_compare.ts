/**
 * What one server answered to one request, how two such answers are compared, and how they are
 * shown in a mismatch report.
 */
import { ReplyError, type RespValue } from "../../src/client/mod.ts";
import type { CompareMode } from "./script_file.ts";
import { bytesToLatin1 } from "../../src/protocol/latin1.ts";

/** One server's answer: a reply with its exact bytes, the connection closing, or silence. */
export type Outcome =
  | { kind: "reply"; raw: Uint8Array; value: RespValue }
  | { kind: "closed" }
  | { kind: "timeout"; ms: number }
  /** Bytes that are not a RESP reply at all. */
  | { kind: "invalid"; reason: string };

/** Whether two answers agree under `mode`. */
export function sameOutcome(a: Outcome, b: Outcome, mode: CompareMode): boolean {
  if (a.kind !== "reply" || b.kind !== "reply") return a.kind === b.kind;
  switch (mode) {
    case "exact":
    case "strict":
      return sameBytes(a.raw, b.raw);
    case "fields":
      return maskVolatile(a.raw) === maskVolatile(b.raw);
    case "type":
      return a.raw[0] === b.raw[0];
    case "unordered":
      return a.raw[0] === b.raw[0] && canonical(a.value, true) === canonical(b.value, true);
    case "masked":
      return a.raw[0] === b.raw[0] && canonical(a.value, false, true) ===
          canonical(b.value, false, true);
  }
}

/** A client address as SLOWLOG and CLIENT LIST show it. */
const ADDRESS = /^[0-9]{1,3}(\.[0-9]{1,3}){3}:[0-9]+$/;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A string form of a decoded reply; with `sorted`, arrays and sets at every level are sorted;
 * with `masked`, integers and client addresses are replaced by placeholders.
 */
function canonical(value: RespValue, sorted: boolean, masked = false): string {
  if (value === null) return "null";
  if (masked && (typeof value === "number" || typeof value === "bigint")) return "<int>";
  if (masked && typeof value === "string" && ADDRESS.test(value)) return "<addr>";
  if (value instanceof ReplyError) return `err:${JSON.stringify(value.message)}`;
  if (Array.isArray(value) || value instanceof Set) {
    const items = [...value].map((item) => canonical(item, sorted, masked));
    if (sorted) items.sort();
    return `[${items.join(",")}]`;
  }
  if (value instanceof Map) {
    const pairs = [...value].map(([k, v]) =>
      `${canonical(k, sorted, masked)}=>${canonical(v, sorted, masked)}`
    );
    if (sorted) pairs.sort();
    return `{${pairs.join(",")}}`;
  }
  return `${typeof value}:${JSON.stringify(String(value))}`;
}

/** Fields whose values belong to the moment or to the connection (ACL LOG entries). */
const VOLATILE_FIELDS = new Set(["age-seconds", "client-info"]);

/**
 * The reply's bytes as text, with the value after each field named in VOLATILE_FIELDS replaced
 * by its type byte alone: everything else (structure, types, lengths, other values) stays as
 * it was sent.
 */
export function maskVolatile(raw: Uint8Array): string {
  const text = bytesToLatin1(raw);
  let out = "";
  let at = 0;
  let maskNext = false;
  while (at < text.length) {
    const lineEnd = text.indexOf("\r\n", at);
    if (lineEnd < 0) return out + text.slice(at); // not RESP: compared as it stands
    const type = text[at];
    const header = text.slice(at, lineEnd + 2);
    let token = header;
    let value = text.slice(at + 1, lineEnd);
    at = lineEnd + 2;
    if (type === "$" || type === "=" || type === "!") {
      const length = Number(value);
      if (length >= 0) {
        value = text.slice(at, at + length);
        token += text.slice(at, at + length + 2);
        at += length + 2;
      }
    }
    const scalar = !"*%~>|".includes(type);
    out += scalar && maskNext ? `${type}<masked>` : token;
    maskNext = scalar && VOLATILE_FIELDS.has(value);
  }
  return out;
}

const MAX_SHOWN = 400;

/** The answer as readable text: printable ASCII kept, CR/LF and other bytes escaped. */
export function describeOutcome(outcome: Outcome): string {
  if (outcome.kind === "closed") return "<connection closed>";
  if (outcome.kind === "timeout") return `<no reply within ${outcome.ms} ms>`;
  if (outcome.kind === "invalid") return `<not RESP: ${outcome.reason}>`;
  const shown = escapeBytes(outcome.raw.subarray(0, MAX_SHOWN));
  const more = outcome.raw.length > MAX_SHOWN ? `... (${outcome.raw.length} bytes)` : "";
  return `"${shown}"${more}`;
}

/** Bytes as a double-quoted-style string with \r, \n, \\, \" and \xHH escapes. */
export function escapeBytes(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) {
    if (byte === 0x0d) text += "\\r";
    else if (byte === 0x0a) text += "\\n";
    else if (byte === 0x5c) text += "\\\\";
    else if (byte === 0x22) text += '\\"';
    else if (byte >= 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return text;
}
