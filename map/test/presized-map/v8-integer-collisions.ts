// V8 hashes a small-integer key of a native Map or Set with one fixed function, Thomas Wang's
// 32-bit integer hash (`ComputeUnseededHash`, used by the builtins' `FindOrderedHashTableEntryForSmiKey`):
// no per-process seed, unlike its string hash. Anyone can therefore compute, once and offline,
// integers that share a native Map's bucket in every process. The function is a bijection of 32-bit
// words, step by step, so such keys come from running it backwards from hashes chosen alike.

/** V8's hash of a small-integer key (`key | 0`), as its builtins compute it: 30 bits. */
export function v8SmiHash(key: number): number {
  let h = key >>> 0;
  h = (~h + (h << 15)) >>> 0;
  h = (h ^ (h >>> 12)) >>> 0;
  h = (h + (h << 2)) >>> 0;
  h = (h ^ (h >>> 4)) >>> 0;
  h = Math.imul(h, 2057) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h & 0x3fffffff;
}

/** The inverse of an odd multiplier modulo 2^32 (Newton's iteration, 5 steps for 32 bits). */
function inverseOf(odd: number): number {
  let x = odd;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(odd, x));
  return x >>> 0;
}

/** The x with x ^ (x >>> shift) === y. */
function undoXorShift(y: number, shift: number): number {
  let x = y;
  for (let known = shift; known < 32; known += shift) x = (y ^ (x >>> shift)) >>> 0;
  return x;
}

const UNDO_2057 = inverseOf(2057);
const UNDO_5 = inverseOf(5);
// ~h + (h << 15) is h * 32767 - 1.
const UNDO_32767 = inverseOf(32767);

/** The 32-bit word whose hash before the final 30-bit mask is `hash`. */
function unhash(hash: number): number {
  let h = undoXorShift(hash >>> 0, 16);
  h = Math.imul(h, UNDO_2057) >>> 0;
  h = undoXorShift(h, 4);
  h = Math.imul(h, UNDO_5) >>> 0;
  h = undoXorShift(h, 12);
  return Math.imul((h + 1) >>> 0, UNDO_32767) >>> 0;
}

/**
 * Every integer of 31 bits (a small integer on every V8 build, pointer compression or not) whose
 * V8 hash ends in `bits` zero bits: all of them fall in bucket 0 of a native Map or Set of up to
 * 2^bits buckets (twice as many entries). About 2^(31 - bits) keys: 32,967 for 16 bits.
 */
export function v8IntegerCollisions(bits: number): number[] {
  if (!Number.isInteger(bits) || bits < 8 || bits > 24) {
    throw new RangeError(`v8IntegerCollisions: bits must be a whole number from 8 to 24, got ${String(bits)}`);
  }
  const keys: number[] = [];
  for (let high = 0; high < 2 ** (32 - bits); high++) {
    const key = unhash(high * 2 ** bits) | 0;
    if (key >= -(2 ** 30) && key < 2 ** 30) keys.push(key);
  }
  return keys;
}
