import { hashHigh, hashKey, hashNumber, hashString, topHash } from '../../src/hash.js';
import { deviceKey } from './support.js';

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
      const lo = hashKey(keyOf(i), 0x1234567);
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
      const lo = (i % 2 === 0 ? hashString(deviceKey(i), 99) : hashNumber(i, 99)) & 15;
      const shard = hashHigh() & 15;
      const list = perBucket.get(lo) ?? [];
      list.push(shard);
      perBucket.set(lo, list);
    }
    for (const shards of perBucket.values()) expect(chiSquarePerCell(shards, 16)).toBeLessThan(2);
  });

  test('is deterministic for a seed and changes with the seed', () => {
    expect(hashString('dev_8a3f9c2e', 1)).toBe(hashString('dev_8a3f9c2e', 1));
    const high = (hashString('dev_8a3f9c2e', 1), hashHigh());
    expect(hashHigh()).toBe(high);
    expect(hashString('dev_8a3f9c2e', 2)).not.toBe(hashString('dev_8a3f9c2e', 1));
    expect(hashNumber(42, 1)).not.toBe(hashNumber(42, 2));
  });

  test('every character counts, in every position and string length', () => {
    const base = 'abcdefghijklmnopq';
    for (let length = 0; length <= base.length; length++) {
      const s = base.slice(0, length);
      const h = hashString(s, 7);
      for (let i = 0; i < length; i++) {
        const changed = s.slice(0, i) + 'Z' + s.slice(i + 1);
        expect(hashString(changed, 7)).not.toBe(h);
      }
      expect(hashString(s + '\0', 7)).not.toBe(h);
    }
    expect(hashString('\u{1F600}', 7)).not.toBe(hashString('\u{1F601}', 7));
  });

  test('0 and -0 hash alike, as do all NaNs; halves are int32 values', () => {
    expect(hashNumber(-0, 5)).toBe(hashNumber(0, 5));
    const otherNaN = new Float64Array(new Uint32Array([7, 0xfff80000]).buffer)[0]!;
    const nan = hashNumber(NaN, 5);
    const nanHigh = hashHigh();
    expect(hashNumber(otherNaN, 5)).toBe(nan);
    expect(hashHigh()).toBe(nanHigh);
    expect(hashNumber(1, 5)).not.toBe(hashNumber(1.0000000000000002, 5));
    for (const key of ['x', 'longer key', 1, 0.5, -3, 2 ** 60]) {
      const lo = hashKey(key, 0xffffffff);
      expect(lo | 0).toBe(lo);
      expect(hashHigh() | 0).toBe(hashHigh());
    }
  });

  test('topHash keeps live tophashes at 5 and above', () => {
    expect(topHash(0)).toBe(5);
    expect(topHash(4 << 24)).toBe(9);
    expect(topHash(5 << 24)).toBe(5);
    expect(topHash(-1)).toBe(255);
  });
});
