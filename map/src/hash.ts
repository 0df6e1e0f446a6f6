/**
 * Seeded key hashing for the presized map, carried as two 32-bit halves.
 *
 * A hash call returns the LOW half and leaves the HIGH half in a module slot read by `hashHigh()`,
 * so that hashing a key allocates nothing. Read `hashHigh()` right after the call, before hashing
 * anything else. Both halves are 32-bit patterns held as signed int32 values (`x >>> 0` gives the
 * unsigned view): V8 keeps those as small integers, where an unsigned value of 2^31 or more would
 * be boxed into a heap number on every call.
 *
 * How the bits are used (as in Go, where the bucket index comes from the low bits and the tophash
 * from the top byte, so the two never overlap):
 * - low half, bits 0..B-1: bucket index; bit oldB picks the X or Y half during a doubling.
 *   A bucket array holds at most 2^27 buckets, so bits 27..31 of the low half are never used.
 * - high half, bits 24..31: tophash (values below 5 are shifted up by 5).
 * - high half, bits 0..23: FREE. A sharded map picks its shard from these bits
 *   (`hashHigh() & (shards - 1)` for up to 2^24 shards); they are independent of both the bucket
 *   index and the tophash, so every shard still sees well-spread bucket indexes and tophashes.
 *
 * Strings are hashed over their UTF-16 code units with two lanes (four code units per round, two
 * in each lane, one multiply and a xorshift per lane) and a murmur3 finaliser on each half. This
 * is not FNV: Go's runtime does not use FNV either (it uses AES rounds or a wyhash-like fallback).
 * Most of a string hash's time goes to `charCodeAt` (about 1 ns a code unit in optimised code on
 * Node 20), a cost a native `Map` does not pay: V8 caches each string's hash in the string.
 * Numbers are hashed from their value, never through a string: int32 values directly, every other
 * number through its IEEE-754 bits. 0 and -0 hash alike and every NaN hashes alike, matching the
 * SameValueZero equality of `Map`.
 */

const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;

let high = 0;

const floatView = new Float64Array(1);
const wordView = new Uint32Array(floatView.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LOW_WORD = littleEndian ? 0 : 1;
const HIGH_WORD = littleEndian ? 1 : 0;

/** The high half of the most recent hash computed by this module. */
export function hashHigh(): number {
  return high;
}

function finalMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Hashes a string with a 32-bit seed; returns the low half, leaves the high half for `hashHigh()`. */
export function hashString(s: string, seed: number): number {
  const n = s.length;
  let a = (seed ^ PRIME3) + n;
  let b = Math.imul(seed ^ n, PRIME1) ^ PRIME4;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    // One multiply and a xorshift per lane and round: each round is a bijection of the lane for a
    // given input, so strings that differ anywhere keep different lanes, and the finalisers below
    // do the avalanche. xxHash's round (a second multiply, a rotation instead of the xorshift) took
    // 20 ns against 17.7 ns for a 12-character key on Node 20, for no better spread.
    a = Math.imul(a ^ (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)), PRIME1);
    a ^= a >>> 15;
    b = Math.imul(b ^ (s.charCodeAt(i + 2) | (s.charCodeAt(i + 3) << 16)), PRIME2);
    b ^= b >>> 15;
  }
  if (i < n) {
    let tail = s.charCodeAt(i);
    if (i + 1 < n) tail |= s.charCodeAt(i + 1) << 16;
    a = a + Math.imul(tail, PRIME3);
    a = Math.imul((a << 17) | (a >>> 15), PRIME4);
    if (i + 2 < n) {
      b = b + Math.imul(s.charCodeAt(i + 2), PRIME3);
      b = Math.imul((b << 17) | (b >>> 15), PRIME4);
    }
  }
  // Both halves depend on both lanes but not on each other, so the CPU computes them side by side.
  high = finalMix(b ^ Math.imul((a << 11) | (a >>> 21), PRIME4));
  return finalMix(a ^ Math.imul((b << 16) | (b >>> 16), PRIME2));
}

/** Hashes a number by value (SameValueZero); returns the low half, leaves the high half for `hashHigh()`. */
export function hashNumber(x: number, seed: number): number {
  let w0: number;
  let w1: number;
  if ((x | 0) === x) {
    // int32, and -0 (which `x | 0` turns into 0). The high word is a NaN pattern that no other
    // number reaches the mix with (NaNs are folded into one below), so no float shares these words.
    w0 = x | 0;
    w1 = 0x7ff00001;
  } else if (x === x) {
    floatView[0] = x;
    w0 = wordView[LOW_WORD];
    w1 = wordView[HIGH_WORD];
  } else {
    w0 = 0;
    w1 = 0x7ff80000;
  }
  high = finalMix(Math.imul(w1 ^ seed, PRIME3) + Math.imul(w0 + seed, PRIME4));
  return finalMix(Math.imul(w0 ^ seed, PRIME1) ^ Math.imul(w1 + seed, PRIME2));
}

/** Hashes a map key of either type; returns the low half, leaves the high half for `hashHigh()`. */
export function hashKey(key: string | number, seed: number): number {
  return typeof key === 'string' ? hashString(key, seed) : hashNumber(key, seed);
}

/** Go's tophash: the top byte of the hash, moved out of the 0..4 range reserved for slot markers. */
export function topHash(hi: number): number {
  const top = hi >>> 24;
  return top < 5 ? top + 5 : top;
}
