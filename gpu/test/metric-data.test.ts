// Points of one name are grouped into data points by their attribute sets' content, whatever the
// order of the keys and even when two different sets share a hash.
import type { Attributes } from '@opentelemetry/api';
import type { ExportPoint } from '../src/export-point.js';
import { attributesHash, toMetricData } from '../src/metric-data.js';

const time: [number, number] = [1, 0];
const point = (attributes: Attributes, value: number): ExportPoint => ({
  name: 'DCGM_FI_DEV_GPU_TEMP',
  description: '',
  unit: '',
  kind: 'gauge',
  attributes,
  value,
});
const exported = (points: ExportPoint[]): [Attributes, number][] =>
  toMetricData(points, time, new Map()).flatMap((data) =>
    data.dataPoints.map((one) => [one.attributes, one.value] as [Attributes, number]),
  );

/** Two different attribute sets with the same attributesHash, found by trying GPU numbers. */
function collision(): [Attributes, Attributes] {
  const seen = new Map<number, Attributes>();
  for (let gpu = 0; ; gpu++) {
    const attributes = { gpu: String(gpu), UUID: `GPU-${gpu}` };
    const earlier = seen.get(attributesHash(attributes));
    if (earlier) return [earlier, attributes];
    seen.set(attributesHash(attributes), attributes);
  }
}

describe('metric data', () => {
  it('gives a series written twice, its labels in another order, one data point with its last value', () => {
    const first = { gpu: '0', UUID: 'GPU-a', Hostname: 'h' };
    const reordered = { Hostname: 'h', UUID: 'GPU-a', gpu: '0' };
    expect(attributesHash(reordered)).toBe(attributesHash(first));
    expect(exported([point(first, 30), point({ gpu: '1' }, 31), point(reordered, 32)])).toEqual([
      [first, 32],
      [{ gpu: '1' }, 31],
    ]);
  });

  it('keeps two series whose attribute sets share a hash apart, each with its own last value', () => {
    const [a, b] = collision();
    expect(a).not.toEqual(b);
    expect(attributesHash(a)).toBe(attributesHash(b));
    expect(exported([point(a, 1), point(b, 2), point({ ...a }, 3), point({ ...b }, 4), point(b, 5)])).toEqual([
      [a, 3],
      [b, 5],
    ]);
  });
});
