import {
  bucketBound,
  histogramQuantile,
  maxBound,
  quantile,
  table,
  type CacheFigures,
} from '../scripts/demo/measure.js';
import type { DeviceLogsStats } from '../scripts/demo/service.js';

function snapshot(counts: number[], boundsMs: number[]): DeviceLogsStats {
  return {
    cache: 'native',
    description: '',
    size: 0,
    map: null,
    process: {
      gc: {
        count: counts.reduce((a, b) => a + b, 0),
        pauseTotalMs: 0,
        pauseMaxMs: 0,
        pauseHistogram: { boundsMs, counts },
      },
      allocatedBytes: 0,
      heapUsedBytes: 0,
      rssBytes: 0,
      uptimeSeconds: 0,
    },
  };
}

describe('demo figures', () => {
  it('takes quantiles by nearest rank', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 1)).toBe(100);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.99)).toBeNaN();
  });

  it('takes the GC pause p99 from the pauses between two snapshots only', () => {
    const bounds = [1, 2, 4, 8];
    const before = snapshot([0, 0, 0, 5], bounds);
    // 100 new pauses: 98 of up to 1 ms, 2 of up to 4 ms; the five long ones before the window do not count.
    const after = snapshot([98, 0, 2, 5], bounds);
    expect(histogramQuantile(before, after, 0.99)).toBe(4);
    expect(histogramQuantile(before, after, 0.98)).toBe(1);
    expect(histogramQuantile(after, after, 0.99)).toBe(0);
  });

  it('bounds the largest observation of a cumulative histogram by the first bucket that holds them all', () => {
    expect(
      maxBound([
        [0.001, 3],
        [0.0025, 9],
        [0.005, 10],
        [0.01, 10],
        [Infinity, 10],
      ]),
    ).toBe(0.005);
    expect(
      maxBound([
        [0.1, 2],
        [Infinity, 3],
      ]),
    ).toBe(Infinity);
    expect(
      maxBound([
        [0.1, 0],
        [Infinity, 0],
      ]),
    ).toBeNull();
    expect(maxBound([])).toBeNull();
  });

  it('reads le labels, +Inf included, and refuses what is no bound', () => {
    expect(bucketBound('0.000001')).toBe(0.000001);
    expect(bucketBound('+Inf')).toBe(Infinity);
    expect(() => bucketBound('fast')).toThrow('not a histogram bucket bound: le="fast"');
    expect(() => bucketBound(undefined)).toThrow('le=undefined');
  });

  it('lays the figures out as the article does, one row per cache', () => {
    const row: CacheFigures = {
      cache: 'native',
      description: '',
      eventsPerSecond: 123_456.4,
      writeRequestsPerSecond: 4_938,
      avgWriteMs: 0.834,
      p99WriteMs: 12.25,
      maxWriteMs: 64.02,
      largestStallMs: 61.5,
      mapStallBoundMs: 5,
      gcPauses: 100,
      gcPauseP99Ms: 16,
      gcPauseTotalMs: 800,
      gcTimeShare: 0.0812,
      allocationBytesPerSecond: 200 * 1_048_576,
      allocationBytesPerEvent: 912.4,
      growths: 7,
      growthsFromStats: null,
      devices: 120_000,
      errors: 0,
    };
    const lines = table([
      row,
      { ...row, cache: 'planned', mapStallBoundMs: null, growths: 0, growthsFromStats: 0 },
    ]).split('\n');
    expect(lines[0]).toMatch(
      /^\| cache +\| throughput \| avg write \| p99 write \| slowest write \| largest stall \| map stall \| GC pause p99 \| GC time \| allocation \| per event \| growths \|$/,
    );
    expect(lines[2]?.split('|').map((cell) => cell.trim())).toEqual([
      '',
      'native',
      '123,456/s',
      '0.83 ms',
      '12.3 ms',
      '64.0 ms',
      '61.5 ms',
      '≤ 5 ms',
      '16.0 ms',
      '8.1 %',
      '200.0 MB/s',
      '912 B',
      '7 ¹',
      '',
    ]);
    expect(lines[3]).toMatch(/\| +none \|/);
    expect(lines[3]?.trim().endsWith('|       0 |')).toBe(true);
  });
});
