import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two strings in time that depends only on their length, never on where they first
 * differ, so a guesser learns nothing from how long a refusal takes. Strings of different
 * lengths are unequal (`timingSafeEqual` needs equal-length buffers); callers compare values of
 * a fixed length, such as hashes, so the length says nothing secret.
 */
export function constantTimeEqual(actual: string, expected: string): boolean {
  const a = Buffer.from(actual, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
