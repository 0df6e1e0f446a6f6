import type { GpuSample } from '../src/sample.js';

/** The value of `field` for the series whose labels include `match`; undefined when absent. */
export function valueOf(sample: GpuSample, field: string, match: Record<string, string> = {}): number | undefined {
  const found = sample.series.filter(
    (series) => series.field === field && Object.entries(match).every(([name, value]) => series.labels[name] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} series of ${field} match ${JSON.stringify(match)}`);
  return found[0]?.value;
}

/**
 * Expects each field of `expected` to have its value (undefined: no such series) in the series
 * whose labels include `match`; one comparison, so a failure shows every field that differs.
 */
export function expectFields(
  sample: GpuSample,
  expected: Record<string, number | undefined>,
  match: Record<string, string> = {},
): void {
  const actual = Object.fromEntries(Object.keys(expected).map((field) => [field, valueOf(sample, field, match)]));
  expect(actual).toStrictEqual(expected);
}
