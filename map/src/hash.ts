/**
 * Keyed hashing of map keys, with a 64-bit key per map, carried as two 32-bit halves.
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
 *   A map reaches at most 2^26 buckets (it holds at most 2^28 entries), so bits 26..31 of the low
 *   half never pick a bucket; a slot word keeps bits B to B+2 for the next doublings.
 * - high half, bits 24..31: tophash (values below 5 are shifted up by 5).
 * - high half, bits 0..23: FREE. A sharded map picks its shard from these bits
 *   (`hashHigh() & (shards - 1)` for up to 2^24 shards); they are independent of both the bucket
 *   index and the tophash, so every shard still sees well-spread bucket indexes and tophashes.
 *
 * Why it resists flooding. A hash whose key (seed) only sets the starting state, and whose rounds
 * mix input through fixed multiplies and shifts, lets a difference in the input travel through
 * every round the same way for every key: the previous hash turned a flipped top bit of a code
 * unit into a fixed XOR of its state, which a flip chosen in the next round's input cancelled, so
 * whole families of keys shared one 64-bit hash under every seed (the weakness Aumasson and
 * Bernstein showed in MurmurHash and CityHash). Here, as in Go's runtime fallback hash and wyhash,
 * each round multiplies two words that both carry secret state (input XOR a state that starts as
 * the key) and keeps the whole 64-bit product: a difference in one operand changes the product by
 * that difference times the other, secret, operand, so which inputs collide depends on the key and
 * can only be found by someone who knows it. Kept whole (64 bits from two 32-bit words), the
 * product loses next to nothing for a fixed other operand; each operand is XORed into the other's
 * half of it, so that a zero operand cannot wipe the state. The length goes in last, through one
 * more keyed product (a length set at the start could be offset by the first word), and two
 * murmur3 finalisers spread that product over both halves.
 *
 * Strings are hashed over their UTF-16 code units, four per round (two 32-bit words). Most of a
 * string hash's time goes to `charCodeAt` (about 1 ns a code unit in optimised code), a cost a
 * native `Map` does not pay: V8 caches each string's hash in the string. Numbers are hashed from
 * their value, never through a string, with the same keyed product: int32 values directly, every
 * other number through its IEEE-754 bits. 0 and -0 hash alike and every NaN hashes alike, matching
 * the SameValueZero equality of `Map`.
 */

import { describeValue } from './describe-value.js';

/** 2^-32: brings a 64-bit product down to its high word. */
const DOWN32 = 1 / 4294967296;
/** Length stand-in for numbers: a string never has 2^32 - 1 code units, so no string shares it. */
const NUMBER_TAG = -1;
/** High word given to int32 values: a NaN pattern no other number reaches the mix with (NaNs are folded into one). */
const INT32_HIGH_WORD = 0x7ff00001;

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

/** murmur3's fmix32: a bijection of 32 bits in which every input bit reaches every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The high word of the 64-bit product of `x` and `y` (as unsigned), as an int32 pattern.
 * `Math.imul` gives only the low word. The product of the two as doubles is exact in its top 53
 * bits and rounded below, so the high word is exact except when that rounding carries into it
 * (off by one, rarely, and always alike for the same operands: a deterministic function of them,
 * which is all a hash needs). One float multiply is faster in V8 than the four 16-bit products an
 * exact high word takes.
 */
function mulHigh(x: number, y: number): number {
  // y * 2^-32 is exact, and so is a product's scaling by a power of two: the same result as
  // scaling the product, with one multiply fewer between x and the hash.
  return ((x >>> 0) * ((y >>> 0) * DOWN32)) | 0;
}

// The last keyed product, of the state and the length, then one finaliser per half. As in every
// round, each operand is XORed into the other's half of the product (wyhash's "condom"): an
// operand that happens to be zero then leaves the other one in the state instead of wiping it.
// One function for both halves, with the product computed once: V8 inlines a lookup's hash into
// it within a budget of bytecode counted over every inlined function, and two functions of a half
// each (with the product and a finaliser each) took twice the budget of this one, which left the
// int32 lookup out of the caller's loop (a call per get; map/README.md, "Lookups").
function finish(a: number, b: number, length: number): number {
  const x = a ^ length;
  const lo = Math.imul(x, b) ^ b;
  const hi = mulHigh(x, b) ^ x;
  high = fmix(hi + ((lo << 16) | (lo >>> 16)));
  return fmix(lo ^ hi);
}

/**
 * Hashes a string under the 64-bit key (k0, k1) of its map; returns the low half, leaves the high
 * half for `hashHigh()`.
 */
export function hashString(s: string, k0: number, k1: number): number {
  const n = s.length;
  let a = k0;
  let b = k1;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    const x = a ^ (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    const y = b ^ (s.charCodeAt(i + 2) | (s.charCodeAt(i + 3) << 16));
    a = Math.imul(x, y) ^ y;
    b = mulHigh(x, y) ^ x;
  }
  if (i < n) {
    let w0 = s.charCodeAt(i);
    let w1 = 0;
    if (i + 1 < n) w0 |= s.charCodeAt(i + 1) << 16;
    if (i + 2 < n) w1 = s.charCodeAt(i + 2);
    const x = a ^ w0;
    const y = b ^ w1;
    a = Math.imul(x, y) ^ y;
    b = mulHigh(x, y) ^ x;
  }
  return finish(a, b, n);
}

/** `hashNumber` for an int32 `x` (`x | 0`): returns the low half, leaves the high half for `hashHigh()`. */
export function int32Hash(x: number, k0: number, k1: number): number {
  return finish(x ^ k0, INT32_HIGH_WORD ^ k1, NUMBER_TAG);
}

/**
 * Hashes a number by value (SameValueZero) under the 64-bit key (k0, k1) of its map; returns the
 * low half, leaves the high half for `hashHigh()`.
 */
export function hashNumber(x: number, k0: number, k1: number): number {
  // int32, and -0 (which `x | 0` turns into 0).
  if ((x | 0) === x) return int32Hash(x | 0, k0, k1);
  let w0 = 0;
  let w1 = 0x7ff80000;
  if (x === x) {
    floatView[0] = x;
    w0 = wordView[LOW_WORD]!;
    w1 = wordView[HIGH_WORD]!;
  }
  return finish(w0 ^ k0, w1 ^ k1, NUMBER_TAG);
}

/** The error for a key that is neither a string nor a number, naming the map type that refused it. */
export function keyTypeError(owner: string, key: unknown): TypeError {
  return new TypeError(`${owner}: keys must be strings or numbers, got ${describeValue(key)}`);
}

/**
 * Hashes a map key of either type; returns the low half, leaves the high half for `hashHigh()`.
 * Any other type is refused with a TypeError: it would otherwise hash like NaN and pile up in one
 * chain.
 */
export function hashKey(key: string | number, k0: number, k1: number): number {
  if (typeof key === 'string') return hashString(key, k0, k1);
  // int32 keys are told apart here as well as in hashNumber: on Node 20, once this function had
  // seen string keys, int32 keys hashed through hashNumber allocated about 5 bytes a call (V8's
  // sampling heap profiler, map/README.md "No garbage per operation"); from here, nothing.
  if (typeof key === 'number') return (key | 0) === key ? int32Hash(key | 0, k0, k1) : hashNumber(key, k0, k1);
  throw keyTypeError('PresizedMap', key);
}

/** Go's tophash: the top byte of the hash, moved out of the 0..4 range reserved for slot markers. */
export function topHash(hi: number): number {
  const top = hi >>> 24;
  return top < 5 ? top + 5 : top;
}
