// metricsExport 'metric-producer' (what register uses): the map series leave through a
// MetricProducer instead of the SDK's instruments. Two instrumentations in one process hear the
// same channel events, so the two ways must export the very same metrics.
import {
  DataPointType,
  MeterProvider,
  type Histogram,
  type MetricData,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { PresizedMapInstrumentation } from '../../src/instrumentation/instrumentation.js';
import { PresizedMap } from '@presize/map';
import { mapMetricsProducer } from '../../src/instrumentation/map-metrics-producer.js';
import * as semconv from '../../src/semconv.js';
import { CollectingReader, TelemetryHarness } from './telemetry-harness.js';

const STALL = semconv.METRIC_MAP_EVACUATION_STALL;

function fill(map: PresizedMap<string, number>, from: number, to: number): void {
  for (let i = from; i < to; i++) map.set(`dev_${i.toString(16).padStart(8, '0')}`, i);
}

function allMetrics(scopes: ScopeMetrics[]): Map<string, { scope: ScopeMetrics['scope']; metric: MetricData }> {
  return new Map(
    scopes.flatMap((s) => s.metrics.map((metric) => [metric.descriptor.name, { scope: s.scope, metric }] as const)),
  );
}

function stallMetrics(scopes: ScopeMetrics[]): { scope: ScopeMetrics['scope']; metric: MetricData }[] {
  return scopes.flatMap((s) =>
    s.metrics.filter((m) => m.descriptor.name === STALL).map((metric) => ({ scope: s.scope, metric })),
  );
}

describe("metricsExport: 'metric-producer'", () => {
  let viaInstrument: TelemetryHarness;
  let viaProducer: PresizedMapInstrumentation;
  let reader: CollectingReader;
  let meterProvider: MeterProvider;

  beforeEach(() => {
    viaInstrument = new TelemetryHarness();
    viaProducer = new PresizedMapInstrumentation({ metricsExport: 'metric-producer' });
    reader = new CollectingReader([mapMetricsProducer(viaProducer)]);
    meterProvider = new MeterProvider({ readers: [reader] });
    viaProducer.setMeterProvider(meterProvider);
  });
  afterEach(async () => {
    viaProducer.disable();
    await meterProvider.shutdown();
    await viaInstrument.shutdown();
  });

  const collectBoth = async () => {
    const [instrumentSide, producerSide] = await Promise.all([viaInstrument.reader.collect(), reader.collect()]);
    return {
      instrument: stallMetrics(instrumentSide.resourceMetrics.scopeMetrics),
      producer: stallMetrics(producerSide.resourceMetrics.scopeMetrics),
    };
  };

  test('exports the histogram the instrument would: name, unit, scope, attributes, every bucket', async () => {
    const a = new PresizedMap<string, number>({ name: 'alpha', seed: 5 });
    const b = new PresizedMap<string, number>({ name: 'beta', seed: 6, hint: 1_000 });
    fill(a, 0, 40_000);
    fill(b, 0, 30_000);
    const { instrument, producer } = await collectBoth();
    // Once: the producer side has no histogram instrument of that name besides.
    expect(producer).toHaveLength(1);
    expect(instrument).toHaveLength(1);
    expect(producer[0]!.scope).toEqual(instrument[0]!.scope);
    const p = producer[0]!.metric;
    const i = instrument[0]!.metric;
    expect(p.descriptor).toMatchObject({
      name: i.descriptor.name,
      unit: i.descriptor.unit,
      description: i.descriptor.description,
    });
    expect(p.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(p.aggregationTemporality).toBe(i.aggregationTemporality);
    const byName = (metric: MetricData) =>
      new Map(metric.dataPoints.map((d) => [d.attributes[semconv.ATTR_MAP_NAME], d.value as Histogram]));
    const fromProducer = byName(p);
    const fromInstrument = byName(i);
    expect([...fromProducer.keys()].sort()).toEqual(['alpha', 'beta']);
    for (const [name, h] of fromInstrument) {
      const q = fromProducer.get(name)!;
      expect(q.count).toBe(h.count);
      expect(q.count).toBeGreaterThan(1_000);
      expect(q.buckets).toEqual(h.buckets);
      expect(q.min).toBe(h.min);
      expect(q.max).toBe(h.max);
      expect(q.sum).toBeCloseTo(h.sum!, 12);
    }
  });

  test('cumulative across collections, from the time the series was first seen', async () => {
    const before = Date.now();
    const map = new PresizedMap<string, number>({ name: 'gamma', seed: 8 });
    fill(map, 0, 20_000);
    const first = await collectBoth();
    fill(map, 20_000, 60_000);
    const second = await collectBoth();
    const point = (side: { metric: MetricData }[]) => side[0]!.metric.dataPoints[0]!;
    expect((point(second.producer).value as Histogram).count).toBe((point(second.instrument).value as Histogram).count);
    expect((point(second.producer).value as Histogram).count).toBeGreaterThan(
      (point(first.producer).value as Histogram).count,
    );
    expect(point(second.producer).startTime).toEqual(point(first.producer).startTime);
    const startMs = point(first.producer).startTime[0] * 1e3 + point(first.producer).startTime[1] / 1e6;
    expect(startMs).toBeGreaterThanOrEqual(before - 1);
  });

  test('every metric the instruments export, point for point: counters, histograms, gauges', async () => {
    const a = new PresizedMap<string, number>({ name: 'alpha', seed: 5 });
    const b = new PresizedMap<string, number>({ name: 'beta', seed: 6, hint: 1_000 });
    fill(a, 0, 40_000);
    fill(b, 0, 30_000);
    for (let i = 0; i < 3_000; i++) a.delete(`dev_${i.toString(16).padStart(8, '0')}`);
    const [instrumentSide, producerSide] = await Promise.all([viaInstrument.reader.collect(), reader.collect()]);
    const instrument = allMetrics(instrumentSide.resourceMetrics.scopeMetrics);
    const producer = allMetrics(producerSide.resourceMetrics.scopeMetrics);
    expect([...producer.keys()].sort()).toEqual([...instrument.keys()].sort());
    expect(producer.size).toBe(14);
    for (const [name, { scope, metric: i }] of instrument) {
      const { scope: pScope, metric: p } = producer.get(name)!;
      expect(pScope).toEqual(scope);
      expect(p.descriptor).toMatchObject({
        name: i.descriptor.name,
        unit: i.descriptor.unit,
        description: i.descriptor.description,
        valueType: i.descriptor.valueType,
      });
      expect(p.dataPointType).toBe(i.dataPointType);
      const key = (attributes: object) => JSON.stringify(Object.entries(attributes).sort());
      const pointsOf = (m: MetricData) => new Map(m.dataPoints.map((d) => [key(d.attributes), d.value]));
      const fromProducer = pointsOf(p);
      const fromInstrument = pointsOf(i);
      expect([...fromProducer.keys()].sort()).toEqual([...fromInstrument.keys()].sort());
      for (const [attributes, value] of fromInstrument) {
        const q = fromProducer.get(attributes);
        if (typeof value === 'number') expect(q).toBe(value);
        else {
          const h = value as Histogram;
          const g = q as Histogram;
          expect(g.count).toBe(h.count);
          expect(g.buckets).toEqual(h.buckets);
          expect(g.min).toBe(h.min);
          expect(g.max).toBe(h.max);
          expect(g.sum).toBeCloseTo(h.sum!, 12);
        }
      }
    }
  });

  test('no stall histogram before a map has evacuated', async () => {
    const map = new PresizedMap<string, number>({ name: 'quiet', hint: 1_000, seed: 9 });
    fill(map, 0, 1_000);
    expect((await collectBoth()).producer).toEqual([]);
  });
});
