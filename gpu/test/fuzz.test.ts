import fc from 'fast-check';
import { dcgmField } from '../src/dcgm-fields.js';
import { dcgmExportPoints } from '../src/dcgm-naming.js';
import { parseExposition } from '../src/exposition-parser.js';
import { hwExportPoints } from '../src/hw-naming.js';
import { CounterStarts, toMetricData } from '../src/metric-data.js';
import { GpuSourceError, readFetchedCapture } from '../src/sources/source.js';
import { isDcgmBlank } from '../src/validity.js';
import { fixturesIn } from './fixtures.js';

const captures = [
  ...fixturesIn('dcgm-scrapes'),
  ...fixturesIn('nvidia-smi/query-gpu-csv'),
  ...fixturesIn('nvidia-smi/xml'),
];

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'replace'; at: number; with: string };

const STRUCTURAL = [
  '{',
  '}',
  '"',
  '\\',
  '\n',
  '\r',
  ',',
  ' ',
  '=',
  '#',
  '<',
  '>',
  '/',
  '[',
  ']',
  '%',
  'x',
  '0',
  '9',
  '.',
  '-',
  'e',
  '\u0000',
  'é',
  'N/A',
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 400 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    with: fc.constantFrom(...STRUCTURAL),
  }),
);

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = Math.floor(m.at * out.length);
    switch (m.kind) {
      case 'delete':
        out = out.slice(0, at) + out.slice(at + m.length);
        break;
      case 'duplicate':
        out = out.slice(0, at + m.length) + out.slice(at, at + m.length) + out.slice(at + m.length);
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'replace':
        out = out.slice(0, at) + m.with + out.slice(at + 1);
        break;
    }
  }
  return out;
}

describe('mutated real captures (fuzz)', () => {
  it('never throw anything but a GpuSourceError, and never export a value that is not a value', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...captures),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        async ([, text], mutations) => {
          const mutated = mutate(text, mutations);
          let sample;
          try {
            sample = await readFetchedCapture([Buffer.from(mutated)], 'fuzz', new AbortController().signal);
          } catch (error) {
            if (error instanceof GpuSourceError) return;
            throw error;
          }
          for (const series of sample.series) {
            expect(Number.isFinite(series.value)).toBe(true);
            expect(isDcgmBlank(series.value, dcgmField(series.field)?.wide === true)).toBe(false);
            if (dcgmField(series.field)?.range === 'percent')
              expect(series.value >= 0 && series.value <= 100).toBe(true);
          }
          const time: [number, number] = [1, 0];
          const signal = new AbortController().signal;
          for (const points of [dcgmExportPoints(sample), await hwExportPoints(sample, signal)]) {
            const data = toMetricData(points, time, await new CounterStarts().next(points, time, signal));
            expect(data.every((metric) => metric.dataPoints.length > 0)).toBe(true);
          }
        },
      ),
      { numRuns: 600 },
    );
  });

  it('the exposition parser accounts for every non-blank line of arbitrary text, as a sample, a comment or a malformed line', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...STRUCTURAL, 'a', 'b', '_', ':', '1', '\t', 'NaN', '+Inf') }),
        (text) => {
          const exposition = parseExposition(text);
          // Only spaces and tabs are blanks in the format; a carriage return counts only at a line's end.
          const lines = text
            .split('\n')
            .map((line) => line.replace(/\r$/, '').replace(/^[ \t]+/, ''))
            .filter((line) => line.replace(/[ \t]+$/, '') !== '');
          const comments = lines.filter((line) => line.startsWith('#')).length;
          expect(exposition.samples.length + exposition.malformed.length).toBeGreaterThanOrEqual(
            lines.length - comments,
          );
          expect(exposition.samples.length + exposition.malformed.length).toBeLessThanOrEqual(lines.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
