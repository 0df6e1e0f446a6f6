import fc from 'fast-check';
import { NO_BUCKET, linkAt } from '../../src/bucket-array.js';
import { hashHigh, hashKey, hashString } from '../../src/hash.js';
import { PresizedMap } from '../../src/presized-map.js';
import { splitmix32 } from '../../src/random.js';
import { ShardedMap } from '../../src/sharded-map.js';
import { oldHashCollisionKey } from './support.js';
import { v8IntegerCollisions, v8SmiHash } from './v8-integer-collisions.js';

// A flooding client cannot see a map's hash key, so what it needs are keys that collide under
// every key. These tests search for such collisions with the constructions known to produce them
// in seeded hashes, and count how many of 24 map keys make a candidate pair collide.

const draw = splitmix32(2026);
const MAP_KEYS: [number, number][] = Array.from({ length: 24 }, () => [draw(), draw()]);
/** Bucket bits compared: a table of 1,024 buckets. */
const BUCKET_MASK = 1023;

/** Over the 24 map keys: in how many the two keys share their whole 64-bit hash, and their bucket. */
function collisionsOf(a: string | number, b: string | number): { full: number; bucket: number } {
  let full = 0;
  let bucket = 0;
  for (const [k0, k1] of MAP_KEYS) {
    const aLow = hashKey(a, k0, k1);
    const aHigh = hashHigh();
    const bLow = hashKey(b, k0, k1);
    if (aLow === bLow && aHigh === hashHigh()) full++;
    if ((aLow & BUCKET_MASK) === (bLow & BUCKET_MASK)) bucket++;
  }
  return { full, bucket };
}

/**
 * A pair of distinct keys must not collide in 64 bits under any of the map keys, and must share a
 * bucket of 1,024 under at most 4 of the 24 (by chance: 1 in 10^10 per pair); a collision the
 * construction forces, whatever the key, would share it under all 24.
 */
function expectNoForcedCollision(a: string | number, b: string | number): void {
  // Keys a Map holds as one (SameValueZero: 0 and -0) hash alike by design.
  if (a === b) return;
  const { full, bucket } = collisionsOf(a, b);
  // Only a failing pair goes through expect: the searches check tens of thousands of pairs.
  if (full !== 0 || bucket > 4) {
    expect({ a, b, full, bucketsSharedAtMost4: bucket <= 4 }).toEqual({ a, b, full: 0, bucketsSharedAtMost4: true });
  }
}

const fromUnits = (units: readonly number[]): string => String.fromCharCode(...units);
const codeUnit = fc.integer({ min: 0, max: 0xffff });
const highUnit = fc.integer({ min: 0x8000, max: 0xffff });
/** XOR masks of a code unit, weighted towards the ones that move the top bit of a lane's word. */
const flipMask = fc.oneof(
  fc.constantFrom(0x8000, 0x8001, 0x0001, 0xffff, 0x7fff, 0xc000),
  fc.integer({ min: 1, max: 0xffff }),
);
const units = fc.array(codeUnit, { minLength: 1, maxLength: 48 });

describe('no collisions that hold without the key', () => {
  test('the family that shared one 64-bit hash under every seed of the previous hash spreads like random keys', () => {
    const family = Array.from({ length: 20000 }, (_, i) => oldHashCollisionKey(i));
    expect(new Set(family).size).toBe(20000);
    for (const [k0, k1] of MAP_KEYS.slice(0, 4)) {
      const hashes = new Set<string>();
      const buckets = new Uint32Array(1024);
      for (const key of family) {
        const lo = hashString(key, k0, k1);
        hashes.add(`${lo}:${hashHigh()}`);
        buckets[lo & BUCKET_MASK]!++;
      }
      expect(hashes.size).toBe(20000);
      // About 19.5 keys a bucket; a Poisson count of that mean exceeds 45 once in 10^7.
      expect(Math.max(...buckets)).toBeLessThan(45);
    }
  });

  test('bit flips cancelled across rounds: top-bit flips in one code unit and a flip 1 to 8 units on', () => {
    // Every position, distance and pair of masks of the constructions on each base string.
    const masks = [0x8000, 0x8001, 0x0001, 0xffff, 0x7fff, 0xc000, 0x4000];
    fc.assert(
      fc.property(fc.array(codeUnit, { minLength: 5, maxLength: 20 }), (base) => {
        const original = fromUnits(base);
        for (let i = 0; i < base.length; i++) {
          for (const distance of [1, 2, 3, 4, 8]) {
            if (i + distance >= base.length) continue;
            for (const first of masks) {
              for (const second of masks) {
                const changed = base.slice();
                changed[i]! ^= first;
                changed[i + distance]! ^= second;
                expectNoForcedCollision(original, fromUnits(changed));
              }
            }
          }
        }
      }),
      { numRuns: 12 },
    );
  });

  test('bit flips anywhere: up to four code units changed by any masks', () => {
    fc.assert(
      fc.property(units, fc.array(fc.tuple(fc.nat(), flipMask), { minLength: 1, maxLength: 4 }), (base, flips) => {
        const changed = base.slice();
        for (const [at, mask] of flips) changed[at % base.length]! ^= mask;
        expectNoForcedCollision(fromUnits(base), fromUnits(changed));
      }),
      { numRuns: 1500 },
    );
  });

  test('equal-length permutations of the same code units', () => {
    fc.assert(
      fc.property(units, fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 }), (base, swaps) => {
        const permuted = base.slice();
        for (const [x, y] of swaps) {
          const i = x % base.length;
          const j = y % base.length;
          [permuted[i], permuted[j]] = [permuted[j]!, permuted[i]!];
        }
        expectNoForcedCollision(fromUnits(base), fromUnits(permuted));
      }),
      { numRuns: 1500 },
    );
  });

  test('strings of high-bit code units (surrogates included), equal length', () => {
    fc.assert(
      fc.property(fc.array(highUnit, { minLength: 1, maxLength: 24 }), fc.nat(), highUnit, (base, at, unit) => {
        const changed = base.slice();
        changed[at % base.length] = unit;
        expectNoForcedCollision(fromUnits(base), fromUnits(changed));
      }),
      { numRuns: 1500 },
    );
  });

  test('a family built from high bits of code units spreads evenly over buckets', () => {
    // Key i sets the top bit of code unit j when bit j of i is set: 65,536 keys of 16 units.
    const keys = Array.from({ length: 65536 }, (_, i) =>
      fromUnits(Array.from({ length: 16 }, (_, j) => 0x41 + j + ((i >> j) & 1) * 0x8000)),
    );
    for (const [k0, k1] of MAP_KEYS.slice(0, 3)) {
      const buckets = new Uint32Array(4096);
      for (const key of keys) buckets[hashString(key, k0, k1) & 4095]!++;
      let chi = 0;
      for (const c of buckets) chi += (c - 16) ** 2 / 16;
      expect(chi / 4095).toBeLessThan(1.3);
    }
  });

  test('strings that differ only in length by trailing zero units', () => {
    fc.assert(
      fc.property(units, fc.integer({ min: 1, max: 8 }), (base, extra) => {
        expectNoForcedCollision(fromUnits(base), fromUnits([...base, ...new Array<number>(extra).fill(0)]));
      }),
      { numRuns: 500 },
    );
  });

  test('numbers: sign, top-bit, 2^32-apart, doubled and one-bit-apart IEEE-754 neighbours', () => {
    const view = new Float64Array(1);
    const words = new Uint32Array(view.buffer);
    const flipBit = (x: number, bit: number): number => {
      view[0] = x;
      words[bit >> 5]! ^= 1 << (bit & 31);
      return view[0]!;
    };
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double({ noNaN: true })), fc.integer({ min: 0, max: 63 }), (x, bit) => {
        for (const y of [-x, x ^ 0x80000000, x + 2 ** 32, x * 2, x + 1, flipBit(x, bit)]) {
          if (!Number.isNaN(y)) expectNoForcedCollision(x, y);
        }
      }),
      { numRuns: 800 },
    );
  });

  test('a string and a number never share a hash by construction', () => {
    fc.assert(
      fc.property(fc.array(codeUnit, { maxLength: 4 }), fc.double({ noNaN: true }), (base, x) => {
        expectNoForcedCollision(fromUnits(base), x);
      }),
      { numRuns: 500 },
    );
  });
});

/** Buckets in the longest chain of a map: its main bucket and the overflow buckets linked after it. */
function longestChain<K extends string | number>(map: PresizedMap<K, number>): number {
  const rows = map['rows'];
  const buckets = 2 ** map.stats().B;
  let longest = 0;
  for (let b = 0; b < buckets; b++) {
    let length = 1;
    for (let next = rows[linkAt(b)]!; next !== NO_BUCKET; next = rows[linkAt(next)]!) length++;
    longest = Math.max(longest, length);
  }
  return longest;
}

describe('the old colliding family in the maps', () => {
  const family = Array.from({ length: 20000 }, (_, i) => oldHashCollisionKey(i));

  test.each([
    ['a random', undefined],
    ['a fixed', 7],
  ])('in a PresizedMap with %s seed, 20,000 keys fill chains of at most 4 buckets, with no growth', (_name, seed) => {
    const map = new PresizedMap<string, number>({ hint: 20000, seed });
    family.forEach((key, i) => map.set(key, i));
    expect(map.size).toBe(20000);
    const stats = map.stats();
    // 4,096 buckets for 20,000 keys: 4.9 a bucket; a chain of 5 buckets needs 33 keys in one bucket.
    expect(stats).toMatchObject({ B: 12, growths: 0, sameSizeGrowths: 0 });
    expect(stats.overflowBuckets).toBeLessThan(512);
    expect(longestChain(map)).toBeLessThanOrEqual(4);
    expect(family.filter((key, i) => map.get(key) !== i)).toEqual([]);
  });

  test('a ShardedMap spreads them evenly over its 16 shards', () => {
    for (const seed of [undefined, 3]) {
      const map = new ShardedMap<string, number>({ shards: 16, hint: 20000, seed });
      family.forEach((key, i) => map.set(key, i));
      const sizes = map.stats().shards.map((s) => s.size);
      // 1,250 a shard, standard deviation 34: 200 off is six deviations.
      for (const size of sizes) {
        expect(size).toBeGreaterThan(1050);
        expect(size).toBeLessThan(1450);
      }
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(20000);
    }
  });
});

describe('integers that share one bucket of every native Map', () => {
  // V8 hashes them with a fixed function (v8-integer-collisions.ts): one chain in a native Map of up
  // to 65,536 buckets, in every process (bench/integer-key-flood.bench.mjs times what that costs).
  const crafted = v8IntegerCollisions(16);

  test('are 32,967 distinct small integers whose V8 hash ends in 16 zero bits', () => {
    expect(crafted).toHaveLength(32967);
    // Told apart by sorting: a native Set of them (the same table as a Map) takes about a second.
    const sorted = Int32Array.from(crafted).sort();
    expect(sorted.filter((key, i) => i > 0 && key === sorted[i - 1])).toHaveLength(0);
    expect(crafted.filter((key) => (key | 0) !== key || key < -(2 ** 30) || key >= 2 ** 30)).toEqual([]);
    expect(crafted.filter((key) => (v8SmiHash(key) & 0xffff) !== 0)).toEqual([]);
  });

  test('spread over a PresizedMap like any keys: with a hint, chains of at most 4 buckets and no growth', () => {
    for (const seed of [undefined, 11]) {
      const map = new PresizedMap<number, number>({ hint: crafted.length, seed });
      crafted.forEach((key, i) => map.set(key, i));
      // 8,192 buckets for 32,967 keys: 4.0 a bucket; a chain of 5 buckets needs 33 keys in one bucket.
      expect(map.stats()).toMatchObject({ B: 13, growths: 0, sameSizeGrowths: 0 });
      expect(longestChain(map)).toBeLessThanOrEqual(4);
      expect(crafted.filter((key, i) => map.get(key) !== i)).toEqual([]);
    }
  });

  test('spread over a PresizedMap grown from empty: no same-size growth, chains of at most 4 buckets', () => {
    const map = new PresizedMap<number, number>();
    crafted.forEach((key, i) => map.set(key, i));
    expect(map.stats()).toMatchObject({ size: crafted.length, B: 13, sameSizeGrowths: 0 });
    expect(longestChain(map)).toBeLessThanOrEqual(4);
  });
});
