/** Assertions from node:assert/strict under the names the tests use. */
import assert from "node:assert/strict";

export const assertEquals = <T>(actual: unknown, expected: T, message?: string): void =>
  assert.deepStrictEqual(actual, expected, message);
export const assertNotEquals = (actual: unknown, expected: unknown, message?: string): void =>
  assert.notDeepStrictEqual(actual, expected, message);
export const assert_ = assert;
export const assertMatch = (actual: string, pattern: RegExp, message?: string): void =>
  assert.match(actual, pattern, message);
export const assertRejects = assert.rejects;
export const assertThrows = assert.throws;
export const assertOk = (value: unknown, message?: string): void => assert.ok(value, message);
