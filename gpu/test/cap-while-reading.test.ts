// The cap on GPU series is applied while a capture is read: what the read returns is what the
// whole read capped afterwards would give, and the series past the cap are counted but never made
// nor held, nor anything kept for the label sets none of whose series can be kept.
import fc from 'fast-check';
import { readWhole } from '../src/capture-reader.js';
import { DcgmExpositionReader } from '../src/dcgm-exposition-reader.js';
import { readCapture, readCaptureChunks } from '../src/read-capture.js';
import type { GpuCaptureFormat, GpuSample, GpuSeries } from '../src/sample.js';
import { capSeries, compareSeries, SeriesSelection } from '../src/series-cap.js';
import { SmiCsvReader } from '../src/smi-csv-reader.js';
import { SimulatedSource } from '../src/sources/simulated-source.js';
import type { GpuReadOptions, GpuSource } from '../src/sources/source.js';
import { fixture, SCRAPES, SMI_CSV, SMI_XML } from './fixtures.js';
import { largeScrape, largeSmiCsv, largeSmiXml } from './large-captures.js';
import { harness, points } from './otel-harness.js';

const never = new AbortController().signal;

/** The whole read, capped afterwards, as GpuMetrics caps the sample of a source that does not cap. */
async function cappedAfter(text: string, format: GpuCaptureFormat, maxSeries: number): Promise<GpuSample> {
  const whole = readCapture(text, format);
  const { kept, leftOut, leftOutCount } = await capSeries(whole.series, maxSeries, never);
  return leftOutCount === 0
    ? whole
    : { ...whole, series: kept, seriesLeftOut: { count: leftOutCount, byField: leftOut } };
}

function chunksOf(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

/** The capture's lines in another order. */
function shuffledLines(text: string, randoms: fc.Stream<number>): string {
  const shuffled = text
    .trimEnd()
    .split('\n')
    .map((line) => [randoms.next().value as number, line] as const)
    .sort(([a], [b]) => a - b)
    .map(([, line]) => line);
  return `${shuffled.join('\n')}\n`;
}

describe.each<[string, GpuCaptureFormat, string]>([
  ['the 8×H100 dcgm-exporter scrape', 'dcgm-exporter', fixture(SCRAPES.h100x8)],
  ['a dcgm-exporter scrape of 64 KiB', 'dcgm-exporter', largeScrape(64 * 1024)],
  ['the H100 nvidia-smi CSV', 'nvidia-smi-csv', fixture(SMI_CSV.h100Load)],
  ['nvidia-smi CSV of 40 GPUs', 'nvidia-smi-csv', largeSmiCsv(40)],
  ['the A100 nvidia-smi XML', 'nvidia-smi-xml', fixture(SMI_XML.a100)],
  ['nvidia-smi XML of 6 GPUs', 'nvidia-smi-xml', largeSmiXml(6)],
])('%s read with a cap', (_name, format, text) => {
  const total = readCapture(text, format).series.length;

  it('gives what the whole read capped afterwards gives, at once and in chunks cut anywhere', async () => {
    expect(total).toBeGreaterThan(1);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: total + 2 }),
        fc.integer({ min: 1, max: 40_000 }),
        async (max, size) => {
          const expected = await cappedAfter(text, format, max);
          expect(readCapture(text, format, { maxSeries: max })).toEqual(expected);
          expect(await readCaptureChunks(chunksOf(text, size), never, format, { maxSeries: max })).toEqual(expected);
          expect(expected.series.length).toBe(Math.min(max, total));
          expect(expected.seriesLeftOut?.count ?? 0).toBe(total - expected.series.length);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  // (nvidia-smi numbers the GPUs by their row or element, so only a scrape can be reordered.)
  if (format === 'dcgm-exporter') {
    it('keeps the same series whatever order the lines come in', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: total }), fc.infiniteStream(fc.nat()), async (max, randoms) => {
          const shuffled = shuffledLines(text, randoms);
          const identity = (one: GpuSeries): string => `${one.field} ${JSON.stringify(one.labels)}`;
          const kept = (sample: GpuSample): string[] => sample.series.map(identity).sort();
          expect(kept(readCapture(shuffled, format, { maxSeries: max }))).toEqual(
            kept(readCapture(text, format, { maxSeries: max })),
          );
        }),
        { numRuns: 25 },
      );
    }, 120_000);
  }
});

describe('series past the cap', () => {
  const labelSets = fc.record(
    {
      gpu: fc.constantFrom('0', '1', '2', '9', '10', 'x'),
      UUID: fc.constantFrom('GPU-a', 'GPU-b'),
      GPU_I_ID: fc.constantFrom('1', '2', '13'),
      pod: fc.constantFrom('a', 'b'),
    },
    { requiredKeys: [] },
  );
  const oneSeries = fc.record({
    field: fc.constantFrom('DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_PROF_GR_ENGINE_ACTIVE'),
    labels: labelSets,
    value: fc.double({ noNaN: true }),
  });

  it('are never held: at most `max` series at any time, however many are offered in whatever order', () => {
    fc.assert(
      fc.property(fc.array(oneSeries, { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (offered, max) => {
        const selection = new SeriesSelection(max);
        for (const { field, labels, value } of offered) {
          selection.offer(field, labels, value);
          expect(selection.held).toBeLessThanOrEqual(max);
        }
        const { kept, leftOutCount } = selection.result();
        expect(kept).toHaveLength(Math.min(max, offered.length));
        expect(leftOutCount).toBe(offered.length - kept.length);
        expect(selection.made).toBeGreaterThanOrEqual(kept.length);
      }),
      { numRuns: 200 },
    );
  });

  it('are never made when the series come in the cap’s order, and all but `max` are made in the reverse order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(oneSeries, { selector: (one) => `${one.field} ${JSON.stringify(one.labels)}`, maxLength: 200 }),
        fc.integer({ min: 1, max: 40 }),
        (unique, max) => {
          const ordered = [...unique].sort(compareSeries);
          for (const [order, made] of [
            [ordered, Math.min(max, ordered.length)],
            [[...ordered].reverse(), ordered.length],
          ] as const) {
            const selection = new SeriesSelection(max);
            for (const { field, labels, value } of order) selection.offer(field, labels, value);
            expect(selection.made).toBe(made);
            expect(selection.result().kept).toEqual(order.filter((one) => ordered.indexOf(one) < max));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('of a 1 MiB dcgm-exporter scrape (GPU by GPU, as it grows) are never made, and their label sets not kept', () => {
    const text = largeScrape(1024 * 1024);
    const all = readCapture(text).series;
    // The first three GPU indexes: past them, no series can be kept.
    const max = 3 * all.filter((one) => one.labels['gpu'] === '0').length;
    const reader = new DcgmExpositionReader({ maxSeries: max });
    const sample = readWhole(reader, text);
    expect(all.length).toBeGreaterThan(20 * max);
    expect(sample.series).toHaveLength(max);
    expect(sample.seriesLeftOut?.count).toBe(all.length - max);
    expect(reader['builder'].series.made).toBe(max);
    // Label sets are kept for the read only up to the last GPU kept; a scrape has 8 for each GPU index.
    const lastGpu = Math.max(...sample.series.map((one) => Number(one.labels['gpu'])));
    const remembered = reader['parser']['labelCache'].size;
    expect(remembered).toBeLessThanOrEqual(8 * (lastGpu + 1));
    expect(new Set(all.map((one) => one.labels)).size).toBeGreaterThan(10 * remembered);
  });

  it('of nvidia-smi CSV are never made when the GPUs come in order', () => {
    // Every row is the same GPU index, each with a UUID of its own, in order.
    const all = readCapture(largeSmiCsv(400)).series;
    const firstTwo = [...new Set(all.map((one) => one.labels['UUID']))].slice(0, 2);
    const max = all.filter((one) => firstTwo.includes(one.labels['UUID'])).length;
    const reader = new SmiCsvReader({ maxSeries: max });
    const sample = readWhole(reader, largeSmiCsv(400));
    expect(sample.series).toEqual(all.slice(0, max));
    expect(sample.seriesLeftOut?.count).toBe(all.length - max);
    expect(reader['builder'].series.made).toBe(max);
  });
});

describe('GpuMetrics and the cap', () => {
  it('asks the source to read with its cap, and caps what a source returns when it did not', async () => {
    const simulated = new SimulatedSource({ gpus: 6, now: () => 0 });
    const all = (await simulated.read()).series;
    const perGpu = all.filter((one) => one.labels['gpu'] === '0').length;
    const asked: (GpuReadOptions | undefined)[] = [];
    const source: GpuSource = {
      kind: 'simulated',
      description: 'a source that ignores the cap',
      read: (_signal, options) => {
        asked.push(options);
        return simulated.read();
      },
    };
    const h = harness({ source, maxSeries: 2 * perGpu });
    expect((await h.gpu.scrape()).ok).toBe(true);
    expect(asked).toEqual([{ maxSeries: 2 * perGpu }]);
    const collected = await h.collect();
    const gpus = new Set(points(collected, 'DCGM_FI_DEV_GPU_UTIL').map(([labels]) => labels['gpu']));
    expect([...gpus].sort()).toEqual(['0', '1']);
    const capped = points(collected, 'presize.gpu.dropped_values')
      .filter(([attributes]) => attributes['presize.gpu.drop.reason'] === 'series_cap')
      .reduce((sum, [, value]) => sum + value, 0);
    expect(capped).toBe(all.length - 2 * perGpu);
    await h.shutdown();
  });
});
