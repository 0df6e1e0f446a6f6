import { diag, DiagLogLevel } from '@opentelemetry/api';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIAGNOSTICS_RECOVERY } from '../src/diagnostics-recovery.js';
import { readCapture } from '../src/read-capture.js';
import type { GpuSeries } from '../src/sample.js';
import { capSeries, compareSeries } from '../src/series-cap.js';
import { FileSource } from '../src/sources/file-source.js';
import { fixture, SCRAPES } from './fixtures.js';
import { harness, metric, points, type Harness } from './otel-harness.js';

const never = new AbortController().signal;
const identity = (series: GpuSeries): string => `${series.field} ${JSON.stringify(series.labels)}`;

describe('the order in which series are kept', () => {
  const series = (field: string, labels: Record<string, string>): GpuSeries => ({ field, labels, value: 1 });

  it('is by GPU index as a number, then UUID, MIG instance, field; a series without a GPU index comes last', () => {
    const ordered = [
      series('DCGM_FI_DEV_GPU_TEMP', { gpu: '2', UUID: 'GPU-b' }),
      series('DCGM_FI_DEV_GPU_UTIL', { gpu: '2', UUID: 'GPU-b' }),
      series('DCGM_FI_DEV_GPU_TEMP', { gpu: '2', UUID: 'GPU-c', GPU_I_ID: '3' }),
      series('DCGM_FI_DEV_GPU_TEMP', { gpu: '2', UUID: 'GPU-c', GPU_I_ID: '11' }),
      series('DCGM_FI_DEV_FB_USED', { gpu: '10', UUID: 'GPU-a' }),
      series('DCGM_FI_DEV_FB_USED', { UUID: 'GPU-0' }),
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(Math.sign(compareSeries(ordered[i]!, ordered[j]!))).toBe(Math.sign(i - j));
      }
    }
  });

  it('keeps the first `max` series in that order, whatever order they are read in, and keeps the read order', async () => {
    const labelSets = fc.record(
      {
        gpu: fc.constantFrom('0', '1', '2', '9', '10', 'x'),
        UUID: fc.constantFrom('GPU-a', 'GPU-b'),
        GPU_I_ID: fc.constantFrom('1', '2', '13'),
        pod: fc.constantFrom('a', 'b', 'c'),
      },
      { requiredKeys: [] },
    );
    const oneSeries = fc.record({
      field: fc.constantFrom('DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_PROF_GR_ENGINE_ACTIVE'),
      labels: labelSets,
      value: fc.double({ noNaN: true }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(oneSeries, { selector: identity, maxLength: 120 }),
        fc.integer({ min: 1, max: 130 }),
        fc.infiniteStream(fc.nat()),
        async (read, max, randoms) => {
          // The same series in another order, as another read of the source could write them.
          const shuffled = read
            .map((one) => [randoms.next().value as number, one] as const)
            .sort(([a], [b]) => a - b)
            .map(([, one]) => one);
          const expected = new Set([...read].sort(compareSeries).slice(0, max).map(identity));
          for (const order of [read, shuffled]) {
            const capped = await capSeries(order, max, never);
            expect(new Set(capped.kept.map(identity))).toEqual(expected);
            expect(capped.kept).toEqual(order.filter((one) => expected.has(identity(one))));
            expect(capped.leftOutCount).toBe(read.length - expected.size);
            const byField = new Map<string, number>();
            for (const one of order) {
              if (!expected.has(identity(one))) byField.set(one.field, (byField.get(one.field) ?? 0) + 1);
            }
            expect(capped.leftOut).toEqual(byField);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('GpuMetrics maxSeries', () => {
  let dir: string;
  let capture: string;
  let current: Harness | undefined;
  const warnings: { message: string; recovery: boolean }[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'presize-gpu-cap-'));
    capture = join(dir, 'capture.prom');
    warnings.length = 0;
    diag.setLogger(
      {
        error() {},
        warn: (...args: unknown[]) => {
          const recovery = args.at(-1) === DIAGNOSTICS_RECOVERY;
          warnings.push({ message: (recovery ? args.slice(0, -1) : args).join(' '), recovery });
        },
        info() {},
        debug() {},
        verbose() {},
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
  });
  afterEach(async () => {
    diag.disable();
    await current?.shutdown();
    current = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const h100 = fixture(SCRAPES.h100x8);
  const all = readCapture(h100).series;
  // GPUs 0 to 2 of the eight: the cap that lets exactly them through.
  const firstThree = all.filter((one) => ['0', '1', '2'].includes(one.labels['gpu'] as string));

  const exportedGpus = async (h: Harness): Promise<string[]> => {
    const collected = await h.collect();
    const names = collected.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .map((data) => data.descriptor.name)
      .filter((name) => name.startsWith('DCGM_'));
    const gpus = new Set(names.flatMap((name) => points(collected, name).map(([labels]) => labels['gpu'] as string)));
    return [...gpus].sort();
  };

  const droppedForCap = async (h: Harness): Promise<Map<string, number>> =>
    new Map(
      points(await h.collect(), 'presize.gpu.dropped_values')
        .filter(([attributes]) => attributes['presize.gpu.drop.reason'] === 'series_cap')
        .map(([attributes, value]) => [attributes['presize.gpu.field'] as string, value]),
    );

  it('exports the first GPUs up to the cap, the same ones at every read, and counts the rest by field', async () => {
    expect(firstThree.length).toBeGreaterThan(0);
    expect(firstThree.length).toBeLessThan(all.length);
    writeFileSync(capture, h100);
    current = harness({ source: new FileSource(capture), maxSeries: firstThree.length });
    const reads = 3;
    for (let i = 0; i < reads; i++) {
      expect((await current.gpu.scrape()).ok).toBe(true);
      expect(await exportedGpus(current)).toEqual(['0', '1', '2']);
      // The capture written in reverse line order: the same series are kept.
      writeFileSync(capture, `${h100.trimEnd().split('\n').reverse().join('\n')}\n`);
    }
    const collected = await current.collect();
    expect(points(collected, 'presize.gpu.series')).toEqual([[expect.any(Object), firstThree.length]]);
    const leftOut = new Map<string, number>();
    for (const one of all) {
      if (!firstThree.includes(one)) leftOut.set(one.field, (leftOut.get(one.field) ?? 0) + reads);
    }
    expect(await droppedForCap(current)).toEqual(leftOut);
    expect(metric(collected, 'DCGM_FI_DEV_POWER_USAGE')?.dataPoints).toHaveLength(3);
    const capWarnings = warnings.filter(({ message }) => message.includes('maxSeries'));
    expect(capWarnings).toEqual([
      {
        message: expect.stringContaining(
          `${all.length} GPU series read, more than maxSeries (PRESIZE_GPU_MAX_SERIES) = ${firstThree.length}`,
        ),
        recovery: false,
      },
    ]);
  });

  it('warns again after a read within the cap, which is logged as a recovery', async () => {
    current = harness({ source: new FileSource(capture), maxSeries: firstThree.length });
    const gpu0 = h100
      .split('\n')
      .filter((line) => !line.startsWith('DCGM_') || line.includes('gpu="0"'))
      .join('\n');
    for (const text of [h100, h100, gpu0, h100]) {
      writeFileSync(capture, text);
      expect((await current.gpu.scrape()).ok).toBe(true);
    }
    expect(
      warnings
        .filter(({ message }) => message.includes('maxSeries'))
        .map(({ message, recovery }) => [/more than maxSeries|within maxSeries/.exec(message)?.[0], recovery]),
    ).toEqual([
      ['more than maxSeries', false],
      ['within maxSeries', true],
      ['more than maxSeries', false],
    ]);
  });

  it('refuses a cap that is not a positive integer', () => {
    for (const maxSeries of [0, -1, 1.5, Number.NaN]) {
      expect(() => harness({ source: new FileSource(capture), maxSeries })).toThrow(
        `maxSeries must be a positive integer, got ${maxSeries}`,
      );
    }
  });
});
