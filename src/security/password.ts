/**
 * Passwords are kept only as SHA-256 digests (64 lowercase hex characters), as Redis keeps them,
 * and compared in constant time. Hashing is synchronous (node:crypto) because AUTH runs inside
 * the store actor.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";

/** A password digest: the SHA-256 of its bytes, in lowercase hex. */
export type PasswordHash = string;

/** The digest of a password given as a one-byte string (the bytes the client sent). */
export function hashPassword(password: string): PasswordHash {
  return createHash("sha256").update(Buffer.from(password, "latin1")).digest("hex");
}

/** Whether `text` is a digest as ACL `#<hash>` takes it: 64 characters of [0-9a-f]. */
export function isPasswordHash(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(text);
}

/**
 * Compares two digests without an early exit, so the time taken says nothing about how many
 * leading characters matched.
 */
export function sameHash(a: PasswordHash, b: PasswordHash): boolean {
  const left = Buffer.from(a, "latin1");
  const right = Buffer.from(b, "latin1");
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/**
 * A digest no password is known to produce, compared against when the user does not exist or
 * has no passwords, so AUTH takes the same time whether the user exists or not.
 */
export const DUMMY_HASH: PasswordHash = hashPassword(
  Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => String.fromCharCode(b)).join(""),
);

/** Most bits ACL GENPASS makes. */
export const GENPASS_MAX_BITS = 4096;

/** `bits` random bits as hex, one character per 4 bits rounded up (ACL GENPASS). */
export function generatePassword(bits: number): string {
  const chars = Math.ceil(bits / 4);
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(chars / 2)));
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex.slice(0, chars);
}
