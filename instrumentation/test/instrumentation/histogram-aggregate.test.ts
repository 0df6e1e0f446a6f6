import fc from 'fast-check';
import { EVACUATION_STALL_BUCKETS } from '../../src/instrumentation/buckets.js';
import { HistogramAggregate } from '../../src/instrumentation/histogram-aggregate.js';

/** What an explicit-bucket histogram keeps of a series of values (the SDK's rule: bucket i holds (b[i-1], b[i]]). */
function aggregate(boundaries: readonly number[], values: readonly number[]) {
  const counts = new Array<number>(boundaries.length + 1).fill(0);
  for (const v of values) {
    const i = boundaries.findIndex((b) => v <= b);
    counts[i === -1 ? boundaries.length : i]!++;
  }
  return {
    count: values.length,
    sum: values.reduce((s, v) => s + v, 0),
    min: values.length === 0 ? Infinity : Math.min(...values),
    max: values.length === 0 ? -Infinity : Math.max(...values),
    counts,
  };
}

function replayed(pending: HistogramAggregate): number[] {
  const out: number[] = [];
  pending.replay((v) => out.push(v));
  return out;
}

const stall = fc.oneof(
  fc.double({ min: 0, max: 0.2, noNaN: true }),
  fc.constantFrom(...EVACUATION_STALL_BUCKETS), // exactly on a boundary
  fc.double({ min: 1e-7, max: 1e-4, noNaN: true }),
);

describe('HistogramAggregate', () => {
  test('a replay gives the histogram the raw values would: count, sum, min, max, bucket counts', () => {
    fc.assert(
      fc.property(fc.array(stall, { maxLength: 400 }), (values) => {
        const pending = new HistogramAggregate(EVACUATION_STALL_BUCKETS);
        for (const v of values) pending.add(v);
        expect(pending.size).toBe(values.length);
        const expected = aggregate(EVACUATION_STALL_BUCKETS, values);
        const got = aggregate(EVACUATION_STALL_BUCKETS, replayed(pending));
        expect(got.count).toBe(expected.count);
        expect(got.counts).toEqual(expected.counts);
        expect(got.min).toBe(expected.min);
        expect(got.max).toBe(expected.max);
        expect(got.sum).toBeCloseTo(expected.sum, 12);
      }),
      { numRuns: 300 },
    );
  });

  test('a replay forgets what it handed over; what comes after is replayed next time', () => {
    const pending = new HistogramAggregate([1, 10]);
    for (const v of [0.5, 5, 50]) pending.add(v);
    expect(replayed(pending).sort((a, b) => a - b)).toEqual([0.5, 5, 50]);
    expect(pending.size).toBe(0);
    expect(replayed(pending)).toEqual([]);
    pending.add(3);
    expect(replayed(pending)).toEqual([3]);
  });

  test('memory stays fixed however many values wait: a million stalls, one bucket each side', () => {
    const pending = new HistogramAggregate([1e-5]);
    for (let i = 0; i < 1_000_000; i++) pending.add(i % 2 === 0 ? 2e-6 : 3e-5);
    let records = 0;
    let low = 0;
    pending.replay((v) => {
      records++;
      if (v <= 1e-5) low++;
    });
    expect(records).toBe(1_000_000);
    expect(low).toBe(500_000);
  });
});
