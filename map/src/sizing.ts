/** Go's sizing rules for the classic bucket map: 8-slot buckets, at most 6.5 entries per bucket. */
import { describeValue } from './describe-value.js';

/** Key/value slots per bucket (Go's `bucketCnt`). */
export const BUCKET_SLOTS = 8;
/** The load factor 6.5 kept as the fraction 13/2, for integer arithmetic as in Go. */
export const LOAD_FACTOR_NUM = 13;
export const LOAD_FACTOR_DEN = 2;
/** The largest hint accepted: 2^31. */
export const MAX_HINT = 2 ** 31;
/**
 * The most entries one map holds: 2^28 (268,435,456), 16 times a native Map's 16,777,216. A slot
 * word keeps the entry's number in 28 bits and the key's next split bits in the other four (see
 * ENTRY_BITS); at about 29 bytes an entry for the table alone, memory runs out long before.
 */
export const MAX_ENTRIES = 2 ** 28;

/**
 * Go's `overLoadFactor`: whether `count` entries are more than 2^B buckets may hold, i.e.
 * `count > 8 && count > 13 * (2^B / 2)` with integer division (so B = 0 holds 8).
 */
export function overLoadFactor(count: number, B: number): boolean {
  return count > BUCKET_SLOTS && count > LOAD_FACTOR_NUM * Math.floor(2 ** B / LOAD_FACTOR_DEN);
}

/**
 * Entries a map of 2^B buckets holds before the insert that would start a doubling:
 * 8 at B = 0, 13 * 2^(B-1) above.
 */
export function capacityOf(B: number): number {
  return B === 0 ? BUCKET_SLOTS : LOAD_FACTOR_NUM * 2 ** (B - 1);
}

/** Go's `makemap` choice of B: the smallest B for which `hint` entries do not overload 2^B buckets. */
export function bucketShiftForHint(hint: number): number {
  let B = 0;
  while (overLoadFactor(hint, B)) B++;
  return B;
}

/** Preallocated overflow buckets Go puts after 2^B main buckets: 2^(B-4) from B = 4 on. */
export function overflowPoolSize(B: number): number {
  return B >= 4 ? 2 ** (B - 4) : 0;
}

/** Go's `tooManyOverflowBuckets` limit: same-size growth starts once noverflow reaches 2^min(B,15). */
export function overflowLimit(B: number): number {
  return 2 ** Math.min(B, 15);
}

/** Validates a capacity hint and returns the B it asks for; throws an error naming the bad value. */
export function validateHint(hint: unknown): number {
  if (typeof hint !== 'number') {
    throw new TypeError(`PresizedMap: hint must be an integer from 0 to ${MAX_HINT}, got ${describeValue(hint)}`);
  }
  if (!Number.isInteger(hint) || hint < 0 || hint > MAX_HINT) {
    throw new RangeError(`PresizedMap: hint must be an integer from 0 to ${MAX_HINT}, got ${describeValue(hint)}`);
  }
  if (hint > MAX_ENTRIES) {
    throw new RangeError(`PresizedMap: hint ${hint} is more than the ${MAX_ENTRIES} entries one map holds`);
  }
  return bucketShiftForHint(hint);
}

/** The error of an insert into a map that already holds MAX_ENTRIES entries. */
export function tooManyEntries(name: string): RangeError {
  return new RangeError(
    `PresizedMap: ${name} holds ${MAX_ENTRIES} entries, the most one map holds; split the keys over a ShardedMap`,
  );
}
