import { MeterProvider, MetricReader, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';

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
  const reader = new PullReader();
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
