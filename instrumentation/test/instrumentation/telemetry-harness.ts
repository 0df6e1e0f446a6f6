import { context, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { PresizedMapInstrumentation } from '../../src/instrumentation/instrumentation.js';
import type { PresizedMapInstrumentationConfig } from '../../src/instrumentation/types.js';

/** A pull reader: the test decides when a collection happens, as Prometheus would. */
export class CollectingReader extends MetricReader {
  constructor(metricProducers: MetricProducer[] = []) {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, metricProducers });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** The real SDK with in-memory exporters, and the instrumentation wired to it. */
export class TelemetryHarness {
  readonly spans = new InMemorySpanExporter();
  readonly tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(this.spans)],
  });
  readonly reader = new CollectingReader();
  readonly meterProvider = new MeterProvider({ readers: [this.reader] });
  readonly instrumentation: PresizedMapInstrumentation;
  private readonly contextManager = new AsyncLocalStorageContextManager().enable();

  constructor(config: PresizedMapInstrumentationConfig = {}) {
    context.setGlobalContextManager(this.contextManager);
    this.instrumentation = new PresizedMapInstrumentation(config);
    this.instrumentation.setTracerProvider(this.tracerProvider);
    this.instrumentation.setMeterProvider(this.meterProvider);
  }

  get tracer() {
    return this.tracerProvider.getTracer('test');
  }

  finishedSpans(name?: string): ReadableSpan[] {
    const all = this.spans.getFinishedSpans();
    return name === undefined ? all : all.filter((s) => s.name === name);
  }

  async metrics(): Promise<Map<string, MetricData>> {
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) throw errors[0];
    const byName = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
    }
    return byName;
  }

  async shutdown(): Promise<void> {
    this.instrumentation.disable();
    await this.meterProvider.shutdown();
    await this.tracerProvider.shutdown();
    this.contextManager.disable();
    context.disable();
  }
}

/** Data points whose attributes include every given attribute. */
export function pointsOf<T>(metric: MetricData | undefined, where: Attributes = {}): DataPoint<T>[] {
  if (metric === undefined) return [];
  return (metric.dataPoints as DataPoint<T>[]).filter((p) =>
    Object.entries(where).every(([k, v]) => p.attributes[k] === v),
  );
}

/** The value of a counter or gauge: the sum over matching points (0 when there is none). */
export function valueOf(metric: MetricData | undefined, where: Attributes = {}): number {
  if (metric !== undefined && metric.dataPointType === DataPointType.HISTOGRAM) {
    throw new Error(`${metric.descriptor.name} is a histogram`);
  }
  return pointsOf<number>(metric, where).reduce((sum, p) => sum + p.value, 0);
}

/** Count and sum of a histogram over matching points. */
export function histogramOf(
  metric: MetricData | undefined,
  where: Attributes = {},
): { count: number; sum: number; min: number; max: number; counts: number[] } {
  return pointsOf<Histogram>(metric, where).reduce(
    (acc, p) => ({
      count: acc.count + p.value.count,
      sum: acc.sum + (p.value.sum ?? 0),
      min: Math.min(acc.min, p.value.min ?? Infinity),
      max: Math.max(acc.max, p.value.max ?? -Infinity),
      counts: p.value.buckets.counts.map((c, i) => c + (acc.counts[i] ?? 0)),
    }),
    { count: 0, sum: 0, min: Infinity, max: -Infinity, counts: [] as number[] },
  );
}
