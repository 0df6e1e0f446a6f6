import fc from 'fast-check';
import { hashHigh, hashKey, hashNumber, hashString, int32Hash, topHash } from '../../src/hash.js';
import { deviceKey } from './support.js';

/** A fixed 64-bit map key (two int32 halves) for the distribution tests. */
const K0 = 0x1234567;
const K1 = -0x5eed5eed;

/** Chi-square statistic per degree of freedom of `values` over `cells` cells: about 1 when uniform. */
function chiSquarePerCell(values: number[], cells: number): number {
  const counts = new Uint32Array(cells);
  for (const v of values) counts[v]!++;
  const expected = values.length / cells;
  let chi = 0;
  for (const c of counts) chi += (c - expected) ** 2 / expected;
  return chi / (cells - 1);
}

const families: [string, (i: number) => string | number][] = [
  ['device ids', deviceKey],
  ['decimal strings', (i) => String(i)],
  ['long shared prefix', (i) => `tenant/eu-west-1/service/cache/key/${i}`],
  ['one character', (i) => String.fromCharCode(i % 65536)],
  ['sequential integers', (i) => i],
  ['multiples of 4096', (i) => i * 4096],
  ['floats', (i) => i / 7],
  ['large integers', (i) => 2 ** 40 + i * 2 ** 20],
];

describe('hash', () => {
  test.each(families)('%s spread evenly over bucket indexes and tophashes', (_name, keyOf) => {
    const n = 65536;
    const lows: number[] = [];
    const tops: number[] = [];
    const shards: number[] = [];
    for (let i = 0; i < n; i++) {
      const lo = hashKey(keyOf(i), K0, K1);
      lows.push(lo & 4095);
      tops.push(hashHigh() >>> 24);
      shards.push(hashHigh() & 63);
    }
    expect(chiSquarePerCell(lows, 4096)).toBeLessThan(1.3);
    expect(chiSquarePerCell(tops, 256)).toBeLessThan(1.6);
    expect(chiSquarePerCell(shards, 64)).toBeLessThan(1.6);
  });

  test('the bits a shard picker uses are independent of the bucket index', () => {
    // Keys of one bucket (same low bits) must still spread over the shards, and the reverse.
    const perBucket = new Map<number, number[]>();
    for (let i = 0; i < 200000; i++) {
      const lo = (i % 2 === 0 ? hashString(deviceKey(i), 99, 7) : hashNumber(i, 99, 7)) & 15;
      const shard = hashHigh() & 15;
      const list = perBucket.get(lo) ?? [];
      list.push(shard);
      perBucket.set(lo, list);
    }
    for (const shards of perBucket.values()) expect(chiSquarePerCell(shards, 16)).toBeLessThan(2);
  });

  test('is deterministic for a key and changes with either half of the key', () => {
    expect(hashString('dev_8a3f9c2e', 1, 2)).toBe(hashString('dev_8a3f9c2e', 1, 2));
    const high = (hashString('dev_8a3f9c2e', 1, 2), hashHigh());
    expect(hashHigh()).toBe(high);
    const both = (hash: () => number): string => `${hash()}:${hashHigh()}`;
    for (const key of [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      'abcde',
      'dev_8a3f9c2e',
      'x'.repeat(33),
      0,
      -1,
      42,
      0.5,
      2 ** 60,
      NaN,
    ]) {
      const base = both(() => hashKey(key, K0, K1));
      for (let bit = 0; bit < 32; bit++) {
        expect(both(() => hashKey(key, K0 ^ (1 << bit), K1))).not.toBe(base);
        expect(both(() => hashKey(key, K0, K1 ^ (1 << bit)))).not.toBe(base);
      }
    }
  });

  test('every character counts, in every position and string length', () => {
    const base = 'abcdefghijklmnopq';
    for (let length = 0; length <= base.length; length++) {
      const s = base.slice(0, length);
      const h = hashString(s, 7, 8);
      for (let i = 0; i < length; i++) {
        const changed = s.slice(0, i) + 'Z' + s.slice(i + 1);
        expect(hashString(changed, 7, 8)).not.toBe(h);
      }
      expect(hashString(s + '\0', 7, 8)).not.toBe(h);
    }
    expect(hashString('\u{1F600}', 7, 8)).not.toBe(hashString('\u{1F601}', 7, 8));
  });

  test('0 and -0 hash alike, as do all NaNs; halves are int32 values', () => {
    expect(hashNumber(-0, 5, 6)).toBe(hashNumber(0, 5, 6));
    const otherNaN = new Float64Array(new Uint32Array([7, 0xfff80000]).buffer)[0]!;
    const nan = hashNumber(NaN, 5, 6);
    const nanHigh = hashHigh();
    expect(hashNumber(otherNaN, 5, 6)).toBe(nan);
    expect(hashHigh()).toBe(nanHigh);
    expect(hashNumber(1, 5, 6)).not.toBe(hashNumber(1.0000000000000002, 5, 6));
    for (const key of ['x', 'longer key', 1, 0.5, -3, 2 ** 60]) {
      const lo = hashKey(key, -1, 0x7fffffff);
      expect(lo | 0).toBe(lo);
      expect(hashHigh() | 0).toBe(hashHigh());
    }
  });

  test("get's int32 hash gives hashNumber's halves, so get finds what set stored", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.integer(), (x, k0, k1) => {
        const low = hashNumber(x, k0, k1);
        const high = hashHigh();
        expect([int32Hash(x, k0, k1), hashHigh()]).toEqual([low, high]);
      }),
      { numRuns: 2000 },
    );
    const low = hashNumber(-0, 3, 4);
    const high = hashHigh();
    expect([int32Hash(0, 3, 4), hashHigh()]).toEqual([low, high]);
  });

  test('topHash keeps live tophashes at 5 and above', () => {
    expect(topHash(0)).toBe(5);
    expect(topHash(4 << 24)).toBe(9);
    expect(topHash(5 << 24)).toBe(5);
    expect(topHash(-1)).toBe(255);
  });
});
