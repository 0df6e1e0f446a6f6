import { MeterProvider, MetricReader, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import { EXPECTED_ENTRIES, EXPECTED_EVICTIONS, EXPECTED_OPERATIONS } from './cache-workload.cjs';

/** A pull reader: the test decides when the SDK collects, as a Prometheus scrape would. */
class PullReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export interface CollectedPoint {
  attributes: Record<string, unknown>;
  value: unknown;
}

export function testMeterProvider(): { provider: MeterProvider; collect(): Promise<Map<string, CollectedPoint[]>> } {
  // The SDK keeps 2,000 series per instrument by default; the property tests name caches by the
  // thousand (one name per run and per shrink) and must see every one of them.
  const reader = new PullReader({ cardinalitySelector: () => 1_000_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    async collect() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
      const byName = new Map<string, CollectedPoint[]>();
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics as MetricData[]) {
          const points = (metric.dataPoints as DataPoint<unknown>[]).map((p) => ({
            attributes: { ...p.attributes },
            value: p.value,
          }));
          byName.set(metric.descriptor.name, [...(byName.get(metric.descriptor.name) ?? []), ...points]);
        }
      }
      return byName;
    },
  };
}

/** The value of the one point whose attributes include `match`, or 0 when there is none. */
export function pointValue(points: CollectedPoint[] | undefined, match: Record<string, unknown>): unknown {
  const found = (points ?? []).filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
  if (found.length > 1) throw new Error(`${found.length} points match ${JSON.stringify(match)}`);
  return found[0]?.value ?? 0;
}

/** The attributes of one `presize.lru.operations` series. */
export const operation = (name: string, op: string, result: string) => ({
  'presize.lru.name': name,
  'presize.lru.operation': op,
  'presize.lru.result': result,
});

/** The `presize.lru.operations` values of one cache name, by "operation result". */
export function operationCounts(points: CollectedPoint[] | undefined, name: string): Record<string, unknown> {
  return Object.fromEntries(
    (points ?? [])
      .filter((p) => p.attributes['presize.lru.name'] === name)
      .map((p) => [
        `${String(p.attributes['presize.lru.operation'])} ${String(p.attributes['presize.lru.result'])}`,
        p.value,
      ]),
  );
}

/** What `exercise` (cache-workload.cjs) must give the cache it ran on, named `name`: exactly. */
export function expectWorkloadCounted(metrics: Map<string, CollectedPoint[]>, name: string): void {
  const cache = { 'presize.lru.name': name };
  expect(operationCounts(metrics.get('presize.lru.operations'), name)).toEqual(EXPECTED_OPERATIONS);
  expect(metrics.get('presize.lru.operations')).toHaveLength(Object.keys(EXPECTED_OPERATIONS).length);
  expect(pointValue(metrics.get('presize.lru.evictions'), cache)).toBe(EXPECTED_EVICTIONS);
  expect(pointValue(metrics.get('presize.lru.entries'), cache)).toBe(EXPECTED_ENTRIES);
  expect(pointValue(metrics.get('presize.lru.max'), cache)).toBe(3);
}

/** A read of one stale entry of the cache named `name`: a stale get and a delete of reason expire, no eviction. */
export function expectStaleReadCounted(metrics: Map<string, CollectedPoint[]>, name: string): void {
  const ops = metrics.get('presize.lru.operations');
  const counted = (op: string, result: string) =>
    pointValue(ops, { 'presize.lru.name': name, 'presize.lru.operation': op, 'presize.lru.result': result });
  expect([counted('get', 'stale'), counted('delete', 'expire')]).toEqual([1, 1]);
  expect(pointValue(metrics.get('presize.lru.evictions'), { 'presize.lru.name': name })).toBe(0);
}
