import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GO_STRING_SLICE_BUCKET_BYTES, bucketsForHint, planCapacity, tableBytes } from '../src/planner.js';
import { PresizedMap } from '../src/presized-map.js';
import { MAX_ENTRIES, MAX_HINT, capacityOf } from '../src/sizing.js';

describe('bucketsForHint follows Go makemap (spec §2 and §10)', () => {
  test.each([
    [0, 0],
    [8, 0],
    [9, 1],
    [13, 1],
    [14, 2],
    [5_000, 10],
    [6_656, 10],
    [6_657, 11],
    [120_000, 15],
    [150_000, 15],
    [200_000, 15],
    [212_992, 15],
    [212_993, 16],
  ])('hint %d → B %d', (hint, B) => {
    expect(bucketsForHint(hint).B).toBe(B);
  });

  test('the worked rows of §10: buckets, capacity before growth, overflow pool', () => {
    expect(bucketsForHint(5_000)).toEqual({ B: 10, buckets: 1_024, nextGrowthAt: 6_656, overflowPool: 64 });
    expect(bucketsForHint(150_000)).toEqual({ B: 15, buckets: 32_768, nextGrowthAt: 212_992, overflowPool: 2_048 });
    expect(bucketsForHint(3)).toEqual({ B: 0, buckets: 1, nextGrowthAt: 8, overflowPool: 0 });
  });

  test('the growth inserts of §10: #(threshold + 1) starts the doubling out of each B', () => {
    const starts = Array.from({ length: 15 }, (_, B) => capacityOf(B) + 1);
    expect(starts).toEqual([9, 14, 27, 53, 105, 209, 417, 833, 1665, 3329, 6657, 13313, 26625, 53249, 106497]);
  });

  test('B is the smallest that holds the hint: closed form ceil(log2(hint / 6.5)) above 8', () => {
    fc.assert(
      fc.property(fc.integer({ min: 9, max: MAX_ENTRIES }), (hint) => {
        const { B, nextGrowthAt } = bucketsForHint(hint);
        expect(hint).toBeLessThanOrEqual(nextGrowthAt);
        expect(hint).toBeGreaterThan(capacityOf(B - 1));
        expect(B).toBe(Math.ceil(Math.log2(hint / 6.5)));
      }),
    );
  });

  test.each([9, 100, 1_000, 5_000, 150_000, 1_000_000])(
    'tableBytes(B, %d) is what a map built with that hint allocates',
    (hint) => {
      const map = new PresizedMap<string, number>({ hint });
      const buckets = map['buckets']!;
      const chunks: unknown[][] = map['chunks'];
      // 8 bytes an element: Node.js does not compress pointers.
      const chunkBytes = chunks.reduce((sum, chunk) => sum + chunk.length * 8, 0);
      const typedBytes = buckets.rows.byteLength;
      expect(typedBytes + chunkBytes).toBe(tableBytes(buckets.B, hint));
    },
  );

  test('Go bucket of map[string][]string is 336 bytes', () => {
    expect(GO_STRING_SLICE_BUCKET_BYTES).toBe(336);
  });

  test.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_HINT + 1])('rejects hint %p naming it', (hint) => {
    expect(() => bucketsForHint(hint)).toThrow(RangeError);
    expect(() => bucketsForHint(hint)).toThrow(String(hint));
  });
});

describe('planCapacity', () => {
  test('the incident: 120,000 devices plan to B = 15 with no growth before 212,992 keys', () => {
    const plan = planCapacity({ peakQps: 2_000, retentionSeconds: 60, keysPerRequest: 1, headroom: 1.25 });
    expect(plan).toEqual({
      expectedKeys: 120_000,
      hint: 150_000,
      B: 15,
      buckets: 32_768,
      nextGrowthAt: 212_992,
      estimatedBytes: tableBytes(15, 150_000),
    });
  });

  test('keyPopulation caps the keys a long retention would otherwise count', () => {
    const plan = planCapacity({ peakQps: 5_000, retentionSeconds: 3_600, keysPerRequest: 1, keyPopulation: 120_000 });
    expect(plan.expectedKeys).toBe(120_000);
    expect(plan.hint).toBe(150_000);
  });

  test('decimal inputs do not round up past the exact product', () => {
    expect(planCapacity({ peakQps: 100, retentionSeconds: 1, keysPerRequest: 0.1, headroom: 1.1 })).toMatchObject({
      expectedKeys: 10,
      hint: 11,
    });
  });

  test('the planned hint always fits the table without a doubling', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 1e4, noNaN: true }),
        fc.double({ min: 0.1, max: 1e3, noNaN: true }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        fc.double({ min: 1, max: 2, noNaN: true }),
        (peakQps, retentionSeconds, keysPerRequest, headroom) => {
          const plan = planCapacity({ peakQps, retentionSeconds, keysPerRequest, headroom });
          expect(plan.hint).toBeGreaterThanOrEqual(plan.expectedKeys);
          expect(plan.nextGrowthAt).toBeGreaterThanOrEqual(plan.hint);
          expect(plan.buckets).toBe(2 ** plan.B);
          expect(plan.estimatedBytes).toBe(tableBytes(plan.B, plan.hint));
        },
      ),
    );
  });

  test.each([
    ['peakQps 0', { peakQps: 0, retentionSeconds: 60, keysPerRequest: 1 }, /peakQps .* got 0/],
    ['peakQps NaN', { peakQps: Number.NaN, retentionSeconds: 60, keysPerRequest: 1 }, /peakQps .* got NaN/],
    ['retentionSeconds -5', { peakQps: 10, retentionSeconds: -5, keysPerRequest: 1 }, /retentionSeconds .* got -5/],
    [
      'keysPerRequest Infinity',
      { peakQps: 10, retentionSeconds: 60, keysPerRequest: Number.POSITIVE_INFINITY },
      /keysPerRequest .* got Infinity/,
    ],
    ['headroom 0.2', { peakQps: 10, retentionSeconds: 60, keysPerRequest: 1, headroom: 0.2 }, /headroom .* got 0.2/],
    [
      'keyPopulation 2.5',
      { peakQps: 10, retentionSeconds: 60, keysPerRequest: 1, keyPopulation: 2.5 },
      /keyPopulation .* got 2.5/,
    ],
    [
      'more keys than one map holds',
      { peakQps: 1e6, retentionSeconds: 86_400, keysPerRequest: 1 },
      /exceeds what one map holds .* ShardedMap/,
    ],
  ])('rejects %s with a clear error', (_name, input, message) => {
    expect(() => planCapacity(input)).toThrow(RangeError);
    expect(() => planCapacity(input)).toThrow(message);
  });

  test('rejects a missing field by name', () => {
    expect(() => planCapacity({ peakQps: 10, retentionSeconds: 60 } as never)).toThrow(
      /keysPerRequest .* got undefined/,
    );
  });

  test('imports nothing from Node.js, directly or through the map modules it uses, so a browser bundle can use it', () => {
    const source = (file: string) => readFileSync(join(__dirname, '../src', file), 'utf8');
    const importsOf = (file: string) => [...source(file).matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(importsOf('planner.ts').sort()).toEqual(['./bucket-array.js', './describe-value.js', './sizing.js']);
    expect(importsOf('bucket-array.ts')).toEqual(['./sizing.js']);
    expect(importsOf('sizing.ts')).toEqual(['./describe-value.js']);
    expect(importsOf('describe-value.ts')).toEqual([]);
  });
});
